import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { multipartBody, SAMPLE_PDF, startServer, stopServer, submissionBody, type Server } from '../bench/lib.ts';
import { openDatabase, queryRows, sql } from '../src/db/client.ts';
import { createPostgresDatabase, plainAnswers } from './harness.ts';

/**
 * Nothing acknowledged is lost (issue 2 §8). Sixteen clients file dossiers, half in three requests
 * (create, attach, submit), half in one (POST /dossiers/submissions), each create, submit and
 * submission with its own Idempotency-Key (attaching a file takes none). Once enough submissions
 * are acknowledged the server is killed with SIGKILL while requests are in flight. During the load
 * any answer but the expected 2xx, a wrong checksum or a malformed body fails the test; only a
 * connection that died at the kill is forgiven. After a restart: every acknowledged step is there,
 * whole (each file downloaded and hashed); every acknowledged key replays the same dossier and
 * code; every request whose answer the kill lost is sent again as a client would (same key; for a
 * lost attach the client looks first) and its dossier finished; only a retried create or
 * submission may create its one dossier, and a second retry of every key creates nothing. In the
 * end there is exactly one submitted dossier per flow, its file intact, codes gap-free.
 */
const PROCEDURE = '1.001776';
const CLIENTS = 16;
/** Whole submissions acknowledged before the kill (a quarter at least of each kind). */
const ACKED_BEFORE_KILL = 24;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Step = 'create' | 'attach' | 'submit' | 'submission';

/** One dossier a client files, and what the server acknowledged of it. */
interface Flow {
  name: string;
  /** One request (POST /dossiers/submissions) or three (create, attach, submit). */
  oneRequest: boolean;
  /** The key of the create, or of the one-request submission. */
  createKey: string;
  /** The key of POST /dossiers/:id/submit. */
  submitKey: string;
  pdf: Buffer;
  id?: string;
  fileId?: string;
  code?: string;
  /** The request in flight when the server died, whose answer never came. */
  lost?: Step;
}

const FileAnswer = z.object({ fileId: z.string().uuid(), sha256: z.string(), size: z.number() });
const DossierAnswer = z.object({ id: z.string().uuid(), code: z.string().nullable(), status: z.string(), files: z.array(FileAnswer) });
type DossierAnswer = z.infer<typeof DossierAnswer>;

/** Reads an answer's body as `schema`, or throws saying whose answer was malformed. */
function parsed<T>(schema: z.ZodType<T>, json: unknown, flow: Flow, where: string): T {
  const r = schema.safeParse(json);
  if (!r.success) throw new Error(`${flow.name} (${where}): malformed answer ${JSON.stringify(json)?.slice(0, 600)}: ${r.error.message}`);
  return r.data;
}

/** The flow's dossier, submitted, holding exactly the file sent (and what was acknowledged before, if anything); else throws. */
function assertSubmitted(flow: Flow, json: unknown, where: string): { id: string; code: string; fileId: string } {
  const d = parsed(DossierAnswer, json, flow, where);
  const fail = (what: string): never => {
    throw new Error(`${flow.name} (${where}): ${what}; answer ${JSON.stringify(json).slice(0, 600)}`);
  };
  if (flow.id && d.id !== flow.id) fail(`dossier ${d.id}, expected ${flow.id}`);
  if (d.status !== 'submitted') fail(`status ${d.status}, expected submitted`);
  if (!d.code) fail('no dossier code');
  if (flow.code && d.code !== flow.code) fail(`code ${d.code}, expected ${flow.code}`);
  if (d.files.length !== 1) fail(`${d.files.length} files, expected 1`);
  const f = d.files[0]!;
  if (f.sha256 !== sha(flow.pdf) || f.size !== flow.pdf.length) fail(`file sha256 ${f.sha256} of ${f.size} bytes, sent ${sha(flow.pdf)} of ${flow.pdf.length}`);
  if (flow.fileId && f.fileId !== flow.fileId) fail(`file ${f.fileId}, expected ${flow.fileId}`);
  return { id: d.id, code: d.code!, fileId: f.fileId };
}

/** A fresh draft of the flow (no code, no file); else throws. */
function assertDraft(flow: Flow, json: unknown, where: string): DossierAnswer {
  const d = parsed(DossierAnswer, json, flow, where);
  if ((flow.id && d.id !== flow.id) || d.status !== 'draft' || d.code !== null || d.files.length !== 0) {
    throw new Error(`${flow.name} (${where}): expected a new draft${flow.id ? ` ${flow.id}` : ''}; answer ${JSON.stringify(json).slice(0, 600)}`);
  }
  return d;
}

