import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { ctxOf } from '../../platform/http.ts';
import { queryInt } from '../../platform/schemas.ts';
import { toIsoOrNull } from '../../platform/time.ts';
import { listFields } from './procedures.repo.ts';
import { ProcedureCode, ProcedureDetail, ProcedureSearchQuery, ProcedureSummary } from './procedures.schemas.ts';
import {
  createProcedure,
  createProcedureVersion,
  getProcedure,
  getProcedureVersions,
  publishProcedureVersion,
  searchProcedures,
  toSummary,
} from './procedures.service.ts';

const VersionResult = z.object({ code: z.string(), version: z.number().int(), status: z.enum(['draft', 'published', 'superseded']) });

export function procedureRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/procedures',
      {
        schema: {
          tags: ['procedures'],
          summary: 'Search the catalogue (diacritic-insensitive; exact-diacritic matches first)',
          querystring: ProcedureSearchQuery,
          response: { 200: z.object({ items: z.array(ProcedureSummary), total: z.number().int() }) },
        },
      },
      async (req) => {
        return searchProcedures(ctxOf(req, database), req.query);
      },
    );

    app.get(
      '/procedure-fields',
      {
        schema: { tags: ['procedures'], summary: 'Procedure fields (lĩnh vực)', response: { 200: z.array(z.object({ code: z.string(), name: z.string() })) } },
      },
      async () => listFields(database.db),
    );

    app.get(
      '/procedures/:code',
      {
        schema: {
          tags: ['procedures'],
          summary: 'One procedure: its published version, or ?version=N',
          params: z.object({ code: ProcedureCode }),
          querystring: z.object({ version: queryInt(1, 1_000_000).optional() }),
          response: { 200: ProcedureDetail },
        },
      },
      async (req) => {
        const p = await getProcedure(ctxOf(req, database), req.params.code, req.query.version);
        return {
          ...toSummary(p),
          definition: p.definition,
          receivingAgencies: p.receivingAgencies.map((a) => ({ code: a.code, name: a.name })),
          publishedAt: toIsoOrNull(p.publishedAt),
        };
      },
    );

    app.post(
      '/procedures',
      {
        schema: {
          tags: ['procedures'],
          summary: 'Create a procedure with a first draft version (administrators)',
          body: z.strictObject({ code: ProcedureCode, definition: z.unknown(), decisionRef: z.string().max(200).optional() }),
          response: { 201: VersionResult },
        },
      },
      async (req, reply) => reply.status(201).send(await createProcedure(ctxOf(req, database), req.body.code, req.body.definition, req.body.decisionRef)),
    );

    app.get(
      '/procedures/:code/versions',
      {
        schema: {
          tags: ['procedures'],
          summary: 'Versions of a procedure (administrators)',
          params: z.object({ code: ProcedureCode }),
          response: {
            200: z.array(
              z.object({
                version: z.number(),
                status: z.string(),
                createdAt: z.string(),
                publishedAt: z.string().nullable(),
                decisionRef: z.string().nullable(),
              }),
            ),
          },
        },
      },
      async (req) =>
        (await getProcedureVersions(ctxOf(req, database), req.params.code)).map((v) => ({
          ...v,
          createdAt: toIsoOrNull(v.createdAt)!,
          publishedAt: toIsoOrNull(v.publishedAt),
        })),
    );

    app.post(
      '/procedures/:code/versions',
      {
        schema: {
          tags: ['procedures'],
          summary: 'Add a draft version (administrators)',
          params: z.object({ code: ProcedureCode }),
          body: z.strictObject({ definition: z.unknown(), decisionRef: z.string().max(200).optional() }),
          response: { 201: VersionResult },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await createProcedureVersion(ctxOf(req, database), req.params.code, req.body.definition, req.body.decisionRef)),
    );

    app.post(
      '/procedures/:code/versions/:version/publish',
      {
        schema: {
          tags: ['procedures'],
          summary: 'Publish a draft version (administrators)',
          params: z.object({ code: ProcedureCode, version: queryInt(1, 1_000_000) }),
          response: { 200: VersionResult },
        },
      },
      async (req) => publishProcedureVersion(ctxOf(req, database), req.params.code, req.params.version),
    );
  };
}
