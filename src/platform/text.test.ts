import { describe, expect, it } from 'vitest';
import { escapeLike, fold, nfc } from './text.ts';

describe('fold', () => {
  it('makes search diacritic- and case-insensitive, folding đ to d', () => {
    expect(fold('Đăng ký khai sinh')).toBe('dang ky khai sinh');
    expect(fold('KHAI SINH')).toBe('khai sinh');
    expect(fold('  hộ   tịch ')).toBe('ho tich');
  });
  it('treats decomposed (NFD) input like composed input', () => {
    expect(fold('hộ tịch'.normalize('NFD'))).toBe(fold('hộ tịch'));
  });
});

describe('nfc', () => {
  it('composes decomposed text', () => {
    const decomposed = 'Nguyễn'.normalize('NFD');
    expect(decomposed).not.toBe('Nguyễn');
    expect(nfc(` ${decomposed} `)).toBe('Nguyễn');
  });
});

describe('escapeLike', () => {
  it('escapes wildcards', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });
});
