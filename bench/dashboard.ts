/**
 * npm run bench:dashboard: the leaders' dashboard page (/bang-dieu-khien) on a large history.
 *
 * 1. Creates a throwaway database on BENCH_DATABASE_URL (or TEST_DATABASE_URL), migrates it and
 *    loads the demo province with BENCH_BASE (default 2,000) demo dossiers of the last year,
 *    made through the demo generator (realistic mix of procedures, channels, supplements, late ones).
 * 2. Replicates the finished ones back in time (new ids and codes, every instant shifted) until
 *    there are BENCH_DOSSIERS (default 1,000,000) dossiers over ten years; open dossiers stay recent.
 * 3. Times, for the last 12 months and the province: the whole page through the HTTP pipeline
 *    (signed in as leader.hoa) and each query behind it, first run and median of BENCH_RUNS.
 * Prints a table and writes bench/results/dashboard.json; drops the database (BENCH_KEEP=1 keeps it).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, queryRows, sql } from '../src/db/client.ts';
import { DEMO_PASSWORD, seedDemo } from '../src/db/demo/seed.ts';
import { migrate } from '../src/db/migrate.ts';
import { computeDueAt, loadClock } from '../src/modules/calendar/index.ts';
import { deadlineLists, monthlyCounts } from '../src/modules/reports/dashboard.repo.ts';
import { previousPeriod, periodOf } from '../src/modules/reports/period.ts';
import { findReportUnit } from '../src/modules/reports/reports.repo.ts';
import { monthsEnding, trendSpan } from '../src/modules/reports/trend.ts';
import { computeServiceIndex, rankUnits } from '../src/modules/service-index/index.ts';
import { keyringFor } from '../src/platform/crypto.ts';
import { LocalFileStore } from '../src/platform/files.ts';
import { vnDate } from '../src/platform/time.ts';
import { createPostgresDatabase } from '../test/harness.ts';
import { ROOT } from './lib.ts';

const N = Number(process.env.BENCH_DOSSIERS ?? 1_000_000);
const BASE = Number(process.env.BENCH_BASE ?? 2_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const TIMESTAMPS = ['submitted_at', 'received_at', 'due_at', 'original_due_at', 'finished_at', 'returned_at', 'paused_at', 'created_at', 'updated_at'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function measure(label: string, fn: () => Promise<unknown>) {
  const t0 = performance.now();
  await fn();
  const first = performance.now() - t0;
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await fn();
    runs.push(performance.now() - t);
  }
  const stats = { first: Math.round(first), median: Math.round(median(runs)), min: Math.round(Math.min(...runs)), max: Math.round(Math.max(...runs)) };
  console.log(
    `${label.padEnd(34)} first ${String(stats.first).padStart(6)} ms   median ${String(stats.median).padStart(6)} ms   (min ${stats.min}, max ${stats.max})`,
  );
  return stats;
}

async function main() {
  if (!BASE_URL) throw new Error('Set BENCH_DATABASE_URL (a PostgreSQL URL; a throwaway database is created next to it).');
  const { url, drop } = await createPostgresDatabase(BASE_URL);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-bench-dash-'));
  const database = await openDatabase({ databaseUrl: url, poolSize: 8 });
  const db = database.db;
  const report: Record<string, unknown> = { dossiers: N, base: BASE, runs: RUNS, at: new Date().toISOString() };
  try {
    await migrate(database, undefined, { keyring: keyringFor({ env: 'test', dataDir }) });
    const files = new LocalFileStore(path.join(dataDir, 'files'));
    await files.init();
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', DATABASE_URL: url });
    const app = await buildApp({ config, database, files });
    const now = new Date();
    let t0 = performance.now();
    await seedDemo(db, files, app.log, { dossiers: BASE, now, keyring: app.keyring });
    console.log(`demo province and ${BASE} dossiers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    t0 = performance.now();
    const cols = (
      await queryRows<{ c: string }>(
        db,
        sql`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'dossiers' AND table_schema = current_schema() ORDER BY ordinal_position`,
      )
    ).map((r) => r.c);
    const [{ finals }] = (await queryRows<{ finals: number }>(
      db,
      sql`SELECT count(*)::int AS finals FROM dossiers WHERE received_at IS NOT NULL AND finished_at IS NOT NULL`,
    )) as [{ finals: number }];
    const [{ total: have }] = (await queryRows<{ total: number }>(db, sql`SELECT count(*)::int AS total FROM dossiers`)) as [{ total: number }];
    const copies = Math.max(0, Math.ceil((N - have) / Math.max(1, finals)));
    const stepDays = copies ? 3285 / copies : 0; // nine more years behind the demo's one
    const expr = (c: string) =>
      c === 'id'
        ? 'gen_random_uuid()'
        : c === 'code'
          ? `code || '-' || k`
          : TIMESTAMPS.includes(c)
            ? `${c} - make_interval(secs => k * ${stepDays * 86400})`
            : c;
    for (let k = 1; k <= copies; k += 25) {
      const last = Math.min(copies, k + 24);
      await database.execScript(
        `INSERT INTO dossiers (${cols.join(', ')})
         SELECT ${cols.map(expr).join(', ')} FROM dossiers, generate_series(${k}, ${last}) AS k
          WHERE received_at IS NOT NULL AND finished_at IS NOT NULL AND code NOT LIKE '%-%-%-%'
          LIMIT ${Math.max(0, N - have - (k - 1) * finals)}`,
      );
    }
    await database.execScript('ANALYZE');
    const [{ total }] = (await queryRows<{ total: number }>(db, sql`SELECT count(*)::int AS total FROM dossiers`)) as [{ total: number }];
    console.log(`replicated to ${total.toLocaleString('en')} dossiers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    report.total = total;

    const to = vnDate(now);
    const from = vnDate(new Date(now.getTime() - 364 * 86_400_000));
    const period = periodOf(from, to);
    const prev = previousPeriod(period);
    console.log(`period ${from} → ${to} (previous ${prev.from} → ${prev.to})`);
    await app.ready();
    const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'leader.hoa', password: DEMO_PASSWORD } });
    const token = (login.json() as { token?: string }).token;
    if (!token) throw new Error(`login failed: ${login.body}`);
    const page = async () => {
      const r = await app.inject({ method: 'GET', url: `/bang-dieu-khien?unit=37&from=${from}&to=${to}`, headers: { cookie: `tinhso_session=${token}` } });
      if (r.statusCode !== 200) throw new Error(`page ${r.statusCode}`);
    };
    const unit = (await findReportUnit(db, '37', to))!;
    const clock = await loadClock(db);
    const soon = computeDueAt({ start: now, value: 3, unit: 'working_days', calendar: clock.calendar, officeHours: clock.officeHours });
    const timings = {
      page: await measure('dashboard page (HTTP, whole)', page),
      index: await measure('  index, current period', () => computeServiceIndex(db, { unit: '37', from, to, now })),
      previous: await measure('  index, previous period', () => computeServiceIndex(db, { unit: '37', from: prev.from, to: prev.to, now })),
      agencies: await measure('  ranking of agencies', () => rankUnits(db, { level: 'agency', from, to, now })),
      communes: await measure('  ranking of communes', () => rankUnits(db, { level: 'commune', from, to, now })),
      trend: await measure('  monthly trend (one query)', () => monthlyCounts(db, unit, trendSpan(monthsEnding(to)))),
      deadlines: await measure('  overdue and due-soon lists', () => deadlineLists(db, unit, now, soon, 20)),
    };
    report.timings = timings;
    console.log(`\ndashboard page median ${timings.page.median} ms (target < 500 ms): ${timings.page.median < 500 ? 'met' : 'NOT met'}`);
    await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await writeFile(path.join(ROOT, 'bench/results/dashboard.json'), JSON.stringify(report, null, 2));
    await app.close();
  } finally {
    await database.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    if (process.env.BENCH_KEEP !== '1') await drop();
    else console.log(`kept database ${url}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
