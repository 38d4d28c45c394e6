import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.ts';

// A path that exists, asked with a method it does not take: 405 with Allow (RFC 9110 §15.5.6),
// as problem+json with a stable code. A path that does not exist stays 404.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

function expect405(res: { status: number; json: any; headers: Record<string, unknown> }, allow: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(405);
  expect(res.headers.allow).toBe(allow);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.json).toMatchObject({
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    type: 'https://tinhso.gov.vn/problems/method-not-allowed',
    allow: allow.split(', '),
  });
  expect(res.json.detail).toContain('các phương thức được hỗ trợ');
}

describe('a method the path does not take', () => {
  it('answers 405 with the methods it does take, with or without a session', async () => {
    const me = await t.request({ method: 'PUT', url: '/api/v1/me', as: 'citizen.an' });
    expect405(me, 'GET, HEAD');
    expect(me.json.instance).toBe('/api/v1/me');
    expect405(await t.request({ method: 'PUT', url: '/api/v1/me' }), 'GET, HEAD');
    expect405(await t.request({ method: 'DELETE', url: '/api/v1/procedures?page=2' }), 'GET, HEAD, POST');
  });

  it('matches paths with parameters', async () => {
    // GET and PATCH on a dossier; GET and DELETE on one of its files; only PUT on a year's overrides.
    expect405(await t.request({ method: 'DELETE', url: '/api/v1/dossiers/0197a1b2-0000-7000-8000-000000000000', as: 'citizen.an' }), 'GET, HEAD, PATCH');
    expect405(await t.request({ method: 'PUT', url: '/api/v1/dossiers/x/files/y' }), 'GET, HEAD, DELETE');
    expect405(await t.request({ method: 'GET', url: '/api/v1/calendar/2026/overrides' }), 'PUT');
    expect405(await t.request({ method: 'PATCH', url: '/api/v1/procedures/1.001193/versions/1/publish', as: 'admin.lan' }), 'POST');
  });

  it('keeps 404 for paths that do not exist, and HEAD and OPTIONS as they were', async () => {
    for (const [method, url] of [
      ['PUT', '/api/v1/nothing-here'],
      ['DELETE', '/api/v1/dossiers/a/b/c/d'],
      ['POST', '/api/v2/me'],
      ['OPTIONS', '/api/v1/me'],
      ['HEAD', '/api/v1/calendar/2026/overrides'],
    ] as const) {
      const r = await t.request({ method, url });
      expect(r.status, `${method} ${url}`).toBe(404);
      expect(r.headers.allow, `${method} ${url}`).toBeUndefined();
    }
    // A path the router cannot decode is the router's 400, whatever the method.
    for (const method of ['GET', 'PUT'] as const) {
      const bad = await t.request({ method, url: '/api/v1/dossiers/%E0%A4%A' });
      expect(bad.status, method).toBe(400);
      expect(bad.headers.allow).toBeUndefined();
    }
    const head = await t.request({ method: 'HEAD', url: '/api/v1/procedures' });
    expect(head.status).toBe(200);
  });

  it('leaves pages (outside /api/) as they were', async () => {
    const r = await t.request({ method: 'PUT', url: '/thu-tuc' });
    expect(r.status).toBe(404);
    expect(r.headers.allow).toBeUndefined();
  });
});
