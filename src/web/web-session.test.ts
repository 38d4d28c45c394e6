import { describe, expect, it } from 'vitest';
import { csrfToken, parseCookies, safeLocalPath, serializeCookie, tokensEqual } from './web-session.ts';

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
});
