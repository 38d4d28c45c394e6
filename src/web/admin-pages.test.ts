import { describe, expect, it } from 'vitest';
import { input } from './admin-pages.ts';

describe('input', () => {
  it('gives each of a field’s messages its own id, all describing the field', () => {
    const out = String(
      input({
        name: 'code',
        id: 'f-code',
        label: 'Mã',
        value: 'x',
        hint: 'Năm chữ số',
        errors: [
          { anchor: 'f-code', message: 'Phải có 5 chữ số.' },
          { anchor: 'f-code', message: 'Mã đã có.' },
        ],
      }),
    );
    const ids = [...out.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(out).toContain('aria-describedby="f-code-hint f-code-error f-code-error-2"');
    expect(out).toContain('<p class="error-message" id="f-code-error-2">Mã đã có.</p>');
  });
});
