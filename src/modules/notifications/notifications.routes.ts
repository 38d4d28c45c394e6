import { and, desc, eq, isNull } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { queryRows, sql, type Database, type Db } from '../../db/client.ts';
import { dossiers, notifications } from '../../db/schema.ts';
import { requireActor } from '../../platform/auth.ts';
import type { Actor } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { ctxOf } from '../../platform/http.ts';
import { UUID_RE } from '../../platform/ids.ts';
import { queryInt } from '../../platform/schemas.ts';
import { toIso, toIsoOrNull } from '../../platform/time.ts';
import { visibilitySql } from '../dossiers/dossiers.repo.ts';
import { CONSENT_PURPOSES, listConsents, setConsent } from './consents.service.ts';
import { deliveriesFor } from './notifications.deliveries.ts';
import { TEMPLATE_KEYS } from './notifications.templates.ts';

const Notification = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  dossierCode: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});

const Delivery = z.object({
  id: z.string(),
  channel: z.enum(['email', 'sms']),
  recipient: z.string().describe('masked: a***@example.vn, 091****678'),
  template: z.enum(TEMPLATE_KEYS),
  subject: z.string().nullable(),
  status: z.enum(['queued', 'retrying', 'sent', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  providerMessageId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sentAt: z.string().nullable(),
  history: z.array(z.object({ attempt: z.number().int(), at: z.string(), outcome: z.enum(['sent', 'error']), error: z.string().nullable() })),
});

const Consent = z.object({
  purpose: z.enum(Object.keys(CONSENT_PURPOSES) as [keyof typeof CONSENT_PURPOSES]),
  title: z.string(),
  description: z.string(),
  granted: z.boolean(),
  at: z.string().nullable(),
  source: z.string().nullable(),
});

/** The id of a dossier the actor may see (the dossier module's visibility rule), or null. */
async function visibleDossierId(db: Db, actor: Actor, idOrCode: string): Promise<string | null> {
  const key = UUID_RE.test(idOrCode) ? sql`d.id = ${idOrCode}::uuid` : sql`d.code = ${idOrCode}`;
  const [row] = await queryRows<{ id: string }>(db, sql`SELECT d.id FROM dossiers d WHERE ${key} AND ${visibilitySql(actor)} LIMIT 1`);
  return row?.id ?? null;
}

/** The signed-in person's in-app notifications (dossier changes, deadlines). */
export function notificationRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/me/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: 'My notifications, newest first',
          querystring: z.object({ unread: z.enum(['true', 'false']).optional(), limit: queryInt(1, 100).default(30) }),
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
          .orderBy(desc(notifications.createdAt), desc(notifications.id))
          .limit(req.query.limit);
        const unread = await database.db.$count(notifications, and(mine, isNull(notifications.readAt)));
        return {
          unread,
          items: rows.map(({ n, code }) => ({
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            dossierCode: code,
            createdAt: toIso(n.createdAt),
            readAt: toIsoOrNull(n.readAt),
          })),
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

    app.get(
      '/dossiers/:id/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Email and SMS deliveries of a dossier, with their status and attempts (applicant and the agency staff)',
          params: z.object({ id: z.string().min(1).max(80) }),
          response: { 200: z.object({ items: z.array(Delivery) }) },
        },
      },
      async (req) => {
        const actor = requireActor(req.actor);
        const id = await visibleDossierId(database.db, actor, req.params.id);
        if (!id) throw notFound('DOSSIER_NOT_FOUND', 'hồ sơ');
        return { items: await deliveriesFor(database.db, id) };
      },
    );

    app.get(
      '/me/consents',
      {
        schema: {
          tags: ['notifications'],
          summary: 'My consents to optional uses of my data (SMS notifications)',
          response: { 200: z.object({ items: z.array(Consent) }) },
        },
      },
      async (req) => {
        const actor = requireActor(req.actor);
        return { items: await listConsents(database.db, actor.userId) };
      },
    );

    app.put(
      '/me/consents/:purpose',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Grant or withdraw my consent for one purpose (audited)',
          params: z.object({ purpose: z.string().min(1).max(64) }),
          body: z.strictObject({ granted: z.boolean() }),
          response: { 200: Consent },
        },
      },
      async (req) => setConsent(ctxOf(req, database), req.params.purpose, req.body.granted, 'api'),
    );
  };
}
