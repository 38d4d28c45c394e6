import { describe, expect, it } from 'vitest';
import type { PageError } from './application-pages.ts';
import { dedupe } from './application.routes.ts';
import { html, raw } from './html.ts';

// The same error reported twice (by the page's own checks and by the service) is said once.

describe('dedupe', () => {
  it('merges errors with the same reason and values at the same field, and keeps the first', () => {
    const a: PageError = { anchor: 'f-ho_ten', message: 'Thiếu', reason: 'required', params: { label: 'Họ tên' } };
    const b: PageError = { anchor: 'f-ho_ten', message: 'Vui lòng nhập Họ tên', reason: 'required', params: { label: 'Họ tên' } };
    expect(dedupe([a, b])).toEqual([a]);
    // Another field, another reason or other values: kept.
    const other = [
      { ...a, anchor: 'f-ngay_sinh' },
      { ...a, reason: 'too_long' },
      { ...a, params: { label: 'Tên' } },
    ];
    expect(dedupe([a, ...other])).toEqual([a, ...other]);
  });

  it('merges equal messages whether they are text or markup, and keeps different ones', () => {
    const name = 'Tờ khai';
    const one: PageError = { anchor: 'c-to_khai', message: html`Choose a file for: <span lang="vi">${name}</span>` };
    // An equal message built again: another object with the same markup.
    const again: PageError = { anchor: 'c-to_khai', message: html`Choose a file for: <span lang="vi">${name}</span>` };
    expect(one.message).not.toBe(again.message);
    expect(dedupe([one, again])).toEqual([one]);
    expect(
      dedupe([
        { anchor: 'x', message: 'Too big' },
        { anchor: 'x', message: 'Too big' },
      ]),
    ).toHaveLength(1);
    // Text and markup that show the same are the same error; text that would show escaped is not.
    expect(
      dedupe([
        { anchor: 'x', message: 'A &amp; B' },
        { anchor: 'x', message: raw('A &amp; B') },
      ]),
    ).toHaveLength(2);
    expect(
      dedupe([
        { anchor: 'x', message: 'A & B' },
        { anchor: 'x', message: raw('A &amp; B') },
      ]),
    ).toHaveLength(1);
    // Different markup, or the same at another field: kept.
    expect(dedupe([one, { ...one, message: html`Choose a file for: <span lang="vi">Bản sao</span>` }])).toHaveLength(2);
    expect(dedupe([one, { ...one, anchor: 'c-ban_sao' }])).toHaveLength(2);
  });
});
