import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { fakeAnswer, rng } from '../src/db/demo/generate-dossiers.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { createTestApp, SAMPLE_PDF, submittedDossier, type TestApp } from './harness.ts';
import { csrfOf, webClient, type WebRes, walkInForm } from './web-client.ts';

/**
 * The officers' pages and the citizen's dossier page over HTTP (no JavaScript, like a browser
 * with it turned off): role navigation, the worklist's tabs, counts and filters, the dossier
 * view with exactly the guard's actions, stale pages, counter intake, the file route, and the
 * citizen's supplement, rating and withdrawal.
 */
let t: TestApp;
const PROC = '1.001776'; // received by the provincial centre, decided by UBND-13669; specialist then leader
let def: ProcedureDefinition;
const { get, postForm, upload: webUpload } = webClient(() => t);
const cookies: Record<string, string> = {};
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

const versionOf = (body: string, action: string) =>
  new RegExp(`name="action" value="${action}">\\s*<input type="hidden" name="version" value="(\\d+)"`).exec(body)?.[1] ?? '';
const actionsOn = (body: string) => [...body.matchAll(/<input type="hidden" name="action" value="([a-z_]+)">/g)].map((m) => m[1]);
const countOf = (body: string, tab: string) => Number(new RegExp(`${tab} \\((\\d+)\\)`).exec(body)?.[1] ?? -1);
const codesIn = (body: string) => [...body.matchAll(/href="\/can-bo\/ho-so\/([^"?]+)">/g)].map((m) => decodeURIComponent(m[1]!));

async function createSubmitted(): Promise<{ id: string; code: string }> {
  const sub = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant });
  return { id: sub.id, code: sub.code };
}

async function act(code: string, as: string, body: Record<string, unknown>) {
  const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: body });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json;
}

async function historyCount(id: string, action: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(
    t.database.db,
    sql`SELECT count(*) AS n FROM dossier_history WHERE dossier_id = ${id} AND action = ${action}`,
  );
  return Number(row?.n ?? 0);
}

function expectPage(r: WebRes, status: number) {
  expect(r.status, r.body.slice(0, 500)).toBe(status);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(r.body).not.toMatch(/<script(?![^>]*\ssrc=)/i);
}

