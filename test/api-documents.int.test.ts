import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { queryRows, sql, type Db } from '../src/db/client.ts';
import { loadConfig } from '../src/config.ts';
import { sealResult } from '../src/modules/documents/documents.service.ts';
import { generateKeyEntry, KEY_FILE, keyRingFor } from '../src/modules/documents/signing.ts';
import { SessionStore } from '../src/platform/auth.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { formatVnDateTime } from '../src/platform/time.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, submittedDossier, workingDayClosing, type TestApp } from './harness.ts';
import { decodePdfQrCodes, pdfInfo, pdfPlainText } from './pdf-helpers.ts';
import { cookieNamed, cookiePair, csrfOf, webClient } from './web-client.ts';

let t: TestApp;
const CODE = '1.001193'; // Đăng ký khai sinh: received by the provincial centre (TTPVHCC)
let def: ProcedureDefinition;
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

const createSubmitted = () => submittedDossier(t, 'citizen.an', { procedureCode: CODE, applicant, form: requiredAnswers(def.form, 11) });

async function act(code: string, as: string, body: Record<string, unknown>) {
  const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: body });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json;
}

let giangId: string;
let sealed_: { documentId: string; dossierCode: string };
let sealedPdf_: Buffer;
async function receivedAndAssigned() {
  const d = await createSubmitted();
  await act(d.code, 'reception.dung', { action: 'receive' });
  await act(d.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
  return d;
}

async function pdf(url: string, as: string) {
  const r = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await t.token(as)}` } });
  return { status: r.statusCode, type: String(r.headers['content-type']), body: r.rawPayload, json: r.statusCode >= 400 ? r.json() : null };
}

const formQr = (form: string, code: string) => JSON.stringify({ v: 1, mau: form, maHoSo: code, maTTHC: CODE, soDinhDanh: '036090001234' });

async function expectForm(code: string, form: string, texts: string[]) {
  const r = await pdf(`/api/v1/dossiers/${code}/documents/${form}.pdf`, 'citizen.an');
  expect(r.status).toBe(200);
  expect(r.type).toBe('application/pdf');
  const text = await pdfPlainText(r.body);
  expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
  expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
  expect(text).toContain(`Mẫu số ${form}`);
  for (const s of texts) expect(text, `form ${form} should say ${s}`).toContain(s.normalize('NFC'));
  const qrs = await decodePdfQrCodes(r.body);
  expect(qrs).toHaveLength(1);
  expect(qrs[0]!.text).toBe(formQr(form, code));
  expect(qrs[0]!.x).toBeLessThan(50);
  expect(qrs[0]!.y).toBeLessThan(50);
  return text;
}

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
  const staff = await t.request({ method: 'GET', url: '/api/v1/agencies/TTPVHCC/staff?role=specialist', as: 'reception.dung' });
  giangId = staff.json.find((s: { username: string }) => s.username === 'specialist.giang').id;
});
afterAll(async () => t?.close());

describe('official forms 01–06', () => {
  it('lists only form 06 before reception and answers 409 for form 01', async () => {
    const d = await createSubmitted();
    const list = await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/documents`, as: 'citizen.an' });
    expect(list.status).toBe(200);
    expect(list.json).toEqual([{ form: '06', title: 'Phiếu kiểm soát quá trình giải quyết hồ sơ', url: `/api/v1/dossiers/${d.code}/documents/06.pdf` }]);
    const early = await pdf(`/api/v1/dossiers/${d.code}/documents/01.pdf`, 'citizen.an');
    expect(early.status).toBe(409);
    expect(early.json.code).toBe('DOCUMENT_FORM_NOT_AVAILABLE');
    expect(early.json.availableForms).toEqual(['06']);
  });

  it('gives the current step its own deadline: its share of the legal time', async () => {
    const d = await receivedAndAssigned();
    // Received Mon 23 Nov 2026 at opening, due Fri 4 Dec 17:00 (10 working days): the review
    // step has 70 %, 7 working days, to Tue 1 Dec 17:00; the leader's step ends at the due date.
    await t.database.db.execute(
      sql`UPDATE dossiers SET received_at = '2026-11-23T07:30:00+07:00', original_due_at = '2026-12-04T17:00:00+07:00', due_at = '2026-12-04T17:00:00+07:00', pauses = '[]' WHERE id = ${d.id}`,
    );
    const review = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'specialist.giang' })).json;
    expect(review.currentStep).toMatchObject({ role: 'specialist', dueAt: '2026-12-01T17:00:00.000+07:00' });
    const leader = await act(d.code, 'specialist.giang', { action: 'forward' });
    expect(leader.currentStep).toMatchObject({ role: 'leader', dueAt: '2026-12-04T17:00:00.000+07:00' });
  });

  it('judges each hand-over on form 06 by its own step’s deadline (its share of the legal time)', async () => {
    const d = await receivedAndAssigned();
    // Received 20 days ago and due in 2 days: the review step's 70 % of the legal time has run
    // out, the whole has not. So forwarding now is late for its step; approving now is not.
    const now = Date.now();
    const due = new Date(now + 2 * 86_400_000);
    await t.database.db.execute(
      sql`UPDATE dossiers SET received_at = ${new Date(now - 20 * 86_400_000)}, original_due_at = ${due}, due_at = ${due} WHERE id = ${d.id}`,
    );
    await act(d.code, 'specialist.giang', { action: 'forward' });
    await act(d.code, 'leader.hoa', { action: 'approve' });
    const text = await expectForm(d.code, '06', ['Chuyển bước xử lý', 'Phê duyệt kết quả']);
    expect(text.match(/Quá hạn/g) ?? []).toHaveLength(1);
    expect(text.indexOf('Quá hạn')).toBeGreaterThan(text.indexOf('Chuyển bước xử lý'));
    expect(text.indexOf('Quá hạn')).toBeLessThan(text.indexOf('Phê duyệt kết quả'));
  });

  it('renders 01 on reception, 02 on a supplement request, 04 on an extension, 06 from the history', async () => {
    const d = await receivedAndAssigned();
    const view = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'citizen.an' })).json;
    const t01 = await expectForm(d.code, '01', [
      'GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
      `Mã hồ sơ: ${d.code}`,
      'Nguyễn Văn An',
      '036090001234',
      'Đăng ký khai sinh (mã thủ tục 1.001193)',
      'Trung tâm Phục vụ hành chính công tỉnh Ninh Bình'.toLocaleUpperCase('vi'),
      'Tờ khai đăng ký khai sinh (theo mẫu)',
      `Thời gian nhận hồ sơ: ${formatVnDateTime(new Date(view.receivedAt))}`,
      `Thời gian trả kết quả giải quyết hồ sơ: ${formatVnDateTime(new Date(view.dueAt))}`,
      '1 ngày làm việc',
      'Phạm Thị Dung', // the receiving officer
      'Ninh Bình, ngày',
    ]);
    expect(t01).not.toContain('PHIẾU YÊU CẦU BỔ SUNG');
    const info = await pdfInfo((await pdf(`/api/v1/dossiers/${d.code}/documents/01.pdf`, 'reception.dung')).body);
    expect(info.info.Title).toBe(`Giấy tiếp nhận hồ sơ và hẹn trả kết quả — ${d.code}`);

    await act(d.code, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung giấy chứng sinh bản rõ nét' });
    await expectForm(d.code, '02', ['PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ', 'Bổ sung giấy chứng sinh bản rõ nét', 'Hoàng Văn Giang']);
    // The supplement: a clearer copy of the first required paper (a supplement must add or change something).
    const clearer = multipart({ component: def.components.find((c) => c.required)!.code }, { name: 'ro-net.pdf', type: 'application/pdf', data: SAMPLE_PDF });
    expect((await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/files`, as: 'citizen.an', ...clearer })).status).toBe(201);
    await act(d.code, 'citizen.an', { action: 'supplement' });
    await act(d.code, 'reception.dung', { action: 'receive' });

    const before = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'leader.hoa' })).json;
    // A week later, at the close of a working day: a new due date must be working time.
    const newDue = await workingDayClosing(t, new Date(before.dueAt), 7);
    await act(d.code, 'leader.hoa', { action: 'extend', reason: 'Cần xác minh thông tin nơi sinh', newDueAt: newDue.toISOString() });
    await expectForm(d.code, '04', [
      'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ',
      'Cần xác minh thông tin nơi sinh',
      `Thời gian hẹn trả kết quả giải quyết hồ sơ: ${formatVnDateTime(new Date(before.dueAt))}`,
      `Thời gian trả kết quả mới: ${formatVnDateTime(newDue)}`,
      'Vũ Thị Hoa',
    ]);
    await expectForm(d.code, '06', [
      'PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ',
      'Tiếp nhận hồ sơ',
      'Phân công xử lý',
      'Yêu cầu bổ sung hồ sơ',
      'Gia hạn, hẹn lại ngày trả',
      'Hoàng Văn Giang',
    ]);

    const list = await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/documents`, as: 'specialist.giang' });
    expect(list.json.map((f: { form: string }) => f.form)).toEqual(['01', '02', '04', '06']);
    const no03 = await pdf(`/api/v1/dossiers/${d.code}/documents/03.pdf`, 'leader.hoa');
    expect(no03.status).toBe(409);
  });

  it('renders 03 on a refusal and 05 on a stop', async () => {
    const refused = await createSubmitted();
    await act(refused.code, 'reception.dung', { action: 'refuse', reason: 'Thủ tục không thuộc thẩm quyền giải quyết' });
    await expectForm(refused.code, '03', ['PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ', 'Thủ tục không thuộc thẩm quyền giải quyết', 'Phạm Thị Dung']);

    const stopped = await receivedAndAssigned();
    await act(stopped.code, 'leader.hoa', { action: 'stop', reason: 'Người yêu cầu đã có giấy khai sinh' });
    await expectForm(stopped.code, '05', ['THÔNG BÁO DỪNG XỬ LÝ HỒ SƠ', 'Người yêu cầu đã có giấy khai sinh', stopped.code]);
  });

  it('hides documents of dossiers the caller may not see (404) and unknown forms (404)', async () => {
    const d = await createSubmitted();
    for (const as of ['citizen.binh', 'officer.khanh']) {
      expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/documents`, as })).status).toBe(404);
      expect((await pdf(`/api/v1/dossiers/${d.code}/documents/06.pdf`, as)).status).toBe(404);
    }
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/documents` })).status).toBe(401);
    expect((await pdf(`/api/v1/dossiers/${d.code}/documents/07.pdf`, 'citizen.an')).status).toBe(404);
    expect((await pdf(`/api/v1/dossiers/${d.code}/documents/01.txt`, 'citizen.an')).status).toBe(404);
    expect((await pdf(`/api/v1/dossiers/${d.code}/documents/06.pdf`, 'reception.dung')).status).toBe(200);
  });
});

