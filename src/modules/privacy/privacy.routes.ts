import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import type { SessionStore } from '../../platform/auth.ts';
import type { LocalFileStore } from '../../platform/files.ts';
import { ctxOf } from '../../platform/http.ts';
import { deleteMyData, exportMyData, listMyRequests, listRequests, requestCorrection, resolveRequest } from './privacy.service.ts';

const RequestView = z.object({
  id: z.uuid(),
  username: z.string(),
  kind: z.enum(['correction', 'deletion']),
  status: z.enum(['open', 'done', 'rejected']),
  details: z.string(),
  outcome: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable(),
});

const Category = z.object({ category: z.string(), action: z.enum(['deleted', 'anonymised', 'kept']), count: z.number().int(), reason: z.string() });

const NewRequest = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('correction'), details: z.string().trim().min(1).max(4000).describe('What is wrong and what it should say') }),
  z.strictObject({
    kind: z.literal('deletion'),
    details: z.string().trim().max(4000).default(''),
    confirm: z.literal(true).describe('Deletion cannot be undone: the account is closed for good'),
  }),
]);

/** Personal-data rights: export, correction and deletion requests; the controller's queue. */
export function privacyRoutes(database: Database, deps: { files: LocalFileStore; sessions: SessionStore }): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/me/data-export',
      {
        schema: {
          tags: ['privacy'],
          summary: 'Everything the platform holds about the signed-in person (JSON download)',
          response: { 200: z.record(z.string(), z.unknown()) },
        },
      },
      async (req, reply) => {
        const data = await exportMyData(ctxOf(req, database));
        reply
          .header('content-disposition', `attachment; filename="tinhso-du-lieu-ca-nhan-${data.exportedAt.slice(0, 10)}.json"`)
          .header('cache-control', 'no-store');
        return data;
      },
    );

    app.post(
      '/me/data-requests',
      {
        schema: {
          tags: ['privacy'],
          summary: 'Ask for correction (queued for the data controller) or deletion (carried out at once; says what was deleted, anonymised or kept and why)',
          body: NewRequest,
          response: { 201: RequestView, 200: z.object({ requestId: z.uuid(), categories: z.array(Category) }) },
        },
      },
      async (req, reply) => {
        const ctx = ctxOf(req, database);
        if (req.body.kind === 'deletion') return reply.status(200).send(await deleteMyData(ctx, deps, req.body.details));
        return reply.status(201).send(await requestCorrection(ctx, req.body.details));
      },
    );

    app.get(
      '/me/data-requests',
      { schema: { tags: ['privacy'], summary: "The signed-in person's requests", response: { 200: z.array(RequestView) } } },
      async (req) => listMyRequests(ctxOf(req, database)),
    );

    app.get(
      '/data-requests',
      {
        schema: {
          tags: ['privacy'],
          summary: 'Personal-data requests, oldest first (administrators)',
          querystring: z.object({ status: z.enum(['open', 'done', 'rejected']).optional() }),
          response: { 200: z.array(RequestView) },
        },
      },
      async (req) => listRequests(ctxOf(req, database), req.query.status),
    );

    app.post(
      '/data-requests/:id/resolution',
      {
        schema: {
          tags: ['privacy'],
          summary: 'Close an open correction request (administrators)',
          params: z.object({ id: z.uuid() }),
          body: z.strictObject({ status: z.enum(['done', 'rejected']), resolution: z.string().trim().min(1).max(4000) }),
          response: { 200: RequestView },
        },
      },
      async (req) => resolveRequest(ctxOf(req, database), req.params.id, req.body),
    );
  };
}