let giangId = '';
beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${PROC}` })).json.definition;
  for (const u of ['citizen.an', 'citizen.binh', 'reception.dung', 'specialist.giang', 'leader.hoa', 'officer.khanh', 'admin.lan']) {
    // The session cookie carries the same token as the API's bearer sessions (the sign-in form is tested in web-pages).
    cookies[u] = `tinhso_session=${await t.token(u)}`;
  }
  const staff = (await t.request({ method: 'GET', url: '/api/v1/agencies/TTPVHCC/staff?role=specialist', as: 'reception.dung' })).json;
  giangId = staff.find((s: { username: string }) => s.username === 'specialist.giang').id;
});
afterAll(async () => {
  await t?.close();
});

describe('officers’ portal', () => {
  it('shows each role its own links in the navigation', async () => {
    const nav = async (u: string) => (await get('/', cookies[u])).body.split('<nav class="main"')[1]!.split('</nav>')[0]!;
    const desk = await nav('reception.dung');
    expect(desk).toContain('href="/can-bo/ho-so">Hồ sơ cần xử lý');
    expect(desk).toContain('href="/can-bo/tiep-nhan">Tiếp nhận tại quầy');
    expect(desk).not.toContain('/bang-dieu-khien');
    const spec = await nav('specialist.giang');
    expect(spec).toContain('/can-bo/ho-so');
    expect(spec).not.toContain('/can-bo/tiep-nhan');
    const leader = await nav('leader.hoa');
    expect(leader).toContain('href="/bang-dieu-khien">Bảng điều khiển');
    expect(leader).toContain('href="/bao-cao">Báo cáo');
    expect(leader).not.toContain('/quan-tri');
    const admin = await nav('admin.lan');
    expect(admin).toContain('href="/quan-tri">Quản trị');
    expect(admin).not.toContain('/can-bo/ho-so');
    const citizen = await nav('citizen.an');
    expect(citizen).not.toContain('/can-bo/');
    expect(citizen).not.toContain('/bang-dieu-khien');
    const en = await get('/can-bo/ho-so', `${cookies['reception.dung']}; lang=en`);
    expectPage(en, 200);
    expect(en.body).toContain('<html lang="en">');
    expect(en.body).toContain('<h1>Dossiers to handle</h1>');
    expect(en.body).toContain('Counter intake');
    const work = await get('/can-bo/ho-so', cookies['reception.dung']);
    expect(work.body).toContain('<a aria-current="page" href="/can-bo/ho-so">');
  });

  it('keeps the pages for officers: sign-in first, 403 for other accounts', async () => {
    const anon = await get('/can-bo/ho-so');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/dang-nhap?next=%2Fcan-bo%2Fho-so');
    expectPage(await get('/can-bo/ho-so', cookies['citizen.an']), 403);
    expectPage(await get('/can-bo/tiep-nhan', cookies['citizen.an']), 403);
    expectPage(await get('/can-bo/tiep-nhan', cookies['specialist.giang']), 403);
    expectPage(await get('/can-bo/ho-so', cookies['admin.lan']), 403);
  });

  let a: { id: string; code: string };
  let b: { id: string; code: string };
  let c: { id: string; code: string };

  it('counts what waits in each tab and filters the list', async () => {
    a = await createSubmitted();
    b = await createSubmitted();
    c = await createSubmitted();
    await act(b.code, 'reception.dung', { action: 'receive' });
    await act(b.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
    await act(c.code, 'reception.dung', { action: 'receive' });
    // The procedure charges no fee: the desk states the amount.
    await act(c.code, 'reception.dung', { action: 'request_payment', note: 'Nộp lệ phí', amount: 20_000 });
    // Hand-set deadlines: B due in an hour (due soon), C due yesterday (overdue).
    const now = Date.now();
    await t.database.db.execute(sql`UPDATE dossiers SET due_at = ${new Date(now + 3600_000)} WHERE id = ${b.id}`);
    await t.database.db.execute(sql`UPDATE dossiers SET due_at = ${new Date(now - 86_400_000)} WHERE id = ${c.id}`);

    const desk = await get('/can-bo/ho-so', cookies['reception.dung']);
    expectPage(desk, 200);
    expect(countOf(desk.body, 'Cần tiếp nhận')).toBe(1);
    expect(countOf(desk.body, 'Đang xử lý của tôi')).toBe(0);
    expect(countOf(desk.body, 'Chờ bổ sung')).toBe(0);
    expect(countOf(desk.body, 'Chờ thanh toán')).toBe(1);
    expect(countOf(desk.body, 'Sắp đến hạn')).toBe(1);
    expect(countOf(desk.body, 'Quá hạn')).toBe(1);
    expect(countOf(desk.body, 'Tất cả')).toBe(3);
    // The desk's default tab is "to receive": only A.
    expect(codesIn(desk.body)).toEqual([a.code]);

    const spec = await get('/can-bo/ho-so', cookies['specialist.giang']);
    expect(countOf(spec.body, 'Đang xử lý của tôi')).toBe(1);
    expect(codesIn(spec.body)).toEqual([b.code]);
    const leader = await get('/can-bo/ho-so?nhom=cua-toi', cookies['leader.hoa']);
    expect(countOf(leader.body, 'Đang xử lý của tôi')).toBe(0);

    const soon = await get('/can-bo/ho-so?nhom=sap-den-han', cookies['reception.dung']);
    expect(codesIn(soon.body)).toEqual([b.code]);
    expect(soon.body).toContain('class="due due-soon"><strong>Sắp đến hạn</strong>');
    const over = await get('/can-bo/ho-so?nhom=qua-han', cookies['reception.dung']);
    expect(codesIn(over.body)).toEqual([c.code]);
    expect(over.body).toContain('class="due due-over"><strong>Quá hạn</strong>');

    const all = await get('/can-bo/ho-so?nhom=tat-ca', cookies['reception.dung']);
    expect(codesIn(all.body).sort()).toEqual([a.code, b.code, c.code].sort());
    expect((await get(`/can-bo/ho-so?nhom=tat-ca&q=${encodeURIComponent(b.code)}`, cookies['reception.dung'])).body).toContain('1 hồ sơ');
    expect(codesIn((await get(`/can-bo/ho-so?nhom=tat-ca&q=${encodeURIComponent(b.code)}`, cookies['reception.dung'])).body)).toEqual([b.code]);
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&q=nguyen+van+an', cookies['reception.dung'])).body)).toHaveLength(3);
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&q=khong+ai+ten+nay', cookies['reception.dung'])).body)).toEqual([]);
    // A whole personal ID number matches exactly (by its keyed hash), on every tab.
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&q=036090001234', cookies['reception.dung'])).body).sort()).toEqual([a.code, b.code, c.code].sort());
    expect(codesIn((await get('/can-bo/ho-so?q=036090001234', cookies['reception.dung'])).body)).toEqual([a.code]);
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&q=036090009999', cookies['reception.dung'])).body)).toEqual([]);
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&trang-thai=payment_requested', cookies['reception.dung'])).body)).toEqual([c.code]);
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&qua-han=1', cookies['reception.dung'])).body)).toEqual([c.code]);
    expect(codesIn((await get(`/can-bo/ho-so?nhom=tat-ca&thu-tuc=${PROC}`, cookies['reception.dung'])).body)).toHaveLength(3);
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&thu-tuc=1.001193', cookies['reception.dung'])).body)).toEqual([]);
    // Due within 1 working day: B (an hour) and C (already late), not A (no clock yet).
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&han-trong=1', cookies['reception.dung'])).body).sort()).toEqual([b.code, c.code].sort());
    const bad = await get('/can-bo/ho-so?nhom=tat-ca&han-trong=abc', cookies['reception.dung']);
    expectPage(bad, 422);
    expect(bad.body).toContain('href="#wl-days"');

    // Another agency's officer sees none of them.
    const other = await get('/can-bo/ho-so?nhom=tat-ca', cookies['officer.khanh']);
    expect(countOf(other.body, 'Tất cả')).toBe(0);
  });

  it('filters "overdue only" to dossiers still open and late, as the overdue tab', async () => {
    // D was withdrawn after its deadline: late, but no longer work to do.
    const d = await createSubmitted();
    await act(d.code, 'reception.dung', { action: 'receive' });
    await act(d.code, 'citizen.an', { action: 'withdraw', reason: 'Không còn nhu cầu' });
    await t.database.db.execute(sql`UPDATE dossiers SET due_at = finished_at - interval '1 day' WHERE id = ${d.id}`);
    const late = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'reception.dung' })).json;
    expect([late.status, late.isOverdue]).toEqual(['withdrawn', true]);
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca&qua-han=1', cookies['reception.dung'])).body)).toEqual([c.code]);
    expect(codesIn((await get('/can-bo/ho-so?nhom=tat-ca', cookies['reception.dung'])).body)).toContain(d.code);
  });

  it('shows the dossier with the form labels, files and exactly the actions the guard allows', async () => {
    const r = await get(`/can-bo/ho-so/${a.code}`, cookies['reception.dung']);
    expectPage(r, 200);
    expect(actionsOn(r.body).sort()).toEqual(['receive', 'refuse', 'request_supplement', 'withdraw']);
    for (const f of def.form.filter((x) => x.required)) expect(r.body).toContain(`<dt>${f.label}</dt>`);
    expect(r.body).toMatch(new RegExp(`href="/ho-so/${a.id}/tep/[0-9a-f-]{36}"`));
    expect(r.body).toContain('Đã nộp hồ sơ');
    // The specialist has nothing to do on a dossier not yet received; the leader cannot stop it yet.
    expect(actionsOn((await get(`/can-bo/ho-so/${a.code}`, cookies['specialist.giang'])).body)).toEqual([]);
    expect(actionsOn((await get(`/can-bo/ho-so/${a.code}`, cookies['leader.hoa'])).body)).toEqual([]);
    // B is the specialist's: forward or ask for a supplement (no payment: the procedure charges no fee); the leader may reassign, extend, stop.
    expect(actionsOn((await get(`/can-bo/ho-so/${b.code}`, cookies['specialist.giang'])).body).sort()).toEqual(['forward', 'request_supplement']);
    const lb = await get(`/can-bo/ho-so/${b.code}`, cookies['leader.hoa']);
    expect(actionsOn(lb.body).sort()).toEqual(['assign', 'extend', 'stop']);
    expect(lb.body).toContain(`<option value="${giangId}" selected>Hoàng Văn Giang</option>`);
    expect(lb.body).toContain('type="date" class="short" id="extend-newDue"');
  });

  it('asks for the inputs an action needs, acts once, and explains a stale page', async () => {
    const page = await get(`/can-bo/ho-so/${a.code}`, cookies['reception.dung']);
    const csrf = csrfOf(page.body);
    const missing = await postForm(
      `/can-bo/ho-so/${a.code}/thao-tac`,
      { csrf, action: 'refuse', version: versionOf(page.body, 'refuse'), reason: '' },
      cookies['reception.dung'],
    );
    expectPage(missing, 422);
    expect(missing.body).toContain('href="#refuse-reason"');
    expect(missing.body).toContain('id="refuse-reason" name="reason"');

    const version = versionOf(page.body, 'receive');
    const ok = await postForm(`/can-bo/ho-so/${a.code}/thao-tac`, { csrf, action: 'receive', version, note: '' }, cookies['reception.dung']);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/can-bo/ho-so/${encodeURIComponent(a.code)}?da-lam=receive`);
    const after = await get(String(ok.headers.location), cookies['reception.dung']);
    expect(after.body).toContain('Đã thực hiện: Tiếp nhận hồ sơ.');
    expect(actionsOn(after.body).sort()).toEqual(['assign', 'withdraw']);
    // The receipt (form 01) exists once received; notifications sent are listed.
    expect(after.body).toContain(`href="/ho-so/${a.id}/giay-to/01"`);
    expect(page.body).not.toContain(`href="/ho-so/${a.id}/giay-to/01"`);
    expect(after.body).toContain('<h2>Thông báo đã gửi</h2>');

    // The same form again (a double click, or a second officer with the old page): nothing happens twice.
    const stale = await postForm(`/can-bo/ho-so/${a.code}/thao-tac`, { csrf, action: 'receive', version, note: '' }, cookies['reception.dung']);
    expectPage(stale, 412);
    expect(stale.body).toContain('Hồ sơ vừa được người khác cập nhật');
    expect(stale.body).toContain('<strong>Được tiếp nhận</strong>');
    expect(await historyCount(a.id, 'receive')).toBe(1);

    // Assign needs a specialist; the extend form needs a date after the due date.
    const noOne = await postForm(
      `/can-bo/ho-so/${a.code}/thao-tac`,
      { csrf, action: 'assign', version: versionOf(after.body, 'assign'), assigneeId: '' },
      cookies['reception.dung'],
    );
    expectPage(noOne, 422);
    expect(noOne.body).toContain('href="#assign-assignee"');
    const assigned = await postForm(
      `/can-bo/ho-so/${a.code}/thao-tac`,
      { csrf, action: 'assign', version: versionOf(after.body, 'assign'), assigneeId: giangId },
      cookies['reception.dung'],
    );
    expect(assigned.status).toBe(303);
    const lp = await get(`/can-bo/ho-so/${a.code}`, cookies['leader.hoa']);
    const early = await postForm(
      `/can-bo/ho-so/${a.code}/thao-tac`,
      { csrf: csrfOf(lp.body), action: 'extend', version: versionOf(lp.body, 'extend'), newDue: '2020-01-01', reason: 'Xin lỗi' },
      cookies['leader.hoa'],
    );
    expectPage(early, 422);
    expect(early.body).toContain('href="#extend-newDue"');
    // A state that moved on: the leader's old "stop" form after the dossier was withdrawn.
    await act(a.code, 'citizen.an', { action: 'withdraw', reason: 'Không cần nữa' });
    const moved = await postForm(
      `/can-bo/ho-so/${a.code}/thao-tac`,
      { csrf: csrfOf(lp.body), action: 'stop', version: versionOf(lp.body, 'stop'), reason: 'Dừng' },
      cookies['leader.hoa'],
    );
    expectPage(moved, 412);
    expect(await historyCount(a.id, 'stop')).toBe(0);
  });

  it('hides dossiers from officers of other agencies and serves files inline with the API’s checks', async () => {
    expectPage(await get(`/can-bo/ho-so/${b.code}`, cookies['officer.khanh']), 404);
    expectPage(await get(`/can-bo/ho-so/${b.code}`, cookies['citizen.an']), 403);
    const csrf = csrfOf((await get('/can-bo/ho-so', cookies['officer.khanh'])).body);
    const forged = await postForm(`/can-bo/ho-so/${b.code}/thao-tac`, { csrf, action: 'forward', version: '1' }, cookies['officer.khanh']);
    expectPage(forged, 404);
    const view = await get(`/can-bo/ho-so/${b.code}`, cookies['reception.dung']);
    const href = new RegExp(`href="(/ho-so/${b.id}/tep/[0-9a-f-]{36})"`).exec(view.body)![1]!;
    const file = await t.app.inject({ method: 'GET', url: href, headers: { cookie: cookies['reception.dung']! } });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toMatch(/^inline; filename="/);
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.rawPayload.equals(SAMPLE_PDF)).toBe(true);
    expect((await get(href, cookies['citizen.an'])).status).toBe(200);
    expectPage(await get(href, cookies['citizen.binh']), 404);
    expectPage(await get(href, cookies['officer.khanh']), 404);
    expect((await get(href)).status).toBe(303);
    // An officer opening the citizen's address lands on the officers' page.
    expect((await get(`/ho-so/${b.id}`, cookies['reception.dung'])).headers.location).toBe(`/can-bo/ho-so/${encodeURIComponent(b.code)}`);
  });

  it('records a walk-in applicant’s consent to SMS at the counter, only with a phone number', async () => {
    const desk = cookies['reception.dung']!;
    const step2 = await get(`/can-bo/tiep-nhan?thu-tuc=${PROC}&doi-tuong=citizen`, desk);
    expect(step2.body).toContain('<label for="in-sms">');
    const form = walkInForm(step2.body, PROC, { sms: 'on' });
    const noPhone = await postForm('/can-bo/tiep-nhan', form, desk);
    expectPage(noPhone, 422);
    expect(noPhone.body).toContain('href="#a-phone"');
    expect(noPhone.body).toMatch(/id="in-sms" name="sms" value="on" checked/);
    // A landline takes no SMS: the desk is asked for a mobile; without consent a landline is fine.
    const landline = await postForm('/can-bo/tiep-nhan', { ...form, 'a-phone': '0229 3871 234' }, desk);
    expectPage(landline, 422);
    expect(landline.body).toContain(
      '<a href="#a-phone">Tin nhắn chỉ gửi được tới số di động: số đã ghi là số cố định. Hãy ghi số di động của người nộp, hoặc bỏ chọn nhận tin nhắn.</a>',
    );
    const withoutSms = Object.fromEntries(Object.entries(form).filter(([k]) => k !== 'sms'));
    const noSms = await postForm('/can-bo/tiep-nhan', { ...withoutSms, 'a-phone': '0229 3871 234' }, desk);
    expect(noSms.status).toBe(303);
    const landlineId = /^\/can-bo\/tiep-nhan\/([0-9a-f-]{36})$/.exec(String(noSms.headers.location))![1]!;
    const landlineView = await t.request({ method: 'GET', url: `/api/v1/dossiers/${landlineId}`, as: 'reception.dung' });
    expect([landlineView.json.applicant.phone, landlineView.json.smsConsentAt]).toEqual(['02293871234', null]);
    const created = await postForm('/can-bo/tiep-nhan', { ...form, 'a-phone': '0911 000 333' }, desk);
    expect(created.status).toBe(303);
    const id = /^\/can-bo\/tiep-nhan\/([0-9a-f-]{36})$/.exec(String(created.headers.location))![1]!;
    const view = await t.request({ method: 'GET', url: `/api/v1/dossiers/${id}`, as: 'reception.dung' });
    expect(view.json.smsConsentAt).toMatch(/\+07:00$/);
    expect(view.json.applicant.phone).toBe('0911000333');
  });

  it('takes in a walk-in applicant at the counter without JavaScript, in one flow', async () => {
    const desk = cookies['reception.dung']!;
    const start = await get('/can-bo/tiep-nhan', desk);
    expectPage(start, 200);
    expect(start.body).toContain(`<option value="${PROC}">`);
    expectPage(await get('/can-bo/tiep-nhan?thu-tuc=khong-co&doi-tuong=citizen', desk), 422);
    const step2 = await get(`/can-bo/tiep-nhan?thu-tuc=${PROC}&doi-tuong=citizen`, desk);
    expect(step2.body).toContain('<label for="a-idNumber">');
    const csrf = csrfOf(step2.body);
    const nonce = /name="nonce" value="([^"]+)"/.exec(step2.body)![1]!;
    const form = {
      csrf,
      nonce,
      'thu-tuc': PROC,
      'doi-tuong': 'citizen',
      'a-fullName': 'Nguyễn Văn An',
      'a-idNumber': '036090001234',
      'a-phone': '',
      'a-email': '',
    };
    const missing = await postForm('/can-bo/tiep-nhan', { ...form, 'a-idNumber': '12' }, desk);
    expectPage(missing, 422);
    expect(missing.body).toContain('href="#a-idNumber"');
    const created = await postForm('/can-bo/tiep-nhan', form, desk);
    expect(created.status).toBe(303);
    const id = /^\/can-bo\/tiep-nhan\/([0-9a-f-]{36})$/.exec(String(created.headers.location))![1]!;
    expect((await postForm('/can-bo/tiep-nhan', form, desk)).headers.location).toBe(created.headers.location);

    const draft = await get(`/can-bo/tiep-nhan/${id}`, desk);
    expectPage(draft, 200);
    expect(draft.body).toContain(`action="/can-bo/tiep-nhan/${id}" id="dossier-form"`);
    expect(draft.body).toContain('form="dossier-form" name="action" value="receive">Nộp và tiếp nhận hồ sơ');
    const version = () => /name="version" value="(\d+)"/.exec(draftBody)![1]!;
    let draftBody = draft.body;
    const r = rng(5);
    const answers: Record<string, string> = {};
    for (const f of def.form) {
      const v = f.required ? fakeAnswer(f, r) : '';
      answers[`f-${f.key}`] = typeof v === 'boolean' ? (v ? 'true' : '') : String(v);
    }
    const base = { csrf: csrfOf(draftBody), 'a-fullName': 'Nguyễn Văn An', 'a-idNumber': '036090001234', 'a-phone': '', 'a-email': '', ...answers };
    const early = await postForm(`/can-bo/tiep-nhan/${id}`, { ...base, version: version(), action: 'receive' }, desk);
    expectPage(early, 422);
    expect(early.body).toContain('class="error-summary"');
    expect(early.body).toContain(`href="#c-${def.components.find((x) => x.required)!.code}"`);
    for (const c of def.components.filter((x) => x.required)) {
      const up = await webUpload(
        `/can-bo/tiep-nhan/${id}/tep`,
        { csrf: base.csrf, component: c.code },
        { name: 'scan.pdf', type: 'application/pdf', data: SAMPLE_PDF },
        desk,
      );
      expect(up.status).toBe(303);
    }
    draftBody = (await get(`/can-bo/tiep-nhan/${id}`, desk)).body;
    const received = await postForm(`/can-bo/tiep-nhan/${id}`, { ...base, version: version(), action: 'receive' }, desk);
    expect(received.status, received.body.slice(0, 300)).toBe(303);
    expect(received.headers.location).toBe(`/can-bo/tiep-nhan/${id}/xong`);
    const again = await postForm(`/can-bo/tiep-nhan/${id}`, { ...base, version: version(), action: 'receive' }, desk);
    expect(again.status).toBe(303);
    expect(await historyCount(id, 'receive')).toBe(1);
    expect(await historyCount(id, 'submit')).toBe(1);

    const done = await get(`/can-bo/tiep-nhan/${id}/xong`, desk);
    expectPage(done, 200);
    const code = /<strong class="code">([^<]+)<\/strong>/.exec(done.body)![1]!;
    expect(code).toMatch(/^000\.00\.01\.H37-\d{6}-\d{4}$/);
    expect(done.body).toContain(`href="/ho-so/${id}/giay-to/01"`);
    const [row] = await queryRows<{ channel: string; status: string; applicant_user_id: string | null }>(
      t.database.db,
      sql`SELECT channel, status, applicant_user_id FROM dossiers WHERE id = ${id}`,
    );
    expect(row).toMatchObject({ channel: 'in_person', status: 'received' });
    // Linked to the citizen's account by the ID number: it shows in their dossiers.
    expect(row!.applicant_user_id).not.toBeNull();
    expect((await get('/ho-so', cookies['citizen.an'])).body).toContain(code);
  });

  it('offers extension dates from the first working day the server accepts, and refuses a day off naming the next working day', async () => {
    const d = await createSubmitted();
    await act(d.code, 'reception.dung', { action: 'receive' });
    // Due Friday 29 Nov 2030 at the close of office: the next working day, Monday 2 Dec, is the first date an extension can move it to.
    await t.database.db.execute(sql`UPDATE dossiers SET due_at = '2030-11-29T17:00:00+07:00' WHERE id = ${d.id}`);
    const page = await get(`/can-bo/ho-so/${d.code}`, cookies['leader.hoa']);
    expectPage(page, 200);
    expect(page.body).toContain('id="extend-newDue" name="newDue" value="" min="2030-12-02"');
    const form = { csrf: csrfOf(page.body), action: 'extend', version: versionOf(page.body, 'extend'), reason: 'Xin lỗi ông/bà: hồ sơ cần xác minh thêm' };
    // Sunday 1 Dec 2030 (sent without the picker's check): refused, and the answer names Monday.
    const sunday = await postForm(`/can-bo/ho-so/${d.code}/thao-tac`, { ...form, newDue: '2030-12-01' }, cookies['leader.hoa']);
    expectPage(sunday, 422);
    expect(sunday.body).toContain('ngày làm việc tiếp theo: Thứ Hai 02/12/2030');
    const ok = await postForm(`/can-bo/ho-so/${d.code}/thao-tac`, { ...form, newDue: '2030-12-02' }, cookies['leader.hoa']);
    expect(ok.status).toBe(303);
    const api = await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'leader.hoa' });
    expect(api.json).toMatchObject({ dueAt: '2030-12-02T17:00:00.000+07:00', extensionCount: 1 });
  });

  it('offers the desk a refusal of a dossier it sent back for a supplement before receiving it', async () => {
    const d = await createSubmitted();
    await act(d.code, 'reception.dung', { action: 'request_supplement', reason: 'Thiếu bản sao giấy khai sinh' });
    const page = await get(`/can-bo/ho-so/${d.code}`, cookies['reception.dung']);
    expectPage(page, 200);
    expect(actionsOn(page.body).sort()).toEqual(['refuse', 'supplement', 'withdraw']);
    const ok = await postForm(
      `/can-bo/ho-so/${d.code}/thao-tac`,
      { csrf: csrfOf(page.body), action: 'refuse', version: versionOf(page.body, 'refuse'), reason: 'Công dân không bổ sung hồ sơ' },
      cookies['reception.dung'],
    );
    expect(ok.status).toBe(303);
    const after = await get(String(ok.headers.location), cookies['reception.dung']);
    expect(after.body).toContain('Đã thực hiện: Từ chối tiếp nhận.');
    expect(after.body).toContain('<strong>Không được tiếp nhận</strong>');
    expect(actionsOn(after.body)).toEqual([]);
    expect(after.body).toContain(`href="/ho-so/${d.id}/giay-to/03"`);
    expect(await historyCount(d.id, 'refuse')).toBe(1);
  });
});

