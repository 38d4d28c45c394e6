import { describe, expect, it } from 'vitest';
import {
  csrfToken,
  formFields,
  hasEndedSession,
  isSignInAfterEndedSession,
  parseCookies,
  safeLocalPath,
  serializeCookie,
  signInAfterEndedSession,
  tokensEqual,
} from './web-session.ts';

describe('web session helpers', () => {
  it('parses cookies', () => {
    expect(parseCookies('a=1; lang=en; tinhso_session=abc-_x; bad; a=2')).toEqual({ a: '1', lang: 'en', tinhso_session: 'abc-_x' });
    expect(parseCookies(undefined)).toEqual({});
  });

  it('serialises cookies with their flags', () => {
    expect(serializeCookie('s', 'v', { maxAgeSeconds: 60, httpOnly: true, secure: true })).toBe('s=v; Path=/; SameSite=Lax; Max-Age=60; HttpOnly; Secure');
  });

  it('only redirects to local paths', () => {
    expect(safeLocalPath('/thu-tuc?q=a')).toBe('/thu-tuc?q=a');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '', '/\t/evil.example', undefined, 42]) {
      expect(safeLocalPath(bad)).toBe('/');
    }
  });

  it('binds CSRF tokens to the session or the pre-session seed', () => {
    const a = csrfToken('secret', { sessionId: 's1' });
    expect(a).toBe(csrfToken('secret', { sessionId: 's1' }));
    expect(a).not.toBe(csrfToken('secret', { sessionId: 's2' }));
    expect(a).not.toBe(csrfToken('other', { sessionId: 's1' }));
    expect(csrfToken('secret', { seed: 's1' })).not.toBe(a);
    expect(tokensEqual(a, a)).toBe(true);
    expect(tokensEqual(a, `${a}x`)).toBe(false);
  });

  it('tells an ended session from no session, and marks only the sign-in redirect with it', () => {
    const token = 'a'.repeat(43);
    expect(hasEndedSession(`lang=en; tinhso_session=${token}`, false)).toBe(true);
    expect(hasEndedSession(`tinhso_session=${token}`, true)).toBe(false); // the session resolved
    expect(hasEndedSession('lang=en', false)).toBe(false);
    expect(hasEndedSession('tinhso_session=', false)).toBe(false); // the cleared cookie
    expect(hasEndedSession('tinhso_session=not a token', false)).toBe(false); // not one the portal would have set
    expect(signInAfterEndedSession('/dang-nhap?next=%2Ftai-khoan')).toBe('/dang-nhap?next=%2Ftai-khoan&het-phien=1');
    expect(signInAfterEndedSession('/dang-nhap')).toBe('/dang-nhap?het-phien=1');
    for (const other of ['/', '/tai-khoan', '/dang-nhap/xac-thuc?next=%2F', '//evil.example/dang-nhap', 'https://evil.example/dang-nhap']) {
      expect(signInAfterEndedSession(other)).toBeNull();
    }
    expect(isSignInAfterEndedSession('/dang-nhap?next=%2Ftai-khoan&het-phien=1')).toBe(true);
    expect(isSignInAfterEndedSession('/dang-nhap?next=%2Ftai-khoan')).toBe(false);
    expect(isSignInAfterEndedSession('/dang-nhap')).toBe(false);
  });

  it('reads a form without its NUL characters, in names and values', () => {
    expect(formFields('a=x%00y&b%00c=%00&d=1&d=2&e=%E1%BB%87')).toEqual({ a: 'xy', bc: '', d: '2', e: 'ệ' });
    const odd = formFields('__proto__=x');
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value).toBe('x');
    // A raw NUL byte in the body too.
    expect(formFields('f=a\u0000b')).toEqual({ f: 'ab' });
  });
});