/** The answer to an attach: the file sent; else throws. */
function assertAttached(flow: Flow, json: unknown, where: string): string {
  const f = parsed(FileAnswer, json, flow, where);
  if (f.sha256 !== sha(flow.pdf) || f.size !== flow.pdf.length) {
    throw new Error(`${flow.name} (${where}): file sha256 ${f.sha256} of ${f.size} bytes, sent ${sha(flow.pdf)} of ${flow.pdf.length}`);
  }
  return f.fileId;
}

/** Codes of fetch's (undici's) errors that mean the connection died: refused, reset, closed while sending or answering. */
const CONNECTION_DIED = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function errorCodes(err: unknown, depth = 0): string[] {
  if (!err || typeof err !== 'object' || depth > 5) return [];
  const code = (err as { code?: unknown }).code;
  return [
    ...(typeof code === 'string' ? [code] : []),
    ...(err instanceof AggregateError ? err.errors.flatMap((e) => errorCodes(e, depth + 1)) : []),
    ...errorCodes((err as { cause?: unknown }).cause, depth + 1),
  ];
}

/** fetch's TypeError ("fetch failed" while sending, "terminated" while reading the answer) caused by a dead connection. */
function connectionDied(err: unknown): boolean {
  return (
    err instanceof TypeError && (err.message === 'fetch failed' || err.message === 'terminated') && errorCodes(err.cause).some((c) => CONNECTION_DIED.has(c))
  );
}

function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    parts.push(e instanceof Error ? `${e.name}: ${e.message}${typeof code === 'string' ? ` [${code}]` : ''}` : String(e));
  }
  return parts.join(' <- ');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: Server | null = null;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  if (server) await stopServer(server, 'SIGKILL');
  for (const c of cleanups.reverse()) await c();
});

async function call(base: string, method: string, p: string, token: string | null, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined && !(body instanceof Buffer) ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : body instanceof Buffer ? new Uint8Array(body) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}
type Answer = Awaited<ReturnType<typeof call>>;

