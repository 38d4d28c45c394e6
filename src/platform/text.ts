/** Vietnamese text helpers (DOMAIN section 12): NFC storage, diacritic-insensitive search. */

/** Normalises user text to Unicode NFC and trims it. */
export function nfc(s: string): string {
  return s.normalize('NFC').trim();
}

/**
 * Folds text for diacritic-insensitive search: lower case, no combining marks, đ → d, single
 * spaces. `fold('Đăng KÝ  khai sinh') === 'dang ky khai sinh'`.
 */
export function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escapes LIKE wildcards so user input matches literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export const viCollator = new Intl.Collator('vi');