describe('form 07, the register', () => {
  it('lists the dossiers received by a unit in the period, for its staff only', async () => {
    const d = await receivedAndAssigned();
    const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
    const url = `/api/v1/reports/register.pdf?unit=TTPVHCC&from=${today}&to=${today}`;
    const r = await pdf(url, 'reception.dung');
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/pdf');
    const text = await pdfPlainText(r.body);
    expect(text).toContain('SỔ THEO DÕI HỒ SƠ');
    expect(text).toContain(d.code);
    expect(text).toContain('Nguyễn Văn An');
    const qrs = await decodePdfQrCodes(r.body);
    expect(JSON.parse(qrs[0]!.text)).toMatchObject({ v: 1, mau: '07', donVi: 'TTPVHCC', tuNgay: today, denNgay: today });
    // A day without receipts: an empty register.
    const empty = await pdfPlainText((await pdf('/api/v1/reports/register.pdf?unit=TTPVHCC&from=2020-01-01&to=2020-01-02', 'reception.dung')).body);
    expect(empty).toContain('0 hồ sơ');
    expect(empty).not.toContain(d.code);
    expect((await pdf(url, 'citizen.an')).json.code).toBe('ROLE_REQUIRED');
    const other = await pdf(url, 'officer.khanh'); // staff of a commune centre: not this unit
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('REPORT_UNIT_FORBIDDEN');
    const backwards = await pdf(`/api/v1/reports/register.pdf?unit=TTPVHCC&from=${today}&to=2020-01-01`, 'reception.dung');
    expect(backwards.status).toBe(422);
    expect(backwards.json.code).toBe('REPORT_PERIOD_INVALID');
  });
});

