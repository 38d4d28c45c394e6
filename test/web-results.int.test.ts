import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { searchProcedureRows } from '../src/modules/procedures/procedures.repo.ts';
import { counterIntake, type Desk } from '../src/web/staff-pages.ts';
import { createAccount, createTestApp, multipartParts, SAMPLE_PDF, sessionCookie, submittedDossier, type NewAccount, type TestApp } from './harness.ts';
import { decodePdfQrCodes, pdfPlainText } from './pdf-helpers.ts';
import { csrfOf, formValues, unescapeHtml, webClient, type WebRes, walkInForm } from './web-client.ts';
import { workflowSteps } from './workflow-steps.ts';

/**
 * Result documents on the officers' dossier page (upload a file or have one generated, both sealed
 * by the documents service), the sealed results on the citizen's page, and counter intake offered
 * only where the desk takes the procedure (docs/WEB.md, docs/DOCUMENTS.md).
 */
let t: TestApp;
const PROC = '1.001776'; // received by the provincial centre, decided by UBND-13669; specialist then leader
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };
const { get, postForm, upload } = webClient(() => t);
const steps = workflowSteps(() => t);
const cookies: Record<string, string> = {};

function expectPage(r: WebRes, status: number) {
  expect(r.status, r.body.slice(0, 800)).toBe(status);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
}

/** The result section of the officers' page: from its heading to the next section's. */
const resultArea = (body: string) => {
  const start = body.indexOf('<h2 id="ket-qua">');
  return body.slice(start, body.indexOf('<h2', start + 5));
};
const sealedCount = async (dossierId: string) =>
  Number((await queryRows<{ n: number | string }>(t.database.db, sql`SELECT count(*) AS n FROM sealed_documents WHERE dossier_id = ${dossierId}`))[0]?.n ?? 0);
