import { describe, expect, it } from 'vitest';
import { cleanText, escapeLike, fold, isMobilePhone, nfc, normalisePhone } from './text.ts';

describe('fold', () => {
  it('makes search diacritic- and case-insensitive, folding đ to d', () => {
    expect(fold('Đăng ký khai sinh')).toBe('dang ky khai sinh');
    expect(fold('KHAI SINH')).toBe('khai sinh');
    // The look-alike Ð (U+00D0, Icelandic eth) folds as Đ does.
    expect(fold('\u00d0ăng ký kết hôn')).toBe('dang ky ket hon');
    expect(fold('\u00f0ăng')).toBe('dang');
    expect(fold('  hộ   tịch ')).toBe('ho tich');
  });
  it('treats decomposed (NFD) input like composed input', () => {
    expect(fold('hộ tịch'.normalize('NFD'))).toBe(fold('hộ tịch'));
  });
});

describe('fold and invisible characters', () => {
  it('drops zero-width and bidi characters and reads control characters as spaces', () => {
    expect(fold('khai\u200b sinh')).toBe('khai sinh');
    expect(fold('\ufeffKHAI\u200dSINH')).toBe('khaisinh');
    expect(fold('khai\u0007sinh')).toBe('khai sinh');
    expect(fold('\u202eđăng ký\u202c')).toBe('dang ky');
  });
});

describe('cleanText', () => {
  it('leaves nothing of a value made only of invisible characters', () => {
    expect(cleanText('\u200b\u200b')).toBe('');
    expect(cleanText('\u202e\u202e')).toBe('');
    expect(cleanText('\ufeff \u2060\u00a0')).toBe('');
    expect(cleanText('\u0007\u001b')).toBe('');
  });
  it('removes format characters inside text, composes to NFC and trims', () => {
    expect(cleanText(' Nguy\u200bễn Văn An ')).toBe('Nguyễn Văn An');
    expect(cleanText('abc\u202efdp.exe')).toBe('abcfdp.exe');
    expect(cleanText('\u2066Lê\u2069 Thị\u00ad Hoa')).toBe('Lê Thị Hoa');
    const nfd = 'Trần Thị Ánh'.normalize('NFD');
    expect(cleanText(nfd)).toBe('Trần Thị Ánh'.normalize('NFC'));
    expect(cleanText(nfd)).not.toBe(nfd);
  });
  it('single line: control characters go, a run of tabs and line breaks becomes one space', () => {
    expect(cleanText('Nguyễn\u0007 An\u001b[31m')).toBe('Nguyễn An[31m');
    expect(cleanText('Nguyễn\r\nVăn\tAn')).toBe('Nguyễn Văn An');
    expect(cleanText('a\u0085b\u007fc\u009bd')).toBe('a bcd');
  });
  it('multi-line: keeps line breaks (CR LF and CR become LF) and tabs, drops the other controls', () => {
    expect(cleanText('Dòng 1\r\nDòng 2\rDòng 3\n\tmục\u0007\u200b', { multiline: true })).toBe('Dòng 1\nDòng 2\nDòng 3\n\tmục');
    expect(cleanText('\n\u200b\n', { multiline: true })).toBe('');
  });
  it('keeps ordinary Vietnamese text as it is', () => {
    expect(cleanText('Đăng ký khai sinh (bản sao) – 02 bản')).toBe('Đăng ký khai sinh (bản sao) – 02 bản');
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
