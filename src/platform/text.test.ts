import { describe, expect, it } from 'vitest';
import { escapeLike, fold, isMobilePhone, nfc, normalisePhone } from './text.ts';

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

describe('normalisePhone and isMobilePhone', () => {
  it('reads mobiles and landlines in their usual written forms as national digits', () => {
    const cases: [string, string][] = [
      ['0912345678', '0912345678'],
      ['+84 912 345 678', '0912345678'],
      ['84912345678', '0912345678'],
      // Landlines: 02 + area code + subscriber, 11 digits (Ninh Bình 0229, Hà Nội 024).
      ['(0229) 3871 234', '02293871234'],
      ['+84 (0) 229 3871 234', '02293871234'],
      ['024.3825.1234', '02438251234'],
    ];
    for (const [raw, national] of cases) expect(normalisePhone(raw), raw).toBe(national);
  });
  it('refuses what is neither, and only mobiles take an SMS', () => {
    // Too short, too long, an old 11-digit mobile (01x), a 06 prefix, letters, a foreign number.
    for (const bad of ['12345', '0229387123', '022938712345', '01283849123', '0612345678', '09123456x8', '+1 202 555 0123']) {
      expect(normalisePhone(bad), bad).toBeNull();
      expect(isMobilePhone(bad), bad).toBe(false);
    }
    expect(isMobilePhone('+84 912 345 678')).toBe(true);
    expect(isMobilePhone('0229 3871 234')).toBe(false);
  });
});
