import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { openUserFields } from '../src/platform/personal-data.ts';
import { createAccount, createTestApp, submittedDossier, type TestApp } from './harness.ts';
import { webClient } from './web-client.ts';
import { workflowSteps } from './workflow-steps.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('account administration', () => {
  it('creates a staff account scoped to an agency, which can then sign in and see that agency only', async () => {
    const body = {
      username: 'reception.minh',
      displayName: 'Lý Văn Minh',
      password: 'mat-khau-dai-1',
      kind: 'staff',
      roles: [{ role: 'reception', agencyCode: 'TTPVHCC-13669' }],
    };
    expect((await t.request({ method: 'POST', url: '/api/v1/users', as: 'leader.hoa', payload: body })).status).toBe(403);
    const created = await t.request({ method: 'POST', url: '/api/v1/users', as: 'admin.lan', payload: body });
    expect(created.status).toBe(201);
    const again = await t.request({ method: 'POST', url: '/api/v1/users', as: 'admin.lan', payload: body });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('USERNAME_TAKEN');
    const login = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'reception.minh', password: 'mat-khau-dai-1' } });
    expect(login.status).toBe(200);
    expect(login.json.user).toMatchObject({ roles: ['reception'], agencyCode: 'TTPVHCC-13669' });
    const staff = await t.request({
      method: 'GET',
      url: '/api/v1/agencies/TTPVHCC-13669/staff?role=reception',
      headers: { authorization: `Bearer ${login.json.token}` },
    });
    expect(staff.json.map((s: { username: string }) => s.username)).toContain('reception.minh');
    const other = await t.request({
      method: 'GET',
      url: '/api/v1/agencies/TTPVHCC/staff?role=reception',
      headers: { authorization: `Bearer ${login.json.token}` },
    });
    expect(other.status).toBe(404);
  });

  it('stores an account phone in its national form and refuses one that is not a Vietnamese number', async () => {
    const body = { displayName: 'Người Có Số', password: 'mat-khau-dai-1', kind: 'citizen', roles: [{ role: 'citizen' }] };
    const bad = await t.request({ method: 'POST', url: '/api/v1/users', as: 'admin.lan', payload: { ...body, username: 'so.sai', phone: '0123' } });
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'phone', message: expect.stringContaining('số điện thoại không hợp lệ') }] });
    expect((await queryRows(t.database.db, sql`SELECT 1 FROM users WHERE username = 'so.sai'`)).length).toBe(0);
    for (const [username, phone, stored] of [
      ['so.didong', '+84 912 345 678', '0912345678'],
      ['so.codinh', '(0228) 3.849.123', '02283849123'],
    ] as const) {
      const created = await t.request({ method: 'POST', url: '/api/v1/users', as: 'admin.lan', payload: { ...body, username, phone } });
      expect(created.status).toBe(201);
      const [row] = await queryRows<{ id: string; phone_enc: string }>(t.database.db, sql`SELECT id, phone_enc FROM users WHERE username = ${username}`);
      expect(openUserFields(t.app.keyring, { id: row!.id, idNumberEnc: null, phoneEnc: row!.phone_enc }).phone).toBe(stored);
    }
  });

  it('refuses roles that do not fit: staff without agency, citizen with agency, unknown agency, duplicates', async () => {
    const base = { displayName: 'Người Thử', password: 'mat-khau-dai-1' };
    const cases = [
      { username: 'x.one', kind: 'staff', roles: [{ role: 'specialist' }] },
      { username: 'x.two', kind: 'citizen', roles: [{ role: 'citizen', agencyCode: 'TTPVHCC' }] },
      { username: 'x.three', kind: 'staff', roles: [{ role: 'leader', agencyCode: 'KHONG-CO' }] },
      {
        username: 'x.four',
        kind: 'staff',
        roles: [
          { role: 'leader', agencyCode: 'TTPVHCC' },
          { role: 'leader', agencyCode: 'STP' },
        ],
      },
      { username: 'x.five', kind: 'citizen', roles: [{ role: 'admin' }] },
    ];
    for (const c of cases) {
      const r = await t.request({ method: 'POST', url: '/api/v1/users', as: 'admin.lan', payload: { ...base, ...c } });
      expect(r.status, c.username).toBe(422);
      expect(r.json.code).toBe('USER_ROLES_INVALID');
    }
    const weak = await t.request({
      method: 'POST',
      url: '/api/v1/users',
      as: 'admin.lan',
      payload: { ...base, username: 'x.six', kind: 'citizen', password: 'short', roles: [] },
    });
    expect(weak.status).toBe(422);
  });

  it('changes roles and deactivates accounts; a deactivated account cannot sign in', async () => {
    const put = await t.request({
      method: 'PUT',
      url: '/api/v1/users/officer.khanh/roles',
      as: 'admin.lan',
      payload: { roles: [{ role: 'leader', agencyCode: 'TTPVHCC-13669' }] },
    });
    expect(put.status).toBe(204);
    const list = await t.request({ method: 'GET', url: '/api/v1/users?role=leader&agency=TTPVHCC-13669', as: 'admin.lan' });
    expect(list.json.map((u: { username: string }) => u.username)).toContain('officer.khanh');
    expect((await t.request({ method: 'PATCH', url: '/api/v1/users/citizen.binh', as: 'admin.lan', payload: { isActive: false } })).status).toBe(204);
    const login = await t.request({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'citizen.binh', password: 'tinhso-demo' } });
    expect(login.status).toBe(401);
    expect((await t.request({ method: 'PATCH', url: '/api/v1/users/admin.lan', as: 'admin.lan', payload: { isActive: false } })).status).toBe(409);
    expect((await t.request({ method: 'PATCH', url: '/api/v1/users/nobody.here', as: 'admin.lan', payload: { isActive: false } })).status).toBe(404);
  });
});

