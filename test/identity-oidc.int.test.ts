import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase, queryRows, sql, type Database } from '../src/db/client.ts';
import { seedDemo } from '../src/db/demo/seed.ts';
import { migrate } from '../src/db/migrate.ts';
import { startLocalIdp, withLocalIdp, type LocalIdp } from '../src/modules/identity/local-idp.ts';
import { LocalFileStore } from '../src/platform/files.ts';
import { idNumberHash, openUserFields } from '../src/platform/personal-data.ts';
import { clearSettingsCache } from '../src/platform/settings.ts';
import { createPostgresDatabase, multipart, plainAnswers, SAMPLE_PDF } from './harness.ts';

// National identity (VNeID) sign-in end to end over real HTTP: the app and the local OpenID
// provider (oidc-provider) each listen on a port, and a browser-like client follows every
// redirect with its own cookie jar (per host and path, as browsers keep them).

let app: FastifyInstance;
let idp: LocalIdp;
let database: Database;
let dataDir: string;
let drop: (() => Promise<void>) | undefined;
let files: LocalFileStore;
let base: string;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  clearSettingsCache();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-oidc-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  idp = await startLocalIdp({
    port: 0,
    clientId: 'tinhso',
    clientSecret: 'test-client-secret-0123456789',
    redirectUris: [`${base}/auth/oidc/callback`],
    idNumberClaim: 'personal_id',
  });
  const pg = process.env.TEST_DATABASE_URL ? await createPostgresDatabase(process.env.TEST_DATABASE_URL) : null;
  drop = pg?.drop;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_SECRET: 'test-client-secret-0123456789',
    OIDC_REDIRECT_URI: `${base}/auth/oidc/callback`,
    ...(pg ? { DATABASE_URL: pg.url } : {}),
  });
  database = await openDatabase({ databaseUrl: pg?.url, dataDir: ':memory:', poolSize: 10 });
  await migrate(database);
  files = new LocalFileStore(path.join(dataDir, 'files'));
  await files.init();
  app = await buildApp({ config, database, files });
  await seedDemo(database.db, files, app.log, { dossiers: 0, keyring: app.keyring });
  await app.listen({ host: '127.0.0.1', port });
});

