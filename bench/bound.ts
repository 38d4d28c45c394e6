/**
 * npm run bench:bound: the most any server could reach on this machine for `npm run bench`'s
 * three-request submission, with what the issue itself requires and nothing of tinhso's own.
 *
 * A lean server (the same Fastify 5, multipart plugin, `pg` driver, Unix socket and group commit as
 * tinhso, one process) answers the same three requests from the same load generator
 * (BENCH_CONCURRENCY clients, default 50), and does only this:
 * - create: the draft's row (the applicant's ID number sealed, as the law on personal data asks),
 *   its history line and its audit record (through the audit chain's trigger, as every audited
 *   write must);
 * - attach: the file written to disk and flushed (`fdatasync`) before the answer, its row, the
 *   dossier's version, its audit record;
 * - submit: the history line, the audit record, one job, and the day's gap-free code.
 * Each kind is written in groups (`GroupRunner`, what arrives while a group is written goes in the
 * next), one statement per group, committed durably. No authentication, no validation, no
 * idempotency, no view in the answer, no job handler: so this is
 * an upper bound for tinhso, not a target it can meet.
 *
 * `npm run bench` measures it after the ceilings, on the same database. Alone, `npm run bench:bound`
 * runs under scripts/pg-temp.sh: a tinhso server starts once to migrate and seed the database, then
 * the lean server and the load run. Prints submissions per second, the CPU per submission of the
 * lean server, PostgreSQL and the load generator, and the average size of each kind's groups.
 * BOUND_FLUSH=0, BOUND_CHAIN=0 and BOUND_SYNC_COMMIT=0 take away what tinhso must do, to show what each costs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import pg from 'pg';
import { GroupRunner, groupStats, type GroupStats } from '../src/db/group-commit.ts';
import { keyringFor } from '../src/platform/crypto.ts';
import { sealApplicant, type SealedApplicant } from '../src/platform/personal-data.ts';
import { buildDist, freePort, pgTempPostmasterPid, processTreeCpuMs, startServer, stopServer, threeRequestLoad } from './lib.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const PROCEDURE = '1.001776';
/** BOUND_FLUSH=0: the file is not flushed before the answer (what the flush costs; not allowed in tinhso). */
const FLUSH = process.env.BOUND_FLUSH !== '0';
/** BOUND_CHAIN=0: the audit chain's trigger is disabled for the run (what the chain costs). */
const CHAIN = process.env.BOUND_CHAIN !== '0';
/** BOUND_SYNC_COMMIT=0: commits do not wait for the disk (what durability costs; not allowed in tinhso). */
const SYNC_COMMIT = process.env.BOUND_SYNC_COMMIT !== '0';
const KEY = `bench:${createHash('sha256').update('bound').digest('base64')}`;

/** The database URL over the Unix socket of scripts/pg-temp.sh's server (loopback TCP costs more here). */
function socketUrl(): string {
  const { TEST_DATABASE_URL: url, PG_TEMP_DIR: dir, PG_TEMP_PORT: port } = process.env;
  if (!url || !dir || !port) throw new Error('run under scripts/pg-temp.sh (npm run bench:bound)');
  return `${url.replace(/@127\.0\.0\.1:\d+\//, '@/')}?host=${encodeURIComponent(dir)}&port=${port}`;
}

