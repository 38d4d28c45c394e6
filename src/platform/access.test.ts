import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { accessOf, installAccessControl } from './access.ts';
import type { Actor, Role } from './context.ts';
import { installErrorHandling } from './http.ts';

const actorOf = (roles: Role[]): Actor => ({
  userId: 'u',
  username: 'u',
  displayName: 'U',
  kind: roles.includes('citizen') ? 'citizen' : 'staff',
  roles: roles.map((role) => ({ role, agencyId: null, agencyCode: null, includeChildren: false, scope: [] })),
  agencyScope: [],
  sessionId: null,
});

/** Routes of each class of the matrix, signed in by an `x-roles` header (no sessions here). */
async function appWith(extra?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  const app = Fastify();
  installErrorHandling(app);
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (req) => {
    const roles = req.headers['x-roles'];
    if (typeof roles === 'string') req.actor = actorOf(roles.split(',') as Role[]);
  });
  installAccessControl(app);
  await app.register(
    async (api) => {
      api.get('/public/dossiers/:code', async () => ({ ok: 'public' }));
      api.get('/me', async () => ({ ok: 'me' }));
      api.get('/users', async () => ({ ok: 'users' }));
      api.route({ method: ['GET', 'DELETE'], url: '/users/:id/sessions', handler: async () => ({ ok: 'sessions' }) });
      extra?.(api);
    },
    { prefix: '/api/v1' },
  );
  app.get('/trang-chu', async () => ({ ok: 'page' }));
  await app.ready();
  return app;
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('the access matrix, decided once per route', () => {
  it('answers each class as the matrix says, HEAD as its GET', async () => {
    app = await appWith();
    const status = async (method: 'GET' | 'HEAD' | 'DELETE', url: string, roles?: string) =>
      (await app!.inject({ method, url, headers: roles ? { 'x-roles': roles } : {} })).statusCode;
    for (const method of ['GET', 'HEAD'] as const) {
      expect(await status(method, '/api/v1/public/dossiers/ABC-1')).toBe(200);
      expect(await status(method, '/api/v1/me'), `${method} /me anonymous`).toBe(401);
      expect(await status(method, '/api/v1/me', 'citizen')).toBe(200);
      expect(await status(method, '/api/v1/users'), `${method} /users anonymous`).toBe(401);
      expect(await status(method, '/api/v1/users', 'citizen'), `${method} /users citizen`).toBe(403);
      expect(await status(method, '/api/v1/users', 'leader,citizen')).toBe(403);
      expect(await status(method, '/api/v1/users', 'admin')).toBe(200);
      expect(await status(method, '/api/v1/users/1/sessions', 'citizen')).toBe(403);
    }
    // Not governed by the matrix: pages.
    expect(await status('GET', '/trang-chu')).toBe(200);
    // A route with two methods: each checked by its own class.
    expect(await status('DELETE', '/api/v1/users/1/sessions')).toBe(401);
    expect(await status('DELETE', '/api/v1/users/1/sessions', 'admin')).toBe(200);
  });

  it('refuses to start with an API route missing from the matrix (fail closed)', async () => {
    await expect(appWith((api) => api.get('/secret-report', async () => ({})))).rejects.toThrow(/GET \/api\/v1\/secret-report is not in the access matrix/);
  });

  it('maps Fastify paths to the matrix keys', () => {
    expect(accessOf('DELETE', '/api/v1/users/:id/sessions/:sessionId')).toEqual(['admin']);
    expect(accessOf('HEAD', '/api/v1/public/dossiers/:code')).toBe('public');
    expect(accessOf('GET', '/api/docs')).toBeUndefined();
    expect(accessOf('GET', '/api/v1/nowhere')).toBeUndefined();
  });
});
