import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { requireActor, type SessionStore } from '../../platform/auth.ts';
import { writeAudit } from '../../platform/audit.ts';
import { ctxOf } from '../../platform/http.ts';
import { toIso } from '../../platform/time.ts';
import { LoginBody, LoginResponse, UserView } from './identity.schemas.ts';
import { logIn, toUserView } from './identity.service.ts';

export function identityRoutes(database: Database, sessions: SessionStore, limits: { loginPerMinute: number }): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/auth/login',
      {
        config: { rateLimit: { max: limits.loginPerMinute, timeWindow: '1 minute' } },
        schema: { tags: ['auth'], summary: 'Sign in with a username and password', body: LoginBody, response: { 200: LoginResponse } },
      },
      async (req) => {
        const r = await logIn(ctxOf(req, database), sessions, { ...req.body, userAgent: req.headers['user-agent'] });
        return { token: r.token, expiresAt: toIso(r.expiresAt), user: toUserView(r.actor) };
      },
    );

    app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } } }, async (req, reply) => {
      const actor = requireActor(req.actor);
      const ctx = ctxOf(req, database);
      await database.db.transaction(async (tx) => {
        if (actor.sessionId) await sessions.revoke(tx, actor.sessionId, ctx.now);
        await writeAudit({ ...ctx, db: tx }, { action: 'auth.logout', targetType: 'session', targetId: actor.sessionId ?? '' });
      });
      return reply.status(204).send(null);
    });

    app.get('/me', { schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: UserView } } }, async (req) => toUserView(requireActor(req.actor)));
  };
}
