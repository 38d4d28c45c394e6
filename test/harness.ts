import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, type Database } from '../src/db/client.ts';
import { DEMO_PASSWORD, seedDemo } from '../src/db/demo/seed.ts';
import { fakeAnswer, rng } from '../src/db/demo/generate-dossiers.ts';
import type { FormField } from '../src/modules/procedures/procedures.schemas.ts';
import { migrate } from '../src/db/migrate.ts';
import { LocalFileStore } from '../src/platform/files.ts';
import { clearSettingsCache } from '../src/platform/settings.ts';
import { clearCalendarCache, loadClock, nextWorkingClose } from '../src/modules/calendar/index.ts';
import { clearProcedureCache } from '../src/modules/procedures/procedures.repo.ts';

/**
 * A real app on a real, freshly migrated database with the demo province loaded: PGlite in
 * memory by default, or a new database on the PostgreSQL server named by TEST_DATABASE_URL
 * (scripts/test.sh runs the integration tests both ways). Requests go through app.inject, the
 * full Fastify pipeline without a socket.
 */
export interface TestApp {
  app: FastifyInstance;
  database: Database;
  files: LocalFileStore;
  dataDir: string;
  databaseUrl: string | undefined;
  /** Signs `username` in (the demo password unless `password` is given) once; later calls reuse the token. */
  token(username: string, password?: string): Promise<string>;
  request(opts: InjectOptions & { as?: string }): Promise<{ status: number; json: any; headers: Record<string, unknown>; body: string }>;
  close(): Promise<void>;
}

/** Drops a throwaway database, closing whatever is still connected to it. */
export async function dropPostgresDatabase(baseUrl: string, name: string): Promise<void> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    // PostgreSQL 15 refuses FORCE for a non-superuser while an autovacuum worker is in the database
    // (42501) unless the role is in pg_signal_backend (scripts/pg-temp.sh grants it); on servers set
    // up otherwise, wait for the worker to finish and try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
        return;
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= 20 || (code !== '42501' && code !== '55006')) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    await c.end();
  }
}

export async function createPostgresDatabase(baseUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tinhso_t_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => dropPostgresDatabase(baseUrl, name),
  };
}

export async function createTestApp(opts: { dossiers?: number; now?: Date } = {}): Promise<TestApp> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-test-'));
  const base = process.env.TEST_DATABASE_URL;
  const pgDb = base ? await createPostgresDatabase(base) : null;
  const database = await openDatabase({ databaseUrl: pgDb?.url, dataDir: ':memory:', poolSize: 10 });
  await migrate(database);
  return testAppOn(database, dataDir, {
    databaseUrl: pgDb?.url,
    seed: { dossiers: opts.dossiers ?? 0, ...(opts.now ? { now: opts.now } : {}) },
    async cleanup() {
      await database.close();
      await pgDb?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}

/**
 * A real app on an open, migrated `database`, with `dataDir` as its data folder (files, and the
 * encryption key of a development config); `seed` loads the demo province first. `close()` closes
 * the app, then runs `cleanup`.
 */
export async function testAppOn(
  database: Database,
  dataDir: string,
  opts: { databaseUrl?: string | undefined; seed?: { dossiers: number; now?: Date }; cleanup?: () => Promise<void> } = {},
): Promise<TestApp> {
  clearSettingsCache();
  clearCalendarCache();
  clearProcedureCache();
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}) });
  const files = new LocalFileStore(path.join(dataDir, 'files'));
  await files.init();
  const app = await buildApp({ config, database, files });
  if (opts.seed) await seedDemo(database.db, files, app.log, { ...opts.seed, keyring: app.keyring });
  await app.ready();
  const tokens = new Map<string, string>();
  const t: TestApp = {
    app,
    database,
    files,
    dataDir,
    databaseUrl: opts.databaseUrl,
    async token(username, password = DEMO_PASSWORD) {
      const hit = tokens.get(username);
      if (hit) return hit;
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      const token = (res.json() as { token: string }).token;
      tokens.set(username, token);
      return token;
    },
    async request({ as, ...o }) {
      const headers = { ...(o.headers ?? {}), ...(as ? { authorization: `Bearer ${await t.token(as)}` } : {}) };
      const res = await app.inject({ ...o, headers } as InjectOptions);
      let json: unknown = null;
      try {
        json = res.body ? JSON.parse(res.body) : null;
      } catch {
        json = null;
      }
      return { status: res.statusCode, json, headers: res.headers, body: res.body };
    },
    async close() {
      await app.close();
      await opts.cleanup?.();
    },
  };
  return t;
}

/** The session cookie of `username` for the pages: the same token `t.token` gives the API's bearer requests. */
export async function sessionCookie(t: TestApp, username: string, password?: string): Promise<string> {
  return `tinhso_session=${await t.token(username, password)}`;
}

