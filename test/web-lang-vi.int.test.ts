import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationJobHandlers } from '../src/modules/notifications/notifications.jobs.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { JobWorker } from '../src/platform/jobs.ts';
import { createTestApp, requiredAnswers, submittedDossier, type TestApp } from './harness.ts';
import { attributeTexts, expectNoMarks, unmarked as unmarkedOn, VIETNAMESE, withoutVi } from './lang-vi.ts';
import { webClient, type WebRes, walkInForm } from './web-client.ts';

/** The English page's Vietnamese left outside `lang="vi"` (test/lang-vi.ts), on a page that answered 200. */
function unmarked(r: WebRes, loanwords?: RegExp): string[] {
  expect(r.status, r.body.slice(0, 400)).toBe(200);
  return unmarkedOn(r, loanwords);
}

/**
 * Vietnamese data on English pages (WCAG 3.1.2): the procedure catalogue's words (form labels,
 * hints, choices, document names, procedure and agency names), what people typed (answers,
 * reasons, notes) and people's names sit inside an element with `lang="vi"`, so a screen reader
 * reads them in Vietnamese; the interface's own English words do not. The same pages in Vietnamese
 * carry no `lang="vi"` besides `<html lang="vi">`.
 *
 * The generic check: drop every element with `lang="vi"` (and its content) from the English page's
 * `<main>`, then its tags; no letter found only in Vietnamese may be left.
 */
let t: TestApp;
const { get, postForm } = webClient(() => t);
const cookies: Record<string, string> = {};
const en = (user: string) => `${cookies[user]}; lang=en`;

const PROC = '1.001776'; // a select field with Vietnamese choices, a hint, two documents (one with a note)
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' };
const SUPPLEMENT_REASON = 'Thiếu bản sao giấy xác nhận khuyết tật';
const REFUSAL_REASON = 'Công dân không bổ sung hồ sơ trong thời hạn';
let def: ProcedureDefinition;
let form: Record<string, string | number | boolean>;

beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['citizen.an', 'reception.dung', 'admin.lan', 'leader.hoa']) cookies[u] = `tinhso_session=${await t.token(u)}`;
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${PROC}` })).json.definition;
  form = { ...requiredAnswers(def.form), ho_ten_doi_tuong: 'Lý Hồng Mai', nhom_doi_tuong: 'nguoi_cao_tuoi', noi_cu_tru: '13669' };
});
afterAll(async () => {
  await t?.close();
});

async function act(code: string, as: string, body: Record<string, unknown>) {
  const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: body });
  expect(r.status, r.body).toBe(200);
}

describe('the generic check', () => {
  it('drops marked elements with what they hold, nested ones included, and keeps the rest', () => {
    expect(withoutVi('<p>Reason: <span lang="vi">Lý do</span>.</p><dl><dt lang="vi">Họ <b>tên</b></dt><dd>x</dd></dl>')).toBe(
      '<p>Reason: .</p><dl><dd>x</dd></dl>',
    );
    expect(withoutVi('<div lang="vi"><div>Một</div><div>Hai</div></div><p>Đúng</p>')).toBe('<p>Đúng</p>');
    // An input has no end tag: its own attributes go, what follows stays.
    expect(withoutVi('<input type="text" value="Lê Thị Hà" lang="vi"><p>Đúng</p>')).toBe('<p>Đúng</p>');
    expect(withoutVi('<svg><text lang="vi">Xã Một</text><text>10</text></svg>')).toBe('<svg><text>10</text></svg>');
    expect(VIETNAMESE.test('Người cao tuổi')).toBe(true);
    expect(VIETNAMESE.test('Choose a file for: × — “case” café')).toBe(true); // é is Vietnamese too
    expect(VIETNAMESE.test('Choose a file for: × — “case”')).toBe(false);
  });

  it('reads the attributes a screen reader reads and the inputs’ shown values, not the others', () => {
    expect(
      attributeTexts(
        '<a href="/a?q=Hà" aria-label="Xem tệp">x</a><svg title="Đồ thị"></svg><img alt="Ảnh" src="/Hà.png"><optgroup label="Tỉnh">' +
          '<input type="text" value="Hà"><input value="Hồ"><input type="search" value="trợ cấp">' +
          '<input type="hidden" name="q" value="Hà"><input type="radio" value="Hà"><option value="Hà">x</option>',
      ),
    ).toEqual([
      '<a aria-label="Xem tệp">',
      '<svg title="Đồ thị">',
      '<img alt="Ảnh">',
      '<optgroup label="Tỉnh">',
      '<input value="Hà">',
      '<input value="Hồ">',
      '<input value="trợ cấp">',
    ]);
  });
});

describe('(a) the generated procedure form', () => {
  it('marks field labels, hints and choices on the citizen’s draft, and nothing on the Vietnamese page', async () => {
    const created = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload: { procedureCode: PROC, applicant, form } });
    expect(created.status, created.body).toBe(201);
    const page = await get(`/ho-so/${created.json.id}`, en('citizen.an'));
    expect(unmarked(page)).toEqual([]);
    expect(page.body).toContain('<label for="f-nhom_doi_tuong"><span lang="vi">Nhóm đối tượng</span> <span class="meta">(required)</span></label>');
    expect(page.body).toContain('<option value="nguoi_cao_tuoi" selected lang="vi">Người cao tuổi</option>');
    expect(page.body).toContain('<option value="nguoi_khuyet_tat" lang="vi">Người khuyết tật</option>');
    expect(page.body).toMatch(/<p class="hint" id="f-so_dinh_danh-hint"><span lang="vi">[^<]*\p{L}[^<]*<\/span><\/p>/u);
    expect(page.body).toContain('<h3><span lang="vi">Tờ khai đề nghị trợ giúp xã hội (theo mẫu)</span> <span class="meta">(required)</span></h3>');
    expect(page.body).toContain('Choose a file for: <span lang="vi">Tờ khai đề nghị trợ giúp xã hội (theo mẫu)</span>');
    expectNoMarks(await get(`/ho-so/${created.json.id}`, cookies['citizen.an']));

    const check = await get(`/ho-so/${created.json.id}/kiem-tra`, en('citizen.an'));
    expect(unmarked(check)).toEqual([]);
    expect(check.body).toContain('<dt lang="vi">Nhóm đối tượng</dt><dd lang="vi">Người cao tuổi</dd>');
    expect(check.body).toContain('<dt lang="vi">Ngày sinh</dt><dd>');
    // A "Change" link's name holds the field's label, marked; the applicant's rows are the interface's words.
    expect(check.body).toMatch(
      /<a href="\/ho-so\/[^"]+#f-nhom_doi_tuong"><span aria-hidden="true">Change<\/span><span class="visually-hidden">Change: <span lang="vi">Nhóm đối tượng<\/span><\/span><\/a>/,
    );
    expect(check.body).toMatch(
      /#a-idNumber"><span aria-hidden="true">Change<\/span><span class="visually-hidden">Change: Personal identification number<\/span><\/a>/,
    );
    expectNoMarks(await get(`/ho-so/${created.json.id}/kiem-tra`, cookies['citizen.an']));
  });

  it('marks the same on the desk’s counter intake form', async () => {
    const desk = cookies['reception.dung']!;
    const step2 = await get(`/can-bo/tiep-nhan?thu-tuc=${PROC}&doi-tuong=citizen`, desk);
    const created = await postForm('/can-bo/tiep-nhan', walkInForm(step2.body, PROC), desk);
    expect(created.status, created.body.slice(0, 300)).toBe(303);
    const url = String(created.headers.location);
    const page = await get(url, en('reception.dung'));
    expect(unmarked(page)).toEqual([]);
    expect(page.body).toContain('<label for="f-ho_ten_doi_tuong"><span lang="vi">Họ tên đối tượng</span>');
    expect(page.body).toContain('<option value="tre_em_mo_coi" lang="vi">Trẻ em mồ côi, không nơi nương tựa</option>');
    // The applicant's name the desk typed, prefilled: the input is marked; the ID number's is not.
    expect(page.body).toMatch(/<input type="text" id="a-fullName" name="a-fullName" value="Đinh Văn Khách"[^>]* lang="vi"[ >]/);
    expect(page.body).toMatch(/<input type="text" id="a-idNumber" name="a-idNumber" value="036177003344"(?![^>]*lang=)[^>]*>/);
    // A text answer's input and a text area are marked, a date's is not.
    expect(page.body).toMatch(/<input type="text" id="f-ho_ten_doi_tuong" [^>]* lang="vi"[ >]/);
    expect(page.body).toMatch(/<input type="date" id="f-ngay_sinh"(?![^>]*lang=)[^>]*>/);
    expectNoMarks(await get(url, desk));
    // The intake's first step: procedures to choose and the search's answer.
    expect(unmarked(await get('/can-bo/tiep-nhan?tim=tr%E1%BB%A3+c%E1%BA%A5p', en('reception.dung')))).toEqual([]);
    expectNoMarks(await get('/can-bo/tiep-nhan?tim=tr%E1%BB%A3+c%E1%BA%A5p', desk));
  });
});

describe('(b)–(d) dossier pages and the worklist', () => {
  let refused: { id: string; code: string };
  let supplement: { id: string; code: string };
  beforeAll(async () => {
    refused = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant, form });
    await act(refused.code, 'reception.dung', { action: 'request_supplement', reason: SUPPLEMENT_REASON });
    await act(refused.code, 'reception.dung', { action: 'refuse', reason: REFUSAL_REASON });
    supplement = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant, form: { ...form, so_tai_khoan: 'Ngân hàng Nông nghiệp 1234' } });
    await act(supplement.code, 'reception.dung', { action: 'request_supplement', reason: SUPPLEMENT_REASON });
  });

  it('(b) the staff dossier page marks the form’s labels and answers, names, notes and document names', async () => {
    const url = `/can-bo/ho-so/${encodeURIComponent(supplement.code)}`;
    const page = await get(url, en('reception.dung'));
    expect(unmarked(page)).toEqual([]);
    expect(page.body).toContain('<div><dt lang="vi">Họ tên đối tượng</dt><dd lang="vi">Lý Hồng Mai</dd></div>');
    expect(page.body).toContain('<div><dt lang="vi">Nhóm đối tượng</dt><dd lang="vi">Người cao tuổi</dd></div>');
    expect(page.body).toContain('<dd lang="vi">Ngân hàng Nông nghiệp 1234</dd>');
    // A yes/no answer is the interface's words: not marked.
    expect(page.body).toMatch(/<dt lang="vi">[^<]*<\/dt><dd>Yes<\/dd>/);
    expect(page.body).toContain(`<p class="note" lang="vi">${SUPPLEMENT_REASON}</p>`);
    expectNoMarks(await get(url, cookies['reception.dung']));
    const refusedPage = await get(`/can-bo/ho-so/${encodeURIComponent(refused.code)}`, en('reception.dung'));
    expect(unmarked(refusedPage)).toEqual([]);
    expect(refusedPage.body).toContain(`<p class="note" lang="vi">${REFUSAL_REASON}</p>`);
  });

  it('(c) the citizen’s page of a refused dossier marks the reason, the documents and the timeline’s notes', async () => {
    const page = await get(`/ho-so/${refused.id}`, en('citizen.an'));
    expect(unmarked(page)).toEqual([]);
    expect(page.body).toContain(`<p>Reason: <span lang="vi">${REFUSAL_REASON}</span></p>`);
    expect(page.body).toContain('<li><span lang="vi">Tờ khai đề nghị trợ giúp xã hội (theo mẫu)</span>: <a href=');
    expect(page.body).toContain(`<p class="note" lang="vi">${SUPPLEMENT_REASON}</p>`);
    expect(page.body).toContain(`<p class="note" lang="vi">${REFUSAL_REASON}</p>`);
    expectNoMarks(await get(`/ho-so/${refused.id}`, cookies['citizen.an']));
    // Waiting for a supplement: the request's reason and the upload forms' document names and notes.
    const waiting = await get(`/ho-so/${supplement.id}`, en('citizen.an'));
    expect(unmarked(waiting)).toEqual([]);
    expectNoMarks(await get(`/ho-so/${supplement.id}`, cookies['citizen.an']));
    // The citizen's list of dossiers.
    expect(unmarked(await get('/ho-so', en('citizen.an')))).toEqual([]);
    expectNoMarks(await get('/ho-so', cookies['citizen.an']));
  });

  it('(d) the worklist marks its procedure filter’s choices, procedure names and applicants’ names', async () => {
    const url = '/can-bo/ho-so?nhom=tat-ca';
    const page = await get(url, en('reception.dung'));
    expect(unmarked(page)).toEqual([]);
    const filter = page.body.split('id="wl-proc"')[1]!.split('</select>')[0]!;
    const options = [...filter.matchAll(/<option value="([^"]*)"([^>]*)>/g)];
    expect(options.length).toBeGreaterThan(5);
    for (const [, value, attrs] of options) expect(attrs, value).toBe(value ? ' lang="vi"' : '');
    expect(filter).toContain(`<option value="${PROC}" lang="vi">Thực hiện, điều chỉnh`);
    expectNoMarks(await get(url, cookies['reception.dung']));
  });
});

describe('(g) notifications and the verification page', () => {
  it('marks the notifications’ titles and bodies (the templates are Vietnamese), read or not', async () => {
    // Each step of a dossier sends its applicant an in-app notification (a job of the outbox).
    const d = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant, form });
    await act(d.code, 'reception.dung', { action: 'request_supplement', reason: SUPPLEMENT_REASON });
    const worker = new JobWorker(t.database.db, notificationJobHandlers, t.app.log);
    while ((await worker.runOnce()) > 0);
    const inbox = await t.request({ method: 'GET', url: '/api/v1/me/notifications', as: 'citizen.an' });
    expect(inbox.status, inbox.body).toBe(200);
    const read = inbox.json.items.find((n: { readAt: string | null }) => n.readAt === null);
    expect(read, 'an unread notification').toBeTruthy();
    expect((await t.request({ method: 'POST', url: `/api/v1/me/notifications/${read.id}/read`, as: 'citizen.an' })).status).toBe(204);
    const page = await get('/thong-bao', en('citizen.an'));
    expect(unmarked(page)).toEqual([]);
    expect(page.body).toMatch(/<span class="tag">Unread<\/span> <strong lang="vi">[^<]*hồ sơ [^<]+<\/strong>/i);
    expect(page.body).toMatch(/<p><span lang="vi">[^<]*hồ sơ [^<]+<\/span><\/p>/i);
    expect(page.body).toMatch(/<p lang="vi">[^<]*\p{L}[^<]*<\/p>/u);
    expectNoMarks(await get('/thong-bao', cookies['citizen.an']));
  });

  it('marks the sealed document’s title and the issuing agency on /xac-thuc/:id', async () => {
    const d = await submittedDossier(t, 'citizen.an', {
      procedureCode: '1.001193',
      applicant,
      form: requiredAnswers((await t.request({ method: 'GET', url: '/api/v1/procedures/1.001193' })).json.definition.form, 11),
    });
    const staff = await t.request({ method: 'GET', url: '/api/v1/agencies/TTPVHCC/staff?role=specialist', as: 'reception.dung' });
    const giang = staff.json.find((s: { username: string }) => s.username === 'specialist.giang').id;
    await act(d.code, 'reception.dung', { action: 'receive' });
    await act(d.code, 'reception.dung', { action: 'assign', assigneeId: giang });
    const title = 'Trích lục khai sinh của Lý Hồng Mai';
    const sealed = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${d.code}/result`,
      as: 'specialist.giang',
      payload: { title, content: 'Nội dung.' },
    });
    expect(sealed.status, sealed.body).toBe(201);
    const url = `/xac-thuc/${sealed.json.documentId}`;
    const page = await get(url, 'lang=en');
    expect(unmarked(page)).toEqual([]);
    expect(page.body).toContain(`<dd lang="vi">${title}</dd>`);
    expect(page.body).toMatch(/<div><dt>Issued by<\/dt><dd lang="vi">[^<]*\p{L}[^<]*<\/dd><\/div>/u);
    // The dossier code and the document's id are not words: not marked.
    expect(page.body).toContain(`<dd>${d.code}</dd>`);
    const vi = await get(url, '');
    expect(vi.status).toBe(200);
    expect(vi.body).toContain('<html lang="vi">');
    expect(vi.body.split('lang="vi"').length - 1).toBe(1);
  });
});

