import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { queryRows, sql } from '../src/db/client.ts';
import { DEMO_PASSWORD } from '../src/db/demo/seed.ts';
import { createTestApp, multipart, submittedDossier, type TestApp } from './harness.ts';
import { cookieNamed, cookiePair, csrfOf, setCookies, type WebRes } from './web-client.ts';

// Issue 6 "Hardening", checked from the outside on every page a user can reach: the portal is
// crawled as a visitor and as each role (links followed breadth-first), and every HTML answer
// must carry the strict Content-Security-Policy, nosniff, a Referrer-Policy and
// frame-ancestors 'none', and hold nothing that policy would block (inline script, inline style,
// event-handler attributes). Every POST form found on those pages must refuse a missing, a wrong
// and another session's CSRF token with a readable page, and change nothing. Session cookies are
// HttpOnly and SameSite, and Secure in production. Under /api/ every unknown or malformed path
// answers problem+json, never a portal page (the fuzz finding on /payments/{id}/receipt.pdf).

let t: TestApp;
let address = 0;
/** Each request from its own address, so the sign-in rate limit (20 a minute per address) never answers instead of the check under test. */
const nextAddress = () => `10.77.${Math.floor(++address / 250) % 250}.${(address % 250) + 1}`;

/** A browser's GET (it asks for HTML). */
async function get(url: string, cookie?: string): Promise<WebRes> {
  const res = await t.app.inject({
    method: 'GET',
    url,
    remoteAddress: nextAddress(),
    headers: { accept: 'text/html,application/xhtml+xml', ...(cookie ? { cookie } : {}) },
  });
  return { status: res.statusCode, body: res.body, headers: res.headers };
}

/** A browser's form POST. */
async function postForm(url: string, form: Record<string, string>, cookie?: string): Promise<WebRes> {
  const res = await t.app.inject({
    method: 'POST',
    url,
    remoteAddress: nextAddress(),
    payload: new URLSearchParams(form).toString(),
    headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  });
  return { status: res.statusCode, body: res.body, headers: res.headers };
}
const ROLES = ['citizen.an', 'business.cuong', 'reception.dung', 'specialist.giang', 'leader.hoa', 'admin.lan', 'security.minh'] as const;
const CSRF_MESSAGE = 'Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang và gửi lại.';

/** Not pages, or pages that would end the crawl's session or change its language. */
const SKIP =
  /^\/(api\/|assets\/|lang\b|dang-xuat\b|auth\/oidc\b|metrics\b|\.well-known\/)|\.(pdf|png|svg|csv|xlsx|json|zip)(\?|$)|^\/tai-khoan\/du-lieu-ca-nhan/;
/** At most this many pages of one shape (ids and numbers replaced), and of one role. */
const PER_SHAPE = 2;
const PER_ROLE = 70;

const shapeOf = (url: string) =>
  url
    .replace(/\?.*$/, (q) => `?${[...new URLSearchParams(q.slice(1)).keys()].sort().join('&')}`)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, ':id')
    .replace(/\d[\d.]*/g, 'n');

const unescapeAttr = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');

interface Page {
  url: string;
  as: string | null;
  res: WebRes;
}
interface Form {
  action: string;
  multipart: boolean;
  from: string;
  as: string | null;
}

const pages: Page[] = [];
const forms = new Map<string, Form>();
const cookies: Record<string, string> = {};

