import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { multipartBody, SAMPLE_PDF, startServer, stopServer, type Server } from '../bench/lib.ts';
import { createPostgresDatabase } from './harness.ts';

/**
 * Nothing acknowledged is lost: the server is killed with SIGKILL in the middle of a load of
 * submissions; after a restart every request that got a 2xx is there, whole (files included),
 * retries with the same Idempotency-Key create nothing new, and codes stay gap-free.
 */
const PROCEDURE = '1.001776';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface Outcome {
  key: string;
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
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined && !(body instanceof Buffer) ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : body instanceof Buffer ? new Uint8Array(body) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe('crash recovery', () => {
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
      form[f.key] = f.type === 'select' ? f.options[0].value : f.type === 'checkbox' ? true : f.type === 'number' ? (f.min ?? 1) : f.type === 'date' ? '2020-01-01' : f.type === 'id_number' ? '036090001234' : f.type === 'unit_code' ? '13669' : f.type === 'phone' ? '0912345678' : 'Nguyễn Văn An';
    }
    const component = def.components.find((c: { required: boolean }) => c.required).code;
    const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' };

    const outcomes: Outcome[] = [];
    let stop = false;
    const client = async (c: number) => {
      for (let n = 0; !stop; n++) {
        const o: Outcome = { key: `crash-${c}-${n}-xxxxxxxx` };
        outcomes.push(o);
        try {
          const created = await call(base, 'POST', '/api/v1/dossiers', token, { procedureCode: PROCEDURE, applicant, form }, { 'idempotency-key': o.key });
          if (created.status !== 201) return;
          o.id = created.json.id;
          const pdf = Buffer.concat([SAMPLE_PDF, Buffer.from(`% ${o.key}\n`)]);
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

    server = await startServer(env);
    const base2 = server.url;
    const token2 = (await call(base2, 'POST', '/api/v1/auth/login', null, { username: 'citizen.an', password: 'tinhso-demo' })).json.token;
    for (const o of acked) {
      const d = await call(base2, 'GET', `/api/v1/dossiers/${o.id}`, token2);
      expect(d.status).toBe(200);
      if (o.fileSha) {
        const file = d.json.files.find((f: { sha256: string }) => f.sha256 === o.fileSha);
        expect(file, `file of ${o.key} (${o.id}) after restart: ${JSON.stringify(d.json.files)} version ${d.json.version}`).toBeTruthy();
        const bytes = Buffer.from(await (await fetch(`${base2}/api/v1/dossiers/${o.id}/files/${file.fileId}`, { headers: { authorization: `Bearer ${token2}` } })).arrayBuffer());
        expect(sha(bytes)).toBe(o.fileSha);
      }
      if (o.code) expect(d.json).toMatchObject({ code: o.code, status: 'submitted' });
    }
    const before = (await call(base2, 'GET', '/api/v1/dossiers?pageSize=1', token2)).json.total;
    for (const o of outcomes) {
      const again = await call(base2, 'POST', '/api/v1/dossiers', token2, { procedureCode: PROCEDURE, applicant, form }, { 'idempotency-key': o.key });
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
