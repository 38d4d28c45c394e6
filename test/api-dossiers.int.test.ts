import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { toIso, vnDate } from '../src/platform/time.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, SAMPLE_PNG, workingDayClosing, type TestApp } from './harness.ts';

// Dossier routes beyond the happy path of dossier-lifecycle.int.test.ts: walk-in intake at the
// counter, every workflow action's unhappy paths, files (upload, reuse, removal, download),
// drafts, views, ratings and the public lookup.

let t: TestApp;
const CODE = '1.001193'; // Đăng ký khai sinh: citizens only; received by TTPVHCC (and commune centres)
const MARRIAGE = '1.000894'; // Đăng ký kết hôn: channels in_person and online only
let def: ProcedureDefinition;
let giangId: string;
let hoaId: string;
let khanhId: string;
let anId: string;

const AN_ID_NUMBER = '036090001234';
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: AN_ID_NUMBER, phone: '0912345678' };
const binhApplicant = { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321', phone: '0987654321' };

const api = (p: string) => `/api/v1${p}`;

async function createDraft(as = 'citizen.an', body: Record<string, unknown> = {}) {
  const res = await t.request({
    method: 'POST',
    url: api('/dossiers'),
    as,
    payload: { procedureCode: CODE, applicant, form: requiredAnswers(def.form, 7), ...body },
  });
  expect(res.status, res.body).toBe(201);
  return res.json;
}

async function upload(
  id: string,
  component: string,
  as = 'citizen.an',
  file: { name: string; type: string; data: Buffer } = { name: `${component}.pdf`, type: 'application/pdf', data: SAMPLE_PDF },
) {
  const body = multipart({ component }, file);
  return t.request({ method: 'POST', url: api(`/dossiers/${id}/files`), as, ...body });
}

async function uploadRequired(id: string, as = 'citizen.an') {
  for (const c of def.components.filter((c) => c.required)) {
    const r = await upload(id, c.code, as);
    expect(r.status, r.body).toBe(201);
  }
}

async function createSubmitted(as = 'citizen.an', body: Record<string, unknown> = {}) {
  const d = await createDraft(as, body);
  await uploadRequired(d.id, as);
  const s = await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as });
  expect(s.status, s.body).toBe(200);
  return s.json;
}

async function act(idOrCode: string, as: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.request({ method: 'POST', url: api(`/dossiers/${idOrCode}/actions`), as, payload: body, headers });
}

async function actOk(idOrCode: string, as: string, body: Record<string, unknown>) {
  const r = await act(idOrCode, as, body);
  expect(r.status, r.body).toBe(200);
  return r.json;
}

async function createReceived() {
  const d = await createSubmitted();
  return actOk(d.code, 'reception.dung', { action: 'receive' });
}

async function toReturned(code: string) {
  await actOk(code, 'reception.dung', { action: 'receive' });
  let cur = await actOk(code, 'reception.dung', { action: 'assign', assigneeId: giangId });
  while (cur.currentStep.role === 'specialist') cur = await actOk(code, 'specialist.giang', { action: 'forward' });
  cur = (await get(code, 'leader.hoa')).json;
  while (!cur.allowedActions.includes('approve')) cur = await actOk(code, 'leader.hoa', { action: 'forward' });
  await actOk(code, 'leader.hoa', { action: 'approve' });
  return actOk(code, 'reception.dung', { action: 'return_result' });
}

async function get(idOrCode: string, as: string) {
  return t.request({ method: 'GET', url: api(`/dossiers/${idOrCode}`), as });
}

/** The raw bytes of a download (the harness decodes bodies as text). */
async function download(idOrCode: string, fileId: string, as: string) {
  const res = await t.app.inject({
    method: 'GET',
    url: api(`/dossiers/${idOrCode}/files/${fileId}`),
    headers: { authorization: `Bearer ${await t.token(as)}` },
  });
  return res;
}

/** The live files of a dossier, straight from the database (independent of the view). */
async function filesOf(dossierId: string) {
  return queryRows<{ id: string; component: string; sha256: string; size: number; file_name: string; reused_from_id: string | null }>(
    t.database.db,
    sql`SELECT id, component_code AS component, sha256, size, file_name, reused_from_id FROM dossier_files
        WHERE dossier_id = ${dossierId} AND removed_at IS NULL ORDER BY created_at, id`,
  );
}

function expectProblem(res: { status: number; json: any; headers: Record<string, unknown> }, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  // (`status` in the body is checked separately: see the test on problem details.)
  if (code) expect(res.json.code).toBe(code);
}

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: api(`/procedures/${CODE}`) })).json.definition;
  const staff = async (role: string) => (await t.request({ method: 'GET', url: api(`/agencies/TTPVHCC/staff?role=${role}`), as: 'reception.dung' })).json;
  giangId = (await staff('specialist')).find((s: { username: string }) => s.username === 'specialist.giang').id;
  hoaId = (await staff('leader')).find((s: { username: string }) => s.username === 'leader.hoa').id;
  khanhId = (await t.request({ method: 'GET', url: api('/me'), as: 'officer.khanh' })).json.id;
  anId = (await t.request({ method: 'GET', url: api('/me'), as: 'citizen.an' })).json.id;
});
afterAll(async () => t?.close());

describe('the competent agency of a commune-tier procedure', () => {
  it('is the committee of the applicant’s commune, else of the receiving centre’s commune, else the procedure’s', async () => {
    // Birth registration is commune-tier; its catalogue entry names Phường Nam Định's committee.
    const fromAddress = await createDraft('citizen.an', { applicant: { ...applicant, address: { unitCode: '14329', detail: 'Số 1 đường Tràng An' } } });
    expect(fromAddress.competentAgency.code).toBe('UBND-14329');
    const atCommuneCentre = await createDraft('citizen.an', { agencyCode: 'TTPVHCC-14215' });
    expect(atCommuneCentre.receivingAgency.code).toBe('TTPVHCC-14215');
    expect(atCommuneCentre.competentAgency.code).toBe('UBND-14215');
    const atProvince = await createDraft('citizen.an');
    expect(atProvince.competentAgency.code).toBe('UBND-13669');
    // A corrected address moves the draft to that commune's committee.
    const patched = await t.request({
      method: 'PATCH',
      url: api(`/dossiers/${atProvince.id}`),
      as: 'citizen.an',
      payload: { applicant: { ...applicant, address: { unitCode: '13285', detail: 'Thôn Đông' } } },
    });
    expect(patched.status, patched.body).toBe(200);
    expect((await get(atProvince.id, 'citizen.an')).json.competentAgency.code).toBe('UBND-13285');
    // A province-tier procedure (2.000488, decided by the Department of Justice) keeps its own competent agency whatever the address.
    const d = await t.request({
      method: 'POST',
      url: api('/dossiers'),
      as: 'citizen.an',
      payload: { procedureCode: '2.000488', applicant: { ...applicant, address: { unitCode: '14329', detail: 'Số 1' } }, form: {} },
    });
    expect(d.status, d.body).toBe(201);
    expect(d.json.competentAgency.code).toBe('STP');
  });
});