afterAll(async () => {
  await app?.close();
  await idp?.close();
  await database?.close();
  await drop?.();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** A browser: a cookie jar (host + path + name), manual redirects so every hop is seen. */
function browser() {
  const jar = new Map<string, { host: string; path: string; name: string; value: string }>();
  const store = (url: URL, header: string) => {
    const [pair, ...attrs] = header.split(';');
    const i = pair!.indexOf('=');
    const name = pair!.slice(0, i).trim();
    const value = pair!.slice(i + 1).trim();
    let cpath = '/';
    let expired = false;
    for (const a of attrs) {
      const [k, v] = a.trim().split('=');
      if (k!.toLowerCase() === 'path' && v) cpath = v;
      if (k!.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      if (k!.toLowerCase() === 'expires' && v && Date.parse(v) < Date.now()) expired = true;
    }
    const key = `${url.hostname}|${cpath}|${name}`;
    if (expired) jar.delete(key);
    else jar.set(key, { host: url.hostname, path: cpath, name, value });
  };
  const cookieFor = (url: URL) =>
    [...jar.values()]
      .filter((c) => c.host === url.hostname && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  const hops: string[] = [];
  async function request(method: string, href: string, body?: URLSearchParams) {
    const url = new URL(href);
    const cookie = cookieFor(url);
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: {
        accept: 'text/html',
        'user-agent': 'Mozilla/5.0 (test browser)',
        ...(cookie ? { cookie } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(body ? { body: body.toString() } : {}),
    });
    for (const c of res.headers.getSetCookie()) store(url, c);
    hops.push(`${method} ${url.origin}${url.pathname} → ${res.status}`);
    return { url, res, text: await res.text() };
  }
  /** Follows redirects (303/302 become GET) until a page that is not a redirect; stops early at `until`. */
  async function go(method: string, href: string, body?: URLSearchParams, until?: (u: URL) => boolean) {
    let r = await request(method, href, body);
    for (let n = 0; n < 15 && r.res.status >= 300 && r.res.status < 400; n++) {
      const next = new URL(r.res.headers.get('location')!, r.url);
      if (until?.(next)) return { ...r, stoppedAt: next };
      r = await request('GET', next.href);
    }
    return { ...r, stoppedAt: null as URL | null };
  }
  const cookie = (name: string) => [...jar.values()].find((c) => c.name === name)?.value;
  return { go, request, cookie, hops, jar };
}

/** A dossier the desk files and submits for a walk-in applicant with this ID number; its id. */
async function deskFiledDossier(idNumber: string): Promise<string> {
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'reception.dung', password: 'tinhso-demo' } });
  const auth = { authorization: `Bearer ${login.json().token as string}` };
  const def = (await app.inject({ method: 'GET', url: '/api/v1/procedures/1.001193' })).json().definition;
  const form = plainAnswers(def.form, { idNumber, name: 'Phạm Minh Tuấn' });
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/dossiers',
    headers: auth,
    payload: { procedureCode: '1.001193', applicant: { type: 'citizen', fullName: 'Phạm Minh Tuấn', idNumber }, form, channel: 'in_person' },
  });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  for (const c of def.components.filter((x: { required: boolean }) => x.required)) {
    const body = multipart({ component: c.code }, { name: 'a.pdf', type: 'application/pdf', data: SAMPLE_PDF });
    const up = await app.inject({ method: 'POST', url: `/api/v1/dossiers/${id}/files`, headers: { ...auth, ...body.headers }, payload: body.payload });
    expect(up.statusCode, up.body).toBe(201);
  }
  const sub = await app.inject({ method: 'POST', url: `/api/v1/dossiers/${id}/submit`, headers: auth });
  expect(sub.statusCode, sub.body).toBe(200);
  return id;
}

/** From the portal's VNeID button to the provider's page, choosing `sub`, back to the portal. */
async function signInWithVneid(b: ReturnType<typeof browser>, sub: string, next = '/ho-so') {
  const chooser = await b.go('GET', `${base}/auth/oidc/login?next=${encodeURIComponent(next)}`);
  expect(chooser.res.status).toBe(200);
  expect(chooser.url.origin).toBe(idp.issuer);
  const action = /<form method="post" action="([^"]+\/login)"/.exec(chooser.text)![1]!;
  expect(chooser.text).toContain(`value="${sub}"`);
  return b.go('POST', new URL(action, chooser.url).href, new URLSearchParams({ sub }));
}

const CODE = '1.001193';
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