describe('sealed results and verification', () => {
  let sealed: { documentId: string; fileId: string; sha256: string; verificationUrl: string; dossierCode: string };
  let resultPdf: Buffer;

  it('refuses results from the applicant (403) and before processing (409)', async () => {
    const d = await createSubmitted();
    const body = { title: 'Giấy khai sinh điện tử', content: 'Nội dung' };
    const early = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/result`, as: 'reception.dung', payload: body });
    expect(early.status).toBe(409);
    expect(early.json.code).toBe('DOCUMENT_RESULT_STATE');
    await act(d.code, 'reception.dung', { action: 'receive' });
    await act(d.code, 'reception.dung', { action: 'assign', assigneeId: giangId });
    const mine = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/result`, as: 'citizen.an', payload: body });
    expect(mine.status).toBe(403);
    // The access matrix (platform/access.ts) answers first; the service would say DOCUMENT_RESULT_FORBIDDEN.
    expect(['ROLE_REQUIRED', 'DOCUMENT_RESULT_FORBIDDEN']).toContain(mine.json.code);
    expect((await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/result`, as: 'officer.khanh', payload: body })).status).toBe(404);
    const bad = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/result`, as: 'specialist.giang', payload: { title: 'x' } });
    expect(bad.status).toBe(422);
  });

  it('seals a generated result whose QR leads to the verification page, and verifies it', async () => {
    const d = await receivedAndAssigned();
    const r = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${d.code}/result`,
      as: 'specialist.giang',
      payload: { title: 'Trích lục khai sinh', content: 'Họ và tên: Nguyễn Thị Mai.\n\nNgày sinh: 01/10/2026.' },
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json).toMatchObject({
      dossierCode: d.code,
      kind: 'generated',
      title: 'Trích lục khai sinh',
      mediaType: 'application/pdf',
      issuer: { code: expect.any(String) },
    });
    expect(r.json.sha256).toMatch(/^[0-9a-f]{64}$/);
    // Named by its title (no diacritics), the dossier and a piece of its id.
    expect(r.json.fileName).toBe(`trich-luc-khai-sinh-${d.code}-${String(r.json.documentId).slice(-6)}.pdf`);
    sealed = r.json;
    sealed_ = r.json;
    // The result is in the dossier view, as a file of the result component: for the officers at once,
    // for the applicant only once it is decided (resultsVisible), not while it awaits approval.
    const resultFile = expect.objectContaining({ fileId: sealed.fileId, component: 'ket_qua', sha256: sealed.sha256 });
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'specialist.giang' })).json.files).toContainEqual(resultFile);
    const early = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'citizen.an' })).json;
    expect(early.files.map((f: { component: string }) => f.component)).not.toContain('ket_qua');
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/results`, as: 'citizen.an' })).json).toEqual([]);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/files/${sealed.fileId}`, as: 'citizen.an' })).status).toBe(404);
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/me/documents', as: 'citizen.an' })).json.map((x: { documentId: string }) => x.documentId),
    ).not.toContain(sealed.documentId);
    await act(d.code, 'specialist.giang', { action: 'forward' });
    await act(d.code, 'leader.hoa', { action: 'approve' });
    const view = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'citizen.an' })).json;
    expect(view.files).toContainEqual(resultFile);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/results`, as: 'citizen.an' })).json).toHaveLength(1);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/files/${sealed.fileId}`, as: 'citizen.an' })).status).toBe(200);
    // The public copy is the sealed PDF, with the QR of its verification page and its text.
    const file = await t.app.inject({ method: 'GET', url: `/api/v1/public/documents/${sealed.documentId}/file` });
    expect(file.statusCode).toBe(200);
    resultPdf = file.rawPayload;
    sealedPdf_ = resultPdf;
    const text = await pdfPlainText(resultPdf);
    expect(text).toContain('TRÍCH LỤC KHAI SINH');
    expect(text).toContain('Nguyễn Thị Mai');
    const qrs = await decodePdfQrCodes(resultPdf);
    expect(qrs.map((q) => q.text)).toEqual([`http://localhost:80/xac-thuc/${sealed.documentId}`]);
    expect(sealed.verificationUrl).toBe(`http://localhost:80/xac-thuc/${sealed.documentId}`);

    const byId = await t.request({ method: 'GET', url: `/api/v1/public/documents/${sealed.documentId}/verification` });
    expect(byId.status).toBe(200);
    expect(byId.json).toMatchObject({ authentic: true, documentId: sealed.documentId, dossierCode: d.code, sha256: sealed.sha256 });
    expect(byId.json.issuedAt).toMatch(/\+07:00$/);

    const upload = await t.request({
      method: 'POST',
      url: '/api/v1/public/documents/verification',
      ...multipart({}, { name: 'kq.pdf', type: 'application/pdf', data: resultPdf }),
    });
    expect(upload.status).toBe(200);
    expect(upload.json).toMatchObject({ authentic: true, documentId: sealed.documentId, dossierCode: d.code });
  });

  it('fails verification when one byte of the file changes', async () => {
    for (const at of [20, Math.floor(resultPdf.length / 2), resultPdf.length - 3]) {
      const tampered = Buffer.from(resultPdf);
      tampered[at] = tampered[at]! ^ 0x01;
      const r = await t.request({
        method: 'POST',
        url: '/api/v1/public/documents/verification',
        ...multipart({}, { name: 'kq.pdf', type: 'application/pdf', data: tampered }),
      });
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ authentic: false, documentId: null, issuer: null });
      expect(r.json.sha256).not.toBe(sealed.sha256);
    }
    expect((await t.request({ method: 'GET', url: '/api/v1/public/documents/00000000-0000-4000-8000-000000000000/verification' })).status).toBe(404);
  });

  it('seals an uploaded result file and finds it by its content', async () => {
    const d = await receivedAndAssigned();
    const data = Buffer.concat([SAMPLE_PDF, Buffer.from(`% ${d.code}\n`)]);
    const r = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${d.code}/result`,
      as: 'specialist.giang',
      ...multipart({ title: 'Giấy khai sinh (bản điện tử)' }, { name: 'giấy khai sinh.pdf', type: 'application/pdf', data }),
    });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    expect(r.json).toMatchObject({ kind: 'uploaded', title: 'Giấy khai sinh (bản điện tử)', fileName: 'giấy khai sinh.pdf', size: data.length });
    const check = await t.request({
      method: 'POST',
      url: '/api/v1/public/documents/verification',
      ...multipart({}, { name: 'x.pdf', type: 'application/pdf', data }),
    });
    expect(check.json).toMatchObject({ authentic: true, documentId: r.json.documentId, dossierCode: d.code });
    const results = await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/results`, as: 'specialist.giang' });
    expect(results.json.map((x: { documentId: string }) => x.documentId)).toEqual([r.json.documentId]);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/results`, as: 'citizen.binh' })).status).toBe(404);
  });

  it('keeps seals append-only: no update, delete or truncate', async () => {
    for (const statement of [
      sql`UPDATE sealed_documents SET sha256 = ${'0'.repeat(64)} WHERE id = ${sealed.documentId}`,
      sql`DELETE FROM sealed_documents WHERE id = ${sealed.documentId}`,
      sql`TRUNCATE sealed_documents`,
    ]) {
      await expect(t.database.db.execute(statement)).rejects.toThrow();
    }
    const v = await t.request({ method: 'GET', url: `/api/v1/public/documents/${sealed.documentId}/verification` });
    expect(v.json).toMatchObject({ authentic: true, sha256: sealed.sha256 });
  });

  it('publishes the public keys, and a rotated key ring still verifies old seals', async () => {
    const jwks = await t.request({ method: 'GET', url: '/.well-known/tinhso-keys.json' });
    expect(jwks.status).toBe(200);
    expect(jwks.json.keys).toHaveLength(1);
    const old = jwks.json.keys[0];
    expect(old).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', current: true });
    expect(JSON.stringify(jwks.json)).not.toContain('"d"');
    const stored = JSON.parse(await readFile(path.join(t.dataDir, KEY_FILE), 'utf8'));
    expect(stored[0].kid).toBe(old.kid);

    const fresh = generateKeyEntry('ninhbinh-2027');
    const build = async (keys: unknown[]) => {
      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: t.dataDir, LOG_LEVEL: 'silent', DOCUMENT_SIGNING_KEYS: JSON.stringify(keys) });
      const app = await buildApp({ config, database: t.database, files: t.files });
      await app.ready();
      return app;
    };
    // After rotation: the new key signs, the old public key still verifies.
    const rotated = await build([fresh, { kty: 'OKP', crv: 'Ed25519', kid: old.kid, x: old.x }]);
    try {
      const v = await rotated.inject({ method: 'GET', url: `/api/v1/public/documents/${sealed.documentId}/verification` });
      expect(v.json()).toMatchObject({ authentic: true, keyId: old.kid });
      const keys = (await rotated.inject({ method: 'GET', url: '/.well-known/tinhso-keys.json' })).json().keys;
      expect(keys.map((k: { kid: string; current: boolean }) => [k.kid, k.current])).toEqual([
        ['ninhbinh-2027', true],
        [old.kid, false],
      ]);
    } finally {
      await rotated.close();
    }
    // Without the old key, the old seal no longer verifies.
    const forgotten = await build([fresh]);
    try {
      const v = await forgotten.inject({ method: 'GET', url: `/api/v1/public/documents/${sealed.documentId}/verification` });
      expect(v.json()).toMatchObject({ authentic: false });
    } finally {
      await forgotten.close();
    }
  });

  it('puts results in the applicant store for reuse by a later dossier of the same applicant only', async () => {
    const store = await t.request({ method: 'GET', url: '/api/v1/me/documents', as: 'citizen.an' });
    expect(store.status).toBe(200);
    expect(store.json.map((x: { documentId: string }) => x.documentId)).toContain(sealed.documentId);
    expect((await t.request({ method: 'GET', url: '/api/v1/me/documents', as: 'citizen.binh' })).json).toEqual([]);

    const draft = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload: { procedureCode: CODE, applicant, form: {} } });
    const target = def.components.find((c) => !c.required)!.code;
    const reuse = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${draft.json.id}/files`,
      as: 'citizen.an',
      payload: { component: target, reuseFileId: sealed.fileId },
    });
    expect(reuse.status, JSON.stringify(reuse.json)).toBe(201);
    expect(reuse.json.sha256).toBe(sealed.sha256);
    const view = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${draft.json.id}`, as: 'citizen.an' })).json;
    expect(view.files).toContainEqual(expect.objectContaining({ component: target, reused: true, sha256: sealed.sha256 }));

    const other = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.binh',
      payload: { procedureCode: CODE, applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321' }, form: {} },
    });
    const stolen = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${other.json.id}/files`,
      as: 'citizen.binh',
      payload: { component: target, reuseFileId: sealed.fileId },
    });
    expect(stolen.status).toBe(404);
  });
});

