/**
 * npm run bench:bound: the most any server could reach on this machine for `npm run bench`'s
 * three-request submission, with what the issue itself requires and nothing of tinhso's own.
 *
 * A lean server (the same Fastify 5, multipart plugin, `pg` driver, Unix socket and group commit as
 * tinhso, one process) answers the same three requests from the same load generator
 * (BENCH_CONCURRENCY clients, default 50), and does only this:
 * - create: the draft's row (the applicant's ID number sealed, as the law on personal data asks), its history line and its audit record (through the audit chain's
 *   trigger, as every audited write must);
 * - attach: the file written to disk and flushed (`fdatasync`) before the answer, its row, the
 *   dossier's version, its audit record;
 * - submit: the history line, the audit record, one job, and the day's gap-free code.
 * Each kind is written in groups (`GroupRunner`, what arrives while a group is written goes in the
 * next), one statement per group, committed durably. No authentication, no validation, no
 * idempotency, no encryption of personal data, no view in the answer, no job handler: so this is
 * an upper bound for tinhso, not a target it can meet.
 *
 * Run under scripts/pg-temp.sh (which `npm run bench:bound` does): a tinhso server starts once to
 * migrate and seed the database, then the lean server and the load run. Prints submissions per
 * second and the CPU per submission of the lean server, PostgreSQL and the load generator.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import pg from 'pg';
import { Pool } from 'undici';
import { GroupRunner, groupStats, type GroupStats } from '../src/db/group-commit.ts';
import { keyringFor } from '../src/platform/crypto.ts';
import { sealApplicant, type SealedApplicant } from '../src/platform/personal-data.ts';
import { buildDist, freePort, multipartBody, pgTempPostmasterPid, processTreeCpuMs, SAMPLE_PDF, startServer, stopServer } from './lib.ts';

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
/** BOUND_ONE_GROUP=1: creates, attaches and submits share one group and one statement. */
const ONE_GROUP = process.env.BOUND_ONE_GROUP === '1';
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

  // BOUND_ONE_GROUP=1: the three kinds share one group and one statement (bigger groups, one turn at the chain head).
  type Item =
    | { kind: 'create'; id: string; applicant: SealedApplicant<{ idNumber: string }> }
    | { kind: 'attach'; dossierId: string; fileId: string; sha256: string; size: number }
    | { kind: 'submit'; id: string };
  const all = new GroupRunner<Item, string | null>(
    async (items) => {
      const of = <K extends Item['kind']>(k: K) => items.filter((i): i is Extract<Item, { kind: K }> => i.kind === k);
      const [c, a, sub] = [of('create'), of('attach'), of('submit')];
      const { rows } = await db.query<{ id: string; code: string }>(
        `WITH cd AS (
          INSERT INTO dossiers (id, procedure_id, procedure_version_id, procedure_code, procedure_version, receiving_agency_id, competent_agency_id, status, channel, applicant_type,
            applicant, applicant_id_number_enc, applicant_id_number_hash, applicant_user_id, created_by, form, created_at, updated_at)
          SELECT id, $5, $6, $7, 1, $8, $8, 'draft', 'online', 'citizen', a::jsonb, e, h, $9, $9, '{}', now(), now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(id, a, e, h)),
        ch AS (INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, to_status) SELECT id, now(), 'create', $9, 'applicant', 'draft' FROM unnest($1::uuid[]) AS t(id)),
        ca AS (INSERT INTO audit_log (seq, hash, at, actor_id, action, target_type, target_id, outcome) SELECT nextval('bench_bound_audit_seq'), '', now(), $9, 'dossier.create', 'dossier', id::text, 'success' FROM unnest($1::uuid[]) AS t(id)),
        af AS (INSERT INTO dossier_files (id, dossier_id, component_code, file_name, media_type, size, sha256, storage_key, uploaded_by, created_at)
          SELECT f, d, 'DON', 'don.pdf', 'application/pdf', s, h, f::text, $9, now() FROM unnest($10::uuid[], $11::uuid[], $12::int[], $13::text[]) AS t(f, d, s, h)),
        av AS (UPDATE dossiers SET version = version + 1, updated_at = now() WHERE id = ANY($11::uuid[])),
        aa AS (INSERT INTO audit_log (seq, hash, at, actor_id, action, target_type, target_id, outcome) SELECT nextval('bench_bound_audit_seq'), '', now(), $9, 'dossier.file.attach', 'dossier', id::text, 'success' FROM unnest($11::uuid[]) AS t(id)),
        c AS (INSERT INTO dossier_code_counters (agency_id, day, last_seq) SELECT $8, '2000-01-01', $16 WHERE $16 > 0
          ON CONFLICT (agency_id, day) DO UPDATE SET last_seq = dossier_code_counters.last_seq + $16 RETURNING last_seq),
        n AS (SELECT id, ord FROM unnest($14::uuid[]) WITH ORDINALITY AS t(id, ord)),
        sh AS (INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, from_status, to_status) SELECT id, now(), 'submit', $9, 'applicant', 'draft', 'submitted' FROM n),
        sa AS (INSERT INTO audit_log (seq, hash, at, actor_id, action, target_type, target_id, outcome) SELECT nextval('bench_bound_audit_seq'), '', now(), $9, 'dossier.submit', 'dossier', id::text, 'success' FROM n),
        sj AS (INSERT INTO jobs (type, payload, run_at, created_at) SELECT 'bench', jsonb_build_object('dossierId', id), now(), now() FROM n)
        UPDATE dossiers d SET status = 'submitted', code = $15::text || ((SELECT last_seq FROM c) - $16 + n.ord), submitted_at = now(), version = version + 1
        FROM n WHERE d.id = n.id AND d.status = 'draft' RETURNING d.id, d.code`,
        [
          c.map((i) => i.id),
          c.map((i) => JSON.stringify(i.applicant.stored)),
          c.map((i) => i.applicant.idNumberEnc),
          c.map((i) => i.applicant.idNumberHash),
          ids.pid,
          ids.vid,
          PROCEDURE,
          ids.aid,
          ids.uid,
          a.map((i) => i.fileId),
          a.map((i) => i.dossierId),
          a.map((i) => i.size),
          a.map((i) => i.sha256),
          sub.map((i) => i.id),
          runTag,
          sub.length,
        ],
      );
      const codes = new Map(rows.map((r) => [r.id, r.code]));
      return items.map((i) => {
        if (i.kind !== 'submit') return null;
        const code = codes.get(i.id);
        if (!code) throw new Error(`dossier ${i.id} is not a draft`);
        return code;
      });
    },
    100,
    'all',
  );
  const create = (item: Omit<Extract<Item, { kind: 'create' }>, 'kind'>) => (ONE_GROUP ? all.add({ kind: 'create', ...item }) : creates.add(item));
  const attach = (item: Omit<Extract<Item, { kind: 'attach' }>, 'kind'>) => (ONE_GROUP ? all.add({ kind: 'attach', ...item }) : attaches.add(item));
  const submit = async (id: string) => (ONE_GROUP ? ((await all.add({ kind: 'submit', id })) as string) : submits.add(id));

  const app = Fastify({ logger: false });
  await app.register(multipart, { limits: { fileSize: 10 * 1024 * 1024, files: 1 } });
  app.post('/dossiers', async (req, reply) => {
    const id = randomUUID();
    await create({ id, applicant: sealApplicant(keyring, id, (req.body as { applicant: { idNumber: string } }).applicant) });
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
    await attach({ dossierId: req.params.id, fileId, sha256, size: data.length });
    return reply.status(201).send({ fileId, sha256, size: data.length });
  });
  app.post<{ Params: { id: string } }>('/dossiers/:id/submit', async (req) => ({ code: await submit(req.params.id), status: 'submitted' }));
  await app.listen({ port, host: '127.0.0.1' });
  process.on('message', () => process.send!(Object.fromEntries(groupStats())));
  process.send!('ready');
}

