/**
 * npm run bench: submissions per second (create, attach one small file, submit) with 50
 * concurrent clients, made two ways: three requests (create, attach, submit, as the portal does)
 * and one request (POST /api/v1/dossiers/submissions, as an integrator or a slow phone would); public lookups per second, and the direct-insert ceiling through `pg` in
 * the same run, on PostgreSQL (BENCH_DATABASE_URL or TEST_DATABASE_URL, which bench/run.sh
 * provides) and on PGlite. Prints a table and writes bench/results/submissions.json.
 * For profiling: BENCH_SKIP_CEILING=1 measures the flows alone; BENCH_DOSSIERS_BEFORE=N starts the
 * PostgreSQL server on a database holding N demo dossiers (DEMO_DOSSIERS) instead of none.
 * After the ceilings, the upper bound of bench/bound.ts: what a lean server doing only the
 * required writes reaches for the three-request flow on the same database.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Pool } from 'undici';
import {
  buildDist,
  multipartBody,
  percentile,
  pgTempPostmasterPid,
  processTreeCpuMs,
  ROOT,
  SAMPLE_PDF,
  startServer,
  stopServer,
  submissionBody,
} from './lib.ts';
import { describeBound, measureBound, type BoundResult } from './bound.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SUBMIT_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const LOOKUP_SECONDS = Number(process.env.BENCH_LOOKUP_SECONDS ?? 10);
/** Load before the measured seconds (JIT, caches, connection pools), not counted; errors in it still are. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/**
 * BENCH_CONTACT=1: applicants give an email address and a phone, so each submission is also
 * emailed and (with the account's consent) texted, to the local SMTP and SMS sinks.
 */
const CONTACT = process.env.BENCH_CONTACT === '1';
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const PROCEDURE = '1.001776';
/** BENCH_FLOWS: which ways of submitting to measure, `three` (create, attach, submit) and/or `one` (one request). */
const FLOWS = (process.env.BENCH_FLOWS ?? 'three,one').split(',').filter((f): f is 'three' | 'one' => f === 'three' || f === 'one');
const FLOW_LABEL = { three: '3 requests', one: '1 request' } as const;
/** Tags this run's idempotency keys and ceiling codes, so runs can repeat on one database. */
const RUN = Date.now().toString(36);

interface Result {
  label: string;
  submissions: number;
  submissionsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  lookupsPerSec: number;
  lookupP99: number;
  lookupErrors: number;
  /** Background jobs the submissions left that were still due when lookups started. */
  jobsDueAtLookup: number | null;
  /** How long those jobs took to be written (PostgreSQL runs; null when not waited for). */
  drainSeconds: number | null;
  /** Submissions / (load seconds + drain seconds): the rate the server sustains with its background work. */
  sustainedPerSec: number | null;
  /** Server CPU (user + system) per lookup, ms: comparable between runs on a busy machine. */
  lookupCpuMs: number;
  /**
   * CPU ms per submission over the whole load (warm-up included) and the drain of its jobs: the
   * server (with its HTTP workers), the PostgreSQL server scripts/pg-temp.sh started (its
   * postmaster and backends; NaN with BENCH_DATABASE_URL; 0 on PGlite, which runs inside the
   * server) and the load generator. Where the CPU of a submission goes; it rises too when other work shares the cores.
   */
  cpuMsPerSubmission: { server: number; postgres: number; loadGenerator: number };
}

/**
 * Waits until no job is due: the notifications the submissions queued are then written (and, with
 * BENCH_CONTACT=1, sent), so lookups are measured in a steady state rather than while the server
 * drains that backlog. Returns how many were due when the load stopped, how long they took, and
 * how many were left. BENCH_LOOKUP_NO_DRAIN=1 skips the wait.
 */