/** An account as an administrator creates it through `POST /api/v1/users`. */
export interface NewAccount {
  username: string;
  displayName: string;
  password: string;
  kind: 'staff' | 'citizen' | 'organisation';
  roles: { role: string; agencyCode?: string; includeChildren?: boolean }[];
  phone?: string;
  email?: string;
}

/** Creates `account` as admin.lan through the API; throws with the server's answer unless it is created. */
export async function createAccount(t: TestApp, account: NewAccount): Promise<void> {
  const res = await t.request({ method: 'POST', url: '/api/v1/users', as: 'admin.lan', payload: account });
  if (res.status !== 201) throw new Error(`create account ${account.username}: ${res.status} ${res.body}`);
}

/** A small valid PDF and PNG for uploads. */
export const SAMPLE_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
export const SAMPLE_PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** A multipart/form-data body with a component field and one file. */
export function multipart(fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }) {
  return multipartParts(fields, file ? [{ field: 'file', ...file }] : []);
}

/** A multipart/form-data body with text fields and any number of files, each under its own field name. */
export function multipartParts(fields: Record<string, string>, files: { field: string; name: string; type: string; data: Buffer }[]) {
  const boundary = `----tinhso${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  for (const file of files) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`),
    );
    parts.push(file.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/**
 * A new due date an extension accepts, whatever the date the tests run on: the close of office of
 * the first working day of the real calendar (weekends, lunar holidays, substitute days, official
 * overrides; office hours from the settings) that closes at least `minDays` calendar days after `after`.
 */
export async function workingDayClosing(t: TestApp, after: Date | number, minDays = 0): Promise<Date> {
  const clock = await loadClock(t.database.db);
  const from = new Date(new Date(after).getTime() + minDays * 86_400_000);
  return nextWorkingClose(from, clock.calendar, clock.officeHours);
}

/** Answers to every required question of a procedure's form (the demo generator's, seeded). */
export function requiredAnswers(form: readonly FormField[], seed = 5): Record<string, string | number | boolean> {
  const r = rng(seed);
  return Object.fromEntries(form.filter((f) => f.required).map((f) => [f.key, fakeAnswer(f, r)]));
}

/**
 * Fixed answers to every required question of a form, the same on every run: the first option, a
 * tick, the minimum (or 1), 1 January 2020, `idNumber`, unit 13669, a mobile number, an e-mail
 * address, and `name` for text.
 */
export function plainAnswers(
  form: readonly { key: string; type: string; required: boolean; options?: readonly { value: string }[]; min?: number }[],
  opts: { idNumber?: string; name?: string } = {},
): Record<string, string | number | boolean> {
  const answer = (f: (typeof form)[number]) => {
    switch (f.type) {
      case 'select':
        return f.options![0]!.value;
      case 'checkbox':
        return true;
      case 'number':
        return f.min ?? 1;
      case 'date':
        return '2020-01-01';
      case 'id_number':
        return opts.idNumber ?? '036090001234';
      case 'unit_code':
        return '13669';
      case 'phone':
        return '0912345678';
      case 'email':
        return 'a@example.vn';
      default:
        return opts.name ?? 'Nguyễn Văn An';
    }
  };
  return Object.fromEntries(form.filter((f) => f.required).map((f) => [f.key, answer(f)]));
}

/**
 * Creates a dossier as `as` (required answers filled in unless `form` is given), attaches a PDF to
 * every required component and submits it. Throws with the server's answer if a step is refused.
 */
export async function submittedDossier(
  t: TestApp,
  as: string,
  payload: {
    procedureCode: string;
    applicant: Record<string, unknown>;
    form?: Record<string, unknown>;
    channel?: string;
    smsConsent?: boolean;
    agencyCode?: string;
  },
): Promise<{ id: string; code: string; version: number }> {
  const def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${payload.procedureCode}` })).json.definition as {
    form: FormField[];
    components: { code: string; required: boolean }[];
  };
  const step = (what: string, res: { status: number; body: string }, want: number) => {
    if (res.status !== want) throw new Error(`${what}: ${res.status} ${res.body}`);
  };
  const created = await t.request({ method: 'POST', url: '/api/v1/dossiers', as, payload: { ...payload, form: payload.form ?? requiredAnswers(def.form) } });
  step('create', created, 201);
  for (const c of def.components.filter((x) => x.required)) {
    const body = multipart({ component: c.code }, { name: `${c.code}.pdf`, type: 'application/pdf', data: SAMPLE_PDF });
    step(`attach ${c.code}`, await t.request({ method: 'POST', url: `/api/v1/dossiers/${created.json.id}/files`, as, ...body }), 201);
  }
  const sub = await t.request({ method: 'POST', url: `/api/v1/dossiers/${created.json.id}/submit`, as });
  step('submit', sub, 200);
  return { id: sub.json.id, code: sub.json.code, version: sub.json.version };
}