/** Files under the app's data folder (attachments and sealed results live there), as test/web-results.int.test.ts counts them. */
const filesOnDisk = async (dir: string): Promise<number> => {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) n += e.isDirectory() ? await filesOnDisk(path.join(dir, e.name)) : 1;
  return n;
};
/** What a seal writes for a dossier: sealed documents, result files and the dossier's version. */
async function sealedState(dossierId: string) {
  const [row] = await queryRows<{ sealed: number | string; results: number | string; version: number }>(
    t.database.db,
    sql`SELECT (SELECT count(*) FROM sealed_documents WHERE dossier_id = ${dossierId}) AS sealed,
               (SELECT count(*) FROM dossier_files WHERE dossier_id = ${dossierId} AND component_code = 'ket_qua') AS results,
               (SELECT version FROM dossiers WHERE id = ${dossierId}) AS version`,
  );
  return { sealed: Number(row!.sealed), results: Number(row!.results), version: Number(row!.version) };
}
function expectProblem(res: { status: number; json: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.json.code).toBe(code);
}

describe('If-Match on POST /dossiers/{code}/result', () => {
  const generated = { title: 'Trích lục khai sinh', content: 'Họ và tên: Nguyễn Thị Mai.' };
  const seal = (code: string, headers: Record<string, string>, kind: 'json' | 'multipart' = 'json') =>
    kind === 'json'
      ? t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/result`, as: 'specialist.giang', headers, payload: generated })
      : (() => {
          const body = multipart(
            { title: 'Giấy khai sinh' },
            { name: 'kq.pdf', type: 'application/pdf', data: Buffer.concat([SAMPLE_PDF, Buffer.from(`% ${code}\n`)]) },
          );
          return t.request({
            method: 'POST',
            url: `/api/v1/dossiers/${code}/result`,
            as: 'specialist.giang',
            payload: body.payload,
            headers: { ...body.headers, ...headers },
          });
        })();

  it('refuses a stale version (412) and a malformed header (422) as the actions do, storing nothing', async () => {
    const d = await receivedAndAssigned();
    const before = await filesOnDisk(t.dataDir);
    const state = await sealedState(d.id);
    for (const kind of ['json', 'multipart'] as const) {
      const stale = await seal(d.code, { 'if-match': `"${state.version - 1}"` }, kind);
      expectProblem(stale, 412, 'DOSSIER_VERSION_STALE');
      expect(stale.json.currentVersion).toBe(state.version);
      // A weak tag never matches (strong comparison, RFC 9110 §13.1.1), as on the actions.
      expectProblem(await seal(d.code, { 'if-match': `W/"${state.version}"` }, kind), 412, 'DOSSIER_VERSION_STALE');
      expectProblem(await seal(d.code, { 'if-match': 'version-seven' }, kind), 422, 'IF_MATCH_INVALID');
    }
    // The same header on the action route gives the same answers.
    const action = (h: string) =>
      t.request({
        method: 'POST',
        url: `/api/v1/dossiers/${d.code}/actions`,
        as: 'specialist.giang',
        headers: { 'if-match': h },
        payload: { action: 'forward' },
      });
    expectProblem(await action(`"${state.version - 1}"`), 412, 'DOSSIER_VERSION_STALE');
    expectProblem(await action('version-seven'), 422, 'IF_MATCH_INVALID');
    expect(await filesOnDisk(t.dataDir)).toBe(before);
    expect(await sealedState(d.id)).toEqual(state);
  });

  it('seals with the current version, then refuses the same header again; without the header it seals as before', async () => {
    const d = await receivedAndAssigned();
    const before = await filesOnDisk(t.dataDir);
    const { version } = await sealedState(d.id);
    const etag = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'specialist.giang' })).headers.etag as string;
    expect(etag).toBe(`"${version}"`);
    const ok = await seal(d.code, { 'if-match': etag });
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    expect(await sealedState(d.id)).toEqual({ sealed: 1, results: 1, version: version + 1 });
    expect(await filesOnDisk(t.dataDir)).toBe(before + 1);
    // The seal moved the version on: the same header (a second click, a retry) stores nothing.
    expectProblem(await seal(d.code, { 'if-match': etag }, 'multipart'), 412, 'DOSSIER_VERSION_STALE');
    expect(await filesOnDisk(t.dataDir)).toBe(before + 1);
    // A list naming the current version, `*`, and no header at all are accepted.
    expect((await seal(d.code, { 'if-match': `"1", "${version + 1}"` }, 'multipart')).status).toBe(201);
    expect((await seal(d.code, { 'if-match': '*' })).status).toBe(201);
    expect((await seal(d.code, {}, 'multipart')).status).toBe(201);
    expect(await sealedState(d.id)).toEqual({ sealed: 4, results: 4, version: version + 4 });
    expect(await filesOnDisk(t.dataDir)).toBe(before + 4);
  });

  it('declares the If-Match header in the OpenAPI document, as the action route does', async () => {
    const doc = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string; required?: boolean }[] }>>;
    };
    const header = (p: string) => doc.paths[p]?.post?.parameters?.find((x) => x.in === 'header' && x.name === 'if-match');
    expect(header('/api/v1/dossiers/{id}/actions')).toBeDefined();
    expect(header('/api/v1/dossiers/{id}/result')).toEqual(header('/api/v1/dossiers/{id}/actions'));
    expect(header('/api/v1/dossiers/{id}/result')?.required).not.toBe(true);
  });
});

describe('the stored file of a seal that fails', () => {
  /** Makes the database refuse a seal titled `title` with SQLSTATE `code`, raised inside the transaction. */
  async function failSealsTitled(title: string, code: string) {
    await t.database.db.execute(
      sql.raw(`CREATE OR REPLACE FUNCTION test_fail_seal() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'test: seal refused' USING ERRCODE = '${code}'; END $$`),
    );
    await t.database.db.execute(sql.raw(`DROP TRIGGER IF EXISTS test_fail_seal ON sealed_documents`));
    await t.database.db.execute(
      sql.raw(`CREATE TRIGGER test_fail_seal BEFORE INSERT ON sealed_documents FOR EACH ROW
        WHEN (NEW.title = '${title}') EXECUTE FUNCTION test_fail_seal()`),
    );
  }
  afterAll(async () => {
    await t.database.db.execute(sql.raw(`DROP TRIGGER IF EXISTS test_fail_seal ON sealed_documents`));
    await t.database.db.execute(sql.raw(`DROP FUNCTION IF EXISTS test_fail_seal()`));
  });

  it('removes the file when the database refused the rows (a SQLSTATE error), and when an unclear error finds no row', async () => {
    const d = await receivedAndAssigned();
    const state = await sealedState(d.id);
    const before = await filesOnDisk(t.dataDir);
    // 23514: a certain refusal, removed at once. 08006 (connection failure) raised by the server: an
    // outcome the classification does not trust, so the rows are looked up, found absent, and the file removed.
    for (const [title, code] of [
      ['Kết quả bị từ chối', '23514'],
      ['Kết quả không rõ', '08006'],
    ] as const) {
      await failSealsTitled(title, code);
      const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/result`, as: 'specialist.giang', payload: { title, content: 'Nội dung.' } });
      expectProblem(r, 500, 'INTERNAL_ERROR');
      expect(await filesOnDisk(t.dataDir), code).toBe(before);
      expect(await sealedState(d.id)).toEqual(state);
    }
    // Other titles still seal: the trigger refused only those.
    const ok = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${d.code}/result`,
      as: 'specialist.giang',
      payload: { title: 'Kết quả', content: 'Nội dung.' },
    });
    expect(ok.status, JSON.stringify(ok.json)).toBe(201);
    expect(await filesOnDisk(t.dataDir)).toBe(before + 1);
  });

  /**
   * The service on a database handle whose transaction reports a lost connection: after its COMMIT
   * took effect (`committed`), or without committing, every later query failing too (`gone`).
   */
  async function sealThrough(mode: 'committed' | 'gone', code: string) {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });
    const actor = await new SessionStore(config.sessionSecret, 3_600_000).resolve(t.database.db, await t.token('specialist.giang'));
    const lost = new Error('Connection terminated unexpectedly');
    let broken = false;
    const real = t.database.db;
    const db = new Proxy(real, {
      get(target, prop) {
        if (prop === 'transaction') {
          return async (fn: Parameters<Db['transaction']>[0]) => {
            if (mode === 'committed') await target.transaction(fn);
            else broken = true;
            throw lost;
          };
        }
        if (broken && prop === 'execute') return () => Promise.reject(new Error('Client has encountered a connection error and is not queryable'));
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const warn = vi.fn();
    const log = Object.assign(Object.create(t.app.log) as FastifyBaseLogger, { warn });
    const run = sealResult({ db, actor, now: new Date(), log, keyring: t.app.keyring }, t.files, await keyRingFor(config), 'http://localhost:80', code, {
      generated: { title: 'Trích lục khai sinh', content: 'Nội dung.' },
    });
    return { run, lost, warn };
  }

  it('keeps the file when the COMMIT took effect though its answer was lost, and answers with the sealed result', async () => {
    const d = await receivedAndAssigned();
    const before = await filesOnDisk(t.dataDir);
    const { run, warn } = await sealThrough('committed', d.code);
    const view = await run;
    expect(view).toMatchObject({ dossierCode: d.code, kind: 'generated' });
    expect(await filesOnDisk(t.dataDir)).toBe(before + 1);
    expect(await sealedState(d.id)).toMatchObject({ sealed: 1, results: 1 });
    expect(warn).toHaveBeenCalledTimes(1);
    // The file is there and still hashes to the seal: verification reads it.
    const verdict = await t.request({ method: 'GET', url: `/api/v1/public/documents/${view.documentId}/verification` });
    expect(verdict.json).toMatchObject({ authentic: true, sha256: view.sha256 });
  });

  it('keeps the file and logs it at warn when the outcome is unknown and the rows cannot be looked up', async () => {
    const d = await receivedAndAssigned();
    const before = await filesOnDisk(t.dataDir);
    const { run, lost, warn } = await sealThrough('gone', d.code);
    await expect(run).rejects.toBe(lost);
    expect(await filesOnDisk(t.dataDir)).toBe(before + 1);
    expect(await sealedState(d.id)).toMatchObject({ sealed: 0, results: 0 });
    expect(warn).toHaveBeenCalledTimes(1);
    const [fields] = warn.mock.calls[0] as [{ storageKeys: string[] }];
    expect(fields.storageKeys).toHaveLength(1);
    expect(await t.files.exists(fields.storageKeys[0]!)).toBe(true);
  });
});

describe('web pages', () => {
  const web = webClient(() => t);

  it('downloads a form with a cookie session, and refuses others', async () => {
    const d = await receivedAndAssigned();
    const { cookie } = await web.signIn('citizen.an');
    const r = await t.app.inject({ method: 'GET', url: `/ho-so/${d.id}/giay-to/01`, headers: { cookie } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    expect(await pdfPlainText(r.rawPayload)).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect((await web.get(`/ho-so/${d.code}/giay-to/06.pdf`, cookie)).status).toBe(200);
    const notYet = await web.get(`/ho-so/${d.id}/giay-to/03`, cookie);
    expect(notYet.status).toBe(409);
    expect(notYet.body).toContain('Hồ sơ chưa có giấy tờ này');
    expect((await web.get(`/ho-so/${d.id}/giay-to/09`, cookie)).status).toBe(404);
    const binh = await web.signIn('citizen.binh');
    expect((await web.get(`/ho-so/${d.id}/giay-to/01`, binh.cookie)).status).toBe(404);
    const anon = await web.get(`/ho-so/${d.id}/giay-to/01`);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe(`/dang-nhap?next=${encodeURIComponent(`/ho-so/${d.id}/giay-to/01`)}`);
  });

  it('verifies by code and by upload without JavaScript, with CSRF', async () => {
    const page = await web.get(`/xac-thuc/${sealed_.documentId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Văn bản xác thực');
    expect(page.body).toContain(sealed_.dossierCode);
    expect(page.headers['content-security-policy']).toBeDefined();
    expect((await web.get('/xac-thuc/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    const byCode = await web.get(`/xac-thuc?ma=${sealed_.documentId}`);
    expect(byCode.status).toBe(303);
    expect(byCode.headers.location).toBe(`/xac-thuc/${sealed_.documentId}`);
    expect((await web.get('/xac-thuc?ma=abc')).status).toBe(422);

    const form = await web.get('/xac-thuc');
    expect(form.status).toBe(200);
    expect(form.body).toContain('enctype="multipart/form-data"');
    const pre = cookiePair(cookieNamed(form.headers, 'tinhso_csrf'));
    const csrf = csrfOf(form.body);
    const ok = await web.upload('/xac-thuc', { csrf }, { name: 'kq.pdf', type: 'application/pdf', data: sealedPdf_ }, pre);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('Văn bản xác thực');
    const tampered = Buffer.from(sealedPdf_);
    tampered[100] = tampered[100]! ^ 0x20;
    const bad = await web.upload('/xac-thuc', { csrf }, { name: 'kq.pdf', type: 'application/pdf', data: tampered }, pre);
    expect(bad.status).toBe(200);
    expect(bad.body).toContain('Không xác thực được văn bản');
    const noCsrf = await web.upload('/xac-thuc', { csrf: 'x' }, { name: 'kq.pdf', type: 'application/pdf', data: sealedPdf_ }, pre);
    expect(noCsrf.status).toBe(403);
  });
});