async function serve(port: number, dbUrl: string, filesDir: string): Promise<void> {
  const keyring = keyringFor({ env: 'development', dataDir: filesDir, dataEncryptionKey: KEY });
  const db = new pg.Pool({ connectionString: dbUrl, max: 8, ...(SYNC_COMMIT ? {} : { options: '-c synchronous_commit=off' }) });
  const ids = (
    await db.query(
      `SELECT p.id AS pid, v.id AS vid, a.id AS aid, u.id AS uid FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id
      JOIN agencies a ON a.code = 'TTPVHCC' JOIN users u ON u.username = 'citizen.an' WHERE p.code = $1`,
      [PROCEDURE],
    )
  ).rows[0] as { pid: string; vid: string; aid: string; uid: string };
  const runTag = `BOUND-${Date.now().toString(36)}-`;

  const creates = new GroupRunner<{ id: string; applicant: SealedApplicant<{ idNumber: string }> }, null>(
    async (items) => {
      await db.query(
        `WITH d AS (
        INSERT INTO dossiers (id, procedure_id, procedure_version_id, procedure_code, procedure_version, receiving_agency_id, competent_agency_id, status, channel, applicant_type,
          applicant, applicant_id_number_enc, applicant_id_number_hash, applicant_user_id, created_by, form, created_at, updated_at)
        SELECT id, $5, $6, $7, 1, $8, $8, 'draft', 'online', 'citizen', a::jsonb, e, h, $9, $9, '{}', now(), now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, a, e, h)),
      h AS (INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, to_status) SELECT id, now(), 'create', $9, 'applicant', 'draft' FROM unnest($1::uuid[]) AS t(id))
      INSERT INTO audit_log (seq, hash, at, actor_id, action, target_type, target_id, outcome) SELECT nextval('bench_bound_audit_seq'), '', now(), $9, 'dossier.create', 'dossier', id::text, 'success' FROM unnest($1::uuid[]) AS t(id)`,
        [
          items.map((i) => i.id),
          items.map((i) => JSON.stringify(i.applicant.stored)),
          items.map((i) => i.applicant.idNumberEnc),
          items.map((i) => i.applicant.idNumberHash),
          ids.pid,
          ids.vid,
          PROCEDURE,
          ids.aid,
          ids.uid,
        ],
      );
      return items.map(() => null);
    },
    100,
    'create',
  );
  const attaches = new GroupRunner<{ dossierId: string; fileId: string; sha256: string; size: number }, null>(
    async (items) => {
      await db.query(
        `WITH f AS (
        INSERT INTO dossier_files (id, dossier_id, component_code, file_name, media_type, size, sha256, storage_key, uploaded_by, created_at)
        SELECT f, d, 'DON', 'don.pdf', 'application/pdf', s, h, f::text, $5, now() FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[]) AS t(f, d, s, h)),
      v AS (UPDATE dossiers SET version = version + 1, updated_at = now() WHERE id = ANY($2::uuid[]))
      INSERT INTO audit_log (seq, hash, at, actor_id, action, target_type, target_id, outcome) SELECT nextval('bench_bound_audit_seq'), '', now(), $5, 'dossier.file.attach', 'dossier', id::text, 'success' FROM unnest($2::uuid[]) AS t(id)`,
        [items.map((i) => i.fileId), items.map((i) => i.dossierId), items.map((i) => i.size), items.map((i) => i.sha256), ids.uid],
      );
      return items.map(() => null);
    },
    100,
    'attach',
  );
  const submits = new GroupRunner<string, string>(
    async (items) => {
      const { rows } = await db.query<{ id: string; code: string }>(
        `WITH c AS (INSERT INTO dossier_code_counters (agency_id, day, last_seq) VALUES ($2, '2000-01-01', $4)
        ON CONFLICT (agency_id, day) DO UPDATE SET last_seq = dossier_code_counters.last_seq + $4 RETURNING last_seq),
      n AS (SELECT id, ord FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, ord)),
      h AS (INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, from_status, to_status) SELECT id, now(), 'submit', $5, 'applicant', 'draft', 'submitted' FROM n),
      a AS (INSERT INTO audit_log (seq, hash, at, actor_id, action, target_type, target_id, outcome) SELECT nextval('bench_bound_audit_seq'), '', now(), $5, 'dossier.submit', 'dossier', id::text, 'success' FROM n),
      j AS (INSERT INTO jobs (type, payload, run_at, created_at) SELECT 'bench', jsonb_build_object('dossierId', id), now(), now() FROM n)
      UPDATE dossiers d SET status = 'submitted', code = $3::text || ((SELECT last_seq FROM c) - $4 + n.ord), submitted_at = now(), version = version + 1
      FROM n WHERE d.id = n.id AND d.status = 'draft' RETURNING d.id, d.code`,
        [items, ids.aid, runTag, items.length, ids.uid],
      );
      const byId = new Map(rows.map((r) => [r.id, r.code]));
      return items.map((id) => {
        const code = byId.get(id);
        if (!code) throw new Error(`dossier ${id} is not a draft`);
        return code;
      });
    },
    100,
    'submit',
  );

  const app = Fastify({ logger: false });
  await app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1 } });
  app.post('/dossiers', async (req, reply) => {
    const id = randomUUID();
    await creates.add({ id, applicant: sealApplicant(keyring, id, (req.body as { applicant: { idNumber: string } }).applicant) });
    return reply.status(201).send({ id, status: 'draft' });
  });
  app.post<{ Params: { id: string } }>('/dossiers/:id/files', async (req, reply) => {
    let data: Buffer | null = null;
    for await (const part of req.parts()) if (part.type === 'file') data = await part.toBuffer();
    if (!data) return reply.status(422).send({ error: 'no file' });
    const fileId = randomUUID();
    const sha256 = createHash('sha256').update(data).digest('hex');
    const fh = await open(path.join(filesDir, fileId), 'wx');
    try {
      await fh.writeFile(data);
      if (FLUSH) await fh.datasync();
    } finally {
      await fh.close();
    }
    await attaches.add({ dossierId: req.params.id, fileId, sha256, size: data.length });
    return reply.status(201).send({ fileId, sha256, size: data.length });
  });
  app.post<{ Params: { id: string } }>('/dossiers/:id/submit', async (req) => ({ code: await submits.add(req.params.id), status: 'submitted' }));
  await app.listen({ port, host: '127.0.0.1' });
  process.on('message', () => process.send!(Object.fromEntries(groupStats())));
  process.send!('ready');
}