/** The load: BENCH_CONCURRENCY clients making three-request submissions to the lean server for BENCH_SECONDS. */
async function measure(server: ChildProcess, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.once('message', () => resolve());
    server.once('exit', (code) => reject(new Error(`bound server exited (${code})`)));
  });
  const http = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  const file = multipartBody('DON', SAMPLE_PDF);
  const draft = JSON.stringify({ procedureCode: PROCEDURE, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form: {} });
  const post = async (p: string, body: string | Buffer, contentType: string, want: number) => {
    const r = await http.request({ path: p, method: 'POST', headers: { 'content-type': contentType }, body });
    const text = await r.body.text();
    if (r.statusCode !== want) throw new Error(`${p}: ${r.statusCode} ${text}`);
    return text;
  };
  const postmaster = pgTempPostmasterPid();
  const measureFrom = Date.now() + WARMUP_SECONDS * 1000;
  const end = measureFrom + SECONDS * 1000;
  let done = 0;
  let atStart: { server: number; postgres: number; client: NodeJS.CpuUsage } | null = null;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        const { id } = JSON.parse(await post('/dossiers', draft, 'application/json', 201)) as { id: string };
        await post(`/dossiers/${id}/files`, file.payload, file.contentType, 201);
        await post(`/dossiers/${id}/submit`, '{}', 'application/json', 200);
        if (Date.now() < measureFrom) continue;
        atStart ??= { server: processTreeCpuMs(server.pid!), postgres: postmaster ? processTreeCpuMs(postmaster) : NaN, client: process.cpuUsage() };
        done++;
      }
    }),
  );
  const client = process.cpuUsage(atStart!.client);
  const serverMs = processTreeCpuMs(server.pid!) - atStart!.server;
  const pgMs = (postmaster ? processTreeCpuMs(postmaster) : NaN) - atStart!.postgres;
  const per = (ms: number) => (ms / done).toFixed(2);
  console.log(
    `Upper bound (lean server: the rows${CHAIN ? ', the audit chain' : ''}${FLUSH ? ', the flushed file' : ', the file unflushed'}${SYNC_COMMIT ? '' : ', commits not waited for'}${ONE_GROUP ? ', one group for all three kinds' : ''}; ${CONCURRENCY} clients, ${SECONDS} s): ${(done / SECONDS).toFixed(0)} three-request submissions/s; ` +
      `CPU per submission: server ${per(serverMs)} ms, PostgreSQL ${per(pgMs)} ms, load generator ${per((client.user + client.system) / 1000)} ms`,
  );
  server.send('stats');
  const groups = (await new Promise((resolve) => server.once('message', resolve))) as Record<string, GroupStats>;
  console.log(
    `  groups: ${Object.entries(groups)
      .filter(([, g]) => g.groups > 0)
      .map(([kind, g]) => `${kind} ${(g.items / g.groups).toFixed(1)} items on average (largest ${g.largest})`)
      .join(', ')}`,
  );
  await http.close();
}