describe('(f) the dashboard, its charts and the header', () => {
  it('marks the groups’ and units’ names in the SVG charts, the tables and the links’ names, and the signed-in name', async () => {
    const page = await get('/bang-dieu-khien', en('leader.hoa'));
    expect(unmarked(page)).toEqual([]);
    const body = page.body;
    expect(body).toContain('Signed in as <span lang="vi">Vũ Thị Hoa</span></a>');
    // Every bar's label is a group's or a unit's name: each <text> and each bar's tooltip is marked.
    const labels = body.match(/<text class="label"[^>]*>/g) ?? [];
    expect(labels.length).toBeGreaterThan(5);
    for (const l of labels) expect(l).toContain(' lang="vi"');
    expect(body).toMatch(/<text class="label" [^>]*lang="vi">Công khai, minh bạch<\/text>/);
    expect(body).toMatch(/<rect class="bar[^"]*" [^>]*><title lang="vi">1\. [^<]+: [\d.]+%<\/title><\/rect>/);
    // The charts' own words (titles, values, months, series) stay English and unmarked.
    expect(body).toContain('<svg class="chart chart-bars" role="img" aria-label="Score by group" aria-describedby="chart-groups-desc"');
    expect(body).toContain('<title id="chart-groups-title">Score by group</title>');
    expect(body).toMatch(/<text class="value" [^>]*>Not applicable<\/text>/);
    expect(body).not.toMatch(/<text class="axis"[^>]*lang=/);
    // A link's name with an indicator's name: read from marked text, not from an aria-label.
    expect(body).toMatch(
      /<a href="\/bang-dieu-khien\/chi-tieu\/[^"]+"><span aria-hidden="true">See dossiers<\/span><span class="visually-hidden">See the dossiers of: <span lang="vi">[^<]+<\/span><\/span><\/a>/,
    );
    // The province is one of the units, its group's label says it is the province.
    expect(body).toMatch(/<optgroup label="Whole province"><option value="37" selected lang="vi">[^<]+<\/option><\/optgroup>/);
    expectNoMarks(await get('/bang-dieu-khien', cookies['leader.hoa']));

    // The dossiers behind an indicator: its name names the table's region through the marked caption.
    const key = /href="\/bang-dieu-khien\/chi-tieu\/([^"?]+)\?/.exec(body)![1]!;
    const indicator = await get(`/bang-dieu-khien/chi-tieu/${key}`, en('leader.hoa'));
    expect(unmarked(indicator)).toEqual([]);
    expectNoMarks(await get(`/bang-dieu-khien/chi-tieu/${key}`, cookies['leader.hoa']));
    // The handling report.
    expect(unmarked(await get('/bao-cao', en('leader.hoa')))).toEqual([]);
    expectNoMarks(await get('/bao-cao', cookies['leader.hoa']));
  });
});

