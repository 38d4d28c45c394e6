import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  auditExport,
  checkPeriod,
  handlingCsv,
  handlingReport,
  handlingWorkbook,
  leaderDashboard,
  readableUnits,
  registerReport,
  registerWorkbook,
  resolveUnit,
  type PeriodProblem,
} from '../modules/reports/index.ts';
import { computeServiceIndex, indicatorDossiers, INDICATOR_KEYS } from '../modules/service-index/index.ts';
import type { Ctx } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { ctxOf } from '../platform/http.ts';
import type { WebHelpers } from './application.routes.ts';
import { dashboardPage, filterErrorPage, indicatorPage, reportsPage, type FilterError, type FilterView } from './dashboard-pages.ts';
import { formatNumber, t, type Locale, type MessageKey } from './i18n.ts';
import { errorPage } from './pages.ts';
import { redirectToSignIn } from './sign-in.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const INDICATOR_PAGE_SIZE = 50;

function str(v: unknown, max: number): string {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.normalize('NFC').trim().slice(0, max) : '';
}
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const safeName = (s: string) => s.replace(/[^0-9A-Za-z._-]/g, '_');

const PERIOD_KEYS: Record<PeriodProblem['problem'], (f: 'from' | 'to') => MessageKey> = {
  format: (f) => (f === 'from' ? 'dash.err.fromFormat' : 'dash.err.toFormat'),
  order: () => 'dash.err.order',
  too_long: () => 'dash.err.tooLong',
};

type Gate = 'leader' | 'reports';

/**
 * The leaders' dashboard and the reports pages: `/bang-dieu-khien` (leaders and
 * administrators), `/bang-dieu-khien/chi-tieu/:key` (the dossiers behind a sub-indicator),
 * `/bao-cao` with `/bao-cao/tai-ve` (CSV, xlsx) and `/bao-cao/so-theo-doi` (form 07). Filters are
 * GET forms; every number comes from the same services as the API.
 */