async function drainJobs(dbUrl: string, since: Date, maxMs = 180_000): Promise<{ due: number; seconds: number; left: number }> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 1 });
  const due = async () =>
    Number((await pool.query(`SELECT count(*) AS n FROM jobs WHERE status IN ('pending', 'running') AND run_at <= now() AND type <> 'bench'`)).rows[0].n);
  try {
    const t0 = Date.now();
    const first = await due();
    const until = t0 + maxMs;
    let n = first;
    while (n > 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 100));
      n = await due();
    }
    const seconds = (Date.now() - t0) / 1000;
    if (first) console.log(`jobs due after the submissions: ${first}; ${n} left after ${seconds.toFixed(1)} s (lookups start now)`);
    if (CONTACT) {
      const sent = await pool.query(
        `SELECT channel, status, count(*)::int AS n FROM notification_deliveries WHERE created_at >= $1 GROUP BY 1, 2 ORDER BY 1, 2`,
        [since],
      );
      console.log(
        `email and SMS deliveries of this run: ${sent.rows.map((r: { channel: string; status: string; n: number }) => `${r.channel} ${r.status} ${r.n}`).join(', ') || 'none'}`,
      );
    }
    return { due: first, seconds, left: n };
  } finally {
    await pool.end();
  }
}

async function login(http: Pool, username: string) {
  const r = await http.request({
    path: '/api/v1/auth/login',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'tinhso-demo' }),
  });
  const j = (await r.body.json()) as { token: string };
  if (r.statusCode !== 200) throw new Error(`login failed ${r.statusCode}`);
  return j.token;
}

