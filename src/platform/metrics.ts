import { createServer, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import { queryRows, sql, type Database } from '../db/client.ts';
import { groupStats } from '../db/group-commit.ts';
import { AppError } from './errors.ts';
import { sendProblem } from './http.ts';

/**
 * Prometheus metrics (text format at GET /metrics): requests by route pattern (rate, errors,
 * latency histogram), sign-in failures, group commit (groups, requests carried, time), and, read
 * from the database on each scrape, the job queue by status and the wait of its oldest due job,
 * security events by severity and the length of the audit chain. One registry per app
 * (tests build several). Protection (docs/SECURITY.md): with METRICS_PORT the endpoint lives
 * only on that management port; else with METRICS_TOKEN it needs `Authorization: Bearer <token>`;
 * with neither it answers outside production only.
 */
export interface Metrics {
  registry: Registry;
  loginFailures: Counter<'route'>;
}

const LOGIN_ROUTE = /\/(auth\/(login|totp|recovery|oidc\/callback)[^/]*|dang-nhap[^/]*)(\/|$)/;
const JOB_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export function createMetrics(database: Database): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'tinhso_' });
  const loginFailures = new Counter({
    name: 'tinhso_auth_login_failures_total',
    help: 'Sign-in attempts answered with an error (wrong credentials, throttled, locked)',
    labelNames: ['route'],
    registers: [registry],
  });
  new Gauge({
    name: 'tinhso_jobs',
    help: 'Background jobs by status (finished ones are kept 7 days, failed ones 90: JOB_RETENTION in platform/housekeeping.ts)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const rows = await queryRows<{ status: string; n: number }>(database.db, sql`SELECT status, count(*)::int AS n FROM jobs GROUP BY status`);
      for (const s of JOB_STATUSES) this.set({ status: s }, Number(rows.find((r) => r.status === s)?.n ?? 0));
    },
  });
  new Gauge({
    name: 'tinhso_jobs_oldest_due_seconds',
    help: 'How long the oldest due job has been waiting (0 when none): notifications and other background work running late',
    registers: [registry],
    async collect() {
      const [r] = await queryRows<{ s: number | null }>(
        database.db,
        sql`SELECT extract(epoch FROM now() - min(run_at))::float8 AS s FROM jobs WHERE status = 'pending' AND run_at <= now()`,
      );
      this.set(Math.max(0, Number(r?.s ?? 0)));
    },
  });
  // Group commit (src/db/group-commit.ts): how many requests each write or read carries.
  const groups = { groups: 'Groups written or read', items: 'Requests carried by those groups', seconds: 'Time spent running those groups' } as const;
  for (const [key, help] of Object.entries(groups) as [keyof typeof groups, string][]) {
    new Counter({
      name: `tinhso_group_commit_${key}_total`,
      help: `${help}, by kind (this process)`,
      labelNames: ['kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [kind, s] of groupStats()) this.inc({ kind }, s[key]);
      },
    });
  }
  new Gauge({
    name: 'tinhso_group_commit_largest',
    help: 'The largest group so far, by kind (this process)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [kind, s] of groupStats()) this.set({ kind }, s.largest);
    },
  });
  new Gauge({
    name: 'tinhso_security_events',
    help: 'Security events recorded, by severity',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      const rows = await queryRows<{ severity: string; n: number }>(
        database.db,
        sql`SELECT severity, count(*)::int AS n FROM security_events GROUP BY severity`,
      );
      for (const s of SEVERITIES) this.set({ severity: s }, Number(rows.find((r) => r.severity === s)?.n ?? 0));
    },
  });
  new Gauge({
    name: 'tinhso_audit_chain_length',
    help: 'Records in the audit hash chain (highest sequence number)',
    registers: [registry],
    async collect() {
      const [r] = await queryRows<{ n: number | null }>(database.db, sql`SELECT max(seq) AS n FROM audit_log`);
      this.set(Number(r?.n ?? 0));
    },
  });
  return { registry, loginFailures };
}

const tokenMatches = (expected: string, header: string | undefined): boolean => {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? ''); // the scheme name is case-insensitive (RFC 9110 §11.1)
  if (!m) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(m[1]!);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * Adds the request metrics hooks to the root instance and GET /metrics (or the management
 * server). Call it before any route and before the session hook: /metrics lives in its own
 * context, so a metrics bearer token is never taken for a session token.
 */
export async function installMetrics(app: FastifyInstance, deps: { config: Config; database: Database }): Promise<Metrics> {
  const { config, database } = deps;
  const metrics = createMetrics(database);
  const { registry } = metrics;
  const requests = new Counter({
    name: 'tinhso_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tinhso_http_request_duration_seconds',
    help: 'HTTP request latency by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  app.addHook('onResponse', async (req: FastifyRequest, reply: FastifyReply) => {
    // The route pattern, never the raw URL (bounded label values; no codes or ids in labels).
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    const status = reply.statusCode;
    requests.inc({ method: req.method, route, status: String(status) });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
    if (req.method === 'POST' && LOGIN_ROUTE.test(route) && status >= 400 && status !== 404 && status !== 403) metrics.loginFailures.inc({ route });
  });

  const { metricsPort, metricsToken } = config.security;
  if (metricsPort) {
    let server: Server | null = null;
    app.addHook('onReady', async () => {
      server = createServer((req, res) => {
        if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
          res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
          return;
        }
        registry.metrics().then(
          (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
          () => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
        );
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(metricsPort, config.host, () => resolve());
      });
    });
    app.addHook('onClose', async () => {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
    });
    return metrics;
  }

  const open = !metricsToken && config.env !== 'production';
  await app.register(async (scope) => {
    scope.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
      if (!open && !(metricsToken && tokenMatches(metricsToken, req.headers.authorization))) {
        // Unconfigured in production, or a wrong token: as if there were nothing here.
        reply.header('www-authenticate', 'Bearer');
        return sendProblem(
          reply,
          new AppError(metricsToken ? 'unauthenticated' : 'not_found', metricsToken ? 'METRICS_TOKEN_REQUIRED' : 'ROUTE_NOT_FOUND'),
          '/metrics',
        );
      }
      return reply
        .type(registry.contentType)
        .header('cache-control', 'no-store')
        .send(await registry.metrics());
    });
  });
  return metrics;
}
