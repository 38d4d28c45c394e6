import { and, desc, eq, isNull } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { dossiers, notifications } from '../../db/schema.ts';
import { requireActor } from '../../platform/auth.ts';
import { notFound } from '../../platform/errors.ts';
import { toIso, toIsoOrNull } from '../../platform/time.ts';

const Notification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  dossierCode: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

/** The signed-in person's in-app notifications (dossier changes, deadlines). */
export function notificationRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/me/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: 'My notifications, newest first',
          querystring: z.object({ unread: z.enum(['true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(100).default(30) }),
          response: { 200: z.object({ items: z.array(Notification), unread: z.number().int() }) },
        },
      },
      async (req) => {
        const actor = requireActor(req.actor);
        const mine = eq(notifications.userId, actor.userId);
        const rows = await database.db
          .select({ n: notifications, code: dossiers.code })
          .from(notifications)
          .leftJoin(dossiers, eq(dossiers.id, notifications.dossierId))
          .where(req.query.unread === 'true' ? and(mine, isNull(notifications.readAt)) : mine)
          .orderBy(desc(notifications.createdAt))
          .limit(req.query.limit);
        const unread = await database.db.$count(notifications, and(mine, isNull(notifications.readAt)));
        return {
          unread,
          items: rows.map(({ n, code }) => ({ id: n.id, kind: n.kind, title: n.title, body: n.body, dossierCode: code, createdAt: toIso(n.createdAt), readAt: toIsoOrNull(n.readAt) })),
        };
      },
    );

    app.post(
      '/me/notifications/:id/read',
      { schema: { tags: ['notifications'], summary: 'Mark a notification read', params: z.object({ id: z.string().uuid() }), response: { 204: z.null() } } },
      async (req, reply) => {
        const actor = requireActor(req.actor);
        const rows = await database.db
          .update(notifications)
          .set({ readAt: new Date() })
          .where(and(eq(notifications.id, req.params.id), eq(notifications.userId, actor.userId)))
          .returning({ id: notifications.id });
        if (!rows.length) throw notFound('NOTIFICATION_NOT_FOUND', 'thông báo');
        return reply.status(204).send(null);
      },
    );
  };
}