async function load(): Promise<void> {
  const dbUrl = socketUrl();
  buildDist();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'tinhso-bound-'));
  try {
    // The schema and the demo catalogue, as tinhso itself writes them.
    const seeded = await startServer({ DATABASE_URL: dbUrl, DATA_ENCRYPTION_KEY: KEY, DATA_DIR: path.join(tmp, 'data'), DEMO_DOSSIERS: '0' }, { built: true });
    await stopServer(seeded);

    const admin = new pg.Pool({ connectionString: dbUrl, max: 1 });
    // The chain's trigger replaces the seq and hash given here; without it they come from this sequence.
    await admin.query('CREATE SEQUENCE bench_bound_audit_seq START 1000000000');
    if (!CHAIN) await admin.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_chain');
    const port = await freePort();
    const filesDir = path.join(tmp, 'files');
    await mkdir(filesDir);
    const server = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, BOUND_SERVER_PORT: String(port), BOUND_DB_URL: dbUrl, BOUND_FILES: filesDir },
      execArgv: ['--import', 'tsx'],
    });
    try {
      await measure(server, port);
    } finally {
      server.kill('SIGKILL');
      await admin.end();
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.env.BOUND_SERVER_PORT) await serve(Number(process.env.BOUND_SERVER_PORT), process.env.BOUND_DB_URL!, process.env.BOUND_FILES!);
else await load();