describe('the citizen’s dossier page after submission', () => {
  it('shows the timeline, takes a supplement, shows the result and takes a rating once', async () => {
    const d = await createSubmitted();
    const me = cookies['citizen.an']!;
    const first = await get(`/ho-so/${d.id}`, me);
    expectPage(first, 200);
    expect(first.body).toContain('Đã nộp hồ sơ');
    await act(d.code, 'reception.dung', { action: 'receive' });
    await act(d.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
    await act(d.code, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung bản sao giấy khai sinh rõ nét' });

    const page = await get(`/ho-so/${d.id}`, me);
    expectPage(page, 200);
    expect(page.body).toContain('Cơ quan yêu cầu bổ sung giấy tờ');
    expect(page.body).toContain('Bổ sung bản sao giấy khai sinh rõ nét');
    expect(page.body).toContain(`action="/ho-so/${d.id}/tep" enctype="multipart/form-data"`);
    expect(page.body).toContain('<ol class="timeline">');
    // Internal names stay internal: the timeline says "Bộ phận Một cửa", not the officer.
    expect(page.body).not.toContain('Phạm Thị Dung');
    const comp = def.components[0]!.code;
    // Sent with nothing supplemented: the page says so at the documents and keeps the note (it was a generic error page).
    const early = await postForm(
      `/ho-so/${d.id}/bo-sung`,
      {
        csrf: csrfOf(page.body),
        version: /action="\/ho-so\/[^"]+\/bo-sung"[^]*?name="version" value="(\d+)"/.exec(page.body)![1]!,
        note: 'Tôi đã nộp bản gốc tại quầy',
      },
      me,
    );
    expectPage(early, 422);
    expect(early.body).toContain('Chưa bổ sung giấy tờ hoặc thông tin nào kể từ khi có yêu cầu bổ sung');
    expect(early.body).toContain('>Tôi đã nộp bản gốc tại quầy</textarea>');
    expect(await historyCount(d.id, 'supplement')).toBe(0);
    const up = await webUpload(
      `/ho-so/${d.id}/tep`,
      { csrf: csrfOf(page.body), component: comp },
      { name: 'bo-sung.pdf', type: 'application/pdf', data: SAMPLE_PDF },
      me,
    );
    expect(up.status).toBe(303);
    const withFile = await get(`/ho-so/${d.id}`, me);
    expect(withFile.body).toContain('bo-sung.pdf');
    const version = /action="\/ho-so\/[^"]+\/bo-sung"[^]*?name="version" value="(\d+)"/.exec(withFile.body)![1]!;
    const sent = await postForm(`/ho-so/${d.id}/bo-sung`, { csrf: csrfOf(withFile.body), version, note: 'Đã bổ sung' }, me);
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/ho-so/${d.id}?da-gui=1`);
    const stale = await postForm(`/ho-so/${d.id}/bo-sung`, { csrf: csrfOf(withFile.body), version, note: 'Đã bổ sung' }, me);
    expectPage(stale, 412);
    expect(await historyCount(d.id, 'supplement')).toBe(1);

    await act(d.code, 'reception.dung', { action: 'receive' });
    await act(d.code, 'specialist.giang', { action: 'forward' });
    await act(d.code, 'leader.hoa', { action: 'approve' });
    expect((await get(`/ho-so/${d.id}`, me)).body).toContain('Bộ phận Một cửa sẽ trả kết quả');
    await act(d.code, 'reception.dung', { action: 'return_result' });

    const returned = await get(`/ho-so/${d.id}`, me);
    expect(returned.body).toContain('<h2>Kết quả</h2>');
    expect(returned.body).toContain('action="/ho-so/' + d.id + '/danh-gia"');
    const csrf = csrfOf(returned.body);
    const none = await postForm(`/ho-so/${d.id}/danh-gia`, { csrf, comment: 'Nhanh' }, me);
    expectPage(none, 422);
    expect(none.body).toContain('href="#r-very_satisfied"');
    expect(none.body).toContain('>Nhanh</textarea>');
    expect((await postForm(`/ho-so/${d.id}/danh-gia`, { csrf, rating: 'very_satisfied', comment: 'Nhanh' }, me)).status).toBe(303);
    // A second rating is refused, and the page says why (test/web-application-forms.int.test.ts).
    const second = await postForm(`/ho-so/${d.id}/danh-gia`, { csrf, rating: 'dissatisfied' }, me);
    expectPage(second, 409);
    expect(second.body).toContain('Bạn đã đánh giá hồ sơ này: Rất hài lòng.');
    const rated = await get(`/ho-so/${d.id}`, me);
    expect(rated.body).toContain('Bạn đã đánh giá: Rất hài lòng.');
    expect(rated.body).not.toContain('/danh-gia"');
    // Another citizen cannot see it.
    expectPage(await get(`/ho-so/${d.id}`, cookies['citizen.binh']), 404);
  });

  it('withdraws only with the confirmation ticked, and links to payment when asked', async () => {
    const d = await createSubmitted();
    const me = cookies['citizen.an']!;
    await act(d.code, 'reception.dung', { action: 'receive' });
    await act(d.code, 'reception.dung', { action: 'request_payment', note: 'Nộp lệ phí 50.000 đồng', amount: 50_000 });
    const page = await get(`/ho-so/${d.id}`, me);
    expect(page.body).toContain(`href="/ho-so/${d.id}/thanh-toan"`);
    expect(page.body).toContain('Nộp lệ phí 50.000 đồng');
    const version = /action="\/ho-so\/[^"]+\/rut"[^]*?name="version" value="(\d+)"/.exec(page.body)![1]!;
    const unticked = await postForm(`/ho-so/${d.id}/rut`, { csrf: csrfOf(page.body), version, reason: '' }, me);
    expectPage(unticked, 422);
    expect(unticked.body).toContain('href="#w-confirm"');
    const ok = await postForm(`/ho-so/${d.id}/rut`, { csrf: csrfOf(page.body), version, reason: 'Đổi ý', confirm: 'yes' }, me);
    expect(ok.status).toBe(303);
    const after = await get(`/ho-so/${d.id}`, me);
    expect(after.body).toContain('Hồ sơ đã được rút.');
    expect(after.body).toContain('Lý do: Đổi ý');
    expect(after.body).not.toContain('/rut"');
  });
});
