import { AppError } from './errors.ts';

/** With the u flag a pair is one code point, so only a lone half is of the category Cs (surrogate). */
const LONE_SURROGATE = /\p{Cs}/u;

/** What badCharacters found, and where: the dotted path of the value (or of the object whose key holds it), '' for the value itself. */
export interface BadCharacters {
  kind: 'nul' | 'surrogate';
  path: string;
}

/**
 * What is wrong with the characters of a value (a parsed body, query, params or multipart field), a
 * few levels deep, keys included: `nul` for a NUL character (PostgreSQL text cannot hold one),
 * `surrogate` for half of a UTF-16 surrogate pair (valid JSON as `\ud800`, but not Unicode: jsonb
 * refuses it), or null.
 */
export function badCharacters(v: unknown): 'nul' | 'surrogate' | null {
  return findBadCharacters(v)?.kind ?? null;
}

/**
 * As badCharacters, with where: the dotted path of the first bad value under `base` (a key is named
 * by the path of its object: the key itself is not shown). The path is built only once one is found.
 */
export function findBadCharacters(v: unknown, base: readonly string[] = []): BadCharacters | null {
  const found = walk(v, 0);
  return found && { kind: found.kind, path: [...base, ...found.path.reverse()].join('.') };
}

function walk(v: unknown, depth: number): { kind: 'nul' | 'surrogate'; path: (string | number)[] } | null {
  if (typeof v === 'string') {
    const kind = stringProblem(v);
    return kind && { kind, path: [] };
  }
  if (depth > 20 || v === null || typeof v !== 'object') return null;
  // Parsed input only (the router's params object has its own prototype); never buffers or streams.
  if (Buffer.isBuffer(v) || typeof (v as { pipe?: unknown }).pipe === 'function') return null;
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  for (const [k, x] of entries) {
    const keyKind = typeof k === 'string' ? stringProblem(k) : null;
    if (keyKind) return { kind: keyKind, path: [] };
    const bad = walk(x, depth + 1);
    if (bad) {
      // Built innermost first; findBadCharacters reverses it.
      bad.path.push(k);
      return bad;
    }
  }
  return null;
}

const stringProblem = (s: string): 'nul' | 'surrogate' | null => (s.includes('\u0000') ? 'nul' : LONE_SURROGATE.test(s) ? 'surrogate' : null);

/**
 * The 422 for what badCharacters found; with `path` (the field, as in other validation errors:
 * '' is the body itself) its `errors` name where it was.
 */
export function badCharactersError(kind: 'nul' | 'surrogate', path?: string): AppError {
  const message = kind === 'nul' ? 'chứa ký tự NUL (U+0000)' : 'chứa nửa cặp thay thế UTF-16, không phải ký tự Unicode';
  const errors = path === undefined ? undefined : [{ path: path || '(body)', message }];
  return kind === 'nul'
    ? new AppError('invalid', 'INPUT_NUL_CHARACTER', { userMessage: 'Dữ liệu gửi lên chứa ký tự không hợp lệ.', errors })
    : new AppError('invalid', 'INPUT_CHARACTER_INVALID', {
        userMessage: 'Dữ liệu gửi lên chứa ký tự không hợp lệ (nửa cặp thay thế UTF-16, không phải ký tự Unicode).',
        errors,
      });
}

/** Throws the 422 when a value that did not pass through the guards (a JSON multipart `field`) holds bad characters; the path starts with the field. */
export function assertGoodCharacters(v: unknown, field: string): void {
  const bad = findBadCharacters(v, [field]);
  if (bad) throw badCharactersError(bad.kind, bad.path);
}
