import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { DEMO_PASSWORD } from '../src/db/demo/seed.ts';
import { createAccount, createTestApp, type TestApp } from './harness.ts';
import { formValues, webClient } from './web-client.ts';

/**
 * Two findings of an API review: the Bearer scheme name is case-insensitive (RFC 9110 §11.1), and
 * deactivating an account ends its sessions at once (not after the session cache time), so that
 * reactivating it later does not bring old tokens back.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const { get, postForm, signIn } = webClient(() => t);

async function login(username: string): Promise<string> {
  const r = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: DEMO_PASSWORD } });
  expect(r.status, `login ${username}`).toBe(200);
  return r.json.token as string;
}
const me = (authorization: string) => t.request({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
const patchUser = (username: string, payload: Record<string, unknown>) =>
  t.request({ method: 'PATCH', url: `/api/v1/users/${username}`, as: 'admin.lan', payload });
const userId = async (username: string) => (await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM users WHERE username = ${username}`))[0]!.id;
const liveSessions = async (username: string) =>
  Number(
    (
      await queryRows<{ n: number }>(
        t.database.db,
        sql`SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = ${username} AND s.revoked_at IS NULL AND s.expires_at > now()`,
      )
    )[0]!.n,
  );
const updateAudits = async (id: string) =>
  (
    await queryRows<{ details: Record<string, unknown> }>(
      t.database.db,
      sql`SELECT details FROM audit_log WHERE action = 'user.update' AND target_id = ${id} ORDER BY id`,
    )
  ).map((r) => r.details);

async function newCitizen(username: string): Promise<void> {
  await createAccount(t, { username, displayName: 'Người Thử Phiên', password: DEMO_PASSWORD, kind: 'citizen', roles: [{ role: 'citizen' }] });
}

describe('Authorization: Bearer', () => {
  it('takes the scheme name in any case, and one or more spaces before the token', async () => {
    const token = await login('citizen.an');
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`, `BEARER ${token}`, `bEaReR ${token}`, `Bearer  ${token}`, `bearer   ${token}`]) {
      const r = await me(authorization);
      expect(r.status, authorization.slice(0, 10)).toBe(200);
      expect(r.json.username).toBe('citizen.an');
    }
    // A well-formed lowercase header with an unknown token is a session problem, not a malformed header.
    expect((await me(`bearer ${'A'.repeat(43)}`)).json.code).toBe('AUTH_SESSION_INVALID');
  });

  it('still refuses what is not `bearer 1*SP token` with 401 AUTH_TOKEN_MALFORMED', async () => {
    const token = await login('citizen.an');
    for (const authorization of [`Bearer\t${token}`, `bearer${token}`, `Bearers ${token}`, `bearer ${token}!`, `Basic ${token}`, 'bearer short']) {
      const r = await me(authorization);
      expect(r.status, JSON.stringify(authorization.slice(0, 10))).toBe(401);
      expect(r.json.code).toBe('AUTH_TOKEN_MALFORMED');
    }
  });
});

describe('deactivating an account ends its sessions', () => {
  it('at once through the API: its tokens are refused on the next request, and reactivation does not revive them', async () => {
    await newCitizen('phien.mot');
    const [a, b] = [await login('phien.mot'), await login('phien.mot')];
    const other = await login('citizen.an');
    // Both now sit in the session cache.
    expect((await me(`Bearer ${a}`)).status).toBe(200);
    expect((await me(`Bearer ${b}`)).status).toBe(200);
    expect(await liveSessions('phien.mot')).toBe(2);

    expect((await patchUser('phien.mot', { isActive: false })).status).toBe(204);
    for (const token of [a, b]) {
      const r = await me(`Bearer ${token}`);
      expect(r.status).toBe(401);
      expect(r.json.code).toBe('AUTH_SESSION_INVALID');
    }
    expect(await liveSessions('phien.mot')).toBe(0);
    const id = await userId('phien.mot');
    expect(await updateAudits(id)).toEqual([{ isActive: false, sessionsEnded: 2 }]);
    // Someone else's session is untouched.
    expect((await me(`Bearer ${other}`)).status).toBe(200);
    // Administrators see no open session left.
    expect((await t.request({ method: 'GET', url: `/api/v1/users/${id}/sessions`, as: 'admin.lan' })).json).toEqual([]);

    expect((await patchUser('phien.mot', { isActive: true })).status).toBe(204);
    for (const token of [a, b]) expect((await me(`Bearer ${token}`)).status).toBe(401);
    // Signing in again gives a new, working session.
    const fresh = await login('phien.mot');
    expect((await me(`Bearer ${fresh}`)).status).toBe(200);
    expect(await updateAudits(id)).toEqual([
      { isActive: false, sessionsEnded: 2 },
      { isActive: true, sessionsEnded: 0 },
    ]);
  });

  it('leaves sessions alone when the account is only renamed or reactivated while active', async () => {
    await newCitizen('phien.hai');
    const token = await login('phien.hai');
    expect((await patchUser('phien.hai', { displayName: 'Người Đổi Tên' })).status).toBe(204);
    expect((await patchUser('phien.hai', { isActive: true })).status).toBe(204);
    expect((await me(`Bearer ${token}`)).status).toBe(200);
    expect(await liveSessions('phien.hai')).toBe(1);
    expect(await updateAudits(await userId('phien.hai'))).toEqual([{ displayName: 'Người Đổi Tên' }, { isActive: true }]);
  });

  it('a refused deactivation (of oneself, of nobody) ends nothing', async () => {
    const adminToken = await t.token('admin.lan');
    expect((await patchUser('admin.lan', { isActive: false })).json.code).toBe('USER_SELF_DEACTIVATION');
    expect((await me(`Bearer ${adminToken}`)).status).toBe(200);
    expect((await patchUser('khong.co.ai', { isActive: false })).status).toBe(404);
  });

  it('reactivating an account whose sessions were left open while inactive ends them', async () => {
    // Deactivated before deactivation ended sessions: the session row is still open.
    await newCitizen('phien.ba');
    const token = await login('phien.ba');
    await t.database.db.execute(sql`UPDATE users SET is_active = false WHERE username = 'phien.ba'`);
    expect(await liveSessions('phien.ba')).toBe(1);
    expect((await patchUser('phien.ba', { isActive: true })).status).toBe(204);
    expect(await liveSessions('phien.ba')).toBe(0);
    expect((await me(`Bearer ${token}`)).status).toBe(401);
    expect(await updateAudits(await userId('phien.ba'))).toEqual([{ isActive: true, sessionsEnded: 1 }]);
  });

  it('from the administrators’ page too: the portal cookie and the API token both stop working', async () => {
    await newCitizen('phien.bon');
    const token = await login('phien.bon');
    const portal = (await signIn('phien.bon')).cookie;
    expect((await get('/tai-khoan', portal)).status).toBe(200);
    expect((await me(`Bearer ${token}`)).status).toBe(200);

    const admin = (await signIn('admin.lan')).cookie;
    const edit = await get('/quan-tri/tai-khoan/phien.bon', admin);
    const values = formValues(edit.body, '/quan-tri/tai-khoan/phien.bon');
    expect(values.isActive).toBe('on');
    delete values.isActive; // the "active" box unticked
    const saved = await postForm('/quan-tri/tai-khoan/phien.bon', values, admin);
    expect(saved.status).toBe(303);

    expect((await me(`Bearer ${token}`)).status).toBe(401);
    const page = await get('/tai-khoan', portal);
    expect(page.status).toBe(303);
    expect(String(page.headers.location)).toMatch(/^\/dang-nhap/);
    expect(await liveSessions('phien.bon')).toBe(0);
    expect(await updateAudits(await userId('phien.bon'))).toEqual([expect.objectContaining({ isActive: false, sessionsEnded: 2 })]);
  });
});