export function registerDashboardRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { database, send } = h;

  /** Signed in with the right role, or the sign-in redirect / a 403 page; returns the ctx to use. */
  const guard = async (req: FastifyRequest, reply: FastifyReply, gate: Gate): Promise<Ctx | null> => {
    if (!req.actor) {
      await redirectToSignIn(req, reply);
      return null;
    }
    const roles = req.actor.roles.map((r) => r.role as string);
    const allowed = gate === 'leader' ? ['leader', 'admin'] : ['leader', 'admin', 'specialist', 'reception'];
    if (!roles.some((r) => allowed.includes(r))) {
      const p = h.pageCtx(req, reply);
      await send(reply, 403, errorPage(p, t(p.locale, 'error.title'), t(p.locale, gate === 'leader' ? 'dash.forbidden' : 'dash.forbiddenReports')));
      return null;
    }
    return ctxOf(req, database);
  };

  /** The filters from the query, checked; errors are messages next to the inputs. */
  const filters = async (req: FastifyRequest, ctx: Ctx, locale: Locale): Promise<{ view: FilterView; ok: boolean; status: number }> => {
    const q = record(req.query);
    const units = await readableUnits(ctx);
    const unitIn = str(q.unit, 64);
    const fromIn = str(q.from, 10);
    const toIn = str(q.to, 10);
    const checked = checkPeriod({ from: fromIn, to: toIn }, ctx.now);
    const errors: FilterError[] = checked.period
      ? []
      : checked.problems.map((pr) => ({ anchor: pr.field, message: t(locale, PERIOD_KEYS[pr.problem](pr.field)) }));
    let unit = unitIn;
    let status = errors.length ? 422 : 200;
    try {
      unit = (await resolveUnit(ctx, unitIn || undefined)).code;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'REPORT_UNIT_NOT_FOUND') errors.unshift({ anchor: 'unit', message: t(locale, 'dash.err.unit') });
      else if (err.code === 'REPORT_UNIT_FORBIDDEN') {
        errors.unshift({ anchor: 'unit', message: t(locale, 'dash.err.unitForbidden') });
        status = 403;
      } else throw err;
      if (status === 200) status = 422;
    }
    const view: FilterView = { units, unit, from: checked.period?.from ?? fromIn, to: checked.period?.to ?? toIn, errors };
    return { view, ok: errors.length === 0, status };
  };

  app.get('/bang-dieu-khien', { schema: { hide: true } }, async (req, reply) => {
    const ctx = await guard(req, reply, 'leader');
    if (!ctx) return reply;
    const p = h.pageCtx(req, reply);
    const f = await filters(req, ctx, p.locale);
    if (!f.ok) return send(reply, f.status, filterErrorPage(p, 'dashboard', f.view));
    const data = await leaderDashboard(ctx, { unit: f.view.unit, from: f.view.from, to: f.view.to });
    return send(reply, 200, dashboardPage(p, data, f.view));
  });

  app.get('/bang-dieu-khien/chi-tieu/:key', { schema: { hide: true } }, async (req, reply) => {
    const ctx = await guard(req, reply, 'leader');
    if (!ctx) return reply;
    const p = h.pageCtx(req, reply);
    const key = str(record(req.params).key, 80);
    if (!(INDICATOR_KEYS as readonly string[]).includes(key))
      return send(reply, 404, errorPage(p, t(p.locale, 'error.notFoundTitle'), t(p.locale, 'dash.ind.unknown')));
    const f = await filters(req, ctx, p.locale);
    if (!f.ok) return send(reply, f.status, filterErrorPage(p, 'dashboard', f.view));
    const q = record(req.query);
    const dat = str(q.dat, 5);
    const counted = dat === 'co' ? true : dat === 'khong' ? false : null;
    const pageIn = Number.parseInt(str(q.trang, 6), 10);
    const page = Number.isInteger(pageIn) && pageIn >= 1 && pageIn <= 100_000 ? pageIn : 1;
    const base = { unit: f.view.unit, from: f.view.from, to: f.view.to, now: ctx.now };
    const list = { ...base, key, ...(counted === null ? {} : { counted }), pageSize: INDICATOR_PAGE_SIZE };
    const [index, first] = await Promise.all([computeServiceIndex(ctx.db, base), indicatorDossiers(ctx.db, { ...list, page })]);
    // A page past the end (an old link, a list that shrank) shows the last page, as the worklist does.
    const last = Math.max(1, Math.ceil(first.total / INDICATOR_PAGE_SIZE));
    const result = page > last ? await indicatorDossiers(ctx.db, { ...list, page: last }) : first;
    const indicator = index.groups.flatMap((g) => g.indicators).find((i) => i.key === key) ?? null;
    return send(
      reply,
      200,
      indicatorPage(p, { filter: { unit: f.view.unit, from: f.view.from, to: f.view.to, unitName: index.unitName }, indicator, result, counted }),
    );
  });

  app.get('/bao-cao', { schema: { hide: true } }, async (req, reply) => {
    const ctx = await guard(req, reply, 'reports');
    if (!ctx) return reply;
    const p = h.pageCtx(req, reply);
    const f = await filters(req, ctx, p.locale);
    if (!f.ok) return send(reply, f.status, filterErrorPage(p, 'report', f.view));
    const r = await handlingReport(ctx, { unit: f.view.unit, from: f.view.from, to: f.view.to });
    return send(reply, 200, reportsPage(p, r, f.view));
  });

  const download = (reply: FastifyReply, type: string, name: string, body: Buffer | string) =>
    reply.type(type).header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'private, no-store').send(body);

  app.get('/bao-cao/tai-ve', { schema: { hide: true } }, async (req, reply) => {
    const ctx = await guard(req, reply, 'reports');
    if (!ctx) return reply;
    const p = h.pageCtx(req, reply);
    const f = await filters(req, ctx, p.locale);
    if (!f.ok) return send(reply, f.status, filterErrorPage(p, 'report', f.view));
    const format = str(record(req.query).format, 5) === 'csv' ? 'csv' : 'xlsx';
    const r = await handlingReport(ctx, { unit: f.view.unit, from: f.view.from, to: f.view.to });
    await auditExport(ctx, { report: 'handling', format, unit: r.unit.code, from: r.from, to: r.to, rows: r.rows.length });
    const base = `bao-cao-giai-quyet-tthc_${safeName(r.unit.code)}_${r.from}_${r.to}`;
    return format === 'csv'
      ? download(reply, 'text/csv; charset=utf-8', `${base}.csv`, handlingCsv(r))
      : download(reply, XLSX, `${base}.xlsx`, await handlingWorkbook(r));
  });

  app.get('/bao-cao/so-theo-doi', { schema: { hide: true } }, async (req, reply) => {
    const ctx = await guard(req, reply, 'reports');
    if (!ctx) return reply;
    const p = h.pageCtx(req, reply);
    const f = await filters(req, ctx, p.locale);
    if (!f.ok) return send(reply, f.status, filterErrorPage(p, 'report', f.view));
    let r: Awaited<ReturnType<typeof registerReport>>;
    try {
      r = await registerReport(ctx, { unit: f.view.unit, from: f.view.from, to: f.view.to });
    } catch (err) {
      // Too many dossiers for one workbook: say so, and keep the filters to shorten the period.
      if (!(err instanceof AppError && err.code === 'REPORT_TOO_LARGE')) throw err;
      const max = Number(err.details?.maxRows);
      return send(
        reply,
        422,
        filterErrorPage(p, 'report', {
          ...f.view,
          errors: [
            {
              anchor: 'from',
              message: Number.isFinite(max) ? t(p.locale, 'dash.err.tooLarge', { max: formatNumber(p.locale, max) }) : (err.userMessage ?? err.code),
            },
          ],
        }),
      );
    }
    await auditExport(ctx, { report: 'register', format: 'xlsx', unit: r.unit.code, from: r.from, to: r.to, rows: r.rows.length });
    return download(reply, XLSX, `so-theo-doi-ho-so_${safeName(r.unit.code)}_${r.from}_${r.to}.xlsx`, await registerWorkbook(r));
  });
}