/** Follows same-site links breadth-first from the seeds; keeps every HTML answer and every POST form. */
async function crawl(as: string | null, seeds: string[]): Promise<void> {
  const cookie = as ? cookies[as] : undefined;
  const seen = new Set<string>();
  const shapes = new Map<string, number>();
  const queue = [...seeds];
  let visited = 0;
  while (queue.length && visited < PER_ROLE) {
    const url = queue.shift()!;
    if (seen.has(url) || SKIP.test(url)) continue;
    seen.add(url);
    const shape = shapeOf(url);
    if ((shapes.get(shape) ?? 0) >= PER_SHAPE) continue;
    shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
    visited++;
    const res = await get(url, cookie);
    if (!String(res.headers['content-type'] ?? '').startsWith('text/html')) continue;
    pages.push({ url, as, res });
    for (const m of res.body.matchAll(/<a\b[^>]*\bhref="(\/[^"#]*)"/g)) queue.push(unescapeAttr(m[1]!));
    for (const m of res.body.matchAll(/<form\b([^>]*)>/g)) {
      const attrs = m[1]!;
      if (!/method="post"/i.test(attrs)) continue;
      const action = unescapeAttr(/action="([^"]*)"/.exec(attrs)?.[1] ?? url);
      const key = `${as ?? '-'} ${shapeOf(action)}`;
      if (!forms.has(key)) forms.set(key, { action, multipart: /multipart\/form-data/i.test(attrs), from: url, as });
    }
  }
}

beforeAll(async () => {
  t = await createTestApp({ dossiers: 30 });
  for (const u of ROLES) cookies[u] = `tinhso_session=${await t.token(u)}`;
  // A dossier of citizen.an's waiting at the desk, so the staff pages have something to show.
  const created = await t.request({
    method: 'POST',
    url: '/api/v1/dossiers',
    as: 'citizen.an',
    payload: { procedureCode: '1.001193', applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form: {} },
  });
  expect(created.status).toBe(201);
  // And one the desk filed and submitted, waiting to be received: its officer page always has
  // action forms (the 30 generated dossiers depend on the time of day the test runs).
  const submitted = await submittedDossier(t, 'reception.dung', {
    procedureCode: '1.001193',
    channel: 'in_person',
    applicant: { type: 'citizen', fullName: 'Lò Văn Sơn', idNumber: '036188004455' },
  });
  const waiting = `/can-bo/ho-so/${encodeURIComponent(submitted.code)}`;
  // One account with two-step verification on, so its account page shows both code forms.
  const enrol = await t.request({ method: 'POST', url: '/api/v1/me/totp/enrolment', as: 'specialist.giang' });
  expect(enrol.status).toBe(200);
  const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(enrol.json.secret as string), algorithm: 'SHA1', digits: 6, period: 30 });
  expect((await t.request({ method: 'POST', url: '/api/v1/me/totp/confirmation', as: 'specialist.giang', payload: { code: totp.generate() } })).status).toBe(
    200,
  );
  const common = ['/', '/thu-tuc', '/tra-cuu', '/dang-nhap', '/ho-so', '/tai-khoan', '/khong-co-trang-nay'];
  await crawl(null, common);
  await crawl('citizen.an', [...common, `/ho-so/${created.json.id}`, `/ho-so/${created.json.id}/kiem-tra`, '/ho-so/moi?thu-tuc=1.001193']);
  await crawl('business.cuong', common);
  await crawl('reception.dung', [...common, waiting, '/can-bo/ho-so', '/can-bo/tiep-nhan']);
  await crawl('specialist.giang', [...common, '/can-bo/ho-so']);
  await crawl('leader.hoa', [...common, '/can-bo/ho-so', '/bang-dieu-khien', '/bao-cao']);
  await crawl('admin.lan', [...common, '/quan-tri', '/bang-dieu-khien', '/an-ninh']);
  await crawl('security.minh', [...common, '/an-ninh', '/an-ninh?muc-do=high&tu-ngay=2026-01-01']);
}, 240_000);
afterAll(async () => t?.close());