/** dd/mm/yyyy HH:mm in +07:00, computed by hand from the stored instant. */
/** Files under the app's data folder (attachments and sealed results live there). */
const filesOnDisk = async (dir: string): Promise<number> => {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) n += e.isDirectory() ? await filesOnDisk(path.join(dir, e.name)) : 1;
  return n;
};
const vnDayTime = (d: Date) => {
  const v = new Date(d.getTime() + 7 * 3600_000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(v.getUTCDate())}/${two(v.getUTCMonth() + 1)}/${v.getUTCFullYear()} ${two(v.getUTCHours())}:${two(v.getUTCMinutes())}`;
};

beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['citizen.an', 'citizen.binh', 'reception.dung', 'specialist.giang', 'leader.hoa', 'officer.khanh']) cookies[u] = await sessionCookie(t, u);
});
afterAll(async () => {
  await t?.close();
});

describe('the result of a dossier on the officers’ page', () => {
  let d: { id: string; code: string };

  it('offers the result forms exactly while the documents service allows sealing, and refuses the wrong state on the page', async () => {
    d = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant });
    const href = `/can-bo/ho-so/${d.code}`;
    // Submitted, not yet in progress: the API refuses (409), the page offers no form.
    const early = await get(href, cookies['reception.dung']!);
    expectPage(early, 200);
    expect(early.body).toContain('<h2 id="ket-qua">Kết quả giải quyết</h2>');
    expect(early.body).toContain('Chưa có kết quả nào được niêm phong.');
    expect(early.body).not.toContain(`action="${href}/ket-qua"`);
    const api = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${d.code}/result`,
      as: 'reception.dung',
      payload: { title: 'Kết quả', content: 'Nội dung' },
    });
    expect([api.status, api.json.code]).toEqual([409, 'DOCUMENT_RESULT_STATE']);
    // A page opened earlier (or typed by hand) posting anyway: the state is explained in the page's language, the text kept.
    const version = /name="version" value="(\d+)"/.exec(early.body)![1]!;
    const refused = await postForm(
      `${href}/ket-qua`,
      { csrf: csrfOf(early.body), version, title: 'Quyết định cấp phép', content: 'Đoạn một.' },
      cookies['reception.dung']!,
    );
    expectPage(refused, 409);
    expect(refused.body).toContain(
      'Chưa đính kèm kết quả: chỉ đính kèm khi hồ sơ đang xử lý hoặc đã xử lý xong, còn hồ sơ này đang ở trạng thái “Mới đăng ký”.',
    );
    const en = await postForm(
      `${href}/ket-qua`,
      { csrf: csrfOf(early.body), version, title: 'Quyết định cấp phép', content: 'Đoạn một.' },
      `${cookies['reception.dung']!}; lang=en`,
    );
    expectPage(en, 409);
    expect(en.body).toContain('No result attached: a result is attached only while the dossier is being processed or once it is processed');
    expect(await sealedCount(d.id)).toBe(0);

    await steps.inProgress(d.code);
    for (const who of ['reception.dung', 'specialist.giang', 'leader.hoa']) {
      const page = await get(href, cookies[who]);
      expectPage(page, 200);
      expect(page.body, who).toContain(`<form method="post" action="${href}/ket-qua" enctype="multipart/form-data" novalidate>`);
      expect(page.body, who).toContain(`<form method="post" action="${href}/ket-qua" novalidate>`);
    }
    // An officer of another agency does not see the dossier at all; a citizen is not an officer.
    expectPage(await get(href, cookies['officer.khanh']!), 404);
    const citizenPage = await get(`/ho-so/${d.id}`, cookies['citizen.an']!);
    const notStaff = await postForm(
      `${href}/ket-qua`,
      { csrf: csrfOf(citizenPage.body), version, title: 'Kết quả', content: 'Nội dung' },
      cookies['citizen.an']!,
    );
    expectPage(notStaff, 403);
    expect(notStaff.body).toContain('Trang này chỉ dành cho cán bộ');
    expect(await sealedCount(d.id)).toBe(0);
  });

  let uploadedId = '';

  it('seals an uploaded PDF once, lists it with its time and links, and the verification page confirms it', async () => {
    const href = `/can-bo/ho-so/${d.code}`;
    const page = await get(href, cookies['specialist.giang']!);
    // With the script, the upload form is checked for size before sending and the page's buttons wait for it (portal-js.ts).
    expect(page.body).toContain(
      '<section class="action" aria-labelledby="h-kq-upload" data-uploads data-max-bytes="10485760" data-land="kq-done" data-msg-size="Tệp phải nhỏ hơn 10 MB"',
    );
    expect(page.body).toContain('data-msg-busy="Đang tải tệp kết quả lên: chờ tải xong rồi hãy làm thao tác khác."');
    expect(page.body).toContain('data-msg-progress="Đang tải lên {name}: {n}%" data-msg-label="Tiến độ tải lên {name}" data-msg-failed="');
    const { file: chosen, ...fields } = formValues(page.body, `${href}/ket-qua" enctype="multipart/form-data`);
    expect(chosen).toBe('');
    expect(Object.keys(fields).sort()).toEqual(['csrf', 'title', 'version']);
    // Without the CSRF token nothing is read further.
    expectPage(
      await upload(`${href}/ket-qua`, { ...fields, csrf: 'sai' }, { name: 'kq.pdf', type: 'application/pdf', data: SAMPLE_PDF }, cookies['specialist.giang']!),
      403,
    );
    // Not a PDF, JPEG or PNG: 415 on the page, the title kept, nothing sealed.
    const bad = await upload(
      `${href}/ket-qua`,
      { ...fields, title: 'Giấy phép số 12' },
      { name: 'kq.txt', type: 'text/plain', data: Buffer.from('không phải PDF') },
      cookies['specialist.giang']!,
    );
    expectPage(bad, 415);
    expect(bad.body).toContain('<a href="#kq-file">Tệp phải là PDF, JPG hoặc PNG</a>');
    expect(bad.body).toContain('id="kq-file-title" name="title" value="Giấy phép số 12"');
    expect(bad.body).toContain('aria-invalid="true"');
    const none = await upload(
      `${href}/ket-qua`,
      { ...fields, title: 'Giấy phép số 12' },
      { name: '', type: 'application/octet-stream', data: Buffer.alloc(0) },
      cookies['specialist.giang']!,
    );
    expectPage(none, 422);
    expect(none.body).toContain('<a href="#kq-file">Chọn một tệp để tải lên</a>');
    // A title over 300 characters is said, not cut; and a body with more files than the form has is named as such, not "too large".
    const long = await upload(
      `${href}/ket-qua`,
      { ...fields, title: 'Giấy phép '.repeat(40) },
      { name: 'kq.pdf', type: 'application/pdf', data: SAMPLE_PDF },
      cookies['specialist.giang']!,
    );
    expectPage(long, 422);
    expect(long.body).toContain('<a href="#kq-file-title">Tên văn bản dài tối đa 300 ký tự</a>');
    const two = multipartParts(fields, [
      { field: 'file', name: 'a.pdf', type: 'application/pdf', data: SAMPLE_PDF },
      { field: 'file', name: 'b.pdf', type: 'application/pdf', data: SAMPLE_PDF },
    ]);
    const many = await t.app.inject({
      method: 'POST',
      url: `${href}/ket-qua`,
      headers: { ...two.headers, cookie: cookies['specialist.giang']! },
      payload: two.payload,
    });
    expect(many.statusCode).toBe(422);
    expect(await sealedCount(d.id)).toBe(0);

    const sent = await upload(
      `${href}/ket-qua`,
      { ...fields, title: 'Giấy phép số 12' },
      { name: 'giay-phep.pdf', type: 'application/pdf', data: SAMPLE_PDF },
      cookies['specialist.giang']!,
    );
    expect(sent.status, sent.body.slice(0, 500)).toBe(303);
    const [row] = await queryRows<{ id: string; file_id: string; title: string; kind: string; issued_at: Date | string }>(
      t.database.db,
      sql`SELECT id, file_id, title, kind, issued_at FROM sealed_documents WHERE dossier_id = ${d.id}`,
    );
    expect(row).toMatchObject({ title: 'Giấy phép số 12', kind: 'uploaded' });
    uploadedId = row!.id;
    expect(sent.headers.location).toBe(`${href}?ket-qua=${row!.id}#ket-qua`);
    // The same form sent again (a double click, or back and resend): the old version seals nothing.
    const twice = await upload(
      `${href}/ket-qua`,
      { ...fields, title: 'Giấy phép số 12' },
      { name: 'giay-phep.pdf', type: 'application/pdf', data: SAMPLE_PDF },
      cookies['specialist.giang']!,
    );
    expectPage(twice, 412);
    expect(twice.body).toContain('Chưa đính kèm thêm kết quả: hồ sơ vừa thay đổi');
    expect(await sealedCount(d.id)).toBe(1);

    const after = await get(String(sent.headers.location).split('#')[0]!, cookies['specialist.giang']!);
    expectPage(after, 200);
    // The confirmation is where the redirect lands (#ket-qua, visible at 360 px), once: not at the top of the page.
    const area = resultArea(after.body);
    expect(area).toMatch(
      /^<h2 id="ket-qua">Kết quả giải quyết<\/h2>\n<div class="notice" id="kq-done" role="status" tabindex="-1"><p>Đã niêm phong và đính kèm kết quả: Giấy phép số 12\.<\/p><\/div>/,
    );
    expect(after.body.split('Đã niêm phong và đính kèm kết quả')).toHaveLength(2);
    // Without the sealed document's id (or with another dossier's), no confirmation.
    expect((await get(href, cookies['specialist.giang']!)).body).not.toContain('id="kq-done"');
    expect(area).toContain('<strong>Giấy phép số 12</strong>');
    expect(area).toContain(`Niêm phong lúc ${vnDayTime(new Date(row!.issued_at))}`);
    expect(area).toContain(`href="/ho-so/${d.id}/tep/${row!.file_id}"`);
    expect(area).toContain(`href="/xac-thuc/${row!.id}"`);
    // The download link serves the very bytes uploaded; the verification page and an upload of them say authentic.
    const file = await t.app.inject({ method: 'GET', url: `/ho-so/${d.id}/tep/${row!.file_id}`, headers: { cookie: cookies['specialist.giang']! } });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(SAMPLE_PDF)).toBe(true);
    const verdict = await get(`/xac-thuc/${row!.id}`);
    expectPage(verdict, 200);
    expect(verdict.body).toContain('Văn bản xác thực');
    expect(verdict.body).toContain(d.code);
  });

  it('generates a sealed PDF from a title and paragraphs, after refusing an empty text with what was typed kept', async () => {
    const href = `/can-bo/ho-so/${d.code}`;
    const page = await get(href, cookies['leader.hoa']!);
    const fields = formValues(page.body.slice(page.body.indexOf('id="h-kq-generate"')), `${href}/ket-qua`);
    expect(Object.keys(fields).sort()).toEqual(['content', 'csrf', 'title', 'version']);
    const empty = await postForm(`${href}/ket-qua`, { ...fields, title: 'Quyết định cho phép', content: '   \n\n  ' }, cookies['leader.hoa']!);
    expectPage(empty, 422);
    expect(empty.body).toContain('<a href="#kq-content">Nhập nội dung văn bản kết quả</a>');
    expect(empty.body).toContain('id="kq-title" name="title" value="Quyết định cho phép"');
    const short = await postForm(`${href}/ket-qua`, { ...fields, title: 'QĐ', content: 'Đoạn một.' }, `${cookies['leader.hoa']!}; lang=en`);
    expectPage(short, 422);
    expect(short.body).toContain('<a href="#kq-title">Enter the title, 3 to 300 characters</a>');
    expect(short.body).toContain('>Đoạn một.</textarea>');
    expect(await sealedCount(d.id)).toBe(1);

    const content = 'Điều 1. Cho phép ông Nguyễn Văn An được tổ chức lễ hội truyền thống.\n\nĐiều 2. Quyết định có hiệu lực kể từ ngày ký.';
    const sent = await postForm(`${href}/ket-qua`, { ...fields, title: 'Quyết định cho phép tổ chức lễ hội', content }, cookies['leader.hoa']!);
    expect(sent.status, sent.body.slice(0, 500)).toBe(303);
    const [row] = await queryRows<{ id: string; file_id: string; kind: string }>(
      t.database.db,
      sql`SELECT id, file_id, kind FROM sealed_documents WHERE dossier_id = ${d.id} AND id <> ${uploadedId}`,
    );
    expect(row!.kind).toBe('generated');
    expect(await sealedCount(d.id)).toBe(2);
    const after = await get(`${href}?ket-qua=${row!.id}`, cookies['leader.hoa']!);
    const area = resultArea(after.body);
    expect(area).toContain(
      '<div class="notice" id="kq-done" role="status" tabindex="-1"><p>Đã niêm phong và đính kèm kết quả: Quyết định cho phép tổ chức lễ hội.</p></div>',
    );
    // Oldest first: the uploaded file, then the generated one.
    const list = area.slice(area.indexOf('<ul'));
    expect(list.indexOf('Giấy phép số 12')).toBeGreaterThan(-1);
    expect(list.indexOf('Giấy phép số 12')).toBeLessThan(list.indexOf('Quyết định cho phép tổ chức lễ hội'));
    const file = await t.app.inject({ method: 'GET', url: `/ho-so/${d.id}/tep/${row!.file_id}`, headers: { cookie: cookies['leader.hoa']! } });
    expect(file.headers['content-type']).toBe('application/pdf');
    const text = await pdfPlainText(new Uint8Array(file.rawPayload));
    expect(text).toContain('QUYẾT ĐỊNH CHO PHÉP TỔ CHỨC LỄ HỘI');
    expect(text).toContain('Điều 1. Cho phép ông Nguyễn Văn An được tổ chức lễ hội truyền thống.');
    expect(text).toContain('Điều 2. Quyết định có hiệu lực kể từ ngày ký.');
    expect(text).toContain(`Mã xác thực: ${row!.id}`);
    const qrs = await decodePdfQrCodes(new Uint8Array(file.rawPayload));
    expect(qrs.map((q) => q.text).filter((q) => q.endsWith(`/xac-thuc/${row!.id}`))).toHaveLength(1);
    const verdict = await t.request({ method: 'GET', url: `/api/v1/public/documents/${row!.id}/verification` });
    expect(verdict.json).toMatchObject({ authentic: true, dossierCode: d.code, title: 'Quyết định cho phép tổ chức lễ hội' });
  });

  it('seals one document when the same form arrives twice at once', async () => {
    const other = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant });
    await steps.inProgress(other.code);
    const href = `/can-bo/ho-so/${other.code}`;
    const page = await get(href, cookies['specialist.giang']!);
    const fields = formValues(page.body.slice(page.body.indexOf('id="h-kq-generate"')), `${href}/ket-qua`);
    const form = { ...fields, title: 'Giấy xác nhận', content: 'Xác nhận ông Nguyễn Văn An đã hoàn thành thủ tục.' };
    const before = await filesOnDisk(t.dataDir);
    const both = await Promise.all([
      postForm(`${href}/ket-qua`, form, cookies['specialist.giang']!),
      postForm(`${href}/ket-qua`, form, cookies['specialist.giang']!),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([303, 412]);
    expect(await sealedCount(other.id)).toBe(1);
    // The refused one's PDF, stored before the lock refused it, is gone again; a late third click stores nothing.
    expect(await filesOnDisk(t.dataDir)).toBe(before + 1);
    const third = await postForm(`${href}/ket-qua`, form, cookies['specialist.giang']!);
    expect(third.status).toBe(412);
    expect(await filesOnDisk(t.dataDir)).toBe(before + 1);
  });

  it('shows the citizen the sealed results with download and verification links once the dossier is done', async () => {
    const mine = `/ho-so/${d.id}`;
    const inProgress = await get(mine, cookies['citizen.an']!);
    expectPage(inProgress, 200);
    expect(inProgress.body).not.toContain('id="ket-qua-dien-tu"');
    // Nor among the papers, nor by its address: a result awaiting approval is not the applicant's yet.
    const sealedFiles = await queryRows<{ file_id: string }>(t.database.db, sql`SELECT file_id FROM sealed_documents WHERE dossier_id = ${d.id}`);
    expect(sealedFiles.length).toBeGreaterThan(0);
    for (const r of sealedFiles) {
      expect(inProgress.body).not.toContain(r.file_id);
      expect((await t.app.inject({ method: 'GET', url: `/ho-so/${d.id}/tep/${r.file_id}`, headers: { cookie: cookies['citizen.an']! } })).statusCode).toBe(404);
    }
    await steps.approve(d.code);
    const done = await get(mine, cookies['citizen.an']!);
    expectPage(done, 200);
    expect(done.body).toContain('<h2 id="ket-qua-dien-tu">Kết quả điện tử</h2>');
    const rows = await queryRows<{ id: string; file_id: string }>(
      t.database.db,
      sql`SELECT id, file_id FROM sealed_documents WHERE dossier_id = ${d.id} ORDER BY issued_at, id`,
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      // Once, in the results section; the papers list does not repeat it.
      expect(done.body.split(`href="/ho-so/${d.id}/tep/${r.file_id}"`)).toHaveLength(2);
      expect(done.body).toContain(`href="/xac-thuc/${r.id}"`);
    }
    const file = await t.app.inject({ method: 'GET', url: `/ho-so/${d.id}/tep/${rows[0]!.file_id}`, headers: { cookie: cookies['citizen.an']! } });
    expect(file.statusCode).toBe(200);
    // Still done: the officers may add a result; after the return they may not.
    expect((await get(`/can-bo/ho-so/${d.code}`, cookies['reception.dung']!)).body).toContain(`action="/can-bo/ho-so/${d.code}/ket-qua"`);
    await steps.act(d.code, 'reception.dung', { action: 'return_result' });
    const returned = await get(mine, cookies['citizen.an']!);
    expect(returned.body).toContain('<h2 id="ket-qua-dien-tu">Kết quả điện tử</h2>');
    expect(returned.body).toContain(`href="/xac-thuc/${rows[1]!.id}"`);
    const staff = await get(`/can-bo/ho-so/${d.code}`, cookies['reception.dung']!);
    expect(staff.body).not.toContain(`action="/can-bo/ho-so/${d.code}/ket-qua"`);
    expect(resultArea(staff.body)).toContain(`href="/xac-thuc/${rows[1]!.id}"`);
    expectPage(await get(mine, cookies['citizen.binh']!), 404);
  });
});

