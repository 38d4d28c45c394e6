import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Database } from '../../db/client.ts';
import { requireRole } from '../../platform/auth.ts';
import { ctxOf } from '../../platform/http.ts';
import { vnDate } from '../../platform/time.ts';
import type { IndexConfig } from './index-rules.ts';
import {
  ConfigQuery,
  ConfigResponseSchema,
  ConfigVersionSchema,
  ExplainParams,
  ExplainQuery,
  ExplainResultSchema,
  IndexQuery,
  IndexResultSchema,
  PutConfigBody,
  RankingQuery,
  RankingResultSchema,
} from './service-index.schemas.ts';
import {
  authorizeRanking,
  authorizeUnitCode,
  checkPeriod,
  computeServiceIndex,
  getConfig,
  indicatorDossiers,
  putConfig,
  rankUnits,
} from './service-index.service.ts';

/**
 * `/service-index`: the Decision 766 index, its ranking, the dossiers behind each number, and its
 * versioned configuration (docs/SERVICE_INDEX.md). Reading: administrators and staff within
 * their scope (401 without a session, 403 outside it); changing the configuration: administrators.
 */
const READERS = ['admin', 'leader', 'specialist', 'reception'] as const;

export function serviceIndexRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    const db = database.db;

    app.get(
      '/service-index',
      {
        schema: {
          tags: ['service-index'],
          summary: 'The Decision 766 service index of a unit for a period (from/to inclusive, +07:00 days)',
          querystring: IndexQuery,
          response: { 200: IndexResultSchema },
        },
      },
      async (req) => {
        const ctx = ctxOf(req, database);
        requireRole(ctx.actor, ...READERS);
        checkPeriod(req.query.from, req.query.to, ctx.now);
        await authorizeUnitCode(db, ctx.actor, req.query.unit, req.query.to);
        return computeServiceIndex(db, { ...req.query, now: ctx.now });
      },
    );

    app.get(
      '/service-index/ranking',
      {
        schema: {
          tags: ['service-index'],
          summary: 'Top-level agencies or communes ordered by their index (percent of the applicable points), with group scores',
          querystring: RankingQuery,
          response: { 200: RankingResultSchema },
        },
      },
      async (req) => {
        const ctx = ctxOf(req, database);
        await authorizeRanking(db, ctx.actor);
        return rankUnits(db, { ...req.query, now: ctx.now });
      },
    );

    app.get(
      '/service-index/indicators/:key/dossiers',
      {
        schema: {
          tags: ['service-index'],
          summary: 'The dossiers (or procedures) behind a sub-indicator: each member of the denominator, whether it counted and why not; paged',
          params: ExplainParams,
          querystring: ExplainQuery,
          response: { 200: ExplainResultSchema },
        },
      },
      async (req) => {
        const ctx = ctxOf(req, database);
        const q = req.query;
        requireRole(ctx.actor, ...READERS);
        checkPeriod(q.from, q.to, ctx.now);
        await authorizeUnitCode(db, ctx.actor, q.unit, q.to);
        return indicatorDossiers(db, {
          key: req.params.key,
          unit: q.unit,
          from: q.from,
          to: q.to,
          counted: q.counted === undefined ? undefined : q.counted === 'true',
          page: q.page,
          pageSize: q.pageSize,
          now: ctx.now,
        });
      },
    );

    app.get(
      '/service-index/config',
      {
        schema: {
          tags: ['service-index'],
          summary: 'The configuration version in force on a date (targets, points, group maxima) and the list of versions',
          querystring: ConfigQuery,
          response: { 200: ConfigResponseSchema },
        },
      },
      async (req) => {
        const ctx = ctxOf(req, database);
        requireRole(ctx.actor, ...READERS);
        return getConfig(db, req.query.at ?? vnDate(ctx.now));
      },
    );

    app.put(
      '/service-index/config',
      {
        schema: {
          tags: ['service-index'],
          summary: 'Add a configuration version applying from validFrom (administrators); earlier periods keep their version',
          body: PutConfigBody,
          response: { 200: ConfigVersionSchema },
        },
      },
      async (req) => {
        const ctx = ctxOf(req, database);
        return putConfig(ctx, { validFrom: req.body.validFrom, note: req.body.note, config: req.body.config as IndexConfig });
      },
    );
  };
}