describe('walk-in intake at the counter', () => {
  it('the desk files for a walk-in citizen: creates, uploads, submits (code issued), receives; the matching account sees it', async () => {
    const created = await t.request({
      method: 'POST',
      url: api('/dossiers'),
      as: 'reception.dung',
      payload: { procedureCode: CODE, channel: 'in_person', applicant, form: requiredAnswers(def.form, 7) },
    });
    expect(created.status, created.body).toBe(201);
    expect(created.json).toMatchObject({ status: 'draft', code: null, channel: 'in_person', receivingAgency: { code: 'TTPVHCC' }, procedureVersion: 1 });
    const id: string = created.json.id;

    await uploadRequired(id, 'reception.dung');
    const sub = await t.request({ method: 'POST', url: api(`/dossiers/${id}/submit`), as: 'reception.dung' });
    expect(sub.status, sub.body).toBe(200);
    const day = vnDate(new Date()).slice(2).replace(/-/g, '');
    expect(sub.json.code).toMatch(new RegExp(`^000\\.00\\.01\\.H37-${day}-\\d{4}$`));
    expect(sub.json).toMatchObject({ status: 'submitted', nationalStatus: 1, channel: 'in_person' });
    expect(sub.json.submittedAt).toMatch(/\+07:00$/);
    const code: string = sub.json.code;

    const rec = await actOk(code, 'reception.dung', { action: 'receive' });
    expect(rec).toMatchObject({ status: 'received', nationalStatus: 2 });
    expect(rec.receivedAt).not.toBeNull();
    expect(rec.dueAt).not.toBeNull();
    expect(new Date(rec.dueAt).getTime()).toBeGreaterThan(new Date(rec.receivedAt).getTime());

    // The walk-in carries citizen.an's ID number, so it is linked to his account.
    const seen = await get(code, 'citizen.an');
    expect(seen.status).toBe(200);
    expect(seen.json).toMatchObject({ id, code, status: 'received', channel: 'in_person' });
    expect(seen.json.allowedActions).toEqual(['withdraw']);
    const mine = await t.request({ method: 'GET', url: api('/dossiers?pageSize=100'), as: 'citizen.an' });
    expect(mine.json.items.map((i: { id: string }) => i.id)).toContain(id);
    expect((await get(code, 'citizen.binh')).status).toBe(404);

    // History names the desk as the actor of create and submit.
    const h = await t.request({ method: 'GET', url: api(`/dossiers/${code}/history`), as: 'citizen.an' });
    expect(h.status).toBe(200);
    expect(h.json.map((e: { action: string }) => e.action)).toEqual(['create', 'submit', 'receive']);
    expect(h.json.map((e: { actor: { role: string } }) => e.actor.role)).toEqual(['reception', 'reception', 'reception']);
    expect(h.json[0].actor.name).toBe('Phạm Thị Dung');
  });

  it('a walk-in for an ID number without an account is visible to no citizen; channel defaults to in_person for the desk', async () => {
    const stranger = { type: 'citizen', fullName: 'Đinh Thị Mai', idNumber: '036199990001' };
    const d = await createDraft('reception.dung', { applicant: stranger, channel: undefined });
    expect(d.channel).toBe('in_person');
    expect((await get(d.id, 'citizen.an')).status).toBe(404);
    expect((await get(d.id, 'citizen.binh')).status).toBe(404);
    expect((await get(d.id, 'reception.dung')).status).toBe(200);
  });

  it('takes a landline as the applicant’s phone (stored as its national digits), but SMS consent only with a mobile', async () => {
    const walkIn = { type: 'citizen', fullName: 'Đinh Thị Mai', idNumber: '036199990002', phone: '(0229) 3871 234' };
    const d = await createDraft('reception.dung', { applicant: walkIn });
    expect(d.applicant.phone).toBe('02293871234');
    expect((await get(d.id, 'reception.dung')).json.applicant.phone).toBe('02293871234');
    // The applicant's own draft, with the +84 form of a Hà Nội landline.
    const own = await createDraft('citizen.an', { applicant: { ...applicant, phone: '+84 (0) 24 3825 1234' } });
    expect(own.applicant.phone).toBe('02438251234');
    // Consent to SMS at the counter needs a number that takes SMS: not a landline.
    const consent = await t.request({
      method: 'POST',
      url: api('/dossiers'),
      as: 'reception.dung',
      payload: { procedureCode: CODE, applicant: walkIn, form: requiredAnswers(def.form, 7), smsConsent: true },
    });
    expectProblem(consent, 422, 'DOSSIER_SMS_CONSENT_INVALID');
    expect(consent.json.errors).toEqual([{ path: 'applicant.phone', message: 'Cần số di động để gửi tin nhắn' }]);
    const mobile = await createDraft('reception.dung', { applicant: { ...walkIn, phone: '0911 000 444' }, smsConsent: true });
    expect(mobile.smsConsentAt).toMatch(/\+07:00$/);
    // Another mobile keeps the consent; a landline ends it (nothing could be sent to it).
    const patchPhone = (phone: string) =>
      t.request({ method: 'PATCH', url: api(`/dossiers/${mobile.id}`), as: 'reception.dung', payload: { applicant: { ...walkIn, phone } } });
    expect((await patchPhone('0911 000 555')).json.smsConsentAt).toBe(mobile.smsConsentAt);
    const landline = await patchPhone('0229 3871 234');
    expect(landline.status).toBe(200);
    expect(landline.json).toMatchObject({ smsConsentAt: null, applicant: { phone: '02293871234' } });
    // A number too long to be a phone: the same Vietnamese message.
    const long = await patchPhone('0'.repeat(31));
    expectProblem(long, 422);
    expect(long.json.errors).toEqual([{ path: 'applicant.phone', message: expect.stringContaining('số điện thoại không hợp lệ') }]);
  });

  it('the desk records a walk-in’s supplement at the counter; a dossier goes back to the desk only when complete', async () => {
    const stranger = { type: 'citizen', fullName: 'Đinh Thị Mai', idNumber: '036199990002' };
    const d = await createDraft('reception.dung', { applicant: stranger });
    await uploadRequired(d.id, 'reception.dung');
    const sub = await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as: 'reception.dung' });
    expect(sub.status, sub.body).toBe(200);
    await actOk(d.id, 'reception.dung', { action: 'request_supplement', reason: 'Giấy chứng sinh bị mờ' });
    // The walk-in has no account: the desk takes the papers out and in.
    const view = await get(d.id, 'reception.dung');
    const required = def.components.find((c) => c.required)!.code;
    const old = view.json.files.find((f: { component: string }) => f.component === required);
    expect((await t.request({ method: 'DELETE', url: api(`/dossiers/${d.id}/files/${old.fileId}`), as: 'reception.dung' })).status).toBe(204);
    // Without the required paper it cannot go back.
    const incomplete = await act(d.id, 'reception.dung', { action: 'supplement' });
    expectProblem(incomplete, 422, 'DOSSIER_INCOMPLETE');
    expect(incomplete.json.errors.map((e: { path: string }) => e.path)).toContain(`components.${required}`);
    expect((await get(d.id, 'reception.dung')).json.status).toBe('supplement_requested');
    expect((await upload(d.id, required, 'reception.dung')).status).toBe(201);
    expect((await actOk(d.id, 'reception.dung', { action: 'supplement' })).status).toBe('submitted');
    // What the desk took out and put in is in the history, between the request and the supplement.
    const h = await t.request({ method: 'GET', url: api(`/dossiers/${d.id}/history`), as: 'reception.dung' });
    expect(h.json.map((e: { action: string }) => e.action)).toEqual(['create', 'submit', 'request_supplement', 'remove_file', 'attach_file', 'supplement']);
    expect(h.json.slice(3, 5).map((e: { actor: { role: string } }) => e.actor.role)).toEqual(['reception', 'reception']);
    // Another agency's officer still may not touch it.
    expect((await upload(d.id, required, 'officer.khanh')).status).toBe(404);
  });

  it('takes back a supplement whose commune answer was in force when the dossier was submitted, though merged since', async () => {
    const d = await createReceived();
    await actOk(d.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
    await actOk(d.code, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung giấy chứng sinh' });
    // Submitted on 20 June 2025 naming Phường Cửa Bắc (13645), which became part of 13669 on 1 July 2025.
    await t.database.db.execute(
      sql`UPDATE dossiers SET submitted_at = '2025-06-20T09:00:00+07:00', form = jsonb_set(form, '{noi_cu_tru}', '"13645"') WHERE id = ${d.id}`,
    );
    // The supplement itself: a clearer copy of the required paper.
    expect((await upload(d.id, def.components.find((c) => c.required)!.code)).status).toBe(201);
    expect((await actOk(d.code, 'citizen.an', { action: 'supplement' })).status).toBe('submitted');
    // A code that was never in force is still refused.
    const e = await createReceived();
    await actOk(e.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
    await actOk(e.code, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung giấy chứng sinh' });
    await t.database.db.execute(sql`UPDATE dossiers SET form = jsonb_set(form, '{noi_cu_tru}', '"99999"') WHERE id = ${e.id}`);
    const refused = await act(e.code, 'citizen.an', { action: 'supplement' });
    expectProblem(refused, 422, 'DOSSIER_INCOMPLETE');
    expect(refused.json.errors.map((x: { path: string }) => x.path)).toEqual(['form.noi_cu_tru']);
  });

  it('refuses bad intake requests: wrong role, wrong channel, wrong agency, applicant type, unknown procedure', async () => {
    const body = { procedureCode: CODE, applicant, form: {} };
    const post = (as: string | undefined, payload: Record<string, unknown>) =>
      t.request({ method: 'POST', url: api('/dossiers'), ...(as ? { as } : {}), payload });

    expectProblem(await post(undefined, body), 401, 'AUTH_REQUIRED');
    expectProblem(await post('specialist.giang', body), 403, 'ROLE_REQUIRED');
    expectProblem(await post('leader.hoa', body), 403, 'ROLE_REQUIRED');
    expectProblem(await post('admin.lan', body), 403, 'ROLE_REQUIRED');
    // A citizen files online only.
    expectProblem(await post('citizen.an', { ...body, channel: 'in_person' }), 422, 'DOSSIER_CHANNEL_NOT_ALLOWED');
    // The desk files in person or by post: an online dossier is one the applicant files (the service index counts it so).
    const online = await post('reception.dung', { ...body, channel: 'online' });
    expectProblem(online, 422, 'DOSSIER_CHANNEL_NOT_ALLOWED');
    expect(online.json.detail).toContain('trực tiếp hoặc qua bưu chính');
    // Marriage registration has no postal channel.
    const post2 = await post('reception.dung', { procedureCode: MARRIAGE, applicant, form: {}, channel: 'post' });
    expectProblem(post2, 422, 'DOSSIER_CHANNEL_NOT_ALLOWED');
    expect(post2.json.allowed).toEqual(['in_person', 'online']);
    // The desk files only for its own centre.
    const other = await post('reception.dung', { ...body, agencyCode: 'TTPVHCC-13669' });
    expectProblem(other, 422, 'DOSSIER_AGENCY_NOT_RECEIVING');
    expect(other.json.receivingAgencies).toContain('TTPVHCC');
    expectProblem(await post('citizen.an', { ...body, agencyCode: 'STP' }), 422, 'DOSSIER_AGENCY_NOT_RECEIVING');
    // Birth registration is for citizens only.
    const org = {
      type: 'organisation',
      fullName: 'Lê Văn Cường',
      idNumber: '036085007777',
      taxCode: '0601234567',
      organisationName: 'Công ty TNHH Cường Thịnh',
    };
    const orgRes = await post('business.cuong', { ...body, applicant: org });
    expectProblem(orgRes, 422, 'DOSSIER_APPLICANT_TYPE_NOT_ALLOWED');
    expect(orgRes.json.allowed).toEqual(['citizen']);
    expectProblem(await post('citizen.an', { ...body, procedureCode: '9.999999' }), 404, 'PROCEDURE_NOT_FOUND');
    // Body validation: an organisation needs a tax code; phone and ID number formats.
    const noTax = await post('business.cuong', { ...body, applicant: { ...org, taxCode: undefined } });
    expectProblem(noTax, 422, 'VALIDATION_FAILED');
    expect(noTax.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'applicant.taxCode' })]));
    const badPhone = await post('citizen.an', { ...body, applicant: { ...applicant, phone: '12345' } });
    expectProblem(badPhone, 422, 'VALIDATION_FAILED');
    expect(badPhone.json.errors).toEqual(
      expect.arrayContaining([{ path: 'applicant.phone', message: 'số điện thoại không hợp lệ (di động 10 chữ số hoặc cố định 11 chữ số bắt đầu bằng 02)' }]),
    );
    // A landline missing a digit, and an old 11-digit mobile (01x), are refused too.
    for (const phone of ['0229387123', '01283849123'])
      expectProblem(await post('citizen.an', { ...body, applicant: { ...applicant, phone } }), 422, 'VALIDATION_FAILED');
    const noProc = await post('citizen.an', { applicant });
    expectProblem(noProc, 422, 'VALIDATION_FAILED');
    expect(noProc.json.errors.map((e: { path: string }) => e.path)).toContain('procedureCode');
  });
});

