import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Database } from '../../db/client.ts';
import { ctxOf } from '../../platform/http.ts';
import { toIso, toIsoOrNull } from '../../platform/time.ts';
import { handlingCsv } from './exports.ts';
import { HandlingQuery, HandlingReportView, RegisterQuery, RegisterView } from './reports.schemas.ts';
import { auditExport, handlingReport, registerReport } from './reports.service.ts';
import { handlingWorkbook, registerWorkbook } from './xlsx.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function download(reply: FastifyReply, type: string, name: string, body: Buffer | string) {
  return reply
    .type(type)
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'private, no-store')
    .header('x-content-type-options', 'nosniff')
    .send(body);
}

const safeName = (s: string) => s.replace(/[^0-9A-Za-z._-]/g, '_');

/** `GET /reports/handling` and `GET /reports/register`: on screen (JSON) or downloaded; downloads are audited. */
export function reportRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/reports/handling',
      {
        schema: {
          tags: ['reports'],
          summary: 'The periodic report on administrative procedure handling, per competent agency and field (json, csv or xlsx)',
          querystring: HandlingQuery,
          response: { 200: HandlingReportView },
        },
      },
      async (req, reply) => {
        const ctx = ctxOf(req, database);
        const r = await handlingReport(ctx, req.query);
        const { format } = req.query;
        if (format === 'json') return { ...r, generatedAt: toIso(r.generatedAt) };
        await auditExport(ctx, { report: 'handling', format, unit: r.unit.code, from: r.from, to: r.to, rows: r.rows.length });
        const base = `bao-cao-giai-quyet-tthc_${safeName(r.unit.code)}_${r.from}_${r.to}`;
        if (format === 'csv') return download(reply, 'text/csv; charset=utf-8', `${base}.csv`, handlingCsv(r));
        return download(reply, XLSX, `${base}.xlsx`, await handlingWorkbook(r));
      },
    );

    app.get(
      '/reports/register',
      {
        schema: {
          tags: ['reports'],
          summary: 'The dossier register (form 07, sổ theo dõi hồ sơ): dossiers received in the period (json or xlsx)',
          querystring: RegisterQuery,
          response: { 200: RegisterView },
        },
      },
      async (req, reply) => {
        const ctx = ctxOf(req, database);
        const r = await registerReport(ctx, req.query);
        // The register names applicants: every read is recorded, on screen or downloaded.
        await auditExport(ctx, { report: 'register', format: req.query.format, unit: r.unit.code, from: r.from, to: r.to, rows: r.rows.length });
        if (req.query.format === 'xlsx')
          return download(reply, XLSX, `so-theo-doi-ho-so_${safeName(r.unit.code)}_${r.from}_${r.to}.xlsx`, await registerWorkbook(r));
        return {
          ...r,
          generatedAt: toIso(r.generatedAt),
          rows: r.rows.map((x) => ({
            ...x,
            receivedAt: toIso(x.receivedAt),
            dueAt: toIsoOrNull(x.dueAt),
            originalDueAt: toIsoOrNull(x.originalDueAt),
            finishedAt: toIsoOrNull(x.finishedAt),
            returnedAt: toIsoOrNull(x.returnedAt),
          })),
        };
      },
    );
  };
}
