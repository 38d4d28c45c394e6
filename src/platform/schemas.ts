import { z } from 'zod';

/** Whether `YYYY-MM-DD` names a day that exists (2026-02-30 does not). */
export function isRealDay(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** A calendar day as `YYYY-MM-DD` that exists, for query strings and bodies (422 otherwise, never a database error). */
export const IsoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày dạng YYYY-MM-DD')
  .refine(isRealDay, 'ngày không có thật');

/**
 * A whole number in a query string or a path, written in decimal digits only (a leading minus
 * only where `min` is negative). `z.coerce.number()` reads anything `Number()` does: `0x10`,
 * `1e3`, ` 5 `, an empty string as 0; two spellings of one number are one too many for an API.
 */
export function queryInt(min: number, max: number) {
  const digits = min < 0 ? /^-?\d{1,15}$/ : /^\d{1,15}$/;
  return z
    .string()
    .regex(digits, 'phải là số nguyên viết bằng chữ số thập phân')
    .transform(Number)
    .pipe(z.number().int().min(min, `không được nhỏ hơn ${min}`).max(max, `không được lớn hơn ${max}`));
}

/** A positive number in a query string, in decimal digits with an optional fraction (`1.5`); no hex, exponent or sign. */
export function queryPositiveNumber(max: number) {
  return z
    .string()
    .regex(/^\d{1,15}(\.\d{1,15})?$/, 'phải là số viết bằng chữ số thập phân, ví dụ 5 hoặc 1.5')
    .transform(Number)
    .pipe(z.number().positive('phải lớn hơn 0').max(max, `không được lớn hơn ${max}`));
}
