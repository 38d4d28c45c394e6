/**
 * npm run bench:lookup: public lookups only (`GET /api/v1/public/dossiers/{code}`, no sign-in)
 * against the built server on PostgreSQL, with 50 concurrent clients from one keep-alive pool.
 * Prints lookups/s, p50/p99, errors, the server's CPU (user + system) per lookup and the load
 * average: on a machine shared with other work, CPU per lookup is the figure to compare.
 *
 * The database (`tinhso_bench_lookup` next to the one of TEST_DATABASE_URL, or
 * BENCH_DATABASE_URL) is created on the first run and seeded by the server's own demo data
 * (BENCH_LOOKUP_DOSSIERS dossiers, default 400); later runs reuse it. Like `npm run bench`, the
 * server reaches PostgreSQL through its Unix socket when PG_TEMP_DIR and PG_TEMP_PORT are set.
 *
 * The server is built as `npm start` builds it (scripts/build.mjs), into its own folder
 * (node_modules/.cache/tinhso-bench-lookup), so a concurrent build does not pull dist/ from under it. Settings:
 * - BENCH_LOOKUP_SECONDS (10), BENCH_CONCURRENCY (50), BENCH_LOOKUP_RUNS (1: measured runs on
 *   one server, after a 2 s warm-up);
 * - BENCH_LOOKUP_BUNDLE=<folder with main.js>: a bundle built earlier (A/B comparisons of builds);
 * - BENCH_LOG_LEVEL (warn, as `npm run bench`; `info` logs every request as production does);
 * - BENCH_NODE_FLAGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (the profile is written when the
 *   server stops).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import { buildDist, cpuMsOf, percentile, ROOT, startServer, stopServer } from './lib.ts';

const SECONDS = Number(process.env.BENCH_LOOKUP_SECONDS ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const RUNS = Number(process.env.BENCH_LOOKUP_RUNS ?? 1);
const DOSSIERS = Number(process.env.BENCH_LOOKUP_DOSSIERS ?? 400);
const DB_NAME = 'tinhso_bench_lookup';

/** The database URL the server uses (Unix socket when possible) and one to administer it. */
function databaseUrls(): { server: string; admin: string | null } {
  if (process.env.BENCH_DATABASE_URL) return { server: process.env.BENCH_DATABASE_URL, admin: null };
  const test = process.env.TEST_DATABASE_URL;
  if (!test) throw new Error('set TEST_DATABASE_URL (a PostgreSQL server where a database may be created) or BENCH_DATABASE_URL');
  const u = new URL(test);
  const tcp = new URL(test);
  tcp.pathname = `/${DB_NAME}`;
  const { PG_TEMP_DIR: dir, PG_TEMP_PORT: port } = process.env;
  const server =
    dir && port && !process.env.BENCH_TCP ? `postgres://${u.username}:${u.password}@/${DB_NAME}?host=${encodeURIComponent(dir)}&port=${port}` : tcp.toString();
  return { server, admin: test };
}

async function ensureDatabase(adminUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
    if (!rowCount) {
      await c.query(`CREATE DATABASE ${DB_NAME}`);
      console.log(`created database ${DB_NAME} (the first start loads ${DOSSIERS} demo dossiers)`);
    }
  } finally {
    await c.end();
  }
}

/** The server built as `npm start` builds it, into its own folder (or BENCH_LOOKUP_BUNDLE, built earlier). */
function bundle(): string {
  if (process.env.BENCH_LOOKUP_BUNDLE) return path.resolve(process.env.BENCH_LOOKUP_BUNDLE);
  const out = 'node_modules/.cache/tinhso-bench-lookup';
  buildDist(out);
  return path.join(ROOT, out);
}

async function hammer(http: Pool, codes: string[], seconds: number, pid: number) {
  const lat: number[] = [];
  let errors = 0;
  let k = 0;
  const end = Date.now() + seconds * 1000;
  const client = async () => {
    while (Date.now() < end) {
      const code = codes[k++ % codes.length]!;
      const t = performance.now();
      try {
        const r = await http.request({ path: `/api/v1/public/dossiers/${encodeURIComponent(code)}`, method: 'GET' });
        await r.body.dump();
        if (r.statusCode === 200) lat.push(performance.now() - t);
        else if (errors++ < 3) console.error(`lookup ${code}: ${r.statusCode}`);
      } catch (err) {
        if (errors++ < 3) console.error(`lookup ${code}: ${(err as Error).message}`);
      }
    }
  };
  const cpu0 = cpuMsOf(pid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const secs = (performance.now() - t0) / 1000;
  const cpu1 = cpuMsOf(pid);
  const n = lat.length + errors;
  lat.sort((a, b) => a - b);
  return {
    perSec: lat.length / secs,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    errors,
    cpuMsPerLookup: (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / n,
    userMsPerLookup: (cpu1.user - cpu0.user) / n,
    load: os.loadavg()[0]!,
  };
}

async function main() {
  const urls = databaseUrls();
  if (urls.admin) await ensureDatabase(urls.admin);
  const dir = bundle();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tinhso-bench-lookup-'));
  // A key derived from the URL: the personal data the first run sealed stays readable later.
  const key = `bench:${createHash('sha256').update(urls.server).digest('base64')}`;
  const server = await startServer(
    {
      DATABASE_URL: urls.server,
      DATA_ENCRYPTION_KEY: key,
      DATA_DIR: tmp,
      DEMO_DOSSIERS: String(DOSSIERS),
      WORKERS: '1',
      PUBLIC_LOOKUP_RATE_LIMIT: '100000000',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    },
    { built: dir, timeoutMs: 600_000 },
  );
  const http = new Pool(server.url, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  try {
    const db = new pg.Client({ connectionString: urls.server });
    await db.connect();
    const codes = (await db.query<{ code: string }>(`SELECT code FROM dossiers WHERE code IS NOT NULL ORDER BY random() LIMIT 1000`)).rows.map((r) => r.code);
    await db.end();
    if (!codes.length) throw new Error('no dossier with a code in the database');
    await hammer(http, codes, 2, server.proc.pid!);
    console.log(
      `Public lookups, ${codes.length} codes, ${CONCURRENCY} concurrent clients, ${SECONDS} s per run, server log level ${process.env.BENCH_LOG_LEVEL ?? 'warn'}, ${os.cpus().length} CPUs`,
    );
    console.log('| run | lookups/s | p50 ms | p99 ms | errors | server CPU ms/lookup (user) | load avg (1 min) |');
    console.log('|---|---|---|---|---|---|---|');
    for (let i = 1; i <= RUNS; i++) {
      const lines0 = server.lines();
      const r = await hammer(http, codes, SECONDS, server.proc.pid!);
      console.log(
        `| ${i} | ${r.perSec.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} | ${r.cpuMsPerLookup.toFixed(3)} (${r.userMsPerLookup.toFixed(3)}) | ${r.load.toFixed(2)} |`,
      );
      if (i === RUNS) console.log(`(server log lines written during the last run: ${server.lines() - lines0})`);
    }
  } finally {
    await http.close();
    await stopServer(server);
    await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