describe('sign-in with the national electronic identity (VNeID) through OpenID Connect', () => {
  it('the sign-in page offers it; login starts an authorization-code request with PKCE (S256), state and nonce', async () => {
    const b = browser();
    const page = await b.go('GET', `${base}/dang-nhap?next=%2Fho-so`);
    expect(page.text).toContain('href="/auth/oidc/login?next=%2Fho-so"');
    expect(page.text).toContain('Đăng nhập bằng định danh điện tử VNeID');
    const start = await b.request('GET', `${base}/auth/oidc/login?next=%2Fho-so`);
    expect(start.res.status).toBe(303);
    const auth = new URL(start.res.headers.get('location')!);
    expect(`${auth.origin}`).toBe(idp.issuer);
    expect(Object.fromEntries(auth.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'tinhso',
      redirect_uri: `${base}/auth/oidc/callback`,
      scope: 'openid profile vneid',
      code_challenge_method: 'S256',
    });
    expect(auth.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(auth.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(auth.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const set = start.res.headers.getSetCookie().find((c) => c.startsWith('tinhso_oidc='))!;
    expect(set).toContain('HttpOnly');
    expect(set).toContain('SameSite=Lax');
    // The pending state is sealed: neither the verifier nor the state is readable in the cookie.
    expect(decodeURIComponent(set)).not.toContain(auth.searchParams.get('state')!);
  });

  it('links the account holding the ID number, opens a vneid session, and dossiers created in it carry the flag', async () => {
    const b = browser();
    const done = await signInWithVneid(b, 'vneid-demo-0001', '/ho-so');
    expect(done.url.href).toBe(`${base}/ho-so`);
    expect(done.res.status).toBe(200);
    expect(b.hops.some((h) => h.startsWith(`GET ${base}/auth/oidc/callback → 303`))).toBe(true);
    const token = b.cookie('tinhso_session')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(b.cookie('tinhso_oidc')).toBeUndefined();

    const me = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ username: 'citizen.an', displayName: 'Nguyễn Văn An', kind: 'citizen' });
    const [link] = await queryRows<{ username: string; subject: string; identity_level: number }>(
      database.db,
      sql`SELECT u.username, e.subject, e.identity_level FROM external_identities e JOIN users u ON u.id = e.user_id`,
    );
    expect(link).toEqual({ username: 'citizen.an', subject: 'vneid-demo-0001', identity_level: 2 });
    const account = await b.go('GET', `${base}/tai-khoan`);
    expect(account.text).toContain('Định danh điện tử VNeID');

    // A dossier created in the VNeID session is flagged; one created after a password sign-in is not.
    const create = (bearer: string) =>
      fetch(`${base}/api/v1/dossiers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ procedureCode: CODE, applicant, form: {} }),
      });
    const viaVneid = await create(token);
    expect(viaVneid.status).toBe(201);
    const vneidId = ((await viaVneid.json()) as { id: string }).id;
    const pw = (await (
      await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'citizen.an', password: 'tinhso-demo' }),
      })
    ).json()) as { token: string };
    const viaPassword = await create(pw.token);
    const passwordId = ((await viaPassword.json()) as { id: string }).id;
    const flags = await queryRows<{ id: string; applicant_verified_by: string | null }>(
      database.db,
      sql`SELECT id, applicant_verified_by FROM dossiers WHERE id IN (${vneidId}, ${passwordId})`,
    );
    expect(Object.fromEntries(flags.map((f) => [f.id, f.applicant_verified_by]))).toEqual({ [vneidId]: 'vneid', [passwordId]: null });

    const audit = await queryRows<{ action: string; details: { method?: string } }>(
      database.db,
      sql`SELECT action, details FROM audit_log WHERE action IN ('auth.login', 'identity.link') ORDER BY id`,
    );
    expect(audit.map((a) => `${a.action}:${a.details.method ?? ''}`)).toEqual(['identity.link:', 'auth.login:vneid', 'auth.login:password']);
  });

  it('a person with no account gets a citizen account; the next sign-in finds the same account', async () => {
    // Before: the desk files (and submits) a dossier for this ID number; the person has no account yet.
    const walkIn = await deskFiledDossier('036200009999');
    const first = browser();
    const done = await signInWithVneid(first, 'vneid-demo-0004', '/');
    expect(done.url.href).toBe(`${base}/`);
    // The ID number is stored encrypted, found by its keyed hash.
    const hash = idNumberHash(app.keyring, '036200009999');
    const rows = await queryRows<{
      id: string;
      username: string;
      display_name: string;
      kind: string;
      id_number_enc: string;
      password_hash: string | null;
      roles: string;
    }>(
      database.db,
      sql`SELECT u.id, u.username, u.display_name, u.kind, u.id_number_enc, u.password_hash, (SELECT string_agg(role, ',') FROM user_roles r WHERE r.user_id = u.id) AS roles FROM users u WHERE u.id_number_hash = ${hash}`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ display_name: 'Phạm Minh Tuấn', kind: 'citizen', password_hash: null, roles: 'citizen' });
    expect(rows[0]!.id_number_enc).toMatch(/^enc:v1:/);
    expect(openUserFields(app.keyring, { id: rows[0]!.id, idNumberEnc: rows[0]!.id_number_enc, phoneEnc: null }).idNumber).toBe('036200009999');
    expect(rows[0]!.username).toMatch(/^vneid\.[0-9a-f]{10}$/);
    const again = browser();
    await signInWithVneid(again, 'vneid-demo-0004', '/');
    const me = (await (await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${again.cookie('tinhso_session')}` } })).json()) as { id: string };
    expect(me.id).toBe(rows[0]!.id);
    // The walk-in dossier of that ID number is now theirs: the national identity proved who they are.
    const theirs = await fetch(`${base}/api/v1/dossiers/${walkIn}`, { headers: { authorization: `Bearer ${again.cookie('tinhso_session')}` } });
    expect(theirs.status).toBe(200);
    expect((await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM users WHERE id_number_hash = ${hash}`))[0]!.n).toBe(1);
  });

  it('refuses a callback whose state does not match, one without the sign-in cookie, and a replayed code', async () => {
    const b = browser();
    const chooser = await b.go('GET', `${base}/auth/oidc/login?next=%2F`);
    const action = /<form method="post" action="([^"]+\/login)"/.exec(chooser.text)![1]!;
    const atCallback = await b.go(
      'POST',
      new URL(action, chooser.url).href,
      new URLSearchParams({ sub: 'vneid-demo-0002' }),
      (u) => u.pathname === '/auth/oidc/callback',
    );
    const callback = atCallback.stoppedAt!;
    expect(callback.searchParams.get('code')).toBeTruthy();
    const tampered = new URL(callback);
    tampered.searchParams.set('state', 'not-the-state-we-sent-0123456789');
    const bad = await b.request('GET', tampered.href);
    expect(bad.res.status).toBe(400);
    expect(bad.res.headers.get('content-type')).toContain('text/html');
    expect(bad.text).toContain('Không đăng nhập được bằng định danh điện tử');
    expect(b.cookie('tinhso_session')).toBeUndefined();
    // The sign-in cookie was used up: the genuine callback now fails too (one attempt per start).
    const replay = await b.request('GET', callback.href);
    expect(replay.res.status).toBe(400);
    expect(replay.text).toContain('đã hết hạn hoặc không hợp lệ');
    expect(b.cookie('tinhso_session')).toBeUndefined();
    // No session was created for citizen.binh by any of this.
    const [n] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'citizen.binh'`,
    );
    expect(n!.n).toBe(0);
    const failures = await queryRows<{ details: { code: string } }>(
      database.db,
      sql`SELECT details FROM audit_log WHERE action = 'auth.login.vneid' AND outcome = 'failure'`,
    );
    expect(failures.map((f) => f.details.code)).toContain('OIDC_FAILED');
  });

  it('says each failure in the page’s language: the provider’s refusal, a wrong state, a code it never issued', async () => {
    const ACCENTED = /[\u00C0-\u024F\u1E00-\u1EFF]/;
    /** The failure page's message (the paragraph under its heading). */
    const said = (text: string) => /<h1>[^<]*<\/h1>\s*<p>([^<]*)<\/p>/.exec(text)?.[1] ?? '';
    /** A browser in `lang` that has started a sign-in: its state, and the provider's page. */
    const started = async (lang: 'vi' | 'en') => {
      const b = browser();
      await b.go('GET', `${base}/lang?to=${lang}&back=%2F`);
      const start = await b.request('GET', `${base}/auth/oidc/login?next=%2Fho-so`);
      const state = new URL(start.res.headers.get('location')!).searchParams.get('state')!;
      return { b, state, callback: (q: Record<string, string>) => b.request('GET', `${base}/auth/oidc/callback?${new URLSearchParams(q)}`) };
    };
    const failures = [
      {
        // The provider answers the authorization request with an error of its own (not a cancellation).
        provoke: (s: Awaited<ReturnType<typeof started>>) => s.callback({ error: 'invalid_scope', error_description: 'scope not allowed', state: s.state }),
        en: 'The electronic identity system refused the sign-in request.',
        vi: 'Hệ thống định danh điện tử từ chối yêu cầu đăng nhập.',
      },
      {
        provoke: (s: Awaited<ReturnType<typeof started>>) => s.callback({ code: 'a-code-from-elsewhere', state: 'not-the-state-we-sent-0123456789' }),
        en: 'The result of signing in with the electronic identity could not be verified. Please try again.',
        vi: 'Không xác minh được kết quả đăng nhập bằng định danh điện tử. Hãy thử lại.',
      },
      {
        // The state is ours, the code is not one the provider issued: the token endpoint refuses it.
        provoke: (s: Awaited<ReturnType<typeof started>>) => s.callback({ code: 'never-issued-0123456789', state: s.state }),
        en: 'The result of signing in with the electronic identity could not be verified. Please try again.',
        vi: 'Không xác minh được kết quả đăng nhập bằng định danh điện tử. Hãy thử lại.',
      },
    ];
    for (const f of failures) {
      const en = await f.provoke(await started('en'));
      expect(en.res.status, en.text.slice(0, 300)).toBe(400);
      expect(en.text).toContain('<html lang="en"');
      expect(en.text).toContain('<h1>Could not sign in with the electronic identity</h1>');
      expect(said(en.text)).toBe(f.en);
      expect(said(en.text)).not.toMatch(ACCENTED);
      const vi = await f.provoke(await started('vi'));
      expect(vi.res.status).toBe(400);
      expect(said(vi.text)).toBe(f.vi);
    }
    const codes = await queryRows<{ code: string }>(
      database.db,
      sql`SELECT details->>'code' AS code FROM audit_log WHERE action = 'auth.login.vneid' AND outcome = 'failure' ORDER BY id DESC LIMIT 6`,
    );
    expect(codes.map((c) => c.code)).toEqual(Array(6).fill('OIDC_FAILED'));
  });

  it('cancelling at the provider comes back to a readable page', async () => {
    const b = browser();
    const chooser = await b.go('GET', `${base}/auth/oidc/login?next=%2F`);
    const cancel = /<form method="post" action="([^"]+\/cancel)"/.exec(chooser.text)![1]!;
    const back = await b.go('POST', new URL(cancel, chooser.url).href, new URLSearchParams());
    expect(back.url.pathname).toBe('/auth/oidc/callback');
    expect(back.res.status).toBe(400);
    expect(back.text).toContain('Bạn đã huỷ đăng nhập bằng định danh điện tử.');
    expect(back.text).toContain('href="/auth/oidc/login?next=%2F"');
  });
});

