import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { multipartBody, SAMPLE_PDF, startServer, stopServer, submissionBody, type Server } from '../bench/lib.ts';
import { openDatabase, queryRows, sql } from '../src/db/client.ts';
import { createPostgresDatabase } from './harness.ts';

/**
 * Nothing acknowledged is lost: the server is killed with SIGKILL in the middle of a load of
 * submissions (half in three requests, half in one); after a restart every request that got a 2xx is there, whole (files included),
 * retries with the same Idempotency-Key create nothing new, and codes stay gap-free.
 */
const PROCEDURE = '1.001776';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Outcome {
  key: string;
  /** Three requests (create, attach, submit) or one (POST /dossiers/submissions). */
  oneRequest: boolean;
  pdf: Buffer;
  id?: string;
  fileSha?: string;
  code?: string;
}

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

  it('keeps every acknowledged submission after SIGKILL, and retries create nothing new', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-crash-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = { DATA_DIR: dataDir, DEMO_DOSSIERS: '0', LOGIN_RATE_LIMIT: '10000' };
    if (process.env.TEST_DATABASE_URL) {
      const pg = await createPostgresDatabase(process.env.TEST_DATABASE_URL);
      cleanups.push(pg.drop);
      env.DATABASE_URL = pg.url;
    }
    server = await startServer(env);
    const base = server.url;
    const login = await call(base, 'POST', '/api/v1/auth/login', null, { username: 'citizen.an', password: 'tinhso-demo' });
    const token: string = login.json.token;
    const def = (await call(base, 'GET', `/api/v1/procedures/${PROCEDURE}`, null)).json.definition;
    const form: Record<string, unknown> = {};
    for (const f of def.form.filter((x: { required: boolean }) => x.required)) {
      form[f.key] =
        f.type === 'select'
          ? f.options[0].value
          : f.type === 'checkbox'
            ? true
            : f.type === 'number'
              ? (f.min ?? 1)
              : f.type === 'date'
                ? '2020-01-01'
                : f.type === 'id_number'
                  ? '036090001234'
                  : f.type === 'unit_code'
                    ? '13669'
                    : f.type === 'phone'
                      ? '0912345678'
                      : 'Nguyễn Văn An';
    }
    const component = def.components.find((c: { required: boolean }) => c.required).code;
    const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' };

    const outcomes: Outcome[] = [];
    let stop = false;
    const client = async (c: number) => {
      for (let n = 0; !stop; n++) {
        const o: Outcome = { key: `crash-${c}-${n}-xxxxxxxx`, oneRequest: c % 2 === 1, pdf: Buffer.concat([SAMPLE_PDF, Buffer.from(`% crash-${c}-${n}\n`)]) };
        outcomes.push(o);
        try {
          if (o.oneRequest) {
            const whole = submissionBody({ procedureCode: PROCEDURE, applicant, form }, component, o.pdf);
            const r = await call(base, 'POST', '/api/v1/dossiers/submissions', token, whole.payload, {
              'content-type': whole.contentType,
              'idempotency-key': o.key,
            });
            if (r.status !== 201) return;
            expect(r.json.files[0].sha256).toBe(sha(o.pdf));
            Object.assign(o, { id: r.json.id, fileSha: r.json.files[0].sha256, code: r.json.code });
            continue;
          }
          const created = await call(base, 'POST', '/api/v1/dossiers', token, { procedureCode: PROCEDURE, applicant, form }, { 'idempotency-key': o.key });
          if (created.status !== 201) return;
          o.id = created.json.id;
          const pdf = o.pdf;
          const mp = multipartBody(component, pdf);
          const f = await call(base, 'POST', `/api/v1/dossiers/${o.id}/files`, token, mp.payload, { 'content-type': mp.contentType });
          if (f.status !== 201) return;
          expect(f.json.sha256).toBe(sha(pdf));
          o.fileSha = f.json.sha256;
          const s = await call(base, 'POST', `/api/v1/dossiers/${o.id}/submit`, token);
          if (s.status !== 200) return;
          o.code = s.json.code;
        } catch {
          return; // the server died under us
        }
      }
    };
    const load = Promise.all(Array.from({ length: 16 }, (_, i) => client(i)));
    await new Promise((r) => setTimeout(r, 2500));
    server.proc.kill('SIGKILL');
    await new Promise((r) => server!.proc.once('exit', r));
    stop = true;
    await load;
    const acked = outcomes.filter((o) => o.id);
    expect(acked.length).toBeGreaterThan(5);
    expect(acked.filter((o) => o.oneRequest).length).toBeGreaterThan(0);
    expect(acked.filter((o) => !o.oneRequest).length).toBeGreaterThan(0);

    server = await startServer(env);
    const base2 = server.url;
    const token2 = (await call(base2, 'POST', '/api/v1/auth/login', null, { username: 'citizen.an', password: 'tinhso-demo' })).json.token;
    for (const o of acked) {
      const d = await call(base2, 'GET', `/api/v1/dossiers/${o.id}`, token2);
      expect(d.status).toBe(200);
      if (o.fileSha) {
        const file = d.json.files.find((f: { sha256: string }) => f.sha256 === o.fileSha);
        expect(file, `file of ${o.key} (${o.id}) after restart: ${JSON.stringify(d.json.files)} version ${d.json.version}`).toBeTruthy();
        const bytes = Buffer.from(
          await (await fetch(`${base2}/api/v1/dossiers/${o.id}/files/${file.fileId}`, { headers: { authorization: `Bearer ${token2}` } })).arrayBuffer(),
        );
        expect(sha(bytes)).toBe(o.fileSha);
      }
      if (o.code) expect(d.json).toMatchObject({ code: o.code, status: 'submitted' });
    }
    const before = (await call(base2, 'GET', '/api/v1/dossiers?pageSize=1', token2)).json.total;
    for (const o of outcomes) {
      const whole = submissionBody({ procedureCode: PROCEDURE, applicant, form }, component, o.pdf);
      const again = o.oneRequest
        ? await call(base2, 'POST', '/api/v1/dossiers/submissions', token2, whole.payload, { 'content-type': whole.contentType, 'idempotency-key': o.key })
        : await call(base2, 'POST', '/api/v1/dossiers', token2, { procedureCode: PROCEDURE, applicant, form }, { 'idempotency-key': o.key });
      if (o.id) {
        expect(again.status).toBe(200);
        expect(again.json.id).toBe(o.id);
      }
    }
    const unacked = outcomes.filter((o) => !o.id).length;
    const after = (await call(base2, 'GET', '/api/v1/dossiers?pageSize=1', token2)).json.total;
    // Acknowledged keys replay; keys never acknowledged may create at most their one dossier.
    expect(after - before).toBeLessThanOrEqual(unacked);
    expect(after).toBeGreaterThanOrEqual(before);

    // Codes are unique and gap-free for the day.
    const all: string[] = [];
    for (let page = 1; ; page++) {
      const r = (await call(base2, 'GET', `/api/v1/dossiers?status=submitted&pageSize=100&page=${page}`, token2)).json;
      all.push(...r.items.map((i: { code: string }) => i.code));
      if (all.length >= r.total || r.items.length === 0) break;
    }
    expect(all.length).toBeGreaterThanOrEqual(acked.filter((o) => o.code).length);
    const seqs = all.map((c: string) => Number(c.slice(-4))).sort((a: number, b: number) => a - b);
    expect(new Set(all).size).toBe(all.length);
    seqs.forEach((s: number, i: number) => expect(s).toBe(i + 1));
    await stopServer(server);
    server = null;
  }, 240_000);
});
