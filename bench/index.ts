/**
 * npm run bench:index: the Decision 766 index on 1,000,000 dossiers (docs/SERVICE_INDEX.md).
 *
 * 1. Creates a throwaway database on the PostgreSQL server of BENCH_DATABASE_URL (or
 *    TEST_DATABASE_URL), migrates it and loads the demo province (catalogue, agencies, accounts).
 * 2. Generates BENCH_DOSSIERS (default 1,000,000) dossiers over 10 years with set-based SQL
 *    (INSERT ... SELECT generate_series): every procedure of the catalogue, the provincial and
 *    commune centres, the four channels' mix, never-received, open, stopped, withdrawn and late
 *    ones, one or two supplement requests, extensions, files (some missing, some reused),
 *    online payments and ratings.
 * 3. Measures, for the last 12 months: the province index (target < 300 ms) and the ranking of
 *    all agencies (target < 1 s), each the median of BENCH_RUNS warm runs after a first run.
 * 4. Checks both against a deliberately simple full recomputation: every dossier read back and
 *    judged one by one in TypeScript by the pure rules (index-rules.ts), then scored.
 * Prints a table, writes bench/results/index.json, drops the database (BENCH_KEEP=1 keeps it).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import pg from 'pg';
import { openDatabase, queryRows, sql } from '../src/db/client.ts';
import { seedDemo } from '../src/db/demo/seed.ts';
import { migrate } from '../src/db/migrate.ts';
import { makePeriod } from '../src/modules/service-index/index-rules.ts';
import { monthsEnding, trendSpan } from '../src/modules/reports/trend.ts';
import { computeServiceIndex, monthlyCounts, openDeadlineLists, rankUnits } from '../src/modules/service-index/index.ts';
import { keyringFor } from '../src/platform/crypto.ts';
import { LocalFileStore } from '../src/platform/files.ts';
import { vnDate } from '../src/platform/time.ts';
import { dropPostgresDatabase } from '../test/harness.ts';
import { compareIndex, compareRanking, referenceComputation } from './index-reference.ts';
import { ROOT } from './lib.ts';

const N = Number(process.env.BENCH_DOSSIERS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

const silent = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  trace() {},
  fatal() {},
  child() {
    return silent;
  },
  level: 'silent',
} as unknown as FastifyBaseLogger;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  if (!BASE_URL) throw new Error('Set BENCH_DATABASE_URL (a PostgreSQL URL; a throwaway database is created next to it).');
  // BENCH_REUSE=<database name> measures again on a database kept by an earlier run (BENCH_KEEP=1).
  const reuse = process.env.BENCH_REUSE;
  const name = reuse ?? `tinhso_bench_index_${process.pid}_${Date.now().toString(36)}`;
  if (!reuse) {
    const admin = new pg.Client({ connectionString: BASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
  }
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-bench-index-'));
  const database = await openDatabase({ databaseUrl: url, poolSize: 4 });
  const db = database.db;
  const report: Record<string, unknown> = { dossiers: N, runs: RUNS, at: new Date().toISOString() };
  try {
    const keyring = keyringFor({ env: 'test', dataDir });
    const migrated = await timed(() => migrate(database, undefined, { keyring }));
    if (migrated.value.length) console.log(`applied ${migrated.value.join(', ')} in ${(migrated.ms / 1000).toFixed(1)} s`);
    // The roll-up a migration just back-filled has no statistics yet.
    await database.execScript('ANALYZE service_index_daily');
    const now = new Date();
    if (!reuse) {
      const files = new LocalFileStore(path.join(dataDir, 'files'));
      await files.init();
      await seedDemo(db, files, silent, { dossiers: 0, now: new Date(now.getTime() - 11 * 366 * 86_400_000), keyring });
      const gen = await timed(() => generate(database.execScript.bind(database), N));
      console.log(`generated ${N.toLocaleString('en')} dossiers in ${(gen.ms / 1000).toFixed(1)} s`);
      report.generateSeconds = Math.round(gen.ms / 100) / 10;
    }
    const [sizes] = await queryRows<{ dossiers: number; files: number; ratings: number; received12: number }>(
      db,
      sql`SELECT (SELECT count(*) FROM dossiers)::int AS dossiers, (SELECT count(*) FROM dossier_files)::int AS files,
                 (SELECT count(*) FROM dossier_ratings)::int AS ratings,
                 (SELECT count(*) FROM dossiers WHERE received_at >= now() - interval '365 days')::int AS received12`,
    );
    console.log(sizes);
    report.sizes = sizes;

    const to = vnDate(now);
    const from = vnDate(new Date(now.getTime() - 364 * 86_400_000));
    const period = makePeriod(from, to, now);
    console.log(`period ${from} → ${to}`);

    const province = await measure('province index (37)', () => computeServiceIndex(db, { unit: '37', from, to, now }));
    const ranking = await measure('ranking of agencies', () => rankUnits(db, { level: 'agency', from, to, now }));
    const communes = await measure('ranking of communes', () => rankUnits(db, { level: 'commune', from, to, now }));
    const agency = await measure('agency index (STP)', () => computeServiceIndex(db, { unit: 'STP', from, to, now }));
    const prev = makePeriod(vnDate(new Date(now.getTime() - 729 * 86_400_000)), vnDate(new Date(now.getTime() - 365 * 86_400_000)), now);
    const previous = await measure('province, previous 12 m', () => computeServiceIndex(db, { unit: '37', from: prev.from, to: prev.to, now }));
    // Everything the leaders' dashboard page queries, run as leaderDashboard runs it (in parallel):
    // index of the period and of the previous one, 12-month trend, both rankings, deadline lists.
    const months = monthsEnding(to);
    const span = trendSpan(months);
    const dashboard = await measure('dashboard queries (all)', () =>
      Promise.all([
        computeServiceIndex(db, { unit: '37', from, to, now }),
        computeServiceIndex(db, { unit: '37', from: prev.from, to: prev.to, now }),
        monthlyCounts(db, { agencyIds: null, from: span.from, to: span.to, now }),
        rankUnits(db, { level: 'agency', from, to, now }),
        rankUnits(db, { level: 'commune', from, to, now }),
        openDeadlineLists(db, { agencyIds: null, now, soonUntil: new Date(now.getTime() + 3 * 86_400_000), limit: 20 }),
      ]),
    );
    report.timings = {
      province: province.stats,
      ranking: ranking.stats,
      communes: communes.stats,
      agency: agency.stats,
      previous: previous.stats,
      dashboard: dashboard.stats,
    };
    report.loadAverage = os.loadavg().map((x) => Math.round(x * 100) / 100);
    console.log(`load average ${report.loadAverage as number[]}`);

    // BENCH_REFERENCE=0 skips the full recomputation (a quicker re-measure of a kept database).
    let problems: string[] = [];
    if (process.env.BENCH_REFERENCE !== '0') {
      const ref = await timed(() => referenceComputation(db, period, { log: console.log }));
      console.log(`reference full recomputation: ${(ref.ms / 1000).toFixed(1)} s`);
      problems = [...compareIndex(province.value, ref.value.province), ...compareRanking(ranking.value, ref.value.agencies)];
      report.referenceSeconds = Math.round(ref.ms / 100) / 10;
      report.equal = problems.length === 0;
      report.problems = problems.slice(0, 20);
    }
    report.province = {
      total: province.value.total,
      max: province.value.max,
      percent: province.value.percent,
      progress: province.value.groups[1]!.indicators[0],
    };

    const target = (label: string, ms: number, limit: number) =>
      `${label.padEnd(24)} ${ms.toFixed(1).padStart(8)} ms  (target < ${limit} ms) ${ms < limit ? 'met' : 'NOT met'}`;
    console.log('\n' + target('province index', province.stats.median, 300));
    console.log(target('ranking of agencies', ranking.stats.median, 1000));
    console.log(target('dashboard queries', dashboard.stats.median, 500));
    if (process.env.BENCH_REFERENCE !== '0')
      console.log(`results equal to the full recomputation: ${problems.length === 0 ? 'yes' : `NO (${problems.length} differences)`}`);
    for (const p of problems.slice(0, 20)) console.log('  ' + p);
    await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
    await writeFile(path.join(ROOT, 'bench/results/index.json'), JSON.stringify(report, null, 2));
    if (problems.length) process.exitCode = 1;
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
    if (process.env.BENCH_KEEP !== '1' && !reuse) {
      await dropPostgresDatabase(BASE_URL, name);
    } else {
      console.log(`kept database ${url}`);
    }
  }
}

async function measure<T>(label: string, fn: () => Promise<T>) {
  const first = await timed(fn);
  const runs: number[] = [];
  let value = first.value;
  for (let i = 0; i < RUNS; i++) {
    const r = await timed(fn);
    runs.push(r.ms);
    value = r.value;
  }
  const stats = {
    first: Math.round(first.ms * 10) / 10,
    median: Math.round(median(runs) * 10) / 10,
    min: Math.round(Math.min(...runs) * 10) / 10,
    max: Math.round(Math.max(...runs) * 10) / 10,
  };
  console.log(`${label.padEnd(24)} first ${stats.first} ms, median ${stats.median} ms (min ${stats.min}, max ${stats.max})`);
  return { stats, value };
}

// ---------------------------------------------------------------------------------------------
// Generation (set-based)

async function generate(exec: (s: string) => Promise<void>, n: number) {
  await exec(`
    SELECT setseed(0.37);
    CREATE TABLE bench_procs AS
      SELECT (row_number() OVER (ORDER BY pr.code) - 1)::int AS idx, pr.id AS procedure_id, pv.id AS version_id, pr.code, pr.competent_agency_id AS competent,
             (SELECT array_agg(pa.agency_id ORDER BY pa.agency_id) FROM procedure_agencies pa WHERE pa.procedure_id = pr.id) AS receivers,
             CASE pv.definition->'duration'->>'unit'
               WHEN 'working_days' THEN make_interval(hours => ((pv.definition->'duration'->>'value')::float * 34)::int)
               WHEN 'hours' THEN make_interval(hours => ((pv.definition->'duration'->>'value')::float * 3)::int)
               WHEN 'days' THEN make_interval(days => (pv.definition->'duration'->>'value')::float::int)
               ELSE make_interval(months => (pv.definition->'duration'->>'value')::int) END AS span,
             ARRAY(SELECT c->>'code' FROM jsonb_array_elements(pv.definition->'components') c WHERE (c->>'required')::boolean) AS required
      FROM procedures pr JOIN procedure_versions pv ON pv.id = pr.current_version_id;
    CREATE TABLE bench_gen AS
      SELECT g, (floor(random() * (SELECT count(*) FROM bench_procs)))::int AS pidx,
             random() AS r_status, random() AS r_late, random() AS r_supp, random() AS r_ext, random() AS r_chan, random() AS r_pay, random() AS r_fin,
             now() - (power(random(), 1.15) * interval '3650 days') AS received
      FROM generate_series(1, ${n}) g;
  `);
  const adminId = `(SELECT id FROM users WHERE username = 'admin.lan')`;
  // Bulk load: the per-row triggers that keep service_index_facts exact are switched off and the
  // facts are rebuilt once, set-based, at the end (service_index_refresh(NULL)).
  await exec(`
    ALTER TABLE dossiers DISABLE TRIGGER service_index_dossiers;
    ALTER TABLE dossier_files DISABLE TRIGGER service_index_files;
    ALTER TABLE dossier_ratings DISABLE TRIGGER service_index_ratings;
    ALTER TABLE service_index_facts DISABLE TRIGGER service_index_daily_facts;
    ALTER TABLE service_index_facts DISABLE TRIGGER service_index_daily_facts_update;
  `);
  await exec(`
    INSERT INTO dossiers (id, code, procedure_id, procedure_version_id, procedure_code, procedure_version, receiving_agency_id, competent_agency_id,
      status, channel, applicant_type, applicant, created_by, form, submitted_at, received_at, due_at, original_due_at, finished_at, returned_at,
      paused_at, pauses, supplement_count, extension_count, is_paid_online, search_text, version, created_at, updated_at)
    SELECT gen_random_uuid(), 'BENCH-' || g, p.procedure_id, p.version_id, p.code, 1, p.receivers[1 + g % cardinality(p.receivers)], p.competent,
      s.status, CASE WHEN r_chan < 0.45 THEN 'online' WHEN r_chan < 0.95 THEN 'in_person' ELSE 'post' END, 'citizen', '{"type":"citizen","fullName":"Bench"}'::jsonb,
      ${adminId}, '{}'::jsonb, received - interval '2 hours',
      CASE WHEN s.is_received THEN received END,
      CASE WHEN s.is_received THEN received + p.span + CASE WHEN s.extended THEN interval '5 days' ELSE interval '0' END END,
      CASE WHEN s.is_received THEN received + p.span END,
      s.finished,
      CASE WHEN s.status = 'returned' THEN s.finished + interval '2 hours' END,
      CASE WHEN s.status = 'supplement_requested' THEN received + p.span * 0.4 END,
      CASE WHEN NOT s.is_received OR s.supps = 0 OR s.status = 'supplement_requested' AND s.supps = 1 THEN '[]'::jsonb
           WHEN s.supps = 1 OR s.status = 'supplement_requested' THEN jsonb_build_array(jsonb_build_object('from', received + p.span * 0.1, 'to', received + p.span * 0.1 + interval '1 day'))
           ELSE jsonb_build_array(jsonb_build_object('from', received + p.span * 0.1, 'to', received + p.span * 0.1 + interval '1 day'),
                                  jsonb_build_object('from', received + p.span * 0.3, 'to', received + p.span * 0.3 + interval '1 day')) END,
      CASE WHEN s.is_received THEN s.supps ELSE 0 END,
      CASE WHEN s.extended THEN 1 ELSE 0 END,
      r_pay < 0.25, '', 1, received - interval '3 hours', coalesce(s.finished, received)
    FROM bench_gen JOIN bench_procs p ON p.idx = pidx
    CROSS JOIN LATERAL (
      SELECT st.status, st.is_received, st.supps, st.is_received AND r_ext < 0.03 AS extended,
             CASE WHEN st.status IN ('refused', 'withdrawn') AND NOT st.is_received THEN received - interval '1 hour'
                  WHEN st.status IN ('done', 'returned', 'stopped', 'withdrawn') THEN
                    GREATEST(received, LEAST(now() - interval '1 minute',
                      CASE WHEN r_late < 0.12 THEN received + p.span + r_fin * interval '5 days' ELSE received + p.span * (r_fin * 0.95) END))
             END AS finished
      FROM (SELECT
              CASE WHEN r_status < 0.007 THEN 'submitted' WHEN r_status < 0.014 THEN 'refused' WHEN r_status < 0.02 THEN 'withdrawn'
                   WHEN r_status < 0.024 OR (received > now() - interval '30 days' AND r_status < 0.5) THEN
                     (ARRAY['received', 'in_progress', 'in_progress', 'supplement_requested', 'payment_requested'])[1 + (g % 5)]
                   WHEN r_status < 0.06 THEN 'stopped' WHEN r_status < 0.09 THEN 'withdrawn' WHEN r_status < 0.17 THEN 'done' ELSE 'returned' END AS status,
              r_status >= 0.02 AS is_received,
              CASE WHEN r_supp < 0.07 THEN 1 WHEN r_supp < 0.09 THEN 2 ELSE 0 END AS supps) st
    ) s;
  `);
  // A supplement_requested dossier has its open request counted too.
  await exec(`
    UPDATE dossiers SET supplement_count = jsonb_array_length(pauses) + 1 WHERE status = 'supplement_requested';
    INSERT INTO dossier_files (id, dossier_id, component_code, file_name, media_type, size, sha256, storage_key, reused_from_id, uploaded_by, created_at, removed_at)
    SELECT gen_random_uuid(), d.id, rc.code, 'tep.pdf', 'application/pdf', 1000, '${'a'.repeat(64)}', 'bench', NULL, d.created_by, d.created_at, NULL
    FROM dossiers d JOIN bench_procs p ON p.version_id = d.procedure_version_id
    CROSS JOIN LATERAL unnest(p.required) WITH ORDINALITY rc(code, n)
    WHERE NOT (rc.n = 1 AND abs(hashtext(d.code)) % 100 < 3);
    WITH anchor AS (SELECT id FROM dossier_files LIMIT 1)
    UPDATE dossier_files f SET reused_from_id = (SELECT id FROM anchor)
    WHERE f.id IN (SELECT DISTINCT ON (dossier_id) id FROM dossier_files WHERE abs(hashtext(dossier_id::text)) % 100 < 15 ORDER BY dossier_id, id);
    INSERT INTO dossier_ratings (dossier_id, rating, comment, user_id, created_at)
    SELECT id, CASE WHEN random() < 0.12 THEN 'dissatisfied' WHEN random() < 0.5 THEN 'satisfied' ELSE 'very_satisfied' END, NULL, created_by, returned_at + interval '1 day'
    FROM dossiers WHERE status = 'returned' AND random() < 0.3;
    DROP TABLE bench_gen;
    DROP TABLE bench_procs;
    ALTER TABLE dossiers ENABLE TRIGGER service_index_dossiers;
    ALTER TABLE dossier_files ENABLE TRIGGER service_index_files;
    ALTER TABLE dossier_ratings ENABLE TRIGGER service_index_ratings;
  `);
  const t0 = performance.now();
  await exec(`SELECT service_index_refresh(NULL)`);
  console.log(`service_index_facts rebuilt in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const t1 = performance.now();
  await exec(`SELECT service_index_daily_rebuild();
    ALTER TABLE service_index_facts ENABLE TRIGGER service_index_daily_facts;
    ALTER TABLE service_index_facts ENABLE TRIGGER service_index_daily_facts_update;`);
  console.log(`service_index_daily rebuilt in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
  // Real dossiers arrive in time order, so their facts rows lie roughly in reception order on
  // disk; the synthetic ones were generated in random order. Restore the natural layout.
  await exec(`CLUSTER service_index_facts USING service_index_facts_received_idx`);
  for (const table of ['dossiers', 'dossier_files', 'dossier_ratings', 'service_index_facts', 'service_index_daily']) await exec(`VACUUM ANALYZE ${table}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