describe('agency administration', () => {
  const agency = {
    name: 'Trung tâm Phục vụ hành chính công xã Thử',
    shortName: 'TTPVHCC xã Thử',
    identityCode: '000.09.99.H37',
    parentCode: null,
    unitCode: '13669',
    kind: 'service_centre',
  };
  it('creates and updates agencies, refusing unknown parents, cycles and taken identity codes', async () => {
    expect((await t.request({ method: 'PUT', url: '/api/v1/agencies/TTPVHCC-THU', as: 'specialist.giang', payload: agency })).status).toBe(403);
    const created = await t.request({ method: 'PUT', url: '/api/v1/agencies/TTPVHCC-THU', as: 'admin.lan', payload: agency });
    expect(created.status).toBe(201);
    const updated = await t.request({ method: 'PUT', url: '/api/v1/agencies/TTPVHCC-THU', as: 'admin.lan', payload: { ...agency, parentCode: 'UBND-13669' } });
    expect(updated.status).toBe(200);
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/agencies' })).json.some(
        (a: { code: string; name: string }) => a.code === 'TTPVHCC-THU' && a.name === agency.name,
      ),
    ).toBe(true);
    const cycle = await t.request({
      method: 'PUT',
      url: '/api/v1/agencies/UBND-13669',
      as: 'admin.lan',
      payload: {
        ...agency,
        name: 'Ủy ban nhân dân phường Nam Định',
        identityCode: (await t.request({ method: 'GET', url: '/api/v1/agencies' })).json.find((a: { code: string }) => a.code === 'UBND-13669').identityCode,
        parentCode: 'TTPVHCC-THU',
        kind: 'commune_committee',
      },
    });
    expect(cycle.status).toBe(422);
    const noParent = await t.request({ method: 'PUT', url: '/api/v1/agencies/TTPVHCC-THU', as: 'admin.lan', payload: { ...agency, parentCode: 'KHONG-CO' } });
    expect(noParent.status).toBe(422);
    const taken = await t.request({ method: 'PUT', url: '/api/v1/agencies/KHAC', as: 'admin.lan', payload: { ...agency, identityCode: '000.00.01.H37' } });
    expect(taken.status).toBe(409);
    expect(taken.json.code).toBe('AGENCY_IDENTITY_CODE_TAKEN');
  });
});

describe('a role counts only in the agencies its own grant reaches', () => {
  const { inProgress, act } = workflowSteps(() => t);

  it('the desk of a commune centre who leads the provincial centre is a leader there, not its desk', async () => {
    await createAccount(t, {
      username: 'mixed.nhung',
      displayName: 'Đỗ Thị Nhung',
      password: 'tinhso-demo',
      kind: 'staff',
      roles: [
        { role: 'reception', agencyCode: 'TTPVHCC-13669' },
        { role: 'leader', agencyCode: 'TTPVHCC' },
      ],
    });
    const d = await submittedDossier(t, 'citizen.an', {
      procedureCode: '1.001776',
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
    });
    const seen = await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'mixed.nhung' });
    expect(seen.status).toBe(200);
    expect(seen.json.receivingAgency.code).toBe('TTPVHCC');
    // Not the provincial centre's desk: it may not receive there.
    expect(seen.json.allowedActions).not.toContain('receive');
    const receive = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/actions`, as: 'mixed.nhung', payload: { action: 'receive' } });
    expect(receive.status).toBe(403);
    // Its leader, once the dossier reaches the leader step.
    await inProgress(d.code);
    let cur = await act(d.code, 'specialist.giang', { action: 'forward' });
    while (cur.currentStep?.role === 'specialist') cur = await act(d.code, 'specialist.giang', { action: 'forward' });
    const asLeader = await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'mixed.nhung' });
    expect(asLeader.json.currentStep.role).toBe('leader');
    const leaderAction = asLeader.json.allowedActions.includes('approve') ? 'approve' : 'forward';
    expect(asLeader.json.allowedActions).toContain(leaderAction);
    // A desk action on it is still refused.
    expect(
      (await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/actions`, as: 'mixed.nhung', payload: { action: 'return_result' } })).status,
    ).toBe(403);
    // The worklist's "mine": the provincial dossier at the leader step, not one waiting at the provincial desk.
    const e = await submittedDossier(t, 'citizen.an', {
      procedureCode: '1.001776',
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
    });
    await act(e.code, 'reception.dung', { action: 'receive' });
    const web = webClient(() => t);
    const { cookie } = await web.signIn('mixed.nhung');
    const mine = await web.get('/can-bo/ho-so?nhom=cua-toi', cookie);
    expect(mine.status).toBe(200);
    expect(mine.body).toContain(d.code);
    expect(mine.body).not.toContain(e.code);
    expect((await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/actions`, as: 'mixed.nhung', payload: { action: leaderAction } })).status).toBe(
      200,
    );
  });
});