/** What the lean server reached: submissions per second, CPU per submission (ms), average group sizes. */
export interface BoundResult {
  perSec: number;
  cpuMs: { server: number; postgres: number; loadGenerator: number };
  groups: Record<string, number>;
  /** What the lean server did, in words (which of the knobs were turned off). */
  label: string;
}

/**
 * Runs the lean server on `dbUrl` (a database tinhso has migrated and seeded; its audit chain goes
 * on, and it gets a sequence `bench_bound_audit_seq` that is dropped at the end) and measures it
 * with BENCH_CONCURRENCY clients for BENCH_SECONDS after BENCH_WARMUP_SECONDS. Files go under `tmp`.
 */
export async function measureBound(dbUrl: string, tmp: string): Promise<BoundResult> {
  const admin = new pg.Pool({ connectionString: dbUrl, max: 1 });
  // The chain's trigger replaces the seq and hash given here; without it they come from this sequence.
  await admin.query('CREATE SEQUENCE bench_bound_audit_seq START 1000000000');
  if (!CHAIN) await admin.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain');
  const port = await freePort();
  const filesDir = path.join(tmp, 'bound-files');
  await mkdir(filesDir);
  const server = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BOUND_SERVER_PORT: String(port), BOUND_DB_URL: dbUrl, BOUND_FILES: filesDir },
    execArgv: ['--import', 'tsx'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('message', () => resolve());
      server.once('exit', (code) => reject(new Error(`bound server exited (${code})`)));
    });
    return await load(server, port);
  } finally {
    server.kill('SIGKILL');
    if (!CHAIN) await admin.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_chain');
    await admin.query('DROP SEQUENCE bench_bound_audit_seq');
    await admin.query(`DELETE FROM jobs WHERE type = 'bench'`);
    await admin.end();
  }
}

/** The load: BENCH_CONCURRENCY clients making three-request submissions to the lean server. */
async function load(server: ChildProcess, port: number): Promise<BoundResult> {
  const postmaster = pgTempPostmasterPid();
  const { done, cpuMs, loadGeneratorMs } = await threeRequestLoad(
    `http://127.0.0.1:${port}`,
    { concurrency: CONCURRENCY, seconds: SECONDS, warmupSeconds: WARMUP_SECONDS },
    () => [processTreeCpuMs(server.pid!), postmaster ? processTreeCpuMs(postmaster) : NaN],
  );
  server.send('stats');
  const stats = (await new Promise((resolve) => server.once('message', resolve))) as Record<string, GroupStats>;
  return {
    perSec: done / SECONDS,
    cpuMs: { server: cpuMs[0]! / done, postgres: cpuMs[1]! / done, loadGenerator: loadGeneratorMs / done },
    groups: Object.fromEntries(Object.entries(stats).map(([kind, g]) => [kind, g.items / g.groups])),
    label: `the rows${CHAIN ? ', the audit chain' : ''}${FLUSH ? ', the flushed file' : ', the file unflushed'}${SYNC_COMMIT ? '' : ', commits not waited for'}`,
  };
}

/** One line for a bound's result. */
export function describeBound(b: BoundResult): string {
  const f = (n: number) => n.toFixed(2);
  const groups = Object.entries(b.groups)
    .map(([kind, n]) => `${kind} ${n.toFixed(1)}`)
    .join(', ');
  return (
    `Upper bound (a lean server doing only ${b.label}; ${CONCURRENCY} clients, ${SECONDS} s): ${b.perSec.toFixed(0)} three-request submissions/s ` +
    `(CPU per submission: server ${f(b.cpuMs.server)} ms, PostgreSQL ${f(b.cpuMs.postgres)} ms, load generator ${f(b.cpuMs.loadGenerator)} ms; submissions per group: ${groups})`
  );
}

/** npm run bench:bound: seeds the database of scripts/pg-temp.sh's server with tinhso, then measures the bound. */
async function main(): Promise<void> {
  const dbUrl = socketUrl();
  buildDist();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tinhso-bound-'));
  try {
    // The schema and the demo catalogue, as tinhso itself writes them.
    const seeded = await startServer({ DATABASE_URL: dbUrl, DATA_ENCRYPTION_KEY: KEY, DATA_DIR: path.join(tmp, 'data'), DEMO_DOSSIERS: '0' }, { built: true });
    await stopServer(seeded);
    console.log(describeBound(await measureBound(dbUrl, tmp)));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.env.BOUND_SERVER_PORT) await serve(Number(process.env.BOUND_SERVER_PORT), process.env.BOUND_DB_URL!, process.env.BOUND_FILES!);
else if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