describe('(e) the administrators’ pages', () => {
  /**
   * The English interface's own Vietnamese loanwords (the currency "đồng", "Tết", "Hùng Kings" in the
   * calendar's hints, a decision's number as in "20/2020/QĐ-TTg") are English words here, not
   * marked; nothing else Vietnamese may be left.
   */
  const LOANWORDS = /\(đồng\)|Tết|Hùng Kings|QĐ-TTg/g;

  /** Every page checked in English (nothing left unmarked) and in Vietnamese (nothing marked). */
  async function bothWays(url: string) {
    const page = await get(url, en('admin.lan'));
    expect(unmarked(page, LOANWORDS), url).toEqual([]);
    expectNoMarks(await get(url, cookies['admin.lan']));
    return page.body;
  }

  it('marks procedure names, fields, agencies and the catalogue’s text in the list, the versions, the editor and the preview', async () => {
    const list = await bothWays('/quan-tri/thu-tuc');
    expect(list).toMatch(new RegExp(`<a href="/quan-tri/thu-tuc/${PROC}">${PROC}</a></td><td lang="vi">Thực hiện, điều chỉnh`));
    await bothWays('/quan-tri/thu-tuc?q=tr%E1%BB%A3+c%E1%BA%A5p');
    const versions = await bothWays(`/quan-tri/thu-tuc/${PROC}`);
    expect(versions).toMatch(new RegExp(`<h1><span class="caption">${PROC}</span> <span lang="vi">Thực hiện, điều chỉnh`));
    const editor = await bothWays(`/quan-tri/thu-tuc/${PROC}/phien-ban-moi`);
    // Field and agency choices and the receiving agencies' names are marked; the interface's own choices are not.
    const fieldSelect = editor.split('id="p-fieldCode"')[1]!.split('</select>')[0]!;
    for (const [, value, attrs] of fieldSelect.matchAll(/<option value="([^"]*)"([^>]*)>/g))
      expect(attrs?.replace(' selected', ''), value).toBe(value ? ' lang="vi"' : '');
    expect(editor).toMatch(/<option value="[^"]+"( selected)? lang="vi">[^<]*\([^<]+\)<\/option>/);
    expect(editor).toMatch(/<label for="p-recv-[^"]+"><span lang="vi">[^<]+<\/span><\/label>/);
    expect(editor).toMatch(/<option value="province"( selected)?>Province<\/option>/);
    expect(editor).toMatch(/<textarea id="p-steps" name="steps" rows="5" lang="vi">/);
    expect(editor).toMatch(/<textarea id="p-form-0-options" name="form\.0\.options" rows="2" lang="vi">/);
    await bothWays('/quan-tri/thu-tuc/moi');
    const preview = await bothWays(`/quan-tri/thu-tuc/${PROC}/1/xem-truoc`);
    expect(preview).toMatch(/<h1>Preview: <span lang="vi">Thực hiện, điều chỉnh[^<]*<\/span> \(version 1\)<\/h1>/);
  });

  it('marks holidays’ names, people’s names, agencies and administrative units', async () => {
    const cal = await bothWays('/quan-tri/lich?nam=2026');
    expect(cal).toMatch(/<td>2026-01-01<\/td><td>[^<]+<\/td><td lang="vi">[^<]+<\/td>/);
    const users = await bothWays('/quan-tri/tai-khoan');
    expect(users).toMatch(/<a href="\/quan-tri\/tai-khoan\/citizen\.an">citizen\.an<\/a><\/td><td lang="vi">[^<]+<\/td>/);
    await bothWays('/quan-tri/tai-khoan/moi');
    const user = await bothWays('/quan-tri/tai-khoan/reception.dung');
    expect(user).toMatch(/<option value="[^"]+" selected lang="vi">[^<]+<\/option>/);
    const agencies = await bothWays('/quan-tri/co-quan');
    const code = /<a href="\/quan-tri\/co-quan\/([^"]+)">\1<\/a><\/td><td lang="vi">/.exec(agencies)?.[1];
    expect(code).toBeTruthy();
    await bothWays('/quan-tri/co-quan/moi');
    const agency = await bothWays(`/quan-tri/co-quan/${encodeURIComponent(code!)}`);
    const parents = agency.split('id="p-parentCode"')[1]!.split('</select>')[0]!;
    const options = [...parents.matchAll(/<option value="([^"]*)"([^>]*)>/g)];
    expect(options.length).toBeGreaterThan(2);
    for (const [, value, attrs] of options) expect(attrs?.replace(' selected', ''), value).toBe(value ? ' lang="vi"' : '');
    const units = await bothWays('/quan-tri/don-vi');
    // The unit's type in English words (not its code), unmarked.
    expect(units).toMatch(/<tr><td>\d+<\/td><td lang="vi">[^<]+<\/td><td>(Province|Ward|Commune)<\/td>/);
    await bothWays('/quan-tri');
  });

  it('marks the settings page’s example agency and who changed a setting', async () => {
    const put = await t.request({ method: 'PUT', url: '/api/v1/settings/worklist_soon_days', as: 'admin.lan', payload: { value: 3 } });
    expect(put.status, put.body).toBe(200);
    const page = await bothWays('/quan-tri/cau-hinh');
    expect(page).toMatch(/For example, the first dossier received today \([^)]+\) at <span lang="vi">[^<]+<\/span> gets the code <code>/);
    expect(page).toMatch(/<dd>\d\d:\d\d \d\d\/\d\d\/\d{4}, by <span lang="vi">[^<]+<\/span><\/dd>/);
  });
});