/** The requests of a flow, and the reads that check it, against one running server. */
function clientOf(base: string, token: string, dossier: unknown, component: string) {
  const auth = { authorization: `Bearer ${token}` };
  return {
    submission(f: Flow) {
      const whole = submissionBody(dossier, component, f.pdf);
      return call(base, 'POST', '/api/v1/dossiers/submissions', token, whole.payload, { 'content-type': whole.contentType, 'idempotency-key': f.createKey });
    },
    create: (f: Flow) => call(base, 'POST', '/api/v1/dossiers', token, dossier, { 'idempotency-key': f.createKey }),
    attach(f: Flow) {
      const mp = multipartBody(component, f.pdf);
      return call(base, 'POST', `/api/v1/dossiers/${f.id}/files`, token, mp.payload, { 'content-type': mp.contentType });
    },
    submit: (f: Flow) => call(base, 'POST', `/api/v1/dossiers/${f.id}/submit`, token, undefined, { 'idempotency-key': f.submitKey }),
    get: (f: Flow) => call(base, 'GET', `/api/v1/dossiers/${f.id}`, token),
    async download(f: Flow, fileId: string): Promise<Buffer> {
      const res = await fetch(`${base}/api/v1/dossiers/${f.id}/files/${fileId}`, { headers: auth });
      if (res.status !== 200) throw new Error(`${f.name}: download of ${fileId} answered ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async count(status?: string): Promise<number> {
      const r = await call(base, 'GET', `/api/v1/dossiers?pageSize=1${status ? `&status=${status}` : ''}`, token);
      if (r.status !== 200) throw new Error(`GET /dossiers answered ${r.status}: ${JSON.stringify(r.json)}`);
      return r.json.total;
    },
  };
}

describe('crash recovery', () => {
  // SIGKILL (below, on PGlite unless TEST_DATABASE_URL is set) leaves the OS page cache intact, so it
  // cannot show that a commit reached the disk; this shows PGlite asks the OS for it at every commit.
  it('PGlite flushes every commit to disk (fsync on, one fsync(2) of the WAL per commit)', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-fsync-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = await openDatabase({ dataDir: path.join(dataDir, 'pglite') });
    try {
      const show = async (name: string) => Object.values((await queryRows<Record<string, string>>(database.db, sql.raw(`SHOW ${name}`)))[0]!)[0];
      expect([await show('fsync'), await show('wal_sync_method'), await show('synchronous_commit')]).toEqual(['on', 'fsync', 'on']);
      await database.execScript('CREATE TABLE t (n int)');
      const spy = vi.spyOn(fs, 'fsyncSync');
      try {
        for (let n = 0; n < 5; n++) await database.db.execute(sql`INSERT INTO t VALUES (${n})`);
        expect(spy).toHaveBeenCalledTimes(5);
        spy.mockClear();
        await queryRows(database.db, sql`SELECT count(*) FROM t`); // a read commits nothing
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    } finally {
      await database.close();
    }
  }, 120_000);

  it('keeps every acknowledged submission after SIGKILL; retries with the same keys answer alike and create nothing new', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // One process (WORKERS=1), so the SIGKILL kills the whole server.
    const env: Record<string, string> = { DATA_DIR: dataDir, DEMO_DOSSIERS: '0', LOGIN_RATE_LIMIT: '10000', WORKERS: '1' };
    if (process.env.TEST_DATABASE_URL) {
      const pg = await createPostgresDatabase(process.env.TEST_DATABASE_URL);
      cleanups.push(pg.drop);
      env.DATABASE_URL = pg.url;
    }
    const login = async (base: string): Promise<string> => {
      const r = await call(base, 'POST', '/api/v1/auth/login', null, { username: 'citizen.an', password: 'tinhso-demo' });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return r.json.token;
    };
    server = await startServer(env);
    const token = await login(server.url);
    const def = (await call(server.url, 'GET', `/api/v1/procedures/${PROCEDURE}`, null)).json.definition;
    const form = plainAnswers(def.form);
    const component: string = def.components.find((c: { required: boolean }) => c.required).code;
    const dossier = { procedureCode: PROCEDURE, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form };

    // The load. `inFlight` counts requests sent and not yet answered in full.
    const api = clientOf(server.url, token, dossier, component);
    const load = { inFlight: 0, ok: 0, killed: false, inFlightAtKill: 0, okAtKill: 0, answeredAfterKill: 0 };
    const flows: Flow[] = [];
    const failures: string[] = [];
    /** Sends a request of the load: its answer, or null when the kill lost it (or came before it was sent). */
    const send = async (flow: Flow, step: Step, expected: number, request: () => Promise<Answer>): Promise<Answer | null> => {
      if (load.killed) return null;
      load.inFlight++;
      let answer: Answer;
      try {
        answer = await request();
      } catch (err) {
        if (load.killed && connectionDied(err)) {
          flow.lost = step;
          return null;
        }
        throw new Error(
          `${flow.name} ${step}: ${load.killed ? 'failed after the kill, but not by a dead connection' : 'failed before the kill'}: ${describeError(err)}`,
        );
      } finally {
        load.inFlight--;
      }
      if (load.killed) load.answeredAfterKill++;
      if (answer.status !== expected) throw new Error(`${flow.name} ${step}: HTTP ${answer.status}, expected ${expected}: ${JSON.stringify(answer.json)}`);
      load.ok++;
      return answer;
    };
    const client = async (c: number) => {
      for (let n = 0; !load.killed; n++) {
        const name = `crash-${c}-${n}`;
        const flow: Flow = {
          name,
          oneRequest: c % 2 === 1,
          createKey: `${name}-create`,
          submitKey: `${name}-submit`,
          pdf: Buffer.concat([SAMPLE_PDF, Buffer.from(`% ${name}\n`)]),
        };
        flows.push(flow);
        if (flow.oneRequest) {
          const r = await send(flow, 'submission', 201, () => api.submission(flow));
          if (!r) return;
          Object.assign(flow, assertSubmitted(flow, r.json, 'answer to the submission'));
          continue;
        }
        const created = await send(flow, 'create', 201, () => api.create(flow));
        if (!created) return;
        flow.id = assertDraft(flow, created.json, 'answer to the create').id;
        const attached = await send(flow, 'attach', 201, () => api.attach(flow));
        if (!attached) return;
        flow.fileId = assertAttached(flow, attached.json, 'answer to the attach');
        const submitted = await send(flow, 'submit', 200, () => api.submit(flow));
        if (!submitted) return;
        Object.assign(flow, assertSubmitted(flow, submitted.json, 'answer to the submit'));
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) =>
      client(c).catch((err: unknown) => {
        failures.push(err instanceof Error ? err.message : String(err));
      }),
    );
    const acked = (oneRequest: boolean) => flows.filter((f) => f.code && f.oneRequest === oneRequest).length;
    const loadStarted = Date.now();
    while (failures.length === 0 && !(acked(true) + acked(false) >= ACKED_BEFORE_KILL && Math.min(acked(true), acked(false)) >= ACKED_BEFORE_KILL / 4)) {
      if (Date.now() - loadStarted > 120_000) failures.push(`only ${acked(true)} + ${acked(false)} submissions acknowledged in 120 s`);
      await sleep(10);
    }
    await sleep(Math.random() * 200); // the kill falls anywhere in a request
    const proc = server.proc;
    if (proc.exitCode !== null || proc.signalCode !== null) failures.push(`the server stopped by itself before the kill:\n${server.output().slice(-2000)}`);
    const exited = proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise((r) => proc.once('exit', r));
    load.killed = true;
    load.inFlightAtKill = load.inFlight;
    load.okAtKill = load.ok;
    proc.kill('SIGKILL');
    await exited;
    server = null;
    await Promise.all(clients);
    const summary = () => `${flows.length} flows; at the kill ${load.okAtKill} 2xx, ${load.inFlightAtKill} in flight`;
    if (failures.length) throw new Error(`the load failed (${summary()}):\n${failures.join('\n')}`);
    expect(load.okAtKill, summary()).toBeGreaterThanOrEqual(20);
    expect(load.inFlightAtKill, summary()).toBeGreaterThan(0);
    const lost = flows.filter((f) => f.lost);
    // Each request in flight at the kill was either answered before the socket closed or lost.
    expect(lost.length + load.answeredAfterKill, summary()).toBe(load.inFlightAtKill);
    expect(lost.length, `answers the kill lost; ${summary()}`).toBeGreaterThan(0);

    server = await startServer(env);
    const token2 = await login(server.url);
    const again = clientOf(server.url, token2, dossier, component);
    const expectFile = async (flow: Flow, fileId: string, where: string) => {
      expect(sha(await again.download(flow, fileId)), `${flow.name} (${where}): the bytes of file ${fileId}`).toBe(sha(flow.pdf));
    };
    const expectWhole = async (flow: Flow, where: string) => {
      const d = await again.get(flow);
      expect(d.status, `${flow.name} (${where}): ${JSON.stringify(d.json)}`).toBe(200);
      await expectFile(flow, assertSubmitted(flow, d.json, where).fileId, where);
    };

    // (a) Every acknowledged step is there, whole.
    for (const flow of flows.filter((f) => f.id)) {
      if (flow.code) {
        await expectWhole(flow, 'acknowledged submission after the restart');
        continue;
      }
      const where = 'acknowledged draft after the restart';
      const r = await again.get(flow);
      expect(r.status, `${flow.name} (${where}): ${JSON.stringify(r.json)}`).toBe(200);
      const d = parsed(DossierAnswer, r.json, flow, where);
      // Its submit may have committed with the answer lost; otherwise it is still a draft.
      expect(flow.lost === 'submit' ? ['draft', 'submitted'] : ['draft'], `${flow.name} (${where}): status`).toContain(d.status);
      const ours = d.files.filter((f) => f.sha256 === sha(flow.pdf));
      expect(d.files.length, `${flow.name} (${where}): ${JSON.stringify(d.files)}`).toBe(ours.length);
      if (flow.fileId) {
        expect(ours.map((f) => f.fileId)).toEqual([flow.fileId]);
        await expectFile(flow, flow.fileId, where);
      } else {
        expect(ours.length, `${flow.name} (${where}): ${JSON.stringify(d.files)}`).toBeLessThanOrEqual(flow.lost === 'attach' ? 1 : 0);
      }
    }

    // (b) Replaying every acknowledged key answers with the same dossier (and code) and creates nothing.
    const replay = async (subset: Flow[], where: string) => {
      for (const flow of subset) {
        const first = flow.oneRequest ? await again.submission(flow) : await again.create(flow);
        expect(first.status, `${flow.name} (${where}): ${JSON.stringify(first.json)}`).toBe(200);
        if (flow.code) assertSubmitted(flow, first.json, where);
        else expect(parsed(DossierAnswer, first.json, flow, where).id, `${flow.name} (${where})`).toBe(flow.id);
        if (!flow.oneRequest && flow.code) {
          const s = await again.submit(flow);
          expect(s.status, `${flow.name} (${where}): ${JSON.stringify(s.json)}`).toBe(200);
          assertSubmitted(flow, s.json, where);
        }
      }
    };
    const before = await again.count();
    await replay(
      flows.filter((f) => f.id),
      'replay of an acknowledged key',
    );
    expect(await again.count(), 'dossiers after replaying the acknowledged keys').toBe(before);

    // Every lost request is sent again with its key, and every interrupted flow finished.
    let createdByRetry = 0;
    for (const flow of flows.filter((f) => !f.code)) {
      if (flow.oneRequest) {
        expect(flow.lost, `${flow.name}: a submission neither answered nor lost`).toBe('submission');
        const r = await again.submission(flow);
        expect([200, 201], `${flow.name} (retry of a lost submission): ${r.status} ${JSON.stringify(r.json)}`).toContain(r.status);
        if (r.status === 201) createdByRetry++;
        Object.assign(flow, assertSubmitted(flow, r.json, 'retry of a lost submission'));
        continue;
      }
      if (!flow.id) {
        expect(flow.lost, `${flow.name}: a create neither answered nor lost`).toBe('create');
        const r = await again.create(flow);
        expect([200, 201], `${flow.name} (retry of a lost create): ${r.status} ${JSON.stringify(r.json)}`).toContain(r.status);
        if (r.status === 201) createdByRetry++;
        flow.id = assertDraft(flow, r.json, 'retry of a lost create').id;
      }
      if (!flow.fileId) {
        // Attaching takes no Idempotency-Key: a client that lost the answer looks before sending the file again.
        const d = parsed(DossierAnswer, (await again.get(flow)).json, flow, 'draft before attaching again');
        const ours = d.files.filter((f) => f.sha256 === sha(flow.pdf));
        expect(d.files.length, `${flow.name}: ${JSON.stringify(d.files)}`).toBe(ours.length);
        expect(ours.length, `${flow.name}: ${JSON.stringify(d.files)}`).toBeLessThanOrEqual(flow.lost === 'attach' ? 1 : 0);
        if (ours[0]) flow.fileId = ours[0].fileId;
        else {
          const r = await again.attach(flow);
          expect(r.status, `${flow.name} (attach after the restart): ${JSON.stringify(r.json)}`).toBe(201);
          flow.fileId = assertAttached(flow, r.json, 'attach after the restart');
        }
      }
      const where = flow.lost === 'submit' ? 'retry of a lost submit' : 'submit after the restart';
      const s = await again.submit(flow);
      expect(s.status, `${flow.name} (${where}): ${JSON.stringify(s.json)}`).toBe(200);
      Object.assign(flow, assertSubmitted(flow, s.json, where));
    }
    expect(await again.count(), 'dossiers after the retries: only a retried create or submission may create its dossier').toBe(before + createdByRetry);

    // A second retry of every key (the lost ones included) answers alike and creates nothing.
    await replay(flows, 'second retry');
    expect(await again.count(), 'dossiers after the second retries').toBe(before + createdByRetry);

    // One submitted dossier per flow, its file intact; codes unique and gap-free for the day.
    expect(before + createdByRetry, summary()).toBe(flows.length);
    for (const flow of flows) await expectWhole(flow, 'at the end');
    const codes: string[] = [];
    for (let page = 1; ; page++) {
      const r = (await call(server.url, 'GET', `/api/v1/dossiers?status=submitted&pageSize=100&page=${page}`, token2)).json;
      codes.push(...r.items.map((i: { code: string }) => i.code));
      if (codes.length >= r.total || r.items.length === 0) break;
    }
    expect(codes.slice().sort()).toEqual(flows.map((f) => f.code!).sort());
    const seqs = codes.map((c) => Number(c.slice(-4))).sort((a, b) => a - b);
    seqs.forEach((s, i) => expect(s).toBe(i + 1));
    await stopServer(server);
    server = null;
  }, 240_000);
});