describe('development without a configured callback: the callback follows the loopback host the person uses', () => {
  // No OIDC_REDIRECT_URI or PUBLIC_BASE_URL, the local provider as main.ts starts it (withLocalIdp):
  // a sign-in started at http://127.0.0.1:PORT must come back there, where its cookie was set.
  let devApp: FastifyInstance;
  let devIdp: LocalIdp;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    const local = await withLocalIdp(loadConfig({ NODE_ENV: 'development', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
    devIdp = local.idp!;
    expect(local.config.oidc.redirectUri).toBeUndefined();
    devApp = await buildApp({ config: local.config, database, files });
    await devApp.listen({ host: '127.0.0.1', port });
  });

  afterAll(async () => {
    await devApp?.close();
    await devIdp?.close();
  });

  /** Signs in as `sub` from the portal at `origin`; the page it ends on. */
  async function signInAt(b: ReturnType<typeof browser>, origin: string, sub: string) {
    const chooser = await b.go('GET', `${origin}/auth/oidc/login?next=%2Ftai-khoan`);
    expect(chooser.res.status, chooser.text.slice(0, 300)).toBe(200);
    expect(chooser.url.origin).toBe(devIdp.issuer);
    const action = /<form method="post" action="([^"]+\/login)"/.exec(chooser.text)![1]!;
    return b.go('POST', new URL(action, chooser.url).href, new URLSearchParams({ sub }));
  }

  for (const [name, sub, username] of [
    ['127.0.0.1', 'vneid-demo-0001', 'citizen.an'],
    ['localhost', 'vneid-demo-0002', 'citizen.binh'],
  ] as const) {
    it(`a sign-in started at http://${name}:PORT comes back to ${name} and completes`, async () => {
      const origin = `http://${name}:${port}`;
      const b = browser();
      const done = await signInAt(b, origin, sub);
      expect(
        b.hops.some((h) => h.startsWith(`GET ${origin}/auth/oidc/callback → 303`)),
        b.hops.join('\n'),
      ).toBe(true);
      expect(done.url.href).toBe(`${origin}/tai-khoan`);
      expect(done.res.status).toBe(200);
      expect(done.text).toContain('Định danh điện tử VNeID');
      // The session cookie belongs to the host the person is using; the sign-in cookie is used up.
      const session = [...b.jar.values()].find((c) => c.name === 'tinhso_session')!;
      expect(session.host).toBe(name);
      expect(b.cookie('tinhso_oidc')).toBeUndefined();
      const me = await fetch(`${origin}/api/v1/me`, { headers: { authorization: `Bearer ${session.value}` } });
      expect(((await me.json()) as { username: string }).username).toBe(username);
    });
  }

  it('the authorization request names the loopback host used (localhost, 127.0.0.1, [::1]); the provider accepts each', async () => {
    for (const name of ['localhost', '127.0.0.1', '[::1]']) {
      const start = await devApp.inject({ method: 'GET', url: '/auth/oidc/login?next=%2F', headers: { host: `${name}:${port}` } });
      expect(start.statusCode).toBe(303);
      const auth = new URL(start.headers.location as string);
      expect(auth.searchParams.get('redirect_uri')).toBe(`http://${name}:${port}/auth/oidc/callback`);
      // The sealed pending state keeps it for the token request.
      const sealed = /tinhso_oidc=([^;]+)/.exec(String(start.headers['set-cookie']))![1]!;
      expect(JSON.parse(devApp.keyring.decrypt(decodeURIComponent(sealed), 'oidc_pending'))).toMatchObject({
        redirectUri: `http://${name}:${port}/auth/oidc/callback`,
      });
      // The stand-in knows this callback: it goes on to its sign-in page, not to an error.
      const atIdp = await fetch(auth, { redirect: 'manual' });
      expect(atIdp.status, await atIdp.text()).toBe(303);
      expect(new URL(atIdp.headers.get('location')!, auth).pathname).toMatch(/^\/interaction\/[A-Za-z0-9_-]+$/);
    }
  });

  it('a foreign Host header (or another port) never becomes the redirect URI: the default callback is used', async () => {
    const fallback = `http://localhost:${port}/auth/oidc/callback`;
    for (const host of ['evil.example', `evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
      const start = await devApp.inject({ method: 'GET', url: '/auth/oidc/login?next=%2F', headers: { host } });
      expect(start.statusCode, host).toBe(303);
      const auth = new URL(start.headers.location as string);
      expect(auth.searchParams.get('redirect_uri'), host).toBe(fallback);
      const sealed = /tinhso_oidc=([^;]+)/.exec(String(start.headers['set-cookie']))![1]!;
      expect(JSON.parse(devApp.keyring.decrypt(decodeURIComponent(sealed), 'oidc_pending')).redirectUri).toBe(fallback);
    }
    // And the stand-in refuses a callback it was not registered with.
    const start = await devApp.inject({ method: 'GET', url: '/auth/oidc/login?next=%2F', headers: { host: `127.0.0.1:${port}` } });
    const auth = new URL(start.headers.location as string);
    auth.searchParams.set('redirect_uri', 'http://evil.example/auth/oidc/callback');
    const refused = await fetch(auth, { redirect: 'manual' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('redirect_uri');
  });
});