describe('counter intake offered only where the desk takes the procedure', () => {
  const ONLY_PROVINCE = '2.000488'; // given below to the provincial centre only
  const ONLINE_ONLY = '2.002014'; // given below no in-person channel
  let communeDesk = '';

  beforeAll(async () => {
    const publish = async (code: string, change: (def: Record<string, unknown>) => Record<string, unknown>) => {
      const def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${code}` })).json.definition;
      const v = await t.request({
        method: 'POST',
        url: `/api/v1/procedures/${code}/versions`,
        as: 'admin.lan',
        payload: { definition: change(def), decisionRef: 'Quyết định số 77/QĐ-UBND' },
      });
      expect(v.status, v.body).toBe(201);
      expect((await t.request({ method: 'POST', url: `/api/v1/procedures/${code}/versions/${v.json.version}/publish`, as: 'admin.lan' })).status).toBe(200);
    };
    await publish(ONLY_PROVINCE, (def) => ({ ...def, receivingAgencyCodes: ['TTPVHCC'] }));
    await publish(ONLINE_ONLY, (def) => ({ ...def, channels: ['online'] }));
    const user: NewAccount = {
      username: 'reception.xa',
      displayName: 'Lò Thị Xa',
      password: 'mat-khau-dai-1',
      kind: 'staff',
      roles: [{ role: 'reception', agencyCode: 'TTPVHCC-13669' }],
    };
    await createAccount(t, user);
    communeDesk = await sessionCookie(t, user.username, user.password);
  });

  it('links the procedure page to counter intake only for a desk that takes it, and says why otherwise', async () => {
    const link = `href="/can-bo/tiep-nhan?thu-tuc=${ONLY_PROVINCE}"`;
    const province = await get(`/thu-tuc/${ONLY_PROVINCE}`, cookies['reception.dung']!);
    expectPage(province, 200);
    expect(province.body).toContain(link);
    const commune = await get(`/thu-tuc/${ONLY_PROVINCE}`, communeDesk);
    expectPage(commune, 200);
    expect(commune.body).not.toContain(link);
    expect(unescapeHtml(commune.body)).toMatch(/Quầy của bạn không tiếp nhận hồ sơ thủ tục này: nơi tiếp nhận là Trung tâm[^<]*\./);
    // No in-person channel: no desk is offered it.
    const online = await get(`/thu-tuc/${ONLINE_ONLY}`, cookies['reception.dung']!);
    expect(online.body).not.toContain(`href="/can-bo/tiep-nhan?thu-tuc=${ONLINE_ONLY}"`);
    expect(online.body).toContain('Quầy của bạn không tiếp nhận hồ sơ thủ tục này: thủ tục không nhận hồ sơ nộp trực tiếp.');
    // A procedure both desks take keeps its link for both; a specialist gets none.
    expect((await get(`/thu-tuc/${PROC}`, communeDesk)).body).toContain(`href="/can-bo/tiep-nhan?thu-tuc=${PROC}"`);
    expect((await get(`/thu-tuc/${PROC}`, cookies['specialist.giang']!)).body).not.toContain('/can-bo/tiep-nhan?');
  });

  it('offers in the intake choice only what the desk takes; a search names the others with the reason; the intake refuses them', async () => {
    const option = (code: string) => `<option value="${code}">`;
    const commune = await get('/can-bo/tiep-nhan', communeDesk);
    expectPage(commune, 200);
    expect(commune.body).toContain(option(PROC));
    expect(commune.body).not.toContain(option(ONLY_PROVINCE));
    expect(commune.body).not.toContain(option(ONLINE_ONLY));
    const province = await get('/can-bo/tiep-nhan', cookies['reception.dung']!);
    expect(province.body).toContain(option(ONLY_PROVINCE));
    expect(province.body).not.toContain(option(ONLINE_ONLY));

    const found = await get(`/can-bo/tiep-nhan?tim=${encodeURIComponent('ly lich tu phap')}`, communeDesk);
    expectPage(found, 200);
    expect(found.body).toContain('Quầy của bạn không tiếp nhận thủ tục nào khớp với “ly lich tu phap”.');
    expect(found.body).toContain('Thủ tục tìm thấy nhưng không tiếp nhận tại quầy của bạn:');
    expect(found.body).toMatch(new RegExp(`Cấp Phiếu lý lịch tư pháp[^<]*\\(${ONLY_PROVINCE.replace('.', '\\.')}\\): nơi tiếp nhận là Trung tâm`));
    expect(found.body).not.toContain('id="in-procedure"');
    const byCode = await get(`/can-bo/tiep-nhan?tim=${ONLINE_ONLY}`, cookies['reception.dung']!);
    expect(byCode.body).toContain(`(${ONLINE_ONLY}): thủ tục không nhận hồ sơ nộp trực tiếp`);
    const mixed = await get(`/can-bo/tiep-nhan?tim=${PROC}`, communeDesk);
    expect(mixed.body).toContain('Quầy của bạn tiếp nhận 1 thủ tục khớp với');
    expect(mixed.body).toContain(option(PROC));

    // Step 2 asked for, or the form posted, for a procedure the desk does not take: 422 with the reason.
    const step2 = await get(`/can-bo/tiep-nhan?thu-tuc=${ONLY_PROVINCE}&doi-tuong=citizen`, communeDesk);
    expectPage(step2, 422);
    expect(step2.body).toMatch(
      new RegExp(`<a href="#in-procedure">Quầy của bạn không tiếp nhận thủ tục ${ONLY_PROVINCE.replace('.', '\\.')}: nơi tiếp nhận là Trung tâm`),
    );
    const posted = await postForm('/can-bo/tiep-nhan', walkInForm(commune.body, ONLY_PROVINCE, { nonce: 'a'.repeat(24) }), communeDesk);
    expectPage(posted, 422);
    expect(posted.body).toContain('href="#in-procedure"');
    // What it does offer goes through, received at the desk's own centre.
    const ok = await postForm('/can-bo/tiep-nhan', walkInForm(commune.body, PROC, { nonce: 'b'.repeat(24) }), communeDesk);
    expect(ok.status, ok.body.slice(0, 500)).toBe(303);
    const id = /^\/can-bo\/tiep-nhan\/([0-9a-f-]{36})$/.exec(String(ok.headers.location))![1]!;
    const [row] = await queryRows<{ code: string }>(
      t.database.db,
      sql`SELECT a.code FROM dossiers d JOIN agencies a ON a.id = d.receiving_agency_id WHERE d.id = ${id}`,
    );
    expect(row!.code).toBe('TTPVHCC-13669');
  });

  /** The procedure codes offered in the intake choice of a page. */
  const offeredCodes = (body: string) => {
    const select = /<select id="in-procedure"[^>]*>([\s\S]*?)<\/select>/.exec(body)?.[1] ?? '';
    return [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => unescapeHtml(m[1]!)).sort();
  };

  it('offers every desk exactly what the rule, applied to the whole catalogue, offers it', async () => {
    const agencies = await queryRows<{ id: string; code: string; kind: string; parent_id: string | null }>(
      t.database.db,
      sql`SELECT id, code, kind, parent_id FROM agencies ORDER BY code`,
    );
    const below = (id: string): string[] => [id, ...agencies.filter((a) => a.parent_id === id).flatMap((a) => below(a.id))];
    // Every centre's own desk; every commune committee's desk covering the centre below it; a department's desk; the province's.
    const desks = [
      ...agencies.filter((a) => a.kind === 'service_centre').map((a) => ({ agency: a, includeChildren: false })),
      ...agencies.filter((a) => a.kind === 'commune_committee').map((a) => ({ agency: a, includeChildren: true })),
      ...agencies
        .filter((a) => a.kind === 'department')
        .slice(0, 1)
        .map((a) => ({ agency: a, includeChildren: false })),
    ];
    expect(desks.filter((d) => d.agency.kind === 'service_centre').length).toBeGreaterThan(2);
    const catalogue = await searchProcedureRows(t.database.db, { page: 1, pageSize: 1 });
    expect(catalogue.length).toBeGreaterThan(30);
    let someRefused = 0;
    let listedMost = 0;
    for (const [i, d] of desks.entries()) {
      const user: NewAccount = {
        username: `reception.cmp${i}`,
        displayName: `Quầy so sánh ${i}`,
        password: 'mat-khau-dai-1',
        kind: 'staff',
        roles: [{ role: 'reception', agencyCode: d.agency.code, includeChildren: d.includeChildren }],
      };
      await createAccount(t, user);
      const cookie = await sessionCookie(t, user.username, user.password);
      const desk: Desk = { scope: d.includeChildren ? below(d.agency.id) : [d.agency.id], ownCode: d.agency.code };
      const expected = catalogue.filter((proc) => 'agency' in counterIntake(desk, proc)).map((proc) => proc.code);
      someRefused += catalogue.length - expected.length;
      const page = await get('/can-bo/tiep-nhan', cookie);
      expectPage(page, 200);
      expect(offeredCodes(page.body), `${d.agency.code}${d.includeChildren ? ' and below' : ''}`).toEqual(expected.sort());
      if (!expected.length) expect(page.body).toContain('Bộ phận của bạn không tiếp nhận thủ tục nào tại quầy.');
      // A search (a narrow one, and one matching most of the catalogue): the matches the rule offers,
      // and at most 20 of the others, each one the rule refuses, with its reason.
      for (const q of ['giay phep', 'h']) {
        const matches = await searchProcedureRows(t.database.db, { q, page: 1, pageSize: 1 });
        const found = await get(`/can-bo/tiep-nhan?tim=${encodeURIComponent(q)}`, cookie);
        expectPage(found, 200);
        expect(offeredCodes(found.body), `${d.agency.code} “${q}”`).toEqual(
          matches
            .filter((proc) => 'agency' in counterIntake(desk, proc))
            .map((proc) => proc.code)
            .sort(),
        );
        const refused = new Map(matches.map((proc) => [proc.code, counterIntake(desk, proc)]));
        const listed = [...found.body.matchAll(/<li>[^<]*\(([0-9.]+)\): ([^<]*)<\/li>/g)].map((m) => ({ code: m[1]!, why: m[2]! }));
        expect(listed.length).toBe(Math.min(20, [...refused.values()].filter((c) => 'refusal' in c).length));
        for (const { code, why } of listed) {
          const c = refused.get(code);
          expect(c && 'refusal' in c ? c.refusal : 'offered', code).toBe(
            why.startsWith('nơi tiếp nhận là') ? 'DOSSIER_AGENCY_NOT_RECEIVING' : 'DOSSIER_CHANNEL_NOT_ALLOWED',
          );
        }
        listedMost = Math.max(listedMost, listed.length);
      }
    }
    // The comparison saw desks refused procedures, and a search with more others than are listed.
    expect(someRefused).toBeGreaterThan(0);
    expect(listedMost).toBe(20);
  });

  it('marks the receiving centres’ Vietnamese names in the reasons on an English page', async () => {
    const en = `${communeDesk}; lang=en`;
    const centre = 'Trung tâm Phục vụ hành chính công tỉnh Ninh Bình';
    const procPage = await get(`/thu-tuc/${ONLY_PROVINCE}`, en);
    expectPage(procPage, 200);
    expect(procPage.body).toContain(`<p>Your desk does not take dossiers of this procedure: it is received at <span lang="vi">${centre}</span>.</p>`);
    const step2 = await get(`/can-bo/tiep-nhan?thu-tuc=${ONLY_PROVINCE}&doi-tuong=citizen`, en);
    expectPage(step2, 422);
    const reason = `Your desk does not take procedure ${ONLY_PROVINCE}: it is received at <span lang="vi">${centre}</span>.`;
    expect(step2.body).toContain(`<a href="#in-procedure">${reason}</a>`);
    expect(step2.body).toContain(`<p class="error-message" id="in-procedure-error">${reason}</p>`);
    const found = await get(`/can-bo/tiep-nhan?tim=${encodeURIComponent('ly lich tu phap')}`, en);
    expectPage(found, 200);
    expect(found.body).toMatch(
      new RegExp(
        `<li><span lang="vi">Cấp Phiếu lý lịch tư pháp[^<]*</span> \\(${ONLY_PROVINCE.replace('.', '\\.')}\\): it is received at <span lang="vi">${centre}</span></li>`,
      ),
    );
    // The choice's procedure names are Vietnamese too.
    expect((await get('/can-bo/tiep-nhan', en)).body).toContain(`<option value="${PROC}" lang="vi">`);
    // On a Vietnamese page nothing is marked.
    const vi = await get(`/thu-tuc/${ONLY_PROVINCE}`, communeDesk);
    expect(vi.body).toContain(`Quầy của bạn không tiếp nhận hồ sơ thủ tục này: nơi tiếp nhận là ${centre}.`);
    expect(vi.body).not.toContain('<span lang="vi">');
  });
});
