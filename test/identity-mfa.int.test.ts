import { newId } from '../src/platform/ids.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../src/db/demo/seed.ts';
import { queryRows, sql } from '../src/db/client.ts';
import { totpCode } from '../src/modules/identity/totp.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { cookieNamed, cookiePair, csrfOf, webClient } from './web-client.ts';

let t: TestApp;
let adminToken: string;
beforeAll(async () => {
  t = await createTestApp();
  // Taken before leaders and administrators need a second factor (below).
  adminToken = await t.token('admin.lan');
});
afterAll(async () => t?.close());

const api = (p: string) => `/api/v1${p}`;
const web = webClient(() => t);

async function login(username: string, password = DEMO_PASSWORD, ip = '127.0.0.1') {
  const res = await t.app.inject({ method: 'POST', url: api('/auth/login'), payload: { username, password }, remoteAddress: ip });
  return { status: res.statusCode, json: res.json() as any, headers: res.headers };
}
async function second(challenge: string, code: string, ip = '127.0.0.1') {
  const res = await t.app.inject({ method: 'POST', url: api('/auth/totp'), payload: { challenge, code }, remoteAddress: ip });
  return { status: res.statusCode, json: res.json() as any, headers: res.headers };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const me = async (token: string) => (await t.app.inject({ method: 'GET', url: api('/me'), headers: bearer(token) })).statusCode;
/** A six-digit code that is not valid now (nor one step either side). */
function wrongCode(secret: string, now = new Date()): string {
  const valid = new Set([-30_000, 0, 30_000].map((d) => totpCode(secret, new Date(now.getTime() + d))));
  for (let i = 0; ; i++) {
    const c = String(123456 + i * 7919)
      .padStart(6, '0')
      .slice(-6);
    if (!valid.has(c)) return c;
  }
}

let secret = '';
let recovery: string[] = [];

describe('second factor (TOTP) for leaders and administrators', () => {
  it('is off by default outside production: leaders sign in with the password alone', async () => {
    const r = await login('leader.hoa');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ mfaRequired: false, method: 'password', user: { username: 'leader.hoa' } });
  });

  it('once the setting requires it, the password answers a challenge with a new secret to enrol', async () => {
    const set = await t.app.inject({
      method: 'PUT',
      url: api('/settings/mfa_required_roles'),
      headers: bearer(adminToken),
      payload: { value: ['leader', 'admin'] },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json().value).toEqual(['leader', 'admin']);
    const r = await login('leader.hoa');
    expect(r.status).toBe(200);
    expect(r.json.mfaRequired).toBe(true);
    expect(r.json.token).toBeUndefined();
    expect(r.json.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    secret = r.json.enrolment.secret;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(r.json.enrolment.otpauthUri).toBe(
      `otpauth://totp/T%E1%BB%89nh%20S%E1%BB%91:leader.hoa?issuer=T%E1%BB%89nh%20S%E1%BB%91&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(r.json.enrolment.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Stored encrypted, never in clear.
    const [row] = await queryRows<{ secret_enc: string; confirmed_at: unknown }>(
      t.database.db,
      sql`SELECT t.secret_enc, t.confirmed_at FROM user_totp t JOIN users u ON u.id = t.user_id WHERE u.username = 'leader.hoa'`,
    );
    expect(row!.secret_enc).toMatch(/^enc:v1:k1:/);
    expect(row!.secret_enc).not.toContain(secret);
    expect(row!.confirmed_at).toBeNull();

    // A wrong code is refused; a recovery code cannot complete an enrolment; the right code does, once.
    const wrong = await second(r.json.challenge, wrongCode(secret));
    expect(wrong.status).toBe(401);
    expect(wrong.json.code).toBe('AUTH_CODE_INVALID');
    const ok = await second(r.json.challenge, totpCode(secret, new Date()));
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ mfaRequired: false, method: 'password+totp', user: { username: 'leader.hoa' } });
    recovery = ok.json.recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect(await me(ok.json.token)).toBe(200);
    const again = await second(r.json.challenge, totpCode(secret, new Date()));
    expect(again.json.code).toBe('AUTH_CHALLENGE_INVALID');
    // Recovery codes are kept only as keyed hashes.
    const hashes = await queryRows<{ code_hash: string }>(
      t.database.db,
      sql`SELECT code_hash FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.username = 'leader.hoa'`,
    );
    expect(hashes).toHaveLength(10);
    for (const h of hashes) expect(recovery).not.toContain(h.code_hash);
  });

  it('an enrolled account: a used code is refused, the next step code works, and a recovery code works once', async () => {
    const r = await login('leader.hoa');
    expect(r.json).toMatchObject({ mfaRequired: true, enrolment: null });
    const replay = await second(r.json.challenge, totpCode(secret, new Date()));
    expect(replay.status).toBe(401);
    const next = await second(r.json.challenge, totpCode(secret, new Date(Date.now() + 30_000)));
    expect(next.status).toBe(200);
    expect(next.json.method).toBe('password+totp');
    expect(next.json.recoveryCodes).toBeUndefined();

    const r2 = await login('leader.hoa');
    const withRecovery = await second(r2.json.challenge, recovery[3]!.toUpperCase().replace('-', ' '));
    expect(withRecovery.status).toBe(200);
    expect(withRecovery.json.method).toBe('password+recovery');
    const r3 = await login('leader.hoa');
    const reused = await second(r3.json.challenge, recovery[3]!);
    expect(reused.status).toBe(401);
    expect(reused.json.code).toBe('AUTH_CODE_INVALID');
    // A made-up challenge is refused without revealing anything.
    expect((await second('x'.repeat(43), '123456')).json.code).toBe('AUTH_CHALLENGE_INVALID');
    const audit = await queryRows<{ action: string; outcome: string; details: any }>(
      t.database.db,
      sql`SELECT action, outcome, details FROM audit_log WHERE action IN ('auth.login', 'auth.login.second_factor', 'mfa.totp.enrol', 'mfa.recovery_code.use') AND (details->>'username' = 'leader.hoa' OR action LIKE 'mfa.%') ORDER BY id`,
    );
    expect(audit.filter((a) => a.action === 'auth.login' && a.outcome === 'success').map((a) => a.details.method)).toEqual([
      'password',
      'password+totp',
      'password+totp',
      'password+recovery',
    ]);
    expect(audit.filter((a) => a.action === 'auth.login.second_factor').length).toBe(3);
    expect(audit.some((a) => a.action === 'mfa.totp.enrol')).toBe(true);
    expect(audit.find((a) => a.action === 'mfa.recovery_code.use')?.details.left).toBe(9);
  });

  it('the portal asks for the code on a second page, then signs in', async () => {
    const page = await web.get('/dang-nhap');
    expect(page.body).toContain('href="/auth/oidc/login?next=%2F"');
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const res = await web.postForm('/dang-nhap', { csrf: csrfOf(page.body), username: 'leader.hoa', password: DEMO_PASSWORD, next: '/tai-khoan' }, pre);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/dang-nhap/xac-thuc?next=%2Ftai-khoan');
    expect(cookieNamed(res.headers, 'tinhso_session')).toBeUndefined();
    const mfa = cookiePair(cookieNamed(res.headers, 'tinhso_mfa'));
    expect(cookieNamed(res.headers, 'tinhso_mfa')).toContain('HttpOnly');
    const cookies = `${pre}; ${mfa}`;
    const step = await web.get('/dang-nhap/xac-thuc?next=%2Ftai-khoan', cookies);
    expect(step.status).toBe(200);
    expect(step.body).toContain('<h1>Xác thực hai bước</h1>');
    const missing = await web.postForm('/dang-nhap/xac-thuc', { csrf: csrfOf(step.body), code: '', next: '/tai-khoan' }, cookies);
    expect(missing.status).toBe(422);
    expect(missing.body).toContain('Hãy nhập mã xác thực');
    const bad = await web.postForm('/dang-nhap/xac-thuc', { csrf: csrfOf(step.body), code: wrongCode(secret), next: '/tai-khoan' }, cookies);
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('aria-invalid="true"');
    const noCsrf = await web.postForm('/dang-nhap/xac-thuc', { csrf: 'forged', code: recovery[5]!, next: '/tai-khoan' }, cookies);
    expect(noCsrf.status).toBe(403);
    const good = await web.postForm('/dang-nhap/xac-thuc', { csrf: csrfOf(step.body), code: recovery[5]!, next: '/tai-khoan' }, cookies);
    expect(good.status).toBe(303);
    expect(good.headers.location).toBe('/tai-khoan');
    const session = cookiePair(cookieNamed(good.headers, 'tinhso_session'));
    expect(session).toMatch(/^tinhso_session=.{20,}/);
    const account = await web.get('/tai-khoan', session);
    expect(account.status).toBe(200);
    expect(account.body).toContain('Mật khẩu và mã khôi phục');
    expect(account.body).toContain('Phiên này');
    expect(account.body).toContain('Vai trò của bạn bắt buộc xác thực hai bước.');
    expect(account.body).toContain('Còn 8 mã khôi phục chưa dùng.');
  });
});

describe('TOTP enrolment from the account (voluntary)', () => {
  it('enrols, confirms with a first code, then the password alone is not enough; turning it off needs a code', async () => {
    const token = await t.token('citizen.binh');
    const before = await t.app.inject({ method: 'GET', url: api('/me/totp'), headers: bearer(token) });
    expect(before.json()).toEqual({ enrolled: false, pending: false, confirmedAt: null, recoveryCodesLeft: 0, required: false });
    const start = await t.app.inject({ method: 'POST', url: api('/me/totp/enrolment'), headers: bearer(token) });
    expect(start.statusCode).toBe(200);
    const s = start.json().secret as string;
    const wrong = await t.app.inject({ method: 'POST', url: api('/me/totp/confirmation'), headers: bearer(token), payload: { code: wrongCode(s) } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().code).toBe('AUTH_CODE_INVALID');
    const ok = await t.app.inject({ method: 'POST', url: api('/me/totp/confirmation'), headers: bearer(token), payload: { code: totpCode(s, new Date()) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().recoveryCodes).toHaveLength(10);
    const twice = await t.app.inject({ method: 'POST', url: api('/me/totp/enrolment'), headers: bearer(token) });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('MFA_ALREADY_ENROLLED');
    const r = await login('citizen.binh');
    expect(r.json.mfaRequired).toBe(true);
    const off = await t.app.inject({
      method: 'DELETE',
      url: api('/me/totp'),
      headers: bearer(token),
      payload: { code: totpCode(s, new Date(Date.now() + 30_000)) },
    });
    expect(off.statusCode).toBe(204);
    expect((await login('citizen.binh')).json.mfaRequired).toBe(false);
  });

  it('a leader cannot turn it off while the role requires it', async () => {
    const r = await login('leader.hoa');
    expect(r.json.mfaRequired).toBe(true);
    const s = await second(r.json.challenge, recovery[7]!);
    expect(s.status).toBe(200);
    const codes = (
      await queryRows<{ n: number }>(
        t.database.db,
        sql`SELECT count(*)::int AS n FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.username = 'leader.hoa' AND used_at IS NULL`,
      )
    )[0]!.n;
    expect(codes).toBe(7);
    const off = await t.app.inject({ method: 'DELETE', url: api('/me/totp'), headers: bearer(s.json.token), payload: { code: '000000' } });
    expect(off.statusCode).toBe(409);
    expect(off.json().code).toBe('MFA_REQUIRED_FOR_ROLE');
    const status = await t.app.inject({ method: 'GET', url: api('/me/totp'), headers: bearer(s.json.token) });
    expect(status.json()).toMatchObject({ enrolled: true, pending: false, recoveryCodesLeft: 7, required: true });
  });
});

describe('throttling and lockout', () => {
  it('locks an account for 15 minutes after 5 failures (423, Retry-After), even for the right password; other accounts are not affected', async () => {
    const ip = '10.20.0.5';
    for (let i = 0; i < 5; i++) {
      const r = await login('business.cuong', `wrong-${i}`, ip);
      expect(r.status).toBe(401);
      expect(r.json.code).toBe('AUTH_INVALID_CREDENTIALS');
    }
    const locked = await login('business.cuong', DEMO_PASSWORD, '10.20.0.6');
    expect(locked.status).toBe(423);
    expect(locked.headers['content-type']).toContain('application/problem+json');
    expect(locked.json.code).toBe('AUTH_ACCOUNT_LOCKED');
    const retry = Number(locked.headers['retry-after']);
    expect(retry).toBeGreaterThan(880);
    expect(retry).toBeLessThanOrEqual(900);
    expect(locked.json.retryAfter).toBe(retry);
    expect(locked.json.detail).toContain('Tài khoản tạm khoá');
    // The same address may still sign in to another account.
    expect((await login('citizen.an', DEMO_PASSWORD, ip)).status).toBe(200);
    // An unknown name locks the same way (no hint that it does not exist).
    for (let i = 0; i < 5; i++) expect((await login('no.such.person', 'x', '10.20.0.7')).status).toBe(401);
    expect((await login('no.such.person', 'x', '10.20.0.8')).status).toBe(423);
    const audit = await queryRows<{ action: string; outcome: string; target_id: string; details: any }>(
      t.database.db,
      sql`SELECT action, outcome, target_id, details FROM audit_log WHERE details->>'username' = 'business.cuong' ORDER BY id`,
    );
    expect(audit.map((a) => `${a.action}:${a.outcome}`)).toEqual([
      ...Array(5).fill('auth.login:failure'),
      'auth.login.locked:failure',
      'auth.login.refused:denied',
    ]);
    expect(audit[5]!.details.scope).toBe('account');
  });

  it('the portal shows a readable 423 page with Retry-After', async () => {
    const page = await web.get('/dang-nhap');
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const res = await t.app.inject({
      method: 'POST',
      url: '/dang-nhap',
      payload: new URLSearchParams({ csrf: csrfOf(page.body), username: 'business.cuong', password: DEMO_PASSWORD, next: '/' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: pre },
      remoteAddress: '10.20.0.9',
    });
    expect(res.statusCode).toBe(423);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(800);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('<h1>Tạm khoá đăng nhập</h1>');
  });

  it('blocks an address after 20 failures in 15 minutes, counted across instances (429, Retry-After)', async () => {
    const ip = '10.30.0.1';
    // Nineteen failures recorded by other instances over the last ten minutes, on many accounts.
    const now = Date.now();
    for (let i = 0; i < 19; i++) {
      await t.database.db.execute(
        sql`INSERT INTO auth_attempts (at, account_key, ip, factor, outcome) VALUES (${new Date(now - 600_000 + i * 30_000)}, ${`guess.${i}`}, ${ip}, 'password', 'failure')`,
      );
    }
    expect((await login('another.guess', 'x', ip)).status).toBe(401); // the twentieth
    const blocked = await login('citizen.an', DEMO_PASSWORD, ip);
    expect(blocked.status).toBe(429);
    expect(blocked.json.code).toBe('AUTH_ADDRESS_BLOCKED');
    const retry = Number(blocked.headers['retry-after']);
    expect(retry).toBeGreaterThan(880);
    expect(retry).toBeLessThanOrEqual(900);
    expect((await login('citizen.an', DEMO_PASSWORD, '10.30.0.2')).status).toBe(200);
    const [locked] = await queryRows<{ target_type: string; target_id: string }>(
      t.database.db,
      sql`SELECT target_type, target_id FROM audit_log WHERE action = 'auth.login.locked' AND ip = ${ip}`,
    );
    expect(locked).toEqual({ target_type: 'address', target_id: ip });
  });
});

describe('sessions: list and revoke', () => {
  it('lists own sessions with method and current flag; revoking one takes effect at once; revoke all others', async () => {
    const a = (await login('specialist.giang', DEMO_PASSWORD, '10.40.0.1')).json.token as string;
    const b = (await login('specialist.giang', DEMO_PASSWORD, '10.40.0.2')).json.token as string;
    const c = (await login('specialist.giang', DEMO_PASSWORD, '10.40.0.3')).json.token as string;
    expect(await me(b)).toBe(200); // cached now
    const list = await t.app.inject({ method: 'GET', url: api('/me/sessions'), headers: { ...bearer(a), 'user-agent': 'Test/1.0' } });
    expect(list.statusCode).toBe(200);
    const sessions = list.json() as any[];
    expect(sessions).toHaveLength(3);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const current = sessions.find((s) => s.current);
    expect(current.ip).toBe('10.40.0.1');
    expect(current.method).toBe('password');
    expect(current.createdAt).toMatch(/\+07:00$/);
    const other = sessions.find((s) => s.ip === '10.40.0.2');
    expect((await t.app.inject({ method: 'DELETE', url: api(`/me/sessions/${other.id}`), headers: bearer(a) })).statusCode).toBe(204);
    expect(await me(b)).toBe(401); // not after 5 s: at once on this instance
    // Someone else's session is not found, and a bad id is 422.
    const foreign = (await t.app.inject({ method: 'GET', url: api('/me/sessions'), headers: bearer(await t.token('citizen.an')) })).json()[0].id;
    expect((await t.app.inject({ method: 'DELETE', url: api(`/me/sessions/${foreign}`), headers: bearer(a) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: api('/me/sessions/not-a-uuid'), headers: bearer(a) })).statusCode).toBe(422);
    const all = await t.app.inject({ method: 'DELETE', url: api('/me/sessions'), headers: bearer(a) });
    expect(all.json()).toEqual({ revoked: 1 });
    expect(await me(c)).toBe(401);
    expect(await me(a)).toBe(200);
  });

  it('administrators list and revoke anyone’s sessions; others get 403', async () => {
    const victim = (await login('reception.dung')).json;
    const id = victim.user.id as string;
    expect((await t.app.inject({ method: 'GET', url: api(`/users/${id}/sessions`), headers: bearer(await t.token('citizen.an')) })).statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: api(`/users/${id}/sessions`), headers: bearer(adminToken) });
    expect(list.statusCode).toBe(200);
    const rows = list.json() as any[];
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.every((r) => r.current === false)).toBe(true);
    expect((await t.app.inject({ method: 'DELETE', url: api(`/users/${id}/sessions/${rows[0].id}`), headers: bearer(adminToken) })).statusCode).toBe(204);
    expect(await me(victim.token)).toBe(401);
    const more = [(await login('reception.dung')).json.token, (await login('reception.dung')).json.token];
    const all = await t.app.inject({ method: 'DELETE', url: api(`/users/${id}/sessions`), headers: bearer(adminToken) });
    expect(all.json().revoked).toBeGreaterThanOrEqual(2);
    for (const tok of more) expect(await me(tok)).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: api('/users/00000000-0000-7000-8000-000000000000/sessions'), headers: bearer(adminToken) })).statusCode,
    ).toBe(404);
    const audit = await queryRows<{ action: string }>(t.database.db, sql`SELECT action FROM audit_log WHERE action LIKE 'session.%' ORDER BY id`);
    expect(audit.map((a) => a.action)).toEqual(['session.revoke', 'session.revoke_others', 'session.revoke', 'session.revoke_all']);
  });

  it('the account page lists sessions and signs one out with a CSRF-protected form', async () => {
    const first = await web.signIn('citizen.an', '/tai-khoan');
    const second = await web.signIn('citizen.an', '/tai-khoan');
    const page = await web.get('/tai-khoan', second.cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Tài khoản của tôi</h1>');
    const ids = [...page.body.matchAll(/action="\/tai-khoan\/phien\/([0-9a-f-]{36})\/dang-xuat"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const forged = await web.postForm(`/tai-khoan/phien/${ids[1]}/dang-xuat`, { csrf: 'nope' }, second.cookie);
    expect(forged.status).toBe(403);
    const out = await web.postForm('/tai-khoan/phien/dang-xuat-khac', { csrf: csrfOf(page.body) }, second.cookie);
    expect(out.status).toBe(303);
    expect(out.headers.location).toMatch(/^\/tai-khoan\?xong=phien-khac&n=\d+$/);
    expect((await web.get('/tai-khoan', first.cookie)).status).toBe(303); // signed out → to sign-in
    const after = await web.get(out.headers.location as string, second.cookie);
    expect(after.body).toContain('phiên khác');
    expect((await web.get('/tai-khoan')).headers.location).toBe('/dang-nhap?next=%2Ftai-khoan');
  });
});

describe('two-step verification from the account page', () => {
  it('turns it on with the QR code and a first code, shows recovery codes once, and turns it off with a code', async () => {
    const { cookie } = await web.signIn('officer.khanh', '/tai-khoan');
    const page = await web.get('/tai-khoan', cookie);
    expect(page.body).toContain('Chưa bật.');
    const csrf = csrfOf(page.body);
    const start = await web.postForm('/tai-khoan/xac-thuc-hai-buoc', { csrf }, cookie);
    expect(start.status).toBe(200);
    expect(start.body).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="[^"]+"/);
    const s = /<code>([A-Z2-7 ]{32,40})<\/code>/.exec(start.body)![1]!.replace(/ /g, '');
    expect(s).toMatch(/^[A-Z2-7]{32}$/);
    const wrong = await web.postForm('/tai-khoan/xac-thuc-hai-buoc/xac-nhan', { csrf, code: wrongCode(s) }, cookie);
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('class="error-summary"');
    expect(wrong.body).toContain(s.replace(/(.{4})/g, '$1 ').trim()); // the same secret shown again
    const ok = await web.postForm('/tai-khoan/xac-thuc-hai-buoc/xac-nhan', { csrf, code: totpCode(s, new Date()) }, cookie);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<h1>Mã khôi phục của bạn</h1>');
    expect([...ok.body.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)]).toHaveLength(10);
    const on = await web.get('/tai-khoan', cookie);
    expect(on.body).toContain('Còn 10 mã khôi phục chưa dùng.');
    const off = await web.postForm('/tai-khoan/xac-thuc-hai-buoc/tat', { csrf, code: totpCode(s, new Date(Date.now() + 30_000)) }, cookie);
    expect(off.status).toBe(303);
    expect(off.headers.location).toBe('/tai-khoan?xong=tat');
    expect((await web.get('/tai-khoan?xong=tat', cookie)).body).toContain('Đã tắt xác thực hai bước.');
    const actions = await queryRows<{ action: string }>(
      t.database.db,
      sql`SELECT a.action FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE u.username = 'officer.khanh' AND a.action LIKE 'mfa.%' ORDER BY a.id`,
    );
    expect(actions.map((a) => a.action)).toEqual(['mfa.totp.enrol', 'mfa.totp.disable']);
  });
});

describe('housekeeping', () => {
  it('prunes sign-in attempts and challenges older than a day, keeping recent ones', async () => {
    const { pruneSignInRecords } = await import('../src/modules/identity/identity.jobs.ts');
    const now = new Date();
    const old = new Date(now.getTime() - 2 * 86_400_000);
    await t.database.db.execute(
      sql`INSERT INTO auth_attempts (at, account_key, ip, factor, outcome) VALUES (${old}, 'old.one', '10.9.9.9', 'password', 'failure'), (${old}, 'old.two', '10.9.9.9', 'password', 'failure')`,
    );
    const [{ n: before }] = (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM auth_attempts`)) as [{ n: number }];
    const r = await pruneSignInRecords(t.database.db, now);
    expect(r.attempts).toBe(2);
    const [{ n: after }] = (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM auth_attempts`)) as [{ n: number }];
    expect(after).toBe(before - 2);
    expect(after).toBeGreaterThan(20);
  });

  it('deletes sessions that ended more than 30 days ago (expired or signed out), never a live one', async () => {
    const { pruneSignInRecords } = await import('../src/modules/identity/identity.jobs.ts');
    const now = new Date();
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const [u] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM users WHERE username = 'citizen.binh'`);
    const add = async (tag: string, created: Date, expires: Date, revoked: Date | null) =>
      t.database.db.execute(
        sql`INSERT INTO sessions (id, user_id, token_hash, created_at, expires_at, revoked_at, ip) VALUES (${newId()}, ${u!.id}, ${`prune-${tag}`}, ${created}, ${expires}, ${revoked}, '10.1.1.1')`,
      );
    await add('expired-31d', daysAgo(40), daysAgo(31), null);
    await add('revoked-31d', daysAgo(35), new Date(now.getTime() + 86_400_000), daysAgo(31));
    await add('expired-29d', daysAgo(35), daysAgo(29), null);
    await add('live', daysAgo(1), new Date(now.getTime() + 86_400_000), null);
    const r = await pruneSignInRecords(t.database.db, now);
    expect(r.sessions).toBe(2);
    const left = await queryRows<{ token_hash: string }>(t.database.db, sql`SELECT token_hash FROM sessions WHERE token_hash LIKE 'prune-%' ORDER BY 1`);
    expect(left.map((x) => x.token_hash)).toEqual(['prune-expired-29d', 'prune-live']);
  });
});