describe('form validation on create and on save', () => {
  it('rejects unknown form keys, malformed answers and unit codes not in force, listing each path', async () => {
    const post = (form: Record<string, unknown>, a: Record<string, unknown> = applicant) =>
      t.request({ method: 'POST', url: api('/dossiers'), as: 'citizen.an', payload: { procedureCode: CODE, applicant: a, form } });

    const unknown = await post({ ...requiredAnswers(def.form, 7), khong_co_truong_nay: 'x' });
    expectProblem(unknown, 422, 'DOSSIER_FORM_INVALID');
    expect(unknown.json.errors).toEqual([expect.objectContaining({ path: 'form.khong_co_truong_nay' })]);

    const bad = await post({ gioi_tinh: 'khac', ngay_sinh: '2026-02-30', so_dinh_danh_me: '12345' });
    expectProblem(bad, 422, 'DOSSIER_FORM_INVALID');
    expect(bad.json.errors.map((e: { path: string }) => e.path).sort()).toEqual(['form.gioi_tinh', 'form.ngay_sinh', 'form.so_dinh_danh_me']);

    for (const unit of ['99999', '13645' /* Phường Vị Xuyên: closed on 30 June 2025 */, '123']) {
      const r = await post({ noi_cu_tru: unit });
      expectProblem(r, 422, 'DOSSIER_FORM_INVALID');
      expect(r.json.errors).toEqual([expect.objectContaining({ path: 'form.noi_cu_tru' })]);
    }
    const addr = await post({}, { ...applicant, address: { unitCode: '99999', detail: 'Số 1' } });
    expectProblem(addr, 422, 'DOSSIER_FORM_INVALID');
    expect(addr.json.errors).toEqual([expect.objectContaining({ path: 'applicant.address.unitCode' })]);

    // A valid unit in force today is accepted (partial drafts skip required answers).
    const ok = await post({ noi_cu_tru: '13669' }, { ...applicant, address: { unitCode: '13684', detail: 'Số 2 Hàn Thuyên' } });
    expect(ok.status).toBe(201);
    expect(ok.json.form).toEqual({ noi_cu_tru: '13669' });
  });

  it('PATCH saves a draft, validates it, honours If-Match and refuses the wrong people', async () => {
    const d = await createDraft('citizen.an', { form: {} });
    const url = api(`/dossiers/${d.id}`);
    const patch = (as: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
      t.request({ method: 'PATCH', url, as, payload, headers });

    const unknown = await patch('citizen.an', { form: { truong_la: 'x' } });
    expectProblem(unknown, 422, 'DOSSIER_FORM_INVALID');
    expect(unknown.json.errors).toEqual([expect.objectContaining({ path: 'form.truong_la' })]);
    const unit = await patch('citizen.an', { form: { noi_cu_tru: '00000' } });
    expectProblem(unit, 422, 'DOSSIER_FORM_INVALID');
    expect(unit.json.errors).toEqual([expect.objectContaining({ path: 'form.noi_cu_tru' })]);
    expectProblem(await patch('citizen.an', { channel: 'in_person' }), 422, 'DOSSIER_CHANNEL_NOT_ALLOWED');

    // Nothing was saved by the refused requests.
    const before = await get(d.id, 'citizen.an');
    expect(before.json.version).toBe(d.version);
    expect(before.json.form).toEqual({});

    expectProblem(await patch('citizen.an', { form: { ho_ten_tre: 'Nguyễn Văn Bé' } }, { 'if-match': 'abc' }), 422, 'IF_MATCH_INVALID');
    const stale = await patch('citizen.an', { form: { ho_ten_tre: 'Nguyễn Văn Bé' } }, { 'if-match': `"${d.version + 5}"` });
    expectProblem(stale, 412, 'DOSSIER_VERSION_STALE');
    expect(stale.json.currentVersion).toBe(d.version);

    // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
    expectProblem(await patch('citizen.an', { form: { ho_ten_tre: 'Nguyễn Văn Bé' } }, { 'if-match': `W/"${d.version}"` }), 412, 'DOSSIER_VERSION_STALE');
    const saved = await patch('citizen.an', { form: { ho_ten_tre: 'Nguyễn Văn Bé' } }, { 'if-match': `"${d.version}"` });
    expect(saved.status, saved.body).toBe(200);
    expect(saved.json.version).toBe(d.version + 1);
    expect(saved.json.form).toEqual({ ho_ten_tre: 'Nguyễn Văn Bé' });
    expect(saved.headers.etag).toBe(`"${d.version + 1}"`);
    // Merged with earlier answers; '*' means "any version".
    const merged = await patch('citizen.an', { form: { gioi_tinh: 'nam' } }, { 'if-match': '*' });
    expect(merged.json.form).toEqual({ ho_ten_tre: 'Nguyễn Văn Bé', gioi_tinh: 'nam' });

    expectProblem(await patch('citizen.binh', { form: { gioi_tinh: 'nu' } }), 404, 'DOSSIER_NOT_FOUND');
    // A citizen's unsubmitted draft is private: staff do not even see that it exists.
    expectProblem(await patch('specialist.giang', { form: { gioi_tinh: 'nu' } }), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await t.request({ method: 'PATCH', url, payload: { form: {} } }), 401, 'AUTH_REQUIRED');
  });

  it('PATCH on a submitted dossier answers 409 DOSSIER_NOT_EDITABLE, for the applicant and for the desk', async () => {
    const d = await createSubmitted();
    for (const as of ['citizen.an', 'reception.dung']) {
      const r = await t.request({ method: 'PATCH', url: api(`/dossiers/${d.code}`), as, payload: { form: { ho_ten_tre: 'Khác' } } });
      expectProblem(r, 409, 'DOSSIER_NOT_EDITABLE');
    }
    const r = await t.request({ method: 'PATCH', url: api(`/dossiers/${d.code}`), as: 'specialist.giang', payload: { form: {} } });
    expectProblem(r, 403, 'DOSSIER_EDIT_FORBIDDEN');
    expect((await get(d.code, 'citizen.an')).json.form).toEqual(d.form);
  });

  // Regression test (fixed): updateDossier (src/modules/dossiers/dossiers.service.ts, the `if (patch.applicant)` block)
  // never checks applicant.address.unitCode, although createDossier rejects the same value.
  it('PATCH rejects an applicant address whose unit code does not exist, as create does', async () => {
    const d = await createDraft('citizen.an', { form: {} });
    const r = await t.request({
      method: 'PATCH',
      url: api(`/dossiers/${d.id}`),
      as: 'citizen.an',
      payload: { applicant: { ...applicant, address: { unitCode: '99999', detail: 'Số 1' } } },
    });
    expect(r.status).toBe(422);
    expect(r.json.errors).toEqual([expect.objectContaining({ path: 'applicant.address.unitCode' })]);
  });

  // Regression test (fixed): updateDossier keeps applicant_user_id when the desk corrects the applicant's ID number,
  // so the first person's account keeps seeing (and may withdraw) someone else's dossier.
  it('re-links a walk-in draft when the desk corrects the applicant ID number', async () => {
    const d = await createDraft('reception.dung', { channel: 'in_person' });
    expect((await get(d.id, 'citizen.an')).status).toBe(200);
    const fixed = await t.request({
      method: 'PATCH',
      url: api(`/dossiers/${d.id}`),
      as: 'reception.dung',
      payload: { applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321' } },
    });
    expect(fixed.status).toBe(200);
    expect((await get(d.id, 'citizen.an')).status).toBe(404);
    expect((await get(d.id, 'citizen.binh')).status).toBe(200);
  });
});

describe('submission', () => {
  it('refuses submit for the wrong people, twice, on a stale version, or with a bad Idempotency-Key', async () => {
    const d = await createDraft();
    await uploadRequired(d.id);
    const submit = (as: string | undefined, headers: Record<string, string> = {}) =>
      t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), ...(as ? { as } : {}), headers });
    expectProblem(await submit(undefined), 401, 'AUTH_REQUIRED');
    expectProblem(await submit('citizen.binh'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await submit('officer.khanh'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await submit('specialist.giang'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await submit('citizen.an', { 'idempotency-key': 'short' }), 422, 'VALIDATION_FAILED');
    expectProblem(await submit('citizen.an', { 'if-match': 'latest' }), 422, 'IF_MATCH_INVALID');
    const current = (await get(d.id, 'citizen.an')).json.version;
    expectProblem(await submit('citizen.an', { 'if-match': `"${current - 1}"` }), 412, 'DOSSIER_VERSION_STALE');
    expect((await get(d.id, 'citizen.an')).json).toMatchObject({ status: 'draft', code: null });
    const ok = await submit('citizen.an', { 'if-match': `"${current}"` });
    expect(ok.status).toBe(200);
    expect(ok.json.version).toBe(current + 1);
    expectProblem(await submit('citizen.an'), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    // submit through /actions goes the same way.
    expectProblem(await act(d.id, 'citizen.an', { action: 'submit' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expect((await get(d.id, 'citizen.an')).json.code).toBe(ok.json.code);
  });

  it('supplement: only the applicant (or the desk), only when a supplement was requested', async () => {
    const d = await createSubmitted();
    expectProblem(await act(d.code, 'citizen.an', { action: 'supplement' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    const noReason = await act(d.code, 'reception.dung', { action: 'request_supplement' });
    expectProblem(noReason, 422, 'DOSSIER_ACTION_INPUT_MISSING');
    const rs = await actOk(d.code, 'reception.dung', { action: 'request_supplement', reason: 'Thiếu bản sao giấy chứng sinh' });
    // Asked at the counter before reception: no clock, and it does not count for the national index.
    expect(rs).toMatchObject({ status: 'supplement_requested', nationalStatus: 5, supplementCount: 0, receivedAt: null, dueAt: null });
    expectProblem(await act(d.code, 'citizen.binh', { action: 'supplement' }), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await act(d.code, 'specialist.giang', { action: 'supplement' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'leader.hoa', { action: 'supplement' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    // Nothing added, taken out or changed since the request: not a supplement (the API and the page alike).
    const empty = await act(d.code, 'citizen.an', { action: 'supplement' });
    expectProblem(empty, 422, 'DOSSIER_SUPPLEMENT_EMPTY');
    expect(empty.json.detail).toContain('Chưa có gì được bổ sung');
    // Saving the same answers again changes nothing either.
    const same = await t.request({ method: 'PATCH', url: api(`/dossiers/${d.id}`), as: 'citizen.an', payload: { form: requiredAnswers(def.form, 7) } });
    expect(same.status, same.body).toBe(200);
    expectProblem(await act(d.code, 'citizen.an', { action: 'supplement' }), 422, 'DOSSIER_SUPPLEMENT_EMPTY');
    const required = def.components.find((c) => c.required)!.code;
    expect((await upload(d.id, required)).status).toBe(201);
    expect((await actOk(d.code, 'citizen.an', { action: 'supplement' })).status).toBe('submitted');
    // A change counts only for the request it answers: asked again, something new is needed.
    await actOk(d.code, 'reception.dung', { action: 'request_supplement', reason: 'Bản sao vẫn chưa rõ' });
    expectProblem(await act(d.code, 'citizen.an', { action: 'supplement' }), 422, 'DOSSIER_SUPPLEMENT_EMPTY');
    const extra = (await get(d.code, 'citizen.an')).json.files.filter((f: { component: string }) => f.component === required).at(-1);
    expect((await t.request({ method: 'DELETE', url: api(`/dossiers/${d.id}/files/${extra.fileId}`), as: 'citizen.an' })).status).toBe(204);
    expect((await actOk(d.code, 'citizen.an', { action: 'supplement' })).status).toBe('submitted');
    // The desk records papers brought to the counter for this online dossier (whose files only its
    // applicant may change): its note saying what it received is the supplement; without one, 422 at the note.
    await actOk(d.code, 'reception.dung', { action: 'request_supplement', reason: 'Mang bản gốc đến quầy để đối chiếu' });
    const deskEmpty = await act(d.code, 'reception.dung', { action: 'supplement' });
    expectProblem(deskEmpty, 422, 'DOSSIER_SUPPLEMENT_EMPTY');
    expect(deskEmpty.json.errors).toEqual([expect.objectContaining({ path: 'note' })]);
    expect((await actOk(d.code, 'reception.dung', { action: 'supplement', note: 'Đã nhận bản gốc giấy chứng sinh tại quầy' })).status).toBe('submitted');
    const last = (await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'reception.dung' })).json.at(-1);
    expect(last).toMatchObject({ action: 'supplement', note: 'Đã nhận bản gốc giấy chứng sinh tại quầy' });
  });
});

describe('reading dossiers', () => {
  it('GET by id and by code returns the same view with ETag = version; unknown ids are 404, bad ids 422', async () => {
    const d = await createSubmitted();
    const byId = await get(d.id, 'citizen.an');
    const byCode = await get(d.code, 'citizen.an');
    expect(byId.status).toBe(200);
    expect(byCode.status).toBe(200);
    expect(byCode.json).toEqual(byId.json);
    expect(byId.headers.etag).toBe(`"${byId.json.version}"`);
    expect(byId.json).toMatchObject({
      id: d.id,
      code: d.code,
      procedureCode: CODE,
      procedureName: 'Đăng ký khai sinh',
      statusName: 'Mới đăng ký',
      isOverdue: false,
      rating: null,
    });
    expect(await filesOf(d.id)).toHaveLength(def.components.filter((c) => c.required).length);
    // The ETag moves with the version.
    const rec = await act(d.code, 'reception.dung', { action: 'receive' }, { 'if-match': byId.headers.etag as string });
    expect(rec.status).toBe(200);
    expect(rec.headers.etag).toBe(`"${byId.json.version + 1}"`);

    expectProblem(await get('0190a7c4-0000-7000-8000-000000000000', 'citizen.an'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await get('000.00.01.H37-000101-9999', 'citizen.an'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await get('x'.repeat(81), 'citizen.an'), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'GET', url: api(`/dossiers/${d.id}/history`), as: 'citizen.binh' }), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await t.request({ method: 'GET', url: api(`/dossiers/${d.id}/history`) }), 401, 'AUTH_REQUIRED');
    expectProblem(await t.request({ method: 'GET', url: api('/dossiers') }), 401, 'AUTH_REQUIRED');
  });

  it('audits staff reads of a dossier, not the applicant’s own', async () => {
    const d = await createSubmitted();
    const count = async (actor: string) =>
      (
        await queryRows<{ n: number }>(
          t.database.db,
          sql`SELECT count(*)::int AS n FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action = 'dossier.read' AND a.target_id = ${d.id} AND u.username = ${actor}`,
        )
      )[0]!.n;
    await get(d.id, 'citizen.an');
    await get(d.id, 'specialist.giang');
    await get(d.id, 'specialist.giang');
    expect(Number(await count('citizen.an'))).toBe(0);
    expect(Number(await count('specialist.giang'))).toBe(2);
  });

  it('problem+json bodies carry type, title, numeric status, code, detail and instance', async () => {
    const r = await get('0190a7c4-0000-7000-8000-000000000000', 'citizen.an');
    expect(r.json).toEqual({
      type: 'https://tinhso.gov.vn/problems/dossier-not-found',
      title: 'Không tìm thấy (Not found)',
      status: 404,
      code: 'DOSSIER_NOT_FOUND',
      detail: 'Không tìm thấy hồ sơ.',
      instance: '/api/v1/dossiers/0190a7c4-0000-7000-8000-000000000000',
    });
    const viaAction = await act('0190a7c4-0000-7000-8000-000000000000', 'citizen.an', { action: 'withdraw' });
    expect(viaAction.json).toMatchObject({ status: 404, code: 'DOSSIER_NOT_FOUND', instance: '/api/v1/dossiers/0190a7c4-0000-7000-8000-000000000000/actions' });
  });

  // Regression test (fixed): sendProblem (src/platform/http.ts, `if (err.details) Object.assign(body, err.details)`)
  // lets details overwrite the RFC 9457 members. DOSSIER_TRANSITION_NOT_ALLOWED and
  // DOSSIER_NOT_EDITABLE put the dossier's state in details.status, so the body's `status` is
  // "submitted" (a string) instead of 409; any detail named type/title/code/instance would do the same.
  it('keeps the numeric HTTP status in problem bodies whose details carry the dossier status', async () => {
    const d = await createSubmitted();
    const transition = await act(d.code, 'leader.hoa', { action: 'approve' });
    expect(transition.status).toBe(409);
    expect(transition.json.status).toBe(409);
    const edit = await t.request({ method: 'PATCH', url: api(`/dossiers/${d.code}`), as: 'citizen.an', payload: { form: {} } });
    expect(edit.status).toBe(409);
    expect(edit.json.status).toBe(409);
  });

  it('the public lookup answers 404 problem+json for an unknown code, and never by id', async () => {
    const unknown = await t.request({ method: 'GET', url: api('/public/dossiers/000.00.01.H37-991231-9999') });
    expectProblem(unknown, 404, 'DOSSIER_NOT_FOUND');
    expect(unknown.json.instance).toBe('/api/v1/public/dossiers/000.00.01.H37-991231-9999');
    const d = await createSubmitted();
    expectProblem(await t.request({ method: 'GET', url: api(`/public/dossiers/${d.id}`) }), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await t.request({ method: 'GET', url: api('/public/dossiers/abc') }), 422, 'VALIDATION_FAILED');
    const ok = await t.request({ method: 'GET', url: api(`/public/dossiers/${d.code}`) });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.json).toEqual({
      code: d.code,
      procedureName: 'Đăng ký khai sinh',
      status: 'submitted',
      statusName: 'Mới đăng ký',
      nationalStatus: 1,
      receivedAt: null,
      dueAt: null,
      agencyName: 'Trung tâm Phục vụ hành chính công tỉnh Ninh Bình',
    });
  });
});

describe('workflow actions: unhappy paths and the remaining flows', () => {
  it('refuse needs a reason (422 DOSSIER_ACTION_INPUT_MISSING), only the desk may refuse, and refusal is final', async () => {
    const d = await createSubmitted();
    const noReason = await act(d.code, 'reception.dung', { action: 'refuse' });
    expectProblem(noReason, 422, 'DOSSIER_ACTION_INPUT_MISSING');
    expect(noReason.json.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    expectProblem(await act(d.code, 'reception.dung', { action: 'refuse', reason: '   ' }), 422, 'DOSSIER_ACTION_INPUT_MISSING');
    expectProblem(await act(d.code, 'leader.hoa', { action: 'refuse', reason: 'Không thuộc thẩm quyền' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'citizen.an', { action: 'refuse', reason: 'x' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'citizen.binh', { action: 'refuse', reason: 'x' }), 404, 'DOSSIER_NOT_FOUND');
    // The failed attempts changed nothing.
    expect((await get(d.code, 'citizen.an')).json).toMatchObject({ status: 'submitted', version: d.version });

    const reason = 'Hồ sơ không thuộc thẩm quyền giải quyết';
    const refused = await actOk(d.code, 'reception.dung', { action: 'refuse', reason });
    expect(refused).toMatchObject({
      status: 'refused',
      nationalStatus: 3,
      statusName: 'Không được tiếp nhận',
      allowedActions: [],
      receivedAt: null,
      dueAt: null,
    });
    expect(refused.finishedAt).not.toBeNull();
    const again = await act(d.code, 'reception.dung', { action: 'receive' });
    expectProblem(again, 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expect(again.json).toMatchObject({ action: 'receive', reason: 'cannot receive a dossier in status refused', allowedActions: [] });
    const h = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'citizen.an' });
    expect(h.json.at(-1)).toMatchObject({ action: 'refuse', fromStatus: 'submitted', toStatus: 'refused', note: reason, actor: { role: 'reception' } });

    // A received dossier can no longer be refused.
    const r = await createReceived();
    const late = await act(r.code, 'reception.dung', { action: 'refuse', reason });
    expectProblem(late, 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expect(late.json.reason).toBe('cannot refuse a dossier in status received');
  });

  it('the desk refuses a dossier it sent back for a supplement before receiving it; once received, it can only be stopped', async () => {
    // Sent back at the counter before reception (no clock): the applicant never completes it.
    const d = await createSubmitted();
    await actOk(d.code, 'reception.dung', { action: 'request_supplement', reason: 'Thiếu bản sao giấy chứng sinh' });
    expect((await get(d.code, 'reception.dung')).json.allowedActions).toEqual(['refuse', 'supplement', 'withdraw']);
    expect((await get(d.code, 'citizen.an')).json.allowedActions).toEqual(['supplement', 'withdraw']);
    expectProblem(await act(d.code, 'reception.dung', { action: 'refuse' }), 422, 'DOSSIER_ACTION_INPUT_MISSING');
    expectProblem(await act(d.code, 'leader.hoa', { action: 'refuse', reason: 'x' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'citizen.an', { action: 'refuse', reason: 'x' }), 403, 'DOSSIER_ACTION_FORBIDDEN');

    const reason = 'Công dân không bổ sung hồ sơ theo yêu cầu';
    const refused = await actOk(d.code, 'reception.dung', { action: 'refuse', reason });
    expect(refused).toMatchObject({
      status: 'refused',
      nationalStatus: 3,
      statusName: 'Không được tiếp nhận',
      allowedActions: [],
      receivedAt: null,
      dueAt: null,
      supplementCount: 0,
    });
    expect(refused.finishedAt).not.toBeNull();
    // The refusal slip (form 03) exists, next to the supplement request (02); no receipt (01).
    const forms = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/documents`), as: 'citizen.an' });
    expect(forms.json.map((f: { form: string }) => f.form)).toEqual(['02', '03', '06']);
    const slip = await t.app.inject({
      method: 'GET',
      url: api(`/dossiers/${d.code}/documents/03.pdf`),
      headers: { authorization: `Bearer ${await t.token('citizen.an')}` },
    });
    expect(slip.statusCode, slip.body).toBe(200);
    expect(slip.headers['content-type']).toMatch(/^application\/pdf/);
    const h = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'citizen.an' });
    expect(h.json.map((e: { action: string }) => e.action)).toEqual(['create', 'submit', 'request_supplement', 'refuse']);
    expect(h.json.at(-1)).toMatchObject({
      action: 'refuse',
      fromStatus: 'supplement_requested',
      toStatus: 'refused',
      note: reason,
      actor: { role: 'reception' },
    });
    // The applicant is told, as for any other refusal.
    const jobs = await queryRows<{ to: string }>(
      t.database.db,
      sql`SELECT payload->>'to' AS "to" FROM jobs WHERE type = 'dossier.status_changed' AND payload->>'dossierId' = ${d.id} AND payload->>'action' = 'refuse'`,
    );
    expect(jobs).toEqual([{ to: 'refused' }]);
    // Refusal is final: the applicant can no longer supplement it.
    const late = await act(d.code, 'citizen.an', { action: 'supplement' });
    expectProblem(late, 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expect(late.json).toMatchObject({ reason: 'cannot supplement a dossier in status refused', allowedActions: [] });

    // Received, then sent back by the specialist (the clock paused): the desk may not refuse it, a leader stops it.
    const r = await createReceived();
    await actOk(r.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
    const waiting = await actOk(r.code, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung giấy chứng sinh bản rõ nét' });
    expect(waiting).toMatchObject({ status: 'supplement_requested', supplementCount: 1 });
    const no = await act(r.code, 'reception.dung', { action: 'refuse', reason });
    expectProblem(no, 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expect(no.json).toMatchObject({
      action: 'refuse',
      dossierStatus: 'supplement_requested',
      reason: 'a received dossier cannot be refused; stop it instead',
      allowedActions: ['supplement', 'withdraw'],
    });
    expect((await get(r.code, 'reception.dung')).json).toMatchObject({ status: 'supplement_requested', version: waiting.version });
    expect((await get(r.code, 'leader.hoa')).json.allowedActions).toContain('stop');
  });

  it('request_payment and confirm_payment return the dossier where it was (received, or in progress with its assignee)', async () => {
    const d = await createReceived();
    expectProblem(await act(d.code, 'reception.dung', { action: 'confirm_payment' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expectProblem(await act(d.code, 'leader.hoa', { action: 'request_payment' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'citizen.an', { action: 'request_payment' }), 403, 'DOSSIER_ACTION_FORBIDDEN');

    // Birth registration charges no fee: nothing to ask for, unless the desk states an amount.
    expect((await get(d.code, 'reception.dung')).json.allowedActions).not.toContain('request_payment');
    const free = await act(d.code, 'reception.dung', { action: 'request_payment' });
    expectProblem(free, 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expect(free.json.detail).toContain('không có phí, lệ phí');
    expect(free.json.allowedActions).not.toContain('request_payment');
    const req1 = await actOk(d.code, 'reception.dung', { action: 'request_payment', note: 'Nộp lệ phí 8.000 đồng', amount: 8000 });
    expect(req1).toMatchObject({ status: 'payment_requested', nationalStatus: 6, assigneeId: null });
    expect((await get(d.code, 'citizen.an')).json.allowedActions).toEqual(['withdraw']);
    expectProblem(await act(d.code, 'specialist.giang', { action: 'confirm_payment' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'reception.dung', { action: 'request_payment' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    const conf1 = await actOk(d.code, 'reception.dung', { action: 'confirm_payment' });
    expect(conf1).toMatchObject({ status: 'received', nationalStatus: 2, assigneeId: null });

    await actOk(d.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
    const req2 = await actOk(d.code, 'specialist.giang', { action: 'request_payment', amount: 8000 });
    expect(req2).toMatchObject({ status: 'payment_requested', assigneeId: giangId });
    const conf2 = await actOk(d.code, 'reception.dung', { action: 'confirm_payment' });
    expect(conf2).toMatchObject({ status: 'in_progress', nationalStatus: 4, assigneeId: giangId, currentStep: { role: 'specialist' } });
    // The clock is not paused by a payment request: due date unchanged.
    expect(conf2.dueAt).toBe(d.dueAt);

    const h = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'reception.dung' });
    expect(h.json.map((e: { action: string }) => e.action).slice(-5)).toEqual([
      'request_payment',
      'confirm_payment',
      'assign',
      'request_payment',
      'confirm_payment',
    ]);
    expect(h.json.find((e: { action: string }) => e.action === 'request_payment').note).toBe('Nộp lệ phí 8.000 đồng');
  });

  it('assign refuses a missing or wrong assignee (422 DOSSIER_ASSIGNEE_INVALID) and a non-uuid (422)', async () => {
    const d = await createReceived();
    for (const assigneeId of [undefined, khanhId /* specialist of another centre */, hoaId /* a leader */, anId]) {
      const r = await act(d.code, 'reception.dung', { action: 'assign', ...(assigneeId ? { assigneeId } : {}) });
      expectProblem(r, 422, 'DOSSIER_ASSIGNEE_INVALID');
      expect(r.json.errors).toEqual([expect.objectContaining({ path: 'assigneeId' })]);
    }
    expectProblem(await act(d.code, 'reception.dung', { action: 'assign', assigneeId: 'giang' }), 422, 'VALIDATION_FAILED');
    expectProblem(await act(d.code, 'specialist.giang', { action: 'assign', assigneeId: giangId }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'reception.dung', { action: 'fly_away' }), 422, 'VALIDATION_FAILED');
    expectProblem(await act(d.code, 'reception.dung', { action: 'receive' }, { 'if-match': 'version-seven' }), 422, 'IF_MATCH_INVALID');
    // A well-formed tag that is no version of this dossier is a failed precondition, not bad syntax.
    expectProblem(await act(d.code, 'reception.dung', { action: 'receive' }, { 'if-match': '"1234567890"' }), 412, 'DOSSIER_VERSION_STALE');
    expect((await get(d.code, 'reception.dung')).json).toMatchObject({ status: 'received', assigneeId: null, version: d.version });
  });

  it('extend: only a leader, reason required, the new due date must be later than the current one; status kept', async () => {
    const sub = await createSubmitted();
    const notYet = await act(sub.code, 'leader.hoa', { action: 'extend', reason: 'x', newDueAt: '2099-01-01T10:00:00+07:00' });
    expectProblem(notYet, 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expect(notYet.json.reason).toBe('the dossier has not been received yet');

    const d = await createReceived();
    const due = new Date(d.dueAt);
    // A week later, at the close of a working day of the real calendar: working time.
    const later = toIso(await workingDayClosing(t, due, 7));
    expectProblem(await act(d.code, 'reception.dung', { action: 'extend', reason: 'x', newDueAt: later }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'specialist.giang', { action: 'extend', reason: 'x', newDueAt: later }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    const noReason = await act(d.code, 'leader.hoa', { action: 'extend', newDueAt: later });
    expectProblem(noReason, 422, 'DOSSIER_ACTION_INPUT_MISSING');
    expect(noReason.json.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    const apology = 'Xin lỗi ông/bà vì hồ sơ cần xác minh thêm';
    const noDue = await act(d.code, 'leader.hoa', { action: 'extend', reason: apology });
    expectProblem(noDue, 422, 'DOSSIER_NEW_DUE_INVALID');
    expect(noDue.json.errors).toEqual([expect.objectContaining({ path: 'newDueAt' })]);
    for (const bad of [new Date(due.getTime() - 3600_000), due, new Date(Date.now() - 86_400_000)]) {
      expectProblem(await act(d.code, 'leader.hoa', { action: 'extend', reason: apology, newDueAt: toIso(bad) }), 422, 'DOSSIER_NEW_DUE_INVALID');
    }
    expectProblem(await act(d.code, 'leader.hoa', { action: 'extend', reason: apology, newDueAt: '2099-01-01T10:00:00' }), 422, 'VALIDATION_FAILED');
    // Not on a day off, and not outside office hours: the answer names the next working day.
    const sunday = new Date(due.getTime() + 86_400_000);
    while (new Date(sunday.getTime() + 7 * 3600_000).getUTCDay() !== 0) sunday.setTime(sunday.getTime() + 86_400_000);
    const sundayDate = toIso(sunday).slice(0, 10);
    const onSunday = await act(d.code, 'leader.hoa', { action: 'extend', reason: apology, newDueAt: `${sundayDate}T17:00:00+07:00` });
    expectProblem(onSunday, 422, 'DOSSIER_NEW_DUE_INVALID');
    expect(onSunday.json.detail).toContain(`Chủ nhật ${sundayDate.slice(8, 10)}/${sundayDate.slice(5, 7)}/${sundayDate.slice(0, 4)} không phải ngày làm việc`);
    expect(onSunday.json.nextWorkingDay > sundayDate).toBe(true);
    expect(onSunday.json.detail).toContain(`Ngày làm việc tiếp theo là Thứ`);
    const laterDate = later.slice(0, 10);
    const atNight = await act(d.code, 'leader.hoa', { action: 'extend', reason: apology, newDueAt: `${laterDate}T20:00:00+07:00` });
    expectProblem(atNight, 422, 'DOSSIER_NEW_DUE_INVALID');
    expect(atNight.json.detail).toContain(
      `20:00 ${laterDate.slice(8, 10)}/${laterDate.slice(5, 7)}/${laterDate.slice(0, 4)} ngoài giờ làm việc (07:30–11:30, 13:30–17:00)`,
    );
    expect(atNight.json.nextWorkingDay > laterDate).toBe(true);
    expectProblem(
      await act(d.code, 'leader.hoa', { action: 'extend', reason: apology, newDueAt: `${laterDate}T12:15:00+07:00` }),
      422,
      'DOSSIER_NEW_DUE_INVALID',
    );
    expect((await get(d.code, 'leader.hoa')).json).toMatchObject({ dueAt: d.dueAt, extensionCount: 0, version: d.version });

    const ext = await actOk(d.code, 'leader.hoa', { action: 'extend', reason: apology, newDueAt: later });
    expect(ext).toMatchObject({ status: 'received', dueAt: later, extensionCount: 1, version: d.version + 1 });
    // A second extension must go beyond the first.
    expectProblem(await act(d.code, 'leader.hoa', { action: 'extend', reason: apology, newDueAt: later }), 422, 'DOSSIER_NEW_DUE_INVALID');
    const h = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'citizen.an' });
    expect(h.json.at(-1)).toMatchObject({ action: 'extend', fromStatus: 'received', toStatus: 'received', note: apology, actor: { role: 'leader' } });
  });

  it('stop: only a leader, only once received, reason required; final afterwards', async () => {
    const sub = await createSubmitted();
    expectProblem(await act(sub.code, 'leader.hoa', { action: 'stop', reason: 'x' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    const d = await createReceived();
    expectProblem(await act(d.code, 'reception.dung', { action: 'stop', reason: 'x' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'citizen.an', { action: 'stop', reason: 'x' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'leader.hoa', { action: 'stop' }), 422, 'DOSSIER_ACTION_INPUT_MISSING');
    const reason = 'Dừng xử lý theo đề nghị của cơ quan có thẩm quyền';
    const stopped = await actOk(d.code, 'leader.hoa', { action: 'stop', reason });
    expect(stopped).toMatchObject({ status: 'stopped', nationalStatus: 8, statusName: 'Dừng xử lý', allowedActions: [] });
    expect(stopped.finishedAt).not.toBeNull();
    expect((await get(d.code, 'citizen.an')).json.allowedActions).toEqual([]);
    expectProblem(await act(d.code, 'citizen.an', { action: 'withdraw' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expectProblem(await act(d.code, 'leader.hoa', { action: 'stop', reason }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    const pub = await t.request({ method: 'GET', url: api(`/public/dossiers/${d.code}`) });
    expect(pub.json).toMatchObject({ status: 'stopped', nationalStatus: 8 });
  });

  it('withdraw: the applicant withdraws a submitted or received dossier; others cannot; not from draft or done', async () => {
    const draft = await createDraft();
    expectProblem(await act(draft.id, 'citizen.an', { action: 'withdraw' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');

    const d = await createSubmitted();
    expectProblem(await act(d.code, 'citizen.binh', { action: 'withdraw' }), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await act(d.code, 'specialist.giang', { action: 'withdraw' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'leader.hoa', { action: 'withdraw' }), 403, 'DOSSIER_ACTION_FORBIDDEN');
    expectProblem(await act(d.code, 'officer.khanh', { action: 'withdraw' }), 404, 'DOSSIER_NOT_FOUND');
    const w = await actOk(d.code, 'citizen.an', { action: 'withdraw', reason: 'Tôi nộp nhầm thủ tục' });
    expect(w).toMatchObject({ status: 'withdrawn', nationalStatus: 7, allowedActions: [] });
    expect(w.finishedAt).not.toBeNull();
    expectProblem(await act(d.code, 'citizen.an', { action: 'withdraw' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    expectProblem(await act(d.code, 'reception.dung', { action: 'receive' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
    const h = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'citizen.an' });
    expect(h.json.at(-1)).toMatchObject({
      action: 'withdraw',
      fromStatus: 'submitted',
      toStatus: 'withdrawn',
      note: 'Tôi nộp nhầm thủ tục',
      actor: { role: 'applicant', name: 'Nguyễn Văn An' },
    });

    const r = await createReceived();
    await actOk(r.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
    expect((await actOk(r.code, 'citizen.an', { action: 'withdraw' })).status).toBe('withdrawn');

    const done = await createSubmitted();
    await toReturned(done.code);
    expectProblem(await act(done.code, 'citizen.an', { action: 'withdraw' }), 409, 'DOSSIER_TRANSITION_NOT_ALLOWED');
  });

  it('rating: 409 before the result is returned, 403 for staff, 404 for another citizen, 422 for a bad value', async () => {
    const d = await createSubmitted();
    const rate = (as: string, payload: Record<string, unknown>) => t.request({ method: 'POST', url: api(`/dossiers/${d.code}/rating`), as, payload });
    expectProblem(await rate('citizen.an', { rating: 'satisfied' }), 409, 'DOSSIER_NOT_RETURNED');
    await toReturned(d.code);
    expectProblem(await rate('reception.dung', { rating: 'satisfied' }), 403, 'DOSSIER_RATING_FORBIDDEN');
    expectProblem(await rate('leader.hoa', { rating: 'satisfied' }), 403, 'DOSSIER_RATING_FORBIDDEN');
    expectProblem(await rate('citizen.binh', { rating: 'satisfied' }), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await rate('citizen.an', { rating: 'excellent' }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'POST', url: api(`/dossiers/${d.code}/rating`), payload: { rating: 'satisfied' } }), 401, 'AUTH_REQUIRED');
    const ok = await rate('citizen.an', { rating: 'dissatisfied', comment: '  Chờ lâu  ' });
    expect(ok.status).toBe(204);
    expect(ok.body).toBe('');
    expect((await get(d.code, 'citizen.an')).json.rating).toEqual({ rating: 'dissatisfied', comment: 'Chờ lâu' });
  });
});

describe('files', () => {
  it('rejects bad uploads: missing parts, unknown component, empty file, wrong owner, submitted dossier', async () => {
    const d = await createDraft();
    const url = api(`/dossiers/${d.id}/files`);
    const noFile = await t.request({ method: 'POST', url, as: 'citizen.an', ...multipart({ component: 'to_khai' }) });
    expectProblem(noFile, 422, 'VALIDATION_FAILED');
    expect(noFile.json.errors).toEqual([expect.objectContaining({ path: 'file' })]);
    const noComp = await t.request({ method: 'POST', url, as: 'citizen.an', ...multipart({}, { name: 'a.pdf', type: 'application/pdf', data: SAMPLE_PDF }) });
    expectProblem(noComp, 422, 'VALIDATION_FAILED');
    expect(noComp.json.errors).toEqual([expect.objectContaining({ path: 'component' })]);
    const unknown = await upload(d.id, 'giay_khong_co');
    expectProblem(unknown, 422, 'DOSSIER_COMPONENT_UNKNOWN');
    expect(unknown.json.errors).toEqual([expect.objectContaining({ path: 'component' })]);
    expectProblem(await upload(d.id, 'to_khai', 'citizen.an', { name: 'empty.pdf', type: 'application/pdf', data: Buffer.alloc(0) }), 422, 'FILE_EMPTY');
    expectProblem(await upload(d.id, 'to_khai', 'citizen.binh'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await upload(d.id, 'to_khai', 'officer.khanh'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await upload(d.id, 'to_khai', 'specialist.giang'), 404, 'DOSSIER_NOT_FOUND');
    // JSON bodies must name a file to reuse.
    const json = await t.request({ method: 'POST', url, as: 'citizen.an', payload: { component: 'to_khai' } });
    expectProblem(json, 422, 'VALIDATION_FAILED');
    expect(json.json.errors).toEqual([expect.objectContaining({ path: 'reuseFileId' })]);
    expectProblem(
      await t.request({ method: 'POST', url, as: 'citizen.an', payload: { component: 'to_khai', reuseFileId: 'not-a-uuid' } }),
      422,
      'VALIDATION_FAILED',
    );
    expect((await get(d.id, 'citizen.an')).json).toMatchObject({ files: [], version: d.version });

    const s = await createSubmitted();
    expectProblem(await upload(s.code, 'to_khai'), 409, 'DOSSIER_NOT_EDITABLE');
  });

  // Regression test (fixed; src/modules/dossiers/dossiers.repo.ts `findDossierWithDetails`, the `files`
  // subquery): `f.dossier_id = ${dossiers.id}` is rendered by drizzle as `f.dossier_id = "id"`
  // (unqualified, since the query has one table), which PostgreSQL resolves to the inner
  // `dossier_files.id`; the condition is never true, so every dossier view has `files: []`.
  // (The `rating` subquery has the same unqualified "id" but works only because dossier_ratings
  // has no `id` column.) Qualify the outer column, e.g. sql`"dossiers"."id"`.
  it('the dossier view lists its live files, with reuse flagged and removed files left out', async () => {
    const earlier = await createSubmitted();
    const src = (await filesOf(earlier.id)).find((f) => f.component === 'giay_chung_sinh')!;
    const d = await createDraft();
    const name = 'Tờ khai.png';
    const up = await upload(d.id, 'to_khai', 'citizen.an', { name, type: 'image/png', data: SAMPLE_PNG });
    const gone = await upload(d.id, 'giay_to_tuy_than');
    await t.request({ method: 'DELETE', url: api(`/dossiers/${d.id}/files/${gone.json.fileId}`), as: 'citizen.an' });
    const reused = await t.request({
      method: 'POST',
      url: api(`/dossiers/${d.id}/files`),
      as: 'citizen.an',
      payload: { component: 'giay_chung_sinh', reuseFileId: src.id },
    });
    const view = (await get(d.id, 'citizen.an')).json;
    expect(view.files).toEqual([
      {
        fileId: up.json.fileId,
        component: 'to_khai',
        fileName: name,
        mediaType: 'image/png',
        size: SAMPLE_PNG.length,
        sha256: up.json.sha256,
        reused: false,
        uploadedAt: expect.stringMatching(/\+07:00$/),
      },
      expect.objectContaining({ fileId: reused.json.fileId, component: 'giay_chung_sinh', reused: true, sha256: src.sha256, fileName: src.file_name }),
    ]);
    expect((await get(earlier.code, 'citizen.an')).json.files).toHaveLength(def.components.filter((c) => c.required).length);
  });

  it('downloads a file with its type and exact bytes; 404 for another citizen, an unknown file or another dossier’s file', async () => {
    const d = await createDraft();
    const name = 'Giấy chứng sinh.png';
    const up = await upload(d.id, 'giay_chung_sinh', 'citizen.an', { name, type: 'image/png', data: SAMPLE_PNG });
    expect(up.status, up.body).toBe(201);
    expect(up.json).toEqual({
      fileId: expect.any(String),
      sha256: createHash('sha256').update(SAMPLE_PNG).digest('hex'),
      size: SAMPLE_PNG.length,
      mediaType: 'image/png',
    });
    const pdf = await upload(d.id, 'to_khai');
    expect(pdf.json.mediaType).toBe('application/pdf');

    expect((await filesOf(d.id)).map((f) => [f.id, f.component, f.file_name])).toEqual([
      [up.json.fileId, 'giay_chung_sinh', name],
      [pdf.json.fileId, 'to_khai', 'to_khai.pdf'],
    ]);

    const res = await download(d.id, up.json.fileId, 'citizen.an');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(String(res.headers['content-disposition'])).toContain(`filename*=UTF-8''${encodeURIComponent(name)}`);
    expect(Buffer.compare(res.rawPayload, SAMPLE_PNG)).toBe(0);
    const res2 = await download(d.id, pdf.json.fileId, 'citizen.an');
    expect(res2.headers['content-type']).toMatch(/^application\/pdf/);
    expect(Buffer.compare(res2.rawPayload, SAMPLE_PDF)).toBe(0);

    // Staff of the receiving centre may download once it is submitted (and are audited); while it
    // is the citizen's private draft, and for others, 404.
    expect((await download(d.id, up.json.fileId, 'reception.dung')).statusCode).toBe(404);
    await uploadRequired(d.id);
    expect((await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as: 'citizen.an' })).status).toBe(200);
    expect((await download(d.id, up.json.fileId, 'reception.dung')).statusCode).toBe(200);
    const [audit] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'dossier.file.read' AND target_id = ${d.id}`,
    );
    expect(Number(audit!.n)).toBe(1);
    const binh = await download(d.id, up.json.fileId, 'citizen.binh');
    expect(binh.statusCode).toBe(404);
    expect(binh.json().code).toBe('DOSSIER_NOT_FOUND');
    expect((await download(d.id, up.json.fileId, 'officer.khanh')).statusCode).toBe(404);
    const unknown = await download(d.id, '0190a7c4-0000-7000-8000-000000000000', 'citizen.an');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('FILE_NOT_FOUND');
    const other = await createDraft();
    const cross = await download(other.id, up.json.fileId, 'citizen.an');
    expect(cross.statusCode).toBe(404);
    expect(cross.json().code).toBe('FILE_NOT_FOUND');
    expect((await download(d.id, 'abc', 'citizen.an')).statusCode).toBe(422);
    const anon = await t.app.inject({ method: 'GET', url: api(`/dossiers/${d.id}/files/${up.json.fileId}`) });
    expect(anon.statusCode).toBe(401);
  });

  it('removes a file from a draft (204); the file is gone; not from a submitted dossier', async () => {
    const d = await createDraft();
    const a = await upload(d.id, 'to_khai');
    const b = await upload(d.id, 'giay_chung_sinh');
    const del = (idOrCode: string, fileId: string, as = 'citizen.an') => t.request({ method: 'DELETE', url: api(`/dossiers/${idOrCode}/files/${fileId}`), as });

    expectProblem(await del(d.id, a.json.fileId, 'citizen.binh'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await del(d.id, a.json.fileId, 'specialist.giang'), 404, 'DOSSIER_NOT_FOUND');
    expectProblem(await del(d.id, 'nope'), 422, 'VALIDATION_FAILED');
    const before = (await get(d.id, 'citizen.an')).json;
    const ok = await del(d.id, a.json.fileId);
    expect(ok.status).toBe(204);
    expect(ok.body).toBe('');
    const after = (await get(d.id, 'citizen.an')).json;
    expect((await filesOf(d.id)).map((f) => f.id)).toEqual([b.json.fileId]);
    expect(after.version).toBe(before.version + 1);
    expectProblem(await del(d.id, a.json.fileId), 404, 'FILE_NOT_FOUND');
    // Incomplete again: submit lists the missing component.
    const sub = await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as: 'citizen.an' });
    expectProblem(sub, 422, 'DOSSIER_INCOMPLETE');
    expect(sub.json.errors.map((e: { path: string }) => e.path)).toContain('components.to_khai');

    const s = await createSubmitted();
    const sFiles = await filesOf(s.id);
    expect(sFiles.length).toBeGreaterThan(0);
    expectProblem(await del(s.code, sFiles[0]!.id), 409, 'DOSSIER_NOT_EDITABLE');
    expect(await filesOf(s.id)).toEqual(sFiles);
  });

  // Regression test (fixed): getFile (src/modules/dossiers/dossiers.service.ts, `getFile`) selects the file without
  // `isNull(dossierFiles.removedAt)`, so a file removed from a draft can still be downloaded,
  // while the view, the reuse lookup and a second DELETE all treat it as gone.
  it('a removed file can no longer be downloaded', async () => {
    const d = await createDraft();
    const a = await upload(d.id, 'to_khai');
    expect((await t.request({ method: 'DELETE', url: api(`/dossiers/${d.id}/files/${a.json.fileId}`), as: 'citizen.an' })).status).toBe(204);
    expect((await download(d.id, a.json.fileId, 'citizen.an')).statusCode).toBe(404);
  });

  it('reuses a file from an earlier dossier of the same applicant, but not another applicant’s (404)', async () => {
    const earlier = await createSubmitted();
    const src = (await filesOf(earlier.id)).find((f) => f.component === 'giay_chung_sinh')!;
    const d = await createDraft();
    const reuse = (idOrCode: string, as: string, body: Record<string, unknown>) =>
      t.request({ method: 'POST', url: api(`/dossiers/${idOrCode}/files`), as, payload: body });

    const r = await reuse(d.id, 'citizen.an', { component: 'giay_chung_sinh', reuseFileId: src.id });
    expect(r.status, r.body).toBe(201);
    expect(r.json).toEqual({ fileId: expect.any(String), sha256: src.sha256, size: Number(src.size), mediaType: 'application/pdf' });
    expect(r.json.fileId).not.toBe(src.id);
    expect(await filesOf(d.id)).toEqual([
      expect.objectContaining({ id: r.json.fileId, component: 'giay_chung_sinh', reused_from_id: src.id, sha256: src.sha256, file_name: src.file_name }),
    ]);
    const bytes = await download(d.id, r.json.fileId, 'citizen.an');
    expect(Buffer.compare(bytes.rawPayload, SAMPLE_PDF)).toBe(0);

    // Errors: unknown component, a file of the same dossier, an unknown file, another applicant's file.
    expectProblem(await reuse(d.id, 'citizen.an', { component: 'khong_co', reuseFileId: src.id }), 422, 'DOSSIER_COMPONENT_UNKNOWN');
    expectProblem(await reuse(d.id, 'citizen.an', { component: 'to_khai', reuseFileId: r.json.fileId }), 404, 'FILE_NOT_FOUND');
    expectProblem(await reuse(d.id, 'citizen.an', { component: 'to_khai', reuseFileId: '0190a7c4-0000-7000-8000-000000000000' }), 404, 'FILE_NOT_FOUND');
    const binhDraft = await createDraft('citizen.binh', { applicant: binhApplicant });
    expectProblem(await reuse(binhDraft.id, 'citizen.binh', { component: 'giay_chung_sinh', reuseFileId: src.id }), 404, 'FILE_NOT_FOUND');
    expectProblem(await reuse(d.id, 'citizen.binh', { component: 'giay_chung_sinh', reuseFileId: src.id }), 404, 'DOSSIER_NOT_FOUND');
    expect(await filesOf(binhDraft.id)).toEqual([]);
    // Not into a submitted dossier.
    expectProblem(await reuse(earlier.code, 'citizen.an', { component: 'to_khai', reuseFileId: r.json.fileId }), 409, 'DOSSIER_NOT_EDITABLE');
    // A removed file cannot be reused.
    const extra = await upload(d.id, 'to_khai');
    await t.request({ method: 'DELETE', url: api(`/dossiers/${d.id}/files/${extra.json.fileId}`), as: 'citizen.an' });
    const d2 = await createDraft();
    expectProblem(await reuse(d2.id, 'citizen.an', { component: 'to_khai', reuseFileId: extra.json.fileId }), 404, 'FILE_NOT_FOUND');
  });

  // Regression test (fixed): reuseFile (src/modules/dossiers/dossiers.service.ts, `sameApplicant`) accepts a source
  // file whenever the two dossiers' applicant.idNumber match, without checking that the caller
  // may see the source dossier. Any citizen can type someone else's ID number into their own
  // draft and copy (then download) that person's documents, given a file id.
  it('refuses to copy another person’s file into a draft that merely quotes their ID number', async () => {
    const victim = await createSubmitted('citizen.an');
    const src = (await filesOf(victim.id))[0]!;
    expect(src).toBeDefined();
    const spoof = await createDraft('citizen.binh', { applicant: { ...binhApplicant, idNumber: AN_ID_NUMBER } });
    const r = await t.request({
      method: 'POST',
      url: api(`/dossiers/${spoof.id}/files`),
      as: 'citizen.binh',
      payload: { component: src.component, reuseFileId: src.id },
    });
    expect(r.status).toBe(404);
  });
});
