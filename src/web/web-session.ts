import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Pure helpers of the web portal's cookies, CSRF tokens and redirects (unit-tested). */

export const SESSION_COOKIE = 'tinhso_session';
export const CSRF_COOKIE = 'tinhso_csrf';
export const LANG_COOKIE = 'lang';

/** Parses a Cookie header; later duplicates do not override the first (the most specific path). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const name = part.slice(0, i).trim();
    let value = part.slice(i + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(value);
    } catch {
      out[name] = value;
    }
  }
  return out;
}

export interface CookieOptions {
  maxAgeSeconds?: number;
  httpOnly?: boolean;
  secure?: boolean;
}

/** A Set-Cookie value; always Path=/ and SameSite=Lax (top-level GET navigations keep the session). */
export function serializeCookie(name: string, value: string, o: CookieOptions = {}): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/', 'SameSite=Lax'];
  if (o.maxAgeSeconds !== undefined) parts.push(`Max-Age=${Math.max(0, Math.floor(o.maxAgeSeconds))}`);
  if (o.httpOnly) parts.push('HttpOnly');
  if (o.secure) parts.push('Secure');
  return parts.join('; ');
}

/**
 * A local path safe to redirect to (no open redirect): one leading slash, no scheme, no
 * authority (`//evil`, `/\evil`), no control characters. Anything else becomes `fallback`.
 */
export function safeLocalPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  try {
    const u = new URL(value, 'http://local.invalid');
    if (u.origin !== 'http://local.invalid') return fallback;
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return fallback;
  }
}

const NUL = /\u0000/g;

/**
 * A portal form's fields (urlencoded; the last of repeated names), NUL characters (U+0000, `%00`)
 * removed from names and values. The input guard (security/framework-errors.ts, before any route) answers a NUL with
 * a bare 422, which lost the whole typed form; here it goes the way of the invisible format and
 * control characters the services drop from text (platform/text.ts cleanText), so the page's own
 * checks run and what was typed comes back. The API keeps its 422 naming the field.
 */
export function formFields(body: string): Record<string, string> {
  // fromEntries defines own properties: a field named `__proto__` is just a field.
  return Object.fromEntries([...new URLSearchParams(body)].map(([name, value]) => [name.replace(NUL, ''), value.replace(NUL, '')]));
}

/** A random value for the pre-session CSRF cookie. */
export function newCsrfSeed(): string {
  return randomBytes(18).toString('base64url');
}

export const isCsrfSeed = (v: string | undefined): v is string => !!v && /^[A-Za-z0-9_-]{16,64}$/.test(v);

/**
 * The CSRF token of a form: an HMAC of the session id when signed in, otherwise of the
 * pre-session cookie. A cross-site page can neither read the cookie nor compute the HMAC.
 */
export function csrfToken(secret: string, binding: { sessionId: string } | { seed: string }): string {
  const subject = 'sessionId' in binding ? `s:${binding.sessionId}` : `p:${binding.seed}`;
  return createHmac('sha256', secret).update(`csrf:${subject}`).digest('base64url');
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What a session token looks like in the cookie: web.routes.ts resolves only these. */
export const SESSION_TOKEN_RE = /^[A-Za-z0-9_-]{20,200}$/;

/** The sign-in page's flag: it is shown because the session the browser held has ended. */
export const SESSION_ENDED_PARAM = 'het-phien';

/**
 * Did this request come with a session that has ended? It carries a well-formed session cookie,
 * yet resolved to nobody (signed out on another device or by an administrator, or expired): the
 * portal clears the cookie and carries on signed out, and its redirect to sign-in says why (web.routes.ts).
 */
export function hasEndedSession(cookieHeader: string | undefined, signedIn: boolean): boolean {
  if (signedIn) return false;
  const token = parseCookies(cookieHeader)[SESSION_COOKIE];
  return !!token && SESSION_TOKEN_RE.test(token);
}

/**
 * A redirect to the sign-in page with the reason added (`?next=…&het-phien=1`), so the page can
 * say that the session ended; null for any other location.
 */
export function signInAfterEndedSession(location: string): string | null {
  if (!location.startsWith('/') || location.startsWith('//')) return null;
  const u = new URL(location, 'http://local.invalid');
  if (u.pathname !== '/dang-nhap') return null;
  u.searchParams.set(SESSION_ENDED_PARAM, '1');
  return `${u.pathname}${u.search}${u.hash}`;
}

/** Is this (the sign-in page's path and query) a sign-in after an ended session? */
export function isSignInAfterEndedSession(pathAndQuery: string): boolean {
  const i = pathAndQuery.indexOf('?');
  return i >= 0 && new URLSearchParams(pathAndQuery.slice(i + 1)).get(SESSION_ENDED_PARAM) === '1';
}
