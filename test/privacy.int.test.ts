import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, type TestApp } from './harness.ts';
import { cookieNamed, csrfOf, webClient } from './web-client.ts';

// Personal-data rights: export everything, ask for correction, delete (anonymise what the law
// lets go, keep what it requires, and say which).

let t: TestApp;
let def: ProcedureDefinition;
const CODE = '1.001193';
const binh = { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321', phone: '0987654321' };

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
});
afterAll(async () => {
  await t?.close();
});

const form = () => requiredAnswers(def.form, 3);

const an = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

async function draftWithFiles(as: string, applicant = binh) {
  const d = await t.request({ method: 'POST', url: '/api/v1/dossiers', as, payload: { procedureCode: CODE, applicant, form: form() } });
  expect(d.status, d.body).toBe(201);
  for (const c of def.components.filter((x) => x.required)) {
    const up = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${d.json.id}/files`,
      as,
      ...multipart({ component: c.code }, { name: 'a.pdf', type: 'application/pdf', data: SAMPLE_PDF }),
    });
    expect(up.status, up.body).toBe(201);
  }
  return d.json.id as string;
}

describe('personal data', () => {
  it('exports everything held about the signed-in person, without secrets, and records the export', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/me/data-export' })).status).toBe(401);
    const id = await draftWithFiles('citizen.binh');
    const res = await t.request({ method: 'GET', url: '/api/v1/me/data-export', as: 'citizen.binh' });
    expect(res.status, res.body).toBe(200);
    expect(String(res.headers['content-disposition'])).toMatch(/^attachment; filename="tinhso-du-lieu-ca-nhan-\d{4}-\d{2}-\d{2}\.json"$/);
    const data = res.json;
    expect(data.account.username).toBe('citizen.binh');
    expect(data.account.id_number).toBe('036195004321');
    expect(data.dossiers.map((d: { id: string }) => d.id)).toContain(id);
    expect(data.files.filter((f: { dossier_id: string }) => f.dossier_id === id)).toHaveLength(def.components.filter((c) => c.required).length);
    expect(data.sessions.length).toBeGreaterThan(0);
    expect(data.exportedAt).toMatch(/\+07:00$/);
    // Every time in the export is ISO 8601 with +07:00, as the API promises.
    for (const v of [data.account.created_at, data.sessions[0].created_at, data.dossiers[0].created_at])
      expect(v).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+07:00$/);
    expect(res.body).not.toMatch(/\$argon2|password_hash|token_hash|secret_enc|code_hash/);
    const [audit] = await queryRows<{ n: string | number }>(t.database.db, sql`SELECT count(*) AS n FROM audit_log WHERE action = 'privacy.export'`);
    expect(Number(audit!.n)).toBe(1);
    // Someone else's export holds nothing of Bình's.
    const other = await t.request({ method: 'GET', url: '/api/v1/me/data-export', as: 'citizen.an' });
    expect(other.body).not.toContain(id);
  });

  it('queues a correction request for the data controller, who closes it once', async () => {
    const bad = await t.request({ method: 'POST', url: '/api/v1/me/data-requests', as: 'citizen.an', payload: { kind: 'correction', details: '   ' } });
    expect(bad.status).toBe(422);
    const made = await t.request({
      method: 'POST',
      url: '/api/v1/me/data-requests',
      as: 'citizen.an',
      payload: { kind: 'correction', details: 'Ngày sinh của tôi là 04/03/1950, không phải 03/04/1950.' },
    });
    expect(made.status, made.body).toBe(201);
    expect(made.json).toMatchObject({ kind: 'correction', status: 'open', username: 'citizen.an' });
    expect((await t.request({ method: 'GET', url: '/api/v1/data-requests?status=open', as: 'citizen.an' })).status).toBe(403);
    expect((await t.request({ method: 'GET', url: '/api/v1/data-requests?status=open', as: 'reception.dung' })).status).toBe(403);
    const queue = await t.request({ method: 'GET', url: '/api/v1/data-requests?status=open', as: 'admin.lan' });
    expect(queue.json.map((r: { id: string }) => r.id)).toContain(made.json.id);
    const done = await t.request({
      method: 'POST',
      url: `/api/v1/data-requests/${made.json.id}/resolution`,
      as: 'admin.lan',
      payload: { status: 'done', resolution: 'Đã sửa ngày sinh theo CCCD.' },
    });
    expect(done.status, done.body).toBe(200);
    expect(done.json.status).toBe('done');
    const again = await t.request({
      method: 'POST',
      url: `/api/v1/data-requests/${made.json.id}/resolution`,
      as: 'admin.lan',
      payload: { status: 'rejected', resolution: 'x' },
    });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('DATA_REQUEST_CLOSED');
    const mine = await t.request({ method: 'GET', url: '/api/v1/me/data-requests', as: 'citizen.an' });
    expect(mine.json[0]).toMatchObject({ id: made.json.id, status: 'done', resolution: 'Đã sửa ngày sinh theo CCCD.' });
    const missing = await t.request({
      method: 'POST',
      url: '/api/v1/data-requests/00000000-0000-7000-8000-000000000000/resolution',
      as: 'admin.lan',
      payload: { status: 'done', resolution: 'x' },
    });
    expect(missing.status).toBe(404);
  });

  it('deletes on request: drafts and their files go, the account is anonymised, submitted dossiers are kept and said so', async () => {
    const token = await t.token('citizen.an');
    const draft = await draftWithFiles('citizen.an', an);
    const [fileRow] = await queryRows<{ storage_key: string }>(t.database.db, sql`SELECT storage_key FROM dossier_files WHERE dossier_id = ${draft} LIMIT 1`);
    expect(await t.files.exists(fileRow!.storage_key)).toBe(true);
    const submittedId = await draftWithFiles('citizen.an', an);
    const sub = await t.request({ method: 'POST', url: `/api/v1/dossiers/${submittedId}/submit`, as: 'citizen.an' });
    expect(sub.status, sub.body).toBe(200);

    const unconfirmed = await t.request({ method: 'POST', url: '/api/v1/me/data-requests', as: 'citizen.an', payload: { kind: 'deletion' } });
    expect(unconfirmed.status).toBe(422);
    const staff = await t.request({ method: 'POST', url: '/api/v1/me/data-requests', as: 'reception.dung', payload: { kind: 'deletion', confirm: true } });
    expect(staff.status).toBe(409);
    expect(staff.json.code).toBe('PRIVACY_STAFF_ACCOUNT');

    const res = await t.request({
      method: 'POST',
      url: '/api/v1/me/data-requests',
      as: 'citizen.an',
      payload: { kind: 'deletion', confirm: true, details: 'Tôi không dùng nữa.' },
    });
    expect(res.status, res.body).toBe(200);
    const byAction = (a: string) => res.json.categories.filter((c: { action: string }) => c.action === a);
    const kept = byAction('kept');
    expect(kept.find((c: { category: string }) => c.category.startsWith('Hồ sơ thủ tục hành chính đã nộp'))).toMatchObject({ count: 1 });
    for (const c of kept) expect(c.reason).toMatch(/Luật|Nghị định/);
    expect(byAction('deleted').find((c: { category: string }) => c.category.startsWith('Hồ sơ nháp'))).toMatchObject({ count: 1 });

    // The draft and its file are gone; the submitted dossier is there with its applicant.
    const [left] = await queryRows<{ applicant: string; form: string; files: string | number; id_gone: boolean }>(
      t.database.db,
      sql`SELECT applicant::text AS applicant, form::text AS form, (SELECT count(*) FROM dossier_files WHERE dossier_id = ${draft}) AS files,
            (applicant_id_number_enc IS NULL AND applicant_id_number_hash IS NULL AND applicant_phone_enc IS NULL) AS id_gone FROM dossiers WHERE id = ${draft}`,
    );
    expect(left!.applicant).not.toContain('036090001234');
    expect(left!.id_gone).toBe(true);
    expect(left!.form).toBe('{}');
    expect(Number(left!.files)).toBe(0);
    expect(await t.files.exists(fileRow!.storage_key)).toBe(false);
    const [kept1] = await queryRows<{ status: string; name: string }>(
      t.database.db,
      sql`SELECT status, applicant->>'fullName' AS name FROM dossiers WHERE id = ${submittedId}`,
    );
    expect(kept1).toEqual({ status: 'submitted', name: 'Nguyễn Văn An' });
    const [user] = await queryRows<{
      username: string;
      id_number_enc: string | null;
      id_number_hash: string | null;
      phone_enc: string | null;
      is_active: boolean;
      password_hash: string | null;
    }>(t.database.db, sql`SELECT username, id_number_enc, id_number_hash, phone_enc, is_active, password_hash FROM users WHERE username LIKE 'da-xoa-%'`);
    expect(user).toMatchObject({ id_number_enc: null, id_number_hash: null, phone_enc: null, is_active: false, password_hash: null });

    // Signed out everywhere, and cannot sign in again.
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(401);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'citizen.an', password: 'tinhso-demo' } });
    expect(login.statusCode).toBeGreaterThanOrEqual(400);
  });
});

describe('personal data in the portal (/tai-khoan)', () => {
  const web = webClient(() => t);

  it('deletes on request only with the box ticked, says what went and what the law keeps, and signs the person out', async () => {
    const { cookie } = await web.signIn('business.cuong');
    const page = await web.get('/tai-khoan', cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('action="/tai-khoan/xoa-du-lieu"');
    const csrf = csrfOf(page.body);
    // Without the box: nothing happens, the error points at the box.
    const unticked = await web.postForm('/tai-khoan/xoa-du-lieu', { csrf, details: '' }, cookie);
    expect(unticked.status).toBe(422);
    expect(unticked.body).toContain('href="#deletion-confirm"');
    expect((await web.get('/tai-khoan', cookie)).status).toBe(200);
    // A forged form (no token): refused, nothing deleted.
    expect((await web.postForm('/tai-khoan/xoa-du-lieu', { confirm: 'on' }, cookie)).status).toBe(403);

    const done = await web.postForm('/tai-khoan/xoa-du-lieu', { csrf, confirm: 'on', details: 'Không dùng nữa' }, cookie);
    expect(done.status, done.body).toBe(200);
    expect(done.body).toContain('Đã xóa dữ liệu của bạn');
    expect(done.body).toMatch(/Luật Kế toán 2015/);
    expect(String(cookieNamed(done.headers, 'tinhso_session'))).toMatch(/Max-Age=0/);
    // The session is gone and the account cannot sign in again.
    expect((await web.get('/tai-khoan', cookie)).status).toBe(303);
    expect((await web.signIn('business.cuong')).res.status).not.toBe(303);
    const [u] = await queryRows<{ is_active: boolean; id_number_enc: string | null }>(
      t.database.db,
      sql`SELECT is_active, id_number_enc FROM users WHERE username LIKE 'da-xoa-%' AND kind = 'organisation'`,
    );
    expect(u).toEqual({ is_active: false, id_number_enc: null });
  });

  it('staff are told an administrator closes their account, and get no form', async () => {
    const { cookie } = await web.signIn('specialist.giang');
    const page = await web.get('/tai-khoan', cookie);
    expect(page.body).not.toContain('action="/tai-khoan/xoa-du-lieu"');
    expect(page.body).toContain('Tài khoản cán bộ do quản trị viên đóng');
    const refused = await web.postForm('/tai-khoan/xoa-du-lieu', { csrf: csrfOf(page.body), confirm: 'on' }, cookie);
    expect(refused.status).toBe(409);
    expect((await web.get('/tai-khoan', cookie)).status).toBe(200);
  });
});