/** The policy's directives by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map((d) => [d[0]!.toLowerCase(), d.slice(1)]),
  );
}

/** What a strict policy blocks and a page must therefore not rely on. */
function inlineProblems(body: string): string[] {
  const found: string[] = [];
  for (const m of body.matchAll(/<script\b([^>]*)>/gi)) if (!/\bsrc=/.test(m[1]!)) found.push(`inline script ${m[0]}`);
  for (const m of body.matchAll(/<style\b/gi)) found.push(`style element at ${m.index}`);
  for (const m of body.matchAll(/<[a-z][^>]*\sstyle="[^"]*"/gi)) found.push(`style attribute ${m[0].slice(0, 80)}`);
  for (const m of body.matchAll(/<[a-z][^>]*\son[a-z]+=/gi)) found.push(`event handler ${m[0].slice(0, 80)}`);
  for (const m of body.matchAll(/(href|src|action)="\s*javascript:/gi)) found.push(`javascript: URL ${m[0]}`);
  return found;
}

function expectHardened(p: { url: string; as: string | null; res: WebRes }) {
  const where = `${p.as ?? 'visitor'} ${p.url} (${p.res.status})`;
  const h = p.res.headers;
  const csp = String(h['content-security-policy'] ?? '');
  expect(csp, where).not.toBe('');
  const d = directives(csp);
  expect(d.get('default-src'), where).toEqual(["'self'"]);
  expect(d.get('script-src'), where).toEqual(["'self'"]);
  expect(d.get('style-src'), where).toEqual(["'self'"]);
  expect(d.get('frame-ancestors'), where).toEqual(["'none'"]);
  expect(d.get('base-uri'), where).toEqual(["'none'"]);
  expect(d.get('form-action'), where).toEqual(["'self'"]);
  expect(csp, where).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(h['x-content-type-options'], where).toBe('nosniff');
  expect(['same-origin', 'no-referrer', 'strict-origin', 'strict-origin-when-cross-origin'], where).toContain(h['referrer-policy']);
  if (p.as) expect(h['cache-control'], where).toBe('no-store');
  expect(inlineProblems(p.res.body), where).toEqual([]);
}

describe('security headers on every page', () => {
  it('the crawl reached the pages of every role (a guard against a crawl that finds nothing)', () => {
    const urls = (as: string | null) => pages.filter((p) => p.as === as).map((p) => p.url.split('?')[0]);
    for (const as of [null, ...ROLES]) console.log(`[hardening] ${as ?? 'visitor'}: ${urls(as).join(' ')}`);
    expect(pages.length).toBeGreaterThan(120);
    expect(urls(null)).toEqual(expect.arrayContaining(['/', '/thu-tuc', '/tra-cuu', '/dang-nhap', '/khong-co-trang-nay']));
    expect(urls('citizen.an')).toEqual(expect.arrayContaining(['/ho-so', '/tai-khoan', '/ho-so/moi']));
    expect(urls('reception.dung')).toEqual(expect.arrayContaining(['/can-bo/ho-so', '/can-bo/tiep-nhan']));
    expect(urls('leader.hoa')).toEqual(expect.arrayContaining(['/bang-dieu-khien', '/bao-cao']));
    expect(urls('admin.lan').some((u) => u!.startsWith('/quan-tri/'))).toBe(true);
    expect(urls('security.minh')).toContain('/an-ninh');
    // Error pages are pages too: the 404 and a 403.
    expect(pages.some((p) => p.res.status === 404)).toBe(true);
    expect(pages.some((p) => p.res.status === 403)).toBe(true);
  });

  it('every HTML answer carries the strict CSP, nosniff, Referrer-Policy and frame-ancestors, and nothing inline', () => {
    for (const p of pages) expectHardened(p);
  });

  it('no page repeats an id, and every label names a control that exists (forms stay usable with a screen reader)', () => {
    const problems: string[] = [];
    for (const p of pages) {
      const ids = [...p.res.body.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
      const seen = new Set<string>();
      for (const id of ids) {
        if (seen.has(id)) problems.push(`${p.as ?? 'visitor'} ${p.url}: id "${id}" twice`);
        seen.add(id);
      }
      for (const m of p.res.body.matchAll(/<label\b[^>]*\bfor="([^"]+)"/g))
        if (!seen.has(m[1]!)) problems.push(`${p.as ?? 'visitor'} ${p.url}: label for "${m[1]}" has no control`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });

  it('so do the pages reached only by posting: a failed sign-in, the lockout page, the second step', async () => {
    const page = await get('/dang-nhap');
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const csrf = csrfOf(page.body);
    const wrong = await postForm('/dang-nhap', { csrf, username: 'officer.khanh', password: 'sai', next: '/' }, pre);
    expect([401, 422]).toContain(wrong.status);
    expect(wrong.body).toContain('Tên đăng nhập hoặc mật khẩu không đúng');
    expectHardened({ url: 'POST /dang-nhap (wrong)', as: null, res: wrong });
    let locked: WebRes = wrong;
    for (let i = 0; i < 6 && locked.status !== 423; i++)
      locked = await postForm('/dang-nhap', { csrf, username: 'officer.khanh', password: `sai-${i}`, next: '/' }, pre);
    expect(locked.status).toBe(423);
    expect(locked.headers['retry-after']).toMatch(/^\d+$/);
    expect(locked.body).toContain('Tài khoản tạm khoá do đăng nhập sai nhiều lần.');
    expectHardened({ url: 'POST /dang-nhap (locked)', as: null, res: locked });
    const expired = await get('/dang-nhap/xac-thuc', pre);
    expect(expired.status).toBe(401);
    expectHardened({ url: '/dang-nhap/xac-thuc (no challenge)', as: null, res: expired });
  });
});

describe('CSRF on every POST form', () => {
  /** The form's request with the given token (none: no field at all). */
  const post = async (f: Form, csrf: string | null, cookie?: string): Promise<WebRes> => {
    const fields: Record<string, string> = csrf === null ? {} : { csrf };
    const c = cookie ?? (f.as ? cookies[f.as] : undefined);
    if (!f.multipart) return postForm(f.action, fields, c);
    const m = multipart(fields, { name: 'a.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') });
    const res = await t.app.inject({
      method: 'POST',
      url: f.action,
      remoteAddress: nextAddress(),
      payload: m.payload,
      headers: { ...m.headers, accept: 'text/html', ...(c ? { cookie: c } : {}) },
    });
    return { status: res.statusCode, body: res.body, headers: res.headers };
  };

  it('found the forms (sign-out, account, staff actions, administration)', () => {
    const actions = [...forms.values()].map((f) => f.action.split('?')[0]!);
    console.log(`[hardening] ${pages.length} pages, ${forms.size} POST forms: ${[...new Set(actions)].sort().join(' ')}`);
    expect(forms.size).toBeGreaterThan(15);
    expect(actions).toEqual(expect.arrayContaining(['/dang-xuat', '/dang-nhap', '/tai-khoan/xac-thuc-hai-buoc', '/tai-khoan/yeu-cau-dinh-chinh']));
    expect(actions.some((a) => a.startsWith('/can-bo/'))).toBe(true);
    expect(actions.some((a) => a.startsWith('/quan-tri/'))).toBe(true);
  });

  it('each refuses no token, a wrong token and another session’s token with a readable 403 page', async () => {
    // A real token, but bound to another person's session.
    const tokenOf = async (as: string) => csrfOf((await get('/tai-khoan', cookies[as])).body);
    const [an, cuong] = [await tokenOf('citizen.an'), await tokenOf('business.cuong')];
    expect(an).toMatch(/.{20,}/);
    const foreignFor = (as: string | null) => (as === 'citizen.an' ? cuong : an);
    const failures: string[] = [];
    for (const f of forms.values()) {
      for (const [label, token] of [
        ['none', null],
        ['wrong', 'x'.repeat(43)],
        ['foreign', foreignFor(f.as)],
      ] as const) {
        const res = await post(f, token);
        const where = `${f.as ?? 'visitor'} POST ${f.action} (${label} token; form on ${f.from})`;
        if (res.status !== 403) failures.push(`${where}: ${res.status}`);
        else {
          expect(String(res.headers['content-type']), where).toMatch(/^text\/html/);
          expect(res.body, where).toContain(CSRF_MESSAGE);
          expect(res.body, where).toMatch(/<h1>[^<]+<\/h1>/);
          expectHardened({ url: where, as: f.as, res });
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('a refused form changes nothing: sign-out, signing out other sessions, a correction request', async () => {
    const second = `tinhso_session=${(await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'citizen.binh', password: DEMO_PASSWORD } })).json.token}`;
    const other = (await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'citizen.binh', password: DEMO_PASSWORD } })).json
      .token as string;
    expect((await postForm('/dang-xuat', { csrf: 'forged' }, second)).status).toBe(403);
    expect((await postForm('/tai-khoan/phien/dang-xuat-khac', {}, second)).status).toBe(403);
    expect((await postForm('/tai-khoan/yeu-cau-dinh-chinh', { csrf: 'forged', details: 'Sửa tên' }, second)).status).toBe(403);
    expect((await get('/tai-khoan', second)).status).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me/sessions', headers: { authorization: `Bearer ${other}` } })).statusCode).toBe(200);
    const [n] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM data_requests d JOIN users u ON u.id = d.user_id WHERE u.username = 'citizen.binh'`,
    );
    expect(Number(n!.n)).toBe(0);
    // With the right token the same correction request goes through (the refusal was the token).
    const payload = 'Sửa tên <script>alert(1)</script>"><img src=x onerror=alert(1)>';
    const ok = await postForm('/tai-khoan/yeu-cau-dinh-chinh', { csrf: csrfOf((await get('/tai-khoan', second)).body), details: payload }, second);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/tai-khoan?xong=dinh-chinh');
    // Shown back escaped, with the notice.
    const after = await get('/tai-khoan?xong=dinh-chinh', second);
    expect(after.body).toContain('Đã gửi yêu cầu đính chính.');
    expect(after.body).toContain('Sửa tên &lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(inlineProblems(after.body)).toEqual([]);
    // Empty and over-long texts are refused with the error summary pointing at the field.
    const csrf = csrfOf(after.body);
    const empty = await postForm('/tai-khoan/yeu-cau-dinh-chinh', { csrf, details: '   ' }, second);
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('<a href="#correction-details">Hãy nhập thông tin cần đính chính</a>');
    const long = await postForm('/tai-khoan/yeu-cau-dinh-chinh', { csrf, details: 'a'.repeat(4001) }, second);
    expect(long.status).toBe(422);
    expect(long.body).toContain('Nội dung dài quá 4.000 ký tự, hãy rút gọn');
    const [m] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM data_requests d JOIN users u ON u.id = d.user_id WHERE u.username = 'citizen.binh'`,
    );
    expect(Number(m!.n)).toBe(1);
  });
});

describe('cookies', () => {
  const flags = (c: string | undefined) =>
    (c ?? '')
      .split(';')
      .slice(1)
      .map((x) => x.trim().toLowerCase());

  async function signInThroughForm(app = t.app, username = 'citizen.an') {
    const remoteAddress = nextAddress();
    const page = await app.inject({ method: 'GET', url: '/dang-nhap', remoteAddress });
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const res = await app.inject({
      method: 'POST',
      remoteAddress,
      url: '/dang-nhap',
      payload: new URLSearchParams({ csrf: csrfOf(page.body), username, password: DEMO_PASSWORD, next: '/' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre },
    });
    return { page, res };
  }

  it('outside production: the session and form cookies are HttpOnly, SameSite=Lax, Path=/, not Secure (plain http on a laptop)', async () => {
    const { page, res } = await signInThroughForm();
    expect(res.statusCode).toBe(303);
    const session = cookieNamed(res.headers, 'tinhso_session');
    expect(session).toMatch(/^tinhso_session=[A-Za-z0-9_-]{20,}/);
    expect(flags(session)).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
    expect(flags(session)).not.toContain('secure');
    expect(flags(cookieNamed(page.headers, 'tinhso_csrf'))).toEqual(expect.arrayContaining(['httponly', 'samesite=lax']));
  });

  it('in production every cookie the portal sets is Secure, HttpOnly and SameSite', async () => {
    const loaded = loadConfig({ NODE_ENV: 'test', DATA_DIR: t.dataDir, LOG_LEVEL: 'silent', ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}) });
    const prod = await buildApp({ config: { ...loaded, env: 'production' as const }, database: t.database, files: t.files });
    await prod.ready();
    try {
      const { page, res } = await signInThroughForm(prod);
      expect(res.statusCode).toBe(303);
      const lang = await prod.inject({ method: 'GET', url: '/lang?to=en&back=/' });
      const signedOut = await prod.inject({ method: 'GET', url: '/', headers: { cookie: 'tinhso_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
      const all = [...setCookies(page.headers), ...setCookies(res.headers), ...setCookies(lang.headers), ...setCookies(signedOut.headers)];
      expect(
        all.map((c) => c.split('=')[0]),
        `${res.statusCode} ${all.join(' | ')}`,
      ).toEqual(expect.arrayContaining(['tinhso_csrf', 'tinhso_session', 'lang']));
      for (const c of all) expect(flags(c), c.split(';')[0]).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax']));
      // And its pages carry the same headers.
      expectHardened({ url: 'production /', as: null, res: { status: page.statusCode, body: page.body, headers: page.headers } });
    } finally {
      await prod.close();
    }
  });
});

describe('under /api/ every unknown or odd path answers problem+json (fuzz finding: /payments/{id}/receipt.pdf)', () => {
  const id = '0190a0b0-0000-7000-8000-000000000001';
  const odd = [
    `/api/v1/payments/${id}/receipt.pdf`,
    '/api/v1/payments/%2e%2e/receipt.pdf',
    '/api/v1/payments/..%2f..%2fetc%2fpasswd/receipt.pdf',
    '/api/v1/payments/a%2Fb/receipt.pdf',
    '/api/v1/payments/a;b/receipt.pdf',
    '/api/v1/payments/;/receipt.pdf',
    '/api/v1/payments/a/receipt.pdf;x',
    `/api/v1/payments/${'x'.repeat(101)}/receipt.pdf`,
    `/api/v1/payments/${encodeURIComponent('a'.repeat(3000))}/receipt.pdf`,
    `/api/v1/payments/${encodeURIComponent('Nguyễn Văn An 😀')}/receipt.pdf`,
    `/api/v1/payments/${'%E1%BA%A1'.repeat(40)}/receipt.pdf`,
    '/api/v1/payments/%C0%AF/receipt.pdf',
    '/api/v1/payments/%zz/receipt.pdf',
    '/api/v1/payments/%2500/receipt.pdf',
    '/api/v1/payments/%00/receipt.pdf',
    '/api/v1/payments//receipt.pdf',
    '/api/v1/payments/../receipt.pdf',
    "/api/v1/payments/'/receipt.pdf",
    '/api/v1/payments/*/receipt.pdf',
    '/api/v1/payments/x/receipt.pdf/more',
    '/api/v1/khong-co',
    '/api/v2/payments',
  ];

  const cases = odd.map((u) => [u.length > 120 ? `${u.slice(0, 60)}… (${u.length} characters)` : u, u] as const);
  it.each(cases)('%s', async (_label, url) => {
    const token = await t.token('citizen.an');
    for (const headers of [
      {},
      { accept: 'text/html' },
      { authorization: `Bearer ${token}` },
      { authorization: 'Bearer not-a-real-token-aaaaaaaaaaaa', accept: 'text/html' },
      { authorization: 'Basic Zm9vOmJhcg==', accept: 'text/html' },
    ]) {
      for (const method of ['GET', 'POST', 'DELETE'] as const) {
        const res = await t.app.inject({ method, url, headers });
        const where = `${method} ${url} ${JSON.stringify(headers).slice(0, 60)}`;
        expect(res.statusCode, where).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, where).toBeLessThan(500);
        expect(String(res.headers['content-type']), where).toMatch(/^application\/problem\+json/);
        const problem = res.json() as { status: number; code: string };
        expect(problem.status, where).toBe(res.statusCode);
        expect(problem.code, where).toMatch(/^[A-Z][A-Z0-9_]+$/);
      }
    }
  });
});