async function json(http: Pool, method: 'GET' | 'POST', p: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const r = await http.request({
    path: p,
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.body.text();
  return { status: r.statusCode, json: text ? (JSON.parse(text) as Record<string, any>) : null };
}

/** `flow`: three requests per submission (create, attach, submit) or one (all three in one multipart request). */
async function runHttp(label: string, url: string, server: { pid: number; dbUrl?: string | undefined }, flow: 'three' | 'one' = 'three'): Promise<Result> {
  const http = new Pool(url, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const tokens = [await login(http, 'citizen.an'), await login(http, 'citizen.binh')];
  const proc = (await json(http, 'GET', `/api/v1/procedures/${PROCEDURE}`, null)).json!;
  const def = proc.definition as {
    form: { key: string; type: string; required: boolean; options?: { value: string }[]; min?: number }[];
    components: { code: string; required: boolean }[];
  };
  const form: Record<string, unknown> = {};
  for (const f of def.form.filter((f) => f.required)) {
    form[f.key] =
      f.type === 'select'
        ? f.options![0]!.value
        : f.type === 'checkbox'
          ? true
          : f.type === 'number'
            ? (f.min ?? 1)
            : f.type === 'date'
              ? '2020-01-01'
              : f.type === 'id_number'
                ? '036090001234'
                : f.type === 'phone'
                  ? '0912345678'
                  : f.type === 'email'
                    ? 'a@example.vn'
                    : f.type === 'unit_code'
                      ? '13669'
                      : f.type === 'tax_code'
                        ? '0601234567'
                        : 'Nguyễn Văn An';
  }
  const component = def.components.find((c) => c.required)!.code;
  const file = multipartBody(component, SAMPLE_PDF);
  const applicant = {
    type: 'citizen',
    fullName: 'Nguyễn Văn An',
    idNumber: '036090001234',
    ...(CONTACT ? { email: 'an@example.vn', phone: '0912345678' } : {}),
  };
  const whole = submissionBody({ procedureCode: PROCEDURE, applicant, form }, component, SAMPLE_PDF);

  const latencies: number[] = [];
  const phases = { create: [] as number[], file: [] as number[], submit: [] as number[] };
  const codes: string[] = [];
  let errors = 0;
  const postmaster = server.dbUrl ? pgTempPostmasterPid() : null;
  const pgCpu = () => (postmaster ? processTreeCpuMs(postmaster) : NaN);
  const cpuAtStart = { server: processTreeCpuMs(server.pid), postgres: pgCpu(), loadGenerator: process.cpuUsage() };
  const startedAt = Date.now();
  const measureFrom = startedAt + WARMUP_SECONDS * 1000;
  const end = measureFrom + SUBMIT_SECONDS * 1000;
  const client = async (i: number) => {
    const token = tokens[i % tokens.length]!;
    let n = 0;
    while (Date.now() < end) {
      const measured = Date.now() >= measureFrom;
      const t0 = performance.now();
      if (flow === 'one') {
        try {
          const r = await http.request({
            path: '/api/v1/dossiers/submissions',
            method: 'POST',
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': whole.contentType,
              'idempotency-key': `bench-${RUN}-${label.replace(/[^A-Za-z0-9]/g, '')}-${i}-${n++}`,
            },
            body: whole.payload,
          });
          const text = await r.body.text();
          if (r.statusCode !== 201) throw new Error(`submission ${r.statusCode} ${text}`);
          codes.push((JSON.parse(text) as { code: string }).code);
          if (measured) latencies.push(performance.now() - t0);
        } catch (err) {
          if (errors++ < 3) console.error(label, (err as Error).message);
        }
        continue;
      }
      try {
        const c = await json(
          http,
          'POST',
          '/api/v1/dossiers',
          token,
          { procedureCode: PROCEDURE, applicant, form },
          { 'idempotency-key': `bench-${RUN}-${label.replace(/[^A-Za-z0-9]/g, '')}-${i}-${n++}` },
        );
        if (c.status !== 201) throw new Error(`create ${c.status} ${JSON.stringify(c.json)}`);
        const t1 = performance.now();
        if (measured) phases.create.push(t1 - t0);
        const f = await http.request({
          path: `/api/v1/dossiers/${c.json!.id}/files`,
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': file.contentType },
          body: file.payload,
        });
        await f.body.dump();
        if (f.statusCode !== 201) throw new Error(`file ${f.statusCode}`);
        const t2 = performance.now();
        if (measured) phases.file.push(t2 - t1);
        const s = await json(http, 'POST', `/api/v1/dossiers/${c.json!.id}/submit`, token);
        if (s.status !== 200) throw new Error(`submit ${s.status} ${JSON.stringify(s.json)}`);
        codes.push(s.json!.code as string);
        if (!measured) continue;
        phases.submit.push(performance.now() - t2);
        latencies.push(performance.now() - t0);
      } catch (err) {
        if (errors++ < 3) console.error(label, (err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => client(i)));
  const secs = (Date.now() - measureFrom) / 1000;
  const loadSecs = (Date.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  for (const [k, v] of Object.entries(phases)) {
    if (!v.length) continue;
    v.sort((a, b) => a - b);
    console.log(`${label} ${k}: p50 ${percentile(v, 50).toFixed(1)} ms, p99 ${percentile(v, 99).toFixed(1)} ms`);
  }

  const drain = server.dbUrl && !process.env.BENCH_LOOKUP_NO_DRAIN ? await drainJobs(server.dbUrl, new Date(startedAt)) : null;
  const generatorCpu = process.cpuUsage(cpuAtStart.loadGenerator);
  const perSubmission = (ms: number) => (codes.length ? ms / codes.length : NaN);
  const cpuMsPerSubmission = {
    server: perSubmission(processTreeCpuMs(server.pid) - cpuAtStart.server),
    // The server started for this run only (unknown with BENCH_DATABASE_URL); PGlite runs inside the server.
    postgres: server.dbUrl ? perSubmission(pgCpu() - cpuAtStart.postgres) : 0,
    loadGenerator: perSubmission((generatorCpu.user + generatorCpu.system) / 1000),
  };
  const lookupLat: number[] = [];
  let lookupErrors = 0;
  const lend = Date.now() + LOOKUP_SECONDS * 1000;
  let k = 0;
  const lookupClient = async () => {
    while (Date.now() < lend) {
      const code = codes[k++ % codes.length]!;
      const t = performance.now();
      const r = await http.request({ path: `/api/v1/public/dossiers/${code}`, method: 'GET' });
      await r.body.dump();
      if (r.statusCode === 200) lookupLat.push(performance.now() - t);
      else lookupErrors++;
    }
  };
  const l0 = Date.now();
  const cpu0 = processTreeCpuMs(server.pid);
  await Promise.all(Array.from({ length: CONCURRENCY }, lookupClient));
  const lsecs = (Date.now() - l0) / 1000;
  const lookupCpuMs = (processTreeCpuMs(server.pid) - cpu0) / (lookupLat.length + lookupErrors);
  lookupLat.sort((a, b) => a - b);
  await http.close();
  return {
    label,
    submissions: latencies.length,
    submissionsPerSec: latencies.length / secs,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    lookupsPerSec: lookupLat.length / lsecs,
    lookupP99: percentile(lookupLat, 99),
    lookupErrors,
    jobsDueAtLookup: drain?.due ?? null,
    drainSeconds: drain?.seconds ?? null,
    // Submissions per second counting the time their queued notifications took to be written.
    // (Warm-up included: its jobs are in the drain too.)
    sustainedPerSec: drain && drain.left === 0 ? codes.length / (loadSecs + drain.seconds) : null,
    lookupCpuMs,
    cpuMsPerSubmission,
  };
}

/** The ids the ceilings write with: the bench procedure, its version, the service centre, citizen.an. */
interface CeilingIds {
  pid: string;
  vid: string;
  aid: string;
  uid: string;
}

async function ceilingIds(pool: pg.Pool): Promise<CeilingIds> {
  return (
    await pool.query(
      `SELECT p.id AS pid, v.id AS vid, a.id AS aid, u.id AS uid FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id
      JOIN agencies a ON a.code = 'TTPVHCC' JOIN users u ON u.username = 'citizen.an' WHERE p.code = $1`,
      [PROCEDURE],
    )
  ).rows[0];
}

interface CeilingResult {
  perSec: number;
  /** CPU per submission, ms: the PostgreSQL server's (scripts/pg-temp.sh's server only, else NaN) and this process's. */
  cpuMs: { postgres: number; client: number };
}

/** Starts counting the CPU the ceiling's submissions use; `done(n)` gives it per submission. */
function ceilingCpu(): { done: (n: number) => CeilingResult['cpuMs'] } {
  const postmaster = pgTempPostmasterPid();
  const pgCpu = () => (postmaster ? processTreeCpuMs(postmaster) : NaN);
  const pg0 = pgCpu();
  const self0 = process.cpuUsage();
  return {
    done: (n) => {
      const self = process.cpuUsage(self0);
      return { postgres: (pgCpu() - pg0) / n, client: (self.user + self.system) / 1000 / n };
    },
  };
}

/** Runs `write` in a transaction on `c`. */
async function inTx(c: pg.PoolClient, write: () => Promise<unknown>): Promise<void> {
  await c.query('BEGIN');
  try {
    await write();
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Removes what a ceiling left that a later server would act on: its code counter and its job rows (no handler). */
async function cleanCeiling(pool: pg.Pool): Promise<void> {
  await pool.query(`DELETE FROM dossier_code_counters WHERE day = '2000-01-01'`);
  await pool.query(`DELETE FROM jobs WHERE type = 'bench'`);
}

/**
 * The same rows the three requests write, inserted straight through `pg` by 50 clients, each
 * submission on its own (three transactions, one statement per round trip): what a plain client
 * gets. Every audited write queues for the audit chain's head until its commit is on disk
 * (docs/SECURITY.md), so these are written one commit after another.
 */
async function plainCeiling(url: string): Promise<CeilingResult> {
  const pool = new pg.Pool({ connectionString: url, max: CONCURRENCY });
  const ids = await ceilingIds(pool);
  let done = 0;
  const end = Date.now() + SUBMIT_SECONDS * 1000;
  const runTag = `BENCH-${RUN}-P`;
  const tx = (c: pg.PoolClient, stmts: [string, unknown[]][]) =>
    inTx(c, async () => {
      for (const [q, v] of stmts) await c.query(q, v);
    });
  const client = async () => {
    const c = await pool.connect();
    try {
      while (Date.now() < end) {
        const id = randomUUID();
        const now = new Date();
        await tx(c, [
          [
            `INSERT INTO dossiers (id, procedure_id, procedure_version_id, procedure_code, procedure_version, receiving_agency_id, competent_agency_id, status, channel, applicant_type, applicant, applicant_user_id, created_by, form, created_at, updated_at)
            VALUES ($1,$2,$3,$4,1,$5,$5,'draft','online','citizen',$6,$7,$7,'{}',$8,$8)`,
            [id, ids.pid, ids.vid, PROCEDURE, ids.aid, { fullName: 'Nguyễn Văn An' }, ids.uid, now],
          ],
          [
            `INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, to_status) VALUES ($1,$2,'create',$3,'applicant','draft')`,
            [id, now, ids.uid],
          ],
          [
            `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, outcome) VALUES ($1,$2,'dossier.create','dossier',$3,'success')`,
            [now, ids.uid, id],
          ],
        ]);
        await tx(c, [
          [
            `INSERT INTO dossier_files (id, dossier_id, component_code, file_name, media_type, size, sha256, storage_key, uploaded_by, created_at) VALUES ($1,$2,'x','a.pdf','application/pdf',10,$3,'aa/x',$4,$5)`,
            [randomUUID(), id, 'a'.repeat(64), ids.uid, now],
          ],
          [`UPDATE dossiers SET version = version + 1 WHERE id = $1`, [id]],
          [
            `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, outcome) VALUES ($1,$2,'dossier.file.attach','dossier',$3,'success')`,
            [now, ids.uid, id],
          ],
        ]);
        await tx(c, [
          [`SELECT 1 FROM dossiers WHERE id = $1 FOR UPDATE`, [id]],
          [
            `INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, from_status, to_status) VALUES ($1,$2,'submit',$3,'applicant','draft','submitted')`,
            [id, now, ids.uid],
          ],
          [
            `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, outcome) VALUES ($1,$2,'dossier.submit','dossier',$3,'success')`,
            [now, ids.uid, id],
          ],
          [`INSERT INTO jobs (type, payload, run_at, created_at) VALUES ('bench', '{}', $1, $1)`, [now]],
          [
            `WITH c AS (INSERT INTO dossier_code_counters (agency_id, day, last_seq) VALUES ($2, '2000-01-01', 1)
              ON CONFLICT (agency_id, day) DO UPDATE SET last_seq = dossier_code_counters.last_seq + 1 RETURNING last_seq)
            UPDATE dossiers SET status = 'submitted', code = $3::text || (SELECT last_seq FROM c), submitted_at = now() WHERE id = $1`,
            [id, ids.aid, runTag],
          ],
        ]);
        done++;
      }
    } finally {
      c.release();
    }
  };
  const t0 = Date.now();
  const cpu = ceilingCpu();
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const perSec = done / ((Date.now() - t0) / 1000);
  const cpuMs = cpu.done(done);
  await cleanCeiling(pool);
  await pool.end();
  return { perSec, cpuMs };
}

/** Submissions per transaction in the grouped ceiling: the largest group tinhso's group commit writes (GroupRunner's default). */
const CEILING_GROUP = Number(process.env.BENCH_CEILING_GROUP ?? 100);
/** Connections writing groups at once in the grouped ceiling (they queue for the audit chain's head in turn). */
const CEILING_WRITERS = Number(process.env.BENCH_CEILING_WRITERS ?? 4);

/**
 * The same rows again, written as well as `pg` can: the three transactions of CEILING_GROUP
 * submissions at a time, each step one multi-row statement per table (create: dossiers, history,
 * audit; attach: files, the dossiers' version, audit; submit: lock, history, audit, jobs, one
 * counter step for the group and the codes), by CEILING_WRITERS connections. This is the
 * database's capacity for these rows, the ceiling the issue's ratio is taken against: tinhso's
 * group commit batches concurrent requests the same way, so what separates the two is the
 * server's own work (HTTP, validation, encryption, the answer) and the files.
 */
async function groupedCeiling(url: string): Promise<CeilingResult> {
  const pool = new pg.Pool({ connectionString: url, max: CEILING_WRITERS });
  const ids = await ceilingIds(pool);
  let done = 0;
  const end = Date.now() + SUBMIT_SECONDS * 1000;
  const runTag = `BENCH-${RUN}-G`;
  const applicant = JSON.stringify({ fullName: 'Nguyễn Văn An' });
  const writer = async () => {
    const c = await pool.connect();
    try {
      while (Date.now() < end) {
        const group = Array.from({ length: CEILING_GROUP }, () => randomUUID());
        const fileIds = group.map(() => randomUUID());
        const now = new Date();
        await inTx(c, async () => {
          await c.query(
            `INSERT INTO dossiers (id, procedure_id, procedure_version_id, procedure_code, procedure_version, receiving_agency_id, competent_agency_id, status, channel, applicant_type, applicant, applicant_user_id, created_by, form, created_at, updated_at)
            SELECT id, $2, $3, $4, 1, $5, $5, 'draft', 'online', 'citizen', $6::jsonb, $7, $7, '{}', $8, $8 FROM unnest($1::uuid[]) AS t(id)`,
            [group, ids.pid, ids.vid, PROCEDURE, ids.aid, applicant, ids.uid, now],
          );
          await c.query(
            `INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, to_status) SELECT id, $2, 'create', $3, 'applicant', 'draft' FROM unnest($1::uuid[]) AS t(id)`,
            [group, now, ids.uid],
          );
          await c.query(
            `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, outcome) SELECT $2, $3, 'dossier.create', 'dossier', id::text, 'success' FROM unnest($1::uuid[]) AS t(id)`,
            [group, now, ids.uid],
          );
        });
        await inTx(c, async () => {
          await c.query(
            `INSERT INTO dossier_files (id, dossier_id, component_code, file_name, media_type, size, sha256, storage_key, uploaded_by, created_at)
            SELECT f, d, 'x', 'a.pdf', 'application/pdf', 10, $3, 'aa/x', $4, $5 FROM unnest($1::uuid[], $2::uuid[]) AS t(f, d)`,
            [fileIds, group, 'a'.repeat(64), ids.uid, now],
          );
          await c.query(`UPDATE dossiers SET version = version + 1 WHERE id = ANY($1::uuid[])`, [group]);
          await c.query(
            `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, outcome) SELECT $2, $3, 'dossier.file.attach', 'dossier', id::text, 'success' FROM unnest($1::uuid[]) AS t(id)`,
            [group, now, ids.uid],
          );
        });
        await inTx(c, async () => {
          await c.query(`SELECT 1 FROM dossiers WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, [group]);
          await c.query(
            `INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, from_status, to_status)
            SELECT id, $2, 'submit', $3, 'applicant', 'draft', 'submitted' FROM unnest($1::uuid[]) AS t(id)`,
            [group, now, ids.uid],
          );
          await c.query(
            `INSERT INTO audit_log (at, actor_id, action, target_type, target_id, outcome) SELECT $2, $3, 'dossier.submit', 'dossier', id::text, 'success' FROM unnest($1::uuid[]) AS t(id)`,
            [group, now, ids.uid],
          );
          await c.query(`INSERT INTO jobs (type, payload, run_at, created_at) SELECT 'bench', '{}', $2, $2 FROM unnest($1::uuid[])`, [group, now]);
          await c.query(
            `WITH c AS (INSERT INTO dossier_code_counters (agency_id, day, last_seq) VALUES ($2, '2000-01-01', $4)
              ON CONFLICT (agency_id, day) DO UPDATE SET last_seq = dossier_code_counters.last_seq + $4 RETURNING last_seq),
            n AS (SELECT id, ord FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, ord))
            UPDATE dossiers d SET status = 'submitted', code = $3::text || ((SELECT last_seq FROM c) - $4 + n.ord), submitted_at = now() FROM n WHERE d.id = n.id`,
            [group, ids.aid, runTag, group.length],
          );
        });
        done += group.length;
      }
    } finally {
      c.release();
    }
  };
  const t0 = Date.now();
  const cpu = ceilingCpu();
  await Promise.all(Array.from({ length: CEILING_WRITERS }, writer));
  const perSec = done / ((Date.now() - t0) / 1000);
  const cpuMs = cpu.done(done);
  await cleanCeiling(pool);
  await pool.end();
  return { perSec, cpuMs };
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');

async function main() {
  // On one machine the server reaches PostgreSQL through its Unix socket (loopback TCP costs a
  // third of the CPU here); BENCH_DATABASE_URL overrides, BENCH_TCP=1 forces TCP.
  const socketUrl =
    process.env.PG_TEMP_DIR && process.env.PG_TEMP_PORT && !process.env.BENCH_TCP
      ? `${process.env.TEST_DATABASE_URL!.replace(/@127\.0\.0\.1:\d+\//, '@/')}?host=${encodeURIComponent(process.env.PG_TEMP_DIR)}&port=${process.env.PG_TEMP_PORT}`
      : undefined;
  const url = process.env.BENCH_DATABASE_URL ?? socketUrl ?? process.env.TEST_DATABASE_URL;
  const results: Record<string, unknown> = {
    at: new Date().toISOString(),
    concurrency: CONCURRENCY,
    seconds: SUBMIT_SECONDS,
    cpus: os.cpus().length,
    node: process.version,
    transport: url?.includes('?host=') ? 'unix socket' : 'tcp',
  };
  buildDist();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tinhso-bench-'));
  const rows: Result[] = [];
  try {
    if (url) {
      // A key derived from the URL: a later run on the same database (BENCH_DATABASE_URL) reads
      // the personal data an earlier run sealed (the data folder, with its generated key, is new).
      const key = `bench:${createHash('sha256').update(url).digest('base64')}`;
      const server = await startServer(
        {
          DATABASE_URL: url,
          DATA_ENCRYPTION_KEY: key,
          DATA_DIR: path.join(tmp, 'pg'),
          DEMO_DOSSIERS: process.env.BENCH_DOSSIERS_BEFORE ?? '0',
          WORKERS: String(WORKERS),
          PUBLIC_LOOKUP_RATE_LIMIT: '100000000',
          LOGIN_RATE_LIMIT: '100000',
        },
        { built: true },
      );
      try {
        const how = `${WORKERS} worker${WORKERS > 1 ? 's' : ''}, ${url.includes('?host=') ? 'unix socket' : 'tcp'}`;
        for (const flow of FLOWS) rows.push(await runHttp(`PostgreSQL (${how}), ${FLOW_LABEL[flow]}`, server.url, { pid: server.proc.pid!, dbUrl: url }, flow));
      } finally {
        await stopServer(server);
      }
      // BENCH_SKIP_CEILING=1: the flows alone (a profiling run).
      if (!process.env.BENCH_SKIP_CEILING) {
        const plain = await plainCeiling(url);
        const grouped = await groupedCeiling(url);
        results.plainInsertPerSec = plain.perSec;
        results.plainInsertCpuMs = plain.cpuMs;
        results.directInsertPerSec = grouped.perSec;
        results.directInsertCpuMs = grouped.cpuMs;
        results.ratioToCeiling = rows.map((r) => ({ run: r.label, ratio: r.submissionsPerSec / grouped.perSec }));
        results.ratioToPlain = rows.map((r) => ({ run: r.label, ratio: r.submissionsPerSec / plain.perSec }));
        // The most any server reaches with the required writes alone (bench/bound.ts).
        const bound = await measureBound(url, tmp);
        results.upperBound = bound;
        results.ratioToBound = rows.filter((r) => r.label.includes(FLOW_LABEL.three)).map((r) => ({ run: r.label, ratio: r.submissionsPerSec / bound.perSec }));
      }
    } else {
      console.warn('No BENCH_DATABASE_URL/TEST_DATABASE_URL: PostgreSQL part skipped (bench/run.sh starts a server).');
    }
    if (!process.env.BENCH_SKIP_PGLITE) {
      const lite = await startServer(
        { DATA_DIR: path.join(tmp, 'lite'), DEMO_DOSSIERS: '0', PUBLIC_LOOKUP_RATE_LIMIT: '100000000', LOGIN_RATE_LIMIT: '100000' },
        { built: true },
      );
      try {
        for (const flow of FLOWS) rows.push(await runHttp(`PGlite (1 process), ${FLOW_LABEL[flow]}`, lite.url, { pid: lite.proc.pid! }, flow));
      } finally {
        await stopServer(lite);
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  results.runs = rows;
  console.log(
    `\nSubmissions (create + 1 file + submit, in 3 requests or in 1), ${CONCURRENCY} concurrent clients, ${SUBMIT_SECONDS} s after ${WARMUP_SECONDS} s of warm-up; lookups ${LOOKUP_SECONDS} s`,
  );
  console.log(
    `Load average at the end (1, 5, 15 min): ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} on ${os.cpus().length} CPUs`,
  );
  console.log('| database | submissions/s | p50 ms | p99 ms | errors | lookups/s | lookup p99 ms | lookup errors | server CPU ms/lookup |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.label} | ${fmt(r.submissionsPerSec)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${r.errors} | ${fmt(r.lookupsPerSec)} | ${fmt(r.lookupP99, 1)} | ${r.lookupErrors} | ${fmt(r.lookupCpuMs, 3)} |`,
    );
  const drained = rows.filter((r) => r.sustainedPerSec !== null);
  if (drained.length) {
    console.log('\nWith the background work they queued (one notification job per submission), counted until the queue was empty again:');
    for (const r of drained)
      console.log(
        `  ${r.label}: ${r.jobsDueAtLookup} jobs due when the load stopped, written in ${fmt(r.drainSeconds!, 1)} s; sustained ${fmt(r.sustainedPerSec!)} submissions/s`,
      );
  }
  console.log('\nCPU per submission (ms, user + system, over the load and the drain of its jobs; it rises when other work shares the cores):');
  for (const r of rows) {
    const c = r.cpuMsPerSubmission;
    console.log(
      `  ${r.label}: server ${fmt(c.server, 2)}, PostgreSQL ${fmt(c.postgres, 2)}, load generator ${fmt(c.loadGenerator, 2)}; in all ${fmt(c.server + c.postgres + c.loadGenerator, 2)}`,
    );
  }
  if (results.directInsertPerSec) {
    const ratios = (key: string) => (results[key] as { run: string; ratio: number }[]).map((r) => `${fmt(r.ratio, 2)} (${r.run})`).join(', ');
    console.log(
      `\nDirect-insert ceiling (same rows through pg, ${CEILING_GROUP} submissions per transaction, ${CEILING_WRITERS} connections): ${fmt(results.directInsertPerSec as number)} submissions/s (CPU per submission: PostgreSQL ${fmt((results.directInsertCpuMs as CeilingResult['cpuMs']).postgres, 2)} ms, pg client ${fmt((results.directInsertCpuMs as CeilingResult['cpuMs']).client, 2)} ms); ratio ${ratios('ratioToCeiling')}`,
    );
    console.log(
      `Plain direct inserts (same rows, one submission per transaction and one statement per round trip, ${CONCURRENCY} clients): ${fmt(results.plainInsertPerSec as number)} submissions/s (CPU per submission: PostgreSQL ${fmt((results.plainInsertCpuMs as CeilingResult['cpuMs']).postgres, 2)} ms, pg client ${fmt((results.plainInsertCpuMs as CeilingResult['cpuMs']).client, 2)} ms); ratio ${ratios('ratioToPlain')}`,
    );
  }
  if (results.upperBound) {
    const ratios = (results.ratioToBound as { run: string; ratio: number }[]).map((r) => `${fmt(r.ratio, 2)} (${r.run})`).join(', ');
    console.log(`${describeBound(results.upperBound as BoundResult)}; ratio ${ratios}`);
  }
  await mkdir(path.join(ROOT, 'bench/results'), { recursive: true });
  await writeFile(path.join(ROOT, 'bench/results/submissions.json'), JSON.stringify(results, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
