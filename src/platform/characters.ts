import { AppError } from './errors.ts';

/** With the u flag a pair is one code point, so only a lone half is of the category Cs (surrogate). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What is wrong with the characters of a value (a parsed body, query, params or multipart field), a
 * few levels deep, keys included: `nul` for a NUL character (PostgreSQL text cannot hold one),
 * `surrogate` for half of a UTF-16 surrogate pair (valid JSON as `\ud800`, but not Unicode: jsonb
 * refuses it), or null.
 */
export function badCharacters(v: unknown, depth = 0): 'nul' | 'surrogate' | null {
  if (typeof v === 'string') return v.includes('\u0000') ? 'nul' : LONE_SURROGATE.test(v) ? 'surrogate' : null;
  if (depth > 20 || v === null || typeof v !== 'object') return null;
  // Parsed input only (the router's params object has its own prototype); never buffers or streams.
  if (Buffer.isBuffer(v) || typeof (v as { pipe?: unknown }).pipe === 'function') return null;
  const entries: [string | null, unknown][] = Array.isArray(v) ? v.map((x) => [null, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    const bad = (k === null ? null : badCharacters(k)) ?? badCharacters(x, depth + 1);
    if (bad) return bad;
  }
  return null;
}

/** The 422 for what badCharacters found. */
export function badCharactersError(kind: 'nul' | 'surrogate'): AppError {
  return kind === 'nul'
    ? new AppError('invalid', 'INPUT_NUL_CHARACTER', { userMessage: 'Dữ liệu gửi lên chứa ký tự không hợp lệ.' })
    : new AppError('invalid', 'INPUT_CHARACTER_INVALID', {
        userMessage: 'Dữ liệu gửi lên chứa ký tự không hợp lệ (nửa cặp thay thế UTF-16, không phải ký tự Unicode).',
      });
}

/** Throws the 422 when a value that did not pass through the guards (a JSON multipart field) holds bad characters. */
export function assertGoodCharacters(v: unknown): void {
  const bad = badCharacters(v);
  if (bad) throw badCharactersError(bad);
}
