import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';
import { callbackUriFor, callbackUrisOf, oidcSettingsOf, redirectUriOf } from './oidc.ts';

// The callback address of a national identity sign-in (docs/IDENTITY.md, "The callback address").

const dev = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'development', PORT: '3000', OIDC_ISSUER: 'http://127.0.0.1:4000', ...env });

describe('the callback address', () => {
  it('development without a configured one: follows a loopback host on the server port, nothing else', () => {
    const s = oidcSettingsOf(dev())!;
    expect(s.redirectUri).toBe('http://localhost:3000/auth/oidc/callback');
    expect(s.loopbackPort).toBe(3000);
    const cases: [string | undefined, string][] = [
      ['127.0.0.1:3000', 'http://127.0.0.1:3000/auth/oidc/callback'],
      ['localhost:3000', 'http://localhost:3000/auth/oidc/callback'],
      ['LOCALHOST:3000', 'http://localhost:3000/auth/oidc/callback'],
      ['[::1]:3000', 'http://[::1]:3000/auth/oidc/callback'],
      // Foreign or look-alike hosts, another port, no port (80), tricks with a user part or a path: the default.
      ['evil.example', s.redirectUri],
      ['evil.example:3000', s.redirectUri],
      ['localhost.evil.example:3000', s.redirectUri],
      ['127.0.0.1.nip.io:3000', s.redirectUri],
      ['127.0.0.1:3000@evil.example', s.redirectUri],
      ['127.0.0.1:3000/x', s.redirectUri],
      ['127.0.0.1:3001', s.redirectUri],
      ['127.0.0.1', s.redirectUri],
      ['[::1]', s.redirectUri],
      ['0.0.0.0:3000', s.redirectUri],
      ['', s.redirectUri],
      [undefined, s.redirectUri],
    ];
    for (const [host, expected] of cases) expect(callbackUriFor(s, host), String(host)).toBe(expected);
    expect(callbackUrisOf(dev())).toEqual([
      'http://localhost:3000/auth/oidc/callback',
      'http://127.0.0.1:3000/auth/oidc/callback',
      'http://[::1]:3000/auth/oidc/callback',
    ]);
  });

  it('on port 80 a loopback host without a port is followed, in the form the token request sends', () => {
    const s = oidcSettingsOf(dev({ PORT: '80' }))!;
    expect(callbackUriFor(s, '127.0.0.1')).toBe('http://127.0.0.1/auth/oidc/callback');
    expect(callbackUriFor(s, '127.0.0.1:80')).toBe('http://127.0.0.1/auth/oidc/callback');
    expect(redirectUriOf(dev({ PORT: '80' }))).toBe('http://localhost/auth/oidc/callback');
  });

  it('a configured address (OIDC_REDIRECT_URI, PUBLIC_BASE_URL) or production: always that one', () => {
    for (const config of [
      dev({ OIDC_REDIRECT_URI: 'http://tinhso.test:3000/auth/oidc/callback' }),
      dev({ PUBLIC_BASE_URL: 'http://tinhso.test:3000/' }),
      loadConfig({
        NODE_ENV: 'production',
        PORT: '3000',
        DATABASE_URL: 'postgres://u:p@db/tinhso',
        SESSION_SECRET: 'x'.repeat(32),
        OIDC_ISSUER: 'https://vneid.example',
        OIDC_CLIENT_SECRET: 'y'.repeat(16),
        PUBLIC_BASE_URL: 'https://dichvucong.example.gov.vn',
      }),
    ]) {
      const s = oidcSettingsOf(config)!;
      expect(s.loopbackPort).toBeNull();
      expect(callbackUriFor(s, '127.0.0.1:3000')).toBe(s.redirectUri);
      expect(callbackUrisOf(config)).toEqual([s.redirectUri]);
    }
    expect(redirectUriOf(dev({ PUBLIC_BASE_URL: 'http://tinhso.test:3000/' }))).toBe('http://tinhso.test:3000/auth/oidc/callback');
  });

  it('production with a national identity provider refuses to start without a callback address', () => {
    const prod = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://u:p@db/tinhso',
      SESSION_SECRET: 'x'.repeat(32),
      OIDC_ISSUER: 'https://vneid.example',
      OIDC_CLIENT_SECRET: 'y'.repeat(16),
    };
    expect(() => loadConfig(prod)).toThrow(ConfigError);
    expect(() => loadConfig(prod)).toThrow(/OIDC_REDIRECT_URI or PUBLIC_BASE_URL is required in production when OIDC_ISSUER is set/);
    expect(redirectUriOf(loadConfig({ ...prod, OIDC_REDIRECT_URI: 'https://dvc.example.gov.vn/auth/oidc/callback' }))).toBe(
      'https://dvc.example.gov.vn/auth/oidc/callback',
    );
  });
});
