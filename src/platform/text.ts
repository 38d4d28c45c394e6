/** Vietnamese text helpers (DOMAIN section 12): NFC storage, diacritic-insensitive search. */

/** Normalises user text to Unicode NFC and trims it. */
export function nfc(s: string): string {
  return s.normalize('NFC').trim();
}

/** Unicode format characters (Cf: zero-width space and joiners, bidi controls, BOM, soft hyphen). */
const FORMAT_CHARS = /\p{Cf}/gu;
/** Control characters (Cc) that separate words: tab, line feed, vertical tab, form feed, carriage return, and the C1 next line. */
const SPACING_CONTROLS = /[\t\n\v\f\r\u0085]+/g;
const OTHER_CONTROLS = /\p{Cc}/gu;

/**
 * The text a person meant, as stored: Unicode format characters (category Cf: zero-width
 * characters, bidi overrides such as U+202E, the BOM) and control characters (Cc: BEL, ESC...)
 * removed, then NFC, then trimmed. They are invisible, so a name of only zero-width characters
 * would pass a "required" check while showing nothing, and a bidi override makes a file name or a
 * name read differently from what it is (`abc\u202Efdp.exe` shows as `abcexe.pdf`).
 * Single-line text (the default) turns a run of tabs and line breaks into one space; `multiline` keeps
 * `\n` (CR LF and CR become `\n`) and `\t`. `cleanText('\u200b\u200b') === ''`.
 */
export function cleanText(s: string, opts: { multiline?: boolean } = {}): string {
  let t = s.replace(FORMAT_CHARS, '');
  t = opts.multiline ? t.replace(/\r\n?|\u0085/g, '\n').replace(/[\v\f]/g, ' ') : t.replace(SPACING_CONTROLS, ' ');
  t = t.replace(OTHER_CONTROLS, (c) => (opts.multiline && (c === '\n' || c === '\t') ? c : ''));
  return t.normalize('NFC').trim();
}

/**
 * Folds text for diacritic-insensitive search: lower case, no combining marks, đ → d (and its
 * look-alikes Ð/ð, U+00D0/U+00F0, which some keyboards and old fonts' converters produce), single
 * spaces; invisible format characters dropped and control characters read as spaces, so
 * `khai\u200b sinh` finds "khai sinh". `fold('Đăng KÝ  khai sinh') === 'dang ky khai sinh'`.
 */
export function fold(s: string): string {
  return s
    .replace(FORMAT_CHARS, '')
    .replace(OTHER_CONTROLS, ' ')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐðÐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escapes LIKE wildcards so user input matches literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const viCollator = new Intl.Collator('vi');

/** Mobile: 0 + 9 digits starting 3, 5, 7, 8 or 9 (10 digits). */
export const MOBILE_PHONE = /^0[35789]\d{8}$/;
/** Landline since 2017: 0 + a 2- or 3-digit area code starting 2 + the subscriber number, 11 digits in all
 * (Hà Nội 024 3825 1234, Nam Định 0228 3849 123, Ninh Bình 0229 3871 234). */
export const LANDLINE_PHONE = /^02\d{9}$/;
/** What a form or an API answers for a number that is neither (the applicant's phone, a form's phone field). */
export const PHONE_INVALID = 'số điện thoại không hợp lệ (di động 10 chữ số hoặc cố định 11 chữ số bắt đầu bằng 02)';

/**
 * A Vietnamese phone number, mobile or landline, in its national form (digits only), or null.
 * Accepts spaces, dots, dashes and parentheses between digits and the +84 / 84 / +84 (0) prefixes:
 * `+84 912 345 678` → `0912345678`, `(0228) 3.849.123` → `02283849123`. Whether a number can take
 * an SMS is the notifications module's question (only mobiles: `smsAddress`).
 */
export function normalisePhone(raw: string): string | null {
  let s = raw.trim().replace(/^\+?84\s*\(0\)/, '0');
  s = s.replace(/[\s.()-]/g, '');
  if (/^\+?84\d{9,10}$/.test(s)) s = `0${s.replace(/^\+?84/, '')}`;
  return MOBILE_PHONE.test(s) || LANDLINE_PHONE.test(s) ? s : null;
}

/** A number that can take an SMS: a mobile, in any form normalisePhone reads (a landline cannot). */
export function isMobilePhone(raw: string): boolean {
  const n = normalisePhone(raw);
  return n !== null && MOBILE_PHONE.test(n);
}
