import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { findProcedure } from '../src/modules/procedures/procedures.repo.ts';
import { createTestApp, multipart, type TestApp } from './harness.ts';
import { csrfOf, formValues, unescapeHtml, webClient } from './web-client.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const { get, postForm, signIn } = webClient(() => t);
const PROC = '1.001776';

/** Checkbox groups are sets: the editor lists them in its own order. */
const sets = (d: Record<string, unknown>) => ({
  ...d,
  channels: [...(d.channels as string[])].sort(),
  applicantTypes: [...(d.applicantTypes as string[])].sort(),
  receivingAgencyCodes: [...(d.receivingAgencyCodes as string[])].sort(),
});

describe('administrators’ pages', () => {
  let admin = '';
  let citizen = '';
  beforeAll(async () => {
    admin = (await signIn('admin.lan')).cookie;
    citizen = (await signIn('citizen.an')).cookie;
  });

  it('are for administrators only: sign-in first, then 403 for everyone else', async () => {
    const anon = await get('/quan-tri/thu-tuc');
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/dang-nhap?next=%2Fquan-tri%2Fthu-tuc');
    const other = await get('/quan-tri', citizen);
    expect(other.status).toBe(403);
    expect(other.body).toContain('chỉ dành cho quản trị viên');
    const home = await get('/quan-tri', admin);
    expect(home.status).toBe(200);
    for (const href of ['/quan-tri/thu-tuc', '/quan-tri/lich', '/quan-tri/tai-khoan', '/quan-tri/co-quan', '/quan-tri/don-vi'])
      expect(home.body).toContain(`href="${href}"`);
  });

  it('refuses a form without its CSRF token', async () => {
    const res = await postForm('/quan-tri/lich?nam=2027', { daysOff: '2027-01-04 Nghỉ' }, admin);
    expect(res.status).toBe(403);
  });

  it('lists procedures with their versions and finds them by code or name', async () => {
    const list = await get('/quan-tri/thu-tuc', admin);
    expect(list.status).toBe(200);
    expect(list.body).toContain(`href="/quan-tri/thu-tuc/${PROC}"`);
    const found = await get(`/quan-tri/thu-tuc?q=${encodeURIComponent(PROC)}`, admin);
    expect(found.body).toContain('1 thủ tục');
  });

  it('drafts a new version with one more field, shows errors next to inputs, previews it and publishes it', async () => {
    const before = await findProcedure(t.database.db, PROC);
    const editor = await get(`/quan-tri/thu-tuc/${PROC}/phien-ban-moi`, admin);
    expect(editor.status).toBe(200);
    expect(editor.body).toContain(before!.name);
    const values = formValues(editor.body, `/quan-tri/thu-tuc/${PROC}/phien-ban-moi`);
    const n = Number(values['rows.form']);
    expect(n).toBe(before!.definition.form.length + 1);

    // "Add rows" only re-renders the form with three more rows.
    const more = await postForm(`/quan-tri/thu-tuc/${PROC}/phien-ban-moi`, { ...values, op: 'add-form' }, admin);
    expect(more.status).toBe(200);
    expect(formValues(more.body, `/quan-tri/thu-tuc/${PROC}/phien-ban-moi`)['rows.form']).toBe(String(n + 3));

    // Invalid: a bad field key in the new row and shares that do not add up to 1.
    const last = n - 1;
    const bad = {
      ...values,
      [`form.${last}.key`]: 'Ghi Chu',
      [`form.${last}.label`]: 'Ghi chú thêm',
      [`form.${last}.type`]: 'textarea',
      'wf.0.share': '0.9',
      op: 'save',
    };
    const invalid = await postForm(`/quan-tri/thu-tuc/${PROC}/phien-ban-moi`, bad, admin);
    expect(invalid.status).toBe(422);
    expect(invalid.body).toContain('class="error-summary"');
    expect(invalid.body).toContain(`href="#p-form-${last}-key"`);
    expect(invalid.body).toContain('href="#sec-wf"');
    expect(invalid.body).toContain('value="Ghi chú thêm"');
    expect((await findProcedure(t.database.db, PROC, undefined, true))!.version).toBe(before!.version);

    const good = { ...bad, [`form.${last}.key`]: 'ghi_chu_them', 'wf.0.share': values['wf.0.share']!, decisionRef: 'QĐ 99/QĐ-UBND' };
    const saved = await postForm(`/quan-tri/thu-tuc/${PROC}/phien-ban-moi`, good, admin);
    expect(saved.status).toBe(303);
    const newVersion = before!.version + 1;
    expect(saved.headers.location).toBe(`/quan-tri/thu-tuc/${PROC}?da-luu=nhap&v=${newVersion}`);

    const versions = await get(String(saved.headers.location), admin);
    expect(versions.body).toContain(`Đã lưu bản nháp phiên bản ${newVersion}`);
    expect(versions.body).toContain('QĐ 99/QĐ-UBND');
    // Not in force until published.
    expect((await findProcedure(t.database.db, PROC))!.version).toBe(before!.version);

    const preview = await get(`/quan-tri/thu-tuc/${PROC}/${newVersion}/xem-truoc`, admin);
    expect(preview.status).toBe(200);
    expect(preview.body).toContain('id="f-ghi_chu_them"');
    expect(preview.body).not.toContain('/ho-so/moi?thu-tuc=');

    const publish = await postForm(`/quan-tri/thu-tuc/${PROC}/${newVersion}/cong-bo`, { csrf: csrfOf(versions.body) }, admin);
    expect(publish.status).toBe(303);
    const current = await findProcedure(t.database.db, PROC);
    expect(current!.version).toBe(newVersion);
    expect(current!.definition.form.map((f) => f.key)).toContain('ghi_chu_them');
    expect(current!.definition.form.length).toBe(before!.definition.form.length + 1);
    // The rest of the definition came through the form unchanged.
    expect(sets({ ...current!.definition, form: current!.definition.form.slice(0, -1) })).toEqual(sets({ ...before!.definition }));

    // Publishing twice is refused with a readable message.
    const again = await postForm(`/quan-tri/thu-tuc/${PROC}/${newVersion}/cong-bo`, { csrf: csrfOf(versions.body) }, admin);
    expect(again.status).toBe(409);
    expect(again.body).toContain('Chỉ công bố được phiên bản nháp');

    // The page's changes are audited with the address they came from (the test client's, as app.inject sends it), as the API's are.
    const audit = await queryRows<{ action: string; ip: string | null }>(
      t.database.db,
      sql`SELECT action, ip FROM audit_log WHERE target_type = 'procedure' AND target_id = ${PROC} AND (details->>'version')::int = ${newVersion} ORDER BY id`,
    );
    expect(audit).toEqual([
      { action: 'procedure.version.create', ip: '127.0.0.1' },
      { action: 'procedure.version.publish', ip: '127.0.0.1' },
    ]);
  });

  it('creates a new procedure from a blank form', async () => {
    const editor = await get('/quan-tri/thu-tuc/moi', admin);
    const values = formValues(editor.body, '/quan-tri/thu-tuc/moi');
    const agency = /name="recv\.([^"]+)"/.exec(editor.body)![1]!;
    const field = /<select id="p-fieldCode" name="fieldCode">[\s\S]*?<option value="([^"]+)">/.exec(editor.body)![1]!;
    const form = {
      ...values,
      code: '9.999001',
      name: 'Thủ tục thử nghiệm của quản trị',
      fieldCode: field,
      competentAgencyCode: agency,
      [`recv.${agency}`]: 'on',
      durationValue: '5',
      steps: 'Bước 1: nộp hồ sơ.',
      eligibility: 'Không',
      resultDescription: 'Giấy xác nhận',
      resultDelivery: 'Trả trực tuyến',
      legalBasis: 'Luật Thử nghiệm 2026',
      'form.0.key': 'noi_dung',
      'form.0.label': 'Nội dung',
      'form.0.type': 'textarea',
      'form.0.required': 'on',
      op: 'save',
    };
    const missingCode = await postForm('/quan-tri/thu-tuc/moi', { ...form, code: 'a b' }, admin);
    expect(missingCode.status).toBe(422);
    expect(missingCode.body).toContain('href="#p-code"');
    const saved = await postForm('/quan-tri/thu-tuc/moi', form, admin);
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe('/quan-tri/thu-tuc/9.999001?da-luu=nhap&v=1');
    const draft = await findProcedure(t.database.db, '9.999001', 1, true);
    expect(draft!.definition.form).toEqual([{ key: 'noi_dung', label: 'Nội dung', type: 'textarea', required: true }]);
    expect(draft!.definition.workflow.map((w) => w.role)).toEqual(['specialist', 'leader']);
    const taken = await postForm('/quan-tri/thu-tuc/moi', form, admin);
    expect(taken.status).toBe(422);
    expect(taken.body).toContain('đã tồn tại');
  });

  it('shows a year’s calendar and saves the official changes, with line-level errors', async () => {
    const page = await get('/quan-tri/lich?nam=2027', admin);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Lịch làm việc năm 2027');
    expect(page.body).toContain('2027-09-02');
    const csrf = csrfOf(page.body);
    const bad = await postForm('/quan-tri/lich?nam=2027', { csrf, daysOff: '2027-01-04 Nghỉ thêm\nngày mai', workingDays: '' }, admin);
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('Ngày nghỉ, dòng 2: không đúng dạng “NNNN-TT-NN tên”');
    expect(bad.body).toContain('ngày mai');
    const wrongYear = await postForm('/quan-tri/lich?nam=2027', { csrf, daysOff: '2026-01-05 Sai năm', workingDays: '' }, admin);
    expect(wrongYear.status).toBe(422);
    const ok = await postForm('/quan-tri/lich?nam=2027', { csrf, daysOff: '2027-01-04 Nghỉ thêm theo thông báo', workingDays: '2027-01-09 Làm bù' }, admin);
    expect(ok.status).toBe(303);
    const after = await get('/quan-tri/lich?nam=2027&da-luu=1', admin);
    expect(after.body).toContain('Nghỉ thêm theo thông báo');
    expect(after.body).toContain('Đã lưu điều chỉnh năm 2027');
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/calendar/2027' });
    expect(api.json().workingDays.map((d: { date: string }) => d.date)).toContain('2027-01-09');
  });

  it('calendar: a year that is not 4 digits is said at the year box (422) and this year is shown; nothing is saved under it', async () => {
    const thisYear = new Date(Date.now() + 7 * 3_600_000).getUTCFullYear();
    for (const typed of ['abc', '2026.5', '20277', '-2026']) {
      const r = await get(`/quan-tri/lich?nam=${encodeURIComponent(typed)}`, admin);
      expect(r.status, typed).toBe(422);
      expect(r.body, typed).toContain(`Lịch làm việc năm ${thisYear}`);
      expect(r.body, typed).toContain(`<a href="#nam">Nhập năm bằng 4 chữ số, ví dụ 2027. Đang hiện lịch năm ${thisYear}.</a>`);
      expect(r.body, typed).toContain(`<p class="error-message" id="nam-error">Nhập năm bằng 4 chữ số, ví dụ 2027. Đang hiện lịch năm ${thisYear}.</p>`);
      expect(r.body, typed).toContain(`id="nam" name="nam" value="${typed}" class="narrow" aria-invalid="true" aria-describedby="nam-error">`);
    }
    const en = await get('/quan-tri/lich?nam=abc', `${admin}; lang=en`);
    expect(en.status).toBe(422);
    expect(en.body).toContain(`<p class="error-message" id="nam-error">Enter the year as 4 digits, for example 2027. Showing the calendar of ${thisYear}.</p>`);
    // No year, or an empty one, is this year without a word; a year of 4 digits is that year.
    for (const url of ['/quan-tri/lich', '/quan-tri/lich?nam=']) {
      const r = await get(url, admin);
      expect(r.status, url).toBe(200);
      expect(r.body, url).toContain(`Lịch làm việc năm ${thisYear}`);
      expect(r.body, url).not.toContain('error-message');
    }
    // A post to a malformed year saves nothing.
    const csrf = csrfOf((await get('/quan-tri/lich?nam=2027', admin)).body);
    const before = await t.app.inject({ method: 'GET', url: `/api/v1/calendar/${thisYear}` });
    const post = await postForm('/quan-tri/lich?nam=abc', { csrf, daysOff: `${thisYear}-12-30 Nghỉ thử`, workingDays: '' }, admin);
    expect(post.status).toBe(422);
    expect(post.body).toContain('id="nam-error"');
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/calendar/${thisYear}` })).json()).toEqual(before.json());
  });

  it('creates staff accounts with roles, rejects bad input, edits roles, and will not lock the signed-in administrator out', async () => {
    const page = await get('/quan-tri/tai-khoan/moi', admin);
    const csrf = csrfOf(page.body);
    const base = {
      csrf,
      username: 'test.staff',
      displayName: 'Cán bộ Thử',
      kind: 'staff',
      password: 'mat-khau-dai-du',
      idNumber: '',
      email: '',
      phone: '',
      'role.0.role': 'specialist',
      'role.0.agency': 'TTPVHCC',
    };
    const short = await postForm('/quan-tri/tai-khoan/moi', { ...base, password: 'ngan' }, admin);
    expect(short.status).toBe(422);
    expect(short.body).toContain('href="#p-password"');
    expect(short.body).not.toContain('value="ngan"');
    const badPhone = await postForm('/quan-tri/tai-khoan/moi', { ...base, phone: '0123 456' }, admin);
    expect(badPhone.status).toBe(422);
    expect(badPhone.body).toContain('href="#p-phone"');
    expect(badPhone.body).toContain('số điện thoại không hợp lệ');
    const noAgency = await postForm('/quan-tri/tai-khoan/moi', { ...base, 'role.0.agency': '' }, admin);
    expect(noAgency.status).toBe(422);
    expect(noAgency.body).toContain('<a href="#p-role-0-agency">Vai trò 1: cần chọn cơ quan</a>');
    expect(noAgency.body).not.toContain('roles.0');
    const created = await postForm('/quan-tri/tai-khoan/moi', base, admin);
    expect(created.status).toBe(303);
    const list = await get(String(created.headers.location), admin);
    expect(list.body).toContain('Đã tạo tài khoản test.staff');
    expect(list.body).toContain('Chuyên viên (TTPVHCC)');
    const dup = await postForm('/quan-tri/tai-khoan/moi', base, admin);
    expect(dup.status).toBe(422);
    expect(dup.body).toContain('đã có người dùng');

    const edit = await get('/quan-tri/tai-khoan/test.staff', admin);
    const values = formValues(edit.body, '/quan-tri/tai-khoan/test.staff');
    expect(values['role.0.role']).toBe('specialist');
    const changed = await postForm('/quan-tri/tai-khoan/test.staff', { ...values, 'role.0.role': 'leader', 'role.0.children': 'on' }, admin);
    expect(changed.status).toBe(303);
    const [row] = await queryRows<{ role: string; include_children: boolean }>(
      t.database.db,
      sql`SELECT r.role, r.include_children FROM user_roles r JOIN users u ON u.id = r.user_id WHERE u.username = 'test.staff'`,
    );
    expect(row).toEqual({ role: 'leader', include_children: true });

    const self = await get('/quan-tri/tai-khoan/admin.lan', admin);
    const selfValues = formValues(self.body, '/quan-tri/tai-khoan/admin.lan');
    delete selfValues.isActive;
    const lockout = await postForm('/quan-tri/tai-khoan/admin.lan', selfValues, admin);
    expect(lockout.status).toBe(422);
    expect(lockout.body).toContain('Không thể tự khoá');
  });

  it('adds and edits agencies with validation messages', async () => {
    const page = await get('/quan-tri/co-quan/moi', admin);
    const csrf = csrfOf(page.body);
    const form = {
      csrf,
      code: 'SO-THU',
      name: 'Sở Thử nghiệm',
      shortName: 'STN',
      identityCode: '000.00.99.H37',
      parentCode: '',
      unitCode: '37',
      kind: 'department',
    };
    const bad = await postForm('/quan-tri/co-quan/moi', { ...form, identityCode: '', unitCode: 'x' }, admin);
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('href="#p-identityCode"');
    expect(bad.body).toContain('href="#p-unitCode"');
    const ok = await postForm('/quan-tri/co-quan/moi', form, admin);
    expect(ok.status).toBe(303);
    const list = await get('/quan-tri/co-quan', admin);
    expect(list.body).toContain('Sở Thử nghiệm');
    const taken = await postForm('/quan-tri/co-quan/moi', { ...form, code: 'SO-THU-2' }, admin);
    expect(taken.status).toBe(422);
    expect(taken.body).toContain('Mã định danh đã được cơ quan khác dùng');
    const renamed = await postForm('/quan-tri/co-quan/SO-THU', { ...form, name: 'Sở Thử nghiệm và Đổi mới' }, admin);
    expect(renamed.status).toBe(303);
    expect((await get('/quan-tri/co-quan/SO-THU', admin)).body).toContain('value="Sở Thử nghiệm và Đổi mới"');
    const cycle = await postForm(
      '/quan-tri/co-quan/TTPVHCC',
      { ...formValues((await get('/quan-tri/co-quan/TTPVHCC', admin)).body, '/quan-tri/co-quan/TTPVHCC'), parentCode: 'TTPVHCC' },
      admin,
    );
    expect(cycle.status).toBe(422);
  });

  it('shows every problem of a nearly empty procedure at once, named by label and linked to its input, in the page’s language', async () => {
    const editor = await get('/quan-tri/thu-tuc/moi', admin);
    const values = formValues(editor.body, '/quan-tri/thu-tuc/moi');
    const form = {
      ...values,
      code: '',
      popularity: 'abc',
      'form.0.key': 'ho_ten',
      'form.0.label': 'Họ tên',
      'form.0.min': 'x',
      'form.1.key': 'ho_ten',
      'form.1.label': 'Họ và tên',
      op: 'save',
    };
    const page = await postForm('/quan-tri/thu-tuc/moi', form, admin);
    expect(page.status).toBe(422);
    const links = [...page.body.matchAll(/<li><a href="#([^"]+)">([^<]*)<\/a><\/li>/g)].map((m) => [m[1], unescapeHtml(m[2]!)]);
    for (const [anchor, message] of [
      ['p-code', 'Mã thủ tục: từ 3 đến 40 ký tự: chữ, số, dấu chấm, gạch ngang, gạch dưới, ví dụ 1.001193'],
      ['p-fieldCode', 'Lĩnh vực: bắt buộc'],
      ['sec-recv', 'Nơi tiếp nhận hồ sơ: chọn ít nhất 1'],
      ['p-durationValue', 'Thời hạn giải quyết: nhập một số, ví dụ 10 hoặc 2,5'],
      ['p-form-0-min', 'Biểu mẫu điện tử, dòng 1, Nhỏ nhất: nhập một số, ví dụ 10 hoặc 2,5'],
      ['p-popularity', 'Độ phổ biến (xếp hạng trên trang chủ): nhập một số, ví dụ 10 hoặc 2,5'],
      ['p-form-1-key', 'Biểu mẫu điện tử, dòng 2, Mã trường: mã ho_ten đã dùng ở dòng 1'],
    ]) {
      expect(links).toContainEqual([anchor, message]);
    }
    // Every link leads to an element of the page, and nothing of the schema's own wording shows.
    for (const [anchor] of links) expect(page.body).toContain(`id="${anchor}"`);
    expect(page.body).not.toMatch(/Too small|Invalid input|expected|duplicate field key|fieldCode:|receivingAgencyCodes|NaN/);

    const en = await postForm('/quan-tri/thu-tuc/moi', form, `${admin}; lang=en`);
    expect(en.status).toBe(422);
    expect(en.body).toContain('Field: required');
    expect(en.body).toContain('Online form, row 2, Field key: key ho_ten is already used in row 1');
    expect(en.body).not.toMatch(/Too small|Invalid input|bắt buộc/);
  });

  it('makes “save” the editor’s default button, so Enter in a text field saves instead of adding rows', async () => {
    for (const url of ['/quan-tri/thu-tuc/moi', `/quan-tri/thu-tuc/${PROC}/phien-ban-moi`]) {
      const page = await get(url, admin);
      const form = page.body.slice(page.body.indexOf(`action="${url}"`));
      // A browser submits a form on Enter by clicking its first submit button.
      const first = /<button type="submit"[^>]*>/.exec(form)![0];
      expect(first, url).toContain('value="save"');
      expect(form.indexOf(first)).toBeLessThan(form.indexOf('value="add-form"'));
    }
  });

  it('names calendar lines in Vietnamese (“Ngày nghỉ, dòng 1”) without repeating paths; the API does not repeat them either', async () => {
    const page = await get('/quan-tri/lich?nam=2027', admin);
    const csrf = csrfOf(page.body);
    const bad = await postForm(
      '/quan-tri/lich?nam=2027',
      { csrf, daysOff: '2027-13-45 Sai ngày\n2026-12-31 Sai năm\n2027-01-04 Nghỉ', workingDays: '2027-01-04 Làm bù\n2027-01-09 Làm\n2027-01-09 Làm lại' },
      admin,
    );
    expect(bad.status).toBe(422);
    const links = [...bad.body.matchAll(/<li><a href="#([^"]+)">([^<]*)<\/a><\/li>/g)].map((m) => [m[1], unescapeHtml(m[2]!)]);
    expect(links).toEqual([
      ['cal-daysOff', 'Ngày nghỉ, dòng 1: 2027-13-45 không phải là một ngày có thật (dạng NNNN-TT-NN)'],
      ['cal-daysOff', 'Ngày nghỉ, dòng 2: ngày 2026-12-31 không thuộc năm 2027'],
      ['cal-workingDays', 'Ngày làm việc bù, dòng 1: ngày 2027-01-04 đã có ở Ngày nghỉ, dòng 3'],
      ['cal-workingDays', 'Ngày làm việc bù, dòng 3: ngày 2027-01-09 đã có ở Ngày làm việc bù, dòng 2'],
    ]);
    expect(bad.body).not.toMatch(/daysOff\[|workingDays\[|is not a|already listed/);
    const en = await postForm('/quan-tri/lich?nam=2027', { csrf, daysOff: '2026-12-31 Sai năm', workingDays: '' }, `${admin}; lang=en`);
    expect(en.body).toContain('Days off, line 1: 2026-12-31 is not in 2027');

    const api = await t.request({
      method: 'PUT',
      url: '/api/v1/calendar/2027/overrides',
      as: 'admin.lan',
      payload: { daysOff: [{ date: '2027-02-30', name: 'Nghỉ' }], workingDays: [{ date: '2026-12-31', name: 'Làm' }] },
    });
    expect(api.status).toBe(422);
    expect(api.json.errors).toEqual([
      { path: 'daysOff[0]', message: '2027-02-30 không phải là một ngày có thật (dạng YYYY-MM-DD)' },
      { path: 'workingDays[0]', message: 'ngày 2026-12-31 không thuộc năm 2027' },
    ]);
  });

  it('refuses an agency whose administrative unit code is not in force, on the page and through the API', async () => {
    const page = await get('/quan-tri/co-quan/moi', admin);
    const form = {
      csrf: csrfOf(page.body),
      code: 'SO-MA',
      name: 'Sở Ma',
      shortName: 'SM',
      identityCode: '000.00.98.H37',
      parentCode: '',
      unitCode: '99999',
      kind: 'department',
    };
    const bad = await postForm('/quan-tri/co-quan/moi', form, admin);
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('<a href="#p-unitCode">Mã đơn vị hành chính 99999 không tồn tại hoặc đã hết hiệu lực.</a>');
    const en = await postForm('/quan-tri/co-quan/moi', form, `${admin}; lang=en`);
    expect(en.status).toBe(422);
    expect(en.body).toContain('<a href="#p-unitCode">No administrative unit in force has the code 99999.</a>');
    expect((await get('/quan-tri/co-quan', admin)).body).not.toContain('Sở Ma');

    const put = (unitCode: string) =>
      t.request({
        method: 'PUT',
        url: '/api/v1/agencies/SO-MA',
        as: 'admin.lan',
        payload: { name: 'Sở Ma', shortName: 'SM', identityCode: '000.00.98.H37', parentCode: null, unitCode, kind: 'department' },
      });
    const refused = await put('99999');
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({
      code: 'AGENCY_INVALID',
      errors: [{ path: 'unitCode', message: 'Mã đơn vị hành chính 99999 không tồn tại hoặc đã hết hiệu lực' }],
    });
    expect((await put('37')).status).toBe(201);
  });

  it('imports administrative units from a CSV file; a bad file imports nothing and names the rows', async () => {
    const page = await get('/quan-tri/don-vi', admin);
    expect(page.status).toBe(200);
    const csrf = csrfOf(page.body);
    const upload = async (text: string) => {
      const m = multipart({ csrf }, { name: 'units.csv', type: 'text/csv', data: Buffer.from(text) });
      return t.app.inject({ method: 'POST', url: '/quan-tri/don-vi/nhap', payload: m.payload, headers: { ...m.headers, cookie: admin } });
    };
    const bad = await upload('code,name,type,parent_code,valid_from\n99991,Xã Thử,commune,37,2026-07-01\n99992,,commune,37,ngày\n');
    expect(bad.statusCode).toBe(422);
    expect(bad.body).toContain('class="error-summary"');
    const [none] = await queryRows<{ n: string | number }>(t.database.db, sql`SELECT count(*) AS n FROM admin_units WHERE code = '99991'`);
    expect(Number(none!.n)).toBe(0);
    const ok = await upload('\uFEFFcode,name,type,parent_code,valid_from\n99991,Xã Thử Nghiệm,commune,37,2026-07-01\n');
    expect(ok.statusCode).toBe(303);
    const after = await get(String(ok.headers.location), admin);
    expect(after.body).toContain('Đã nhập 1 dòng: 1 mới, 0 cập nhật');
    expect(after.body).toContain('Xã Thử Nghiệm');
  });

  it('units: types in the page’s words; an empty file, a bad row and a date that does not exist each said at the file field', async () => {
    const page = await get('/quan-tri/don-vi', admin);
    // The type column in words: the province (37) and its wards and communes.
    const typeCells = (body: string) => new Set([...body.matchAll(/<tr><td>\d+<\/td><td[^>]*>[^<]*<\/td><td>([^<]*)<\/td>/g)].map((m) => m[1]!));
    expect(typeCells(page.body)).toEqual(new Set(['Tỉnh', 'Phường', 'Xã']));
    expect(typeCells((await get('/quan-tri/don-vi', `${admin}; lang=en`)).body)).toEqual(new Set(['Province', 'Ward', 'Commune']));

    const csrf = csrfOf(page.body);
    const send = async (file: { name: string; data: Buffer } | null, cookie = admin) => {
      const m = multipart({ csrf }, file ? { ...file, type: 'text/csv' } : undefined);
      const r = await t.app.inject({ method: 'POST', url: '/quan-tri/don-vi/nhap', payload: m.payload, headers: { ...m.headers, cookie } });
      return { status: r.statusCode, body: r.body };
    };
    /** The messages next to the file input, and whether the input says it is invalid and points at them. */
    const atField = (body: string) => ({
      messages: [...(/<ul class="error-message" id="u-file-error">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '').matchAll(/<li>([^<]*)<\/li>/g)].map((m) =>
        unescapeHtml(m[1]!),
      ),
      input: /<input type="file" id="u-file"[^>]*>/.exec(body)?.[0] ?? '',
    });
    const summaryLinks = (body: string) =>
      [...(/<div class="error-summary"[\s\S]*?<\/div>/.exec(body)?.[0] ?? '').matchAll(/<a href="#u-file">([^<]*)<\/a>/g)].map((m) => unescapeHtml(m[1]!));

    // No file chosen (the browser sends an empty part without a name) and a chosen file that is empty are told apart.
    const none = await send({ name: '', data: Buffer.alloc(0) });
    expect(none.status).toBe(422);
    expect(atField(none.body).messages).toEqual(['Hãy chọn một tệp CSV.']);
    for (const data of [Buffer.alloc(0), Buffer.from('\uFEFF\n\n')]) {
      const empty = await send({ name: 'units.csv', data });
      expect(empty.status).toBe(422);
      expect(summaryLinks(empty.body)).toEqual(['Tệp đã chọn trống (0 byte): hãy chọn tệp CSV có dòng tiêu đề và các dòng đơn vị.']);
      expect(atField(empty.body).messages).toEqual(summaryLinks(empty.body));
    }
    const emptyEn = await send({ name: 'units.csv', data: Buffer.alloc(0) }, `${admin}; lang=en`);
    expect(atField(emptyEn.body).messages).toEqual(['The chosen file is empty (0 bytes): choose a CSV file with the header row and the units’ rows.']);

    // Bad rows: each line's reasons at the field as in the summary; a date of the right form that does not exist says so.
    const bad = await send({
      name: 'units.csv',
      data: Buffer.from(
        'code,name,type,parent_code,valid_from,valid_to\n99993,Xã Tháng Mười Ba,commune,37,2026-13-01,\n99994,Xã Sai Dạng,commune,37,01/07/2026,2026-02-30\n',
      ),
    });
    expect(bad.status).toBe(422);
    const expected = [
      'Dòng 2: ngày hiệu lực (valid_from) 2026-13-01 không phải là một ngày có thật',
      'Dòng 3: ngày hiệu lực (valid_from) phải có dạng NNNN-TT-NN; ngày hết hiệu lực (valid_to) 2026-02-30 không phải là một ngày có thật',
    ];
    expect(summaryLinks(bad.body)).toEqual(expected);
    expect(atField(bad.body).messages).toEqual(expected);
    expect(atField(bad.body).input).toContain('aria-invalid="true"');
    expect(atField(bad.body).input).toContain('aria-describedby="u-file-hint u-file-error"');
    const badEn = await send(
      { name: 'units.csv', data: Buffer.from('code,name,type,parent_code,valid_from,valid_to\n99993,Xã Tháng Mười Ba,commune,37,2026-13-01,\n') },
      `${admin}; lang=en`,
    );
    expect(atField(badEn.body).messages).toEqual(['Line 2: valid_from 2026-13-01 is not a real date']);
    // The page without errors has no message and no invalid input.
    expect(atField(page.body)).toEqual({
      messages: [],
      input: '<input type="file" id="u-file" name="file" accept=".csv,text/csv" aria-describedby="u-file-hint">',
    });
  });

  it('units: a day that is not a real one (?ngay=) is said at the date box (422) and today’s units are shown', async () => {
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    const countOf = (body: string) => /<p>(\d+) (?:đơn vị|units)<\/p>/.exec(body)?.[1];
    const plain = await get('/quan-tri/don-vi', admin);
    expect(plain.status).toBe(200);
    expect(plain.body).not.toContain('error-message');
    expect(plain.body).toContain(`<label for="ngay">Có hiệu lực ngày</label> <input type="date" id="ngay" name="ngay" value="${today}">`);
    for (const typed of ['2025-02-30', '2025-02-29', 'abc', '2025-1-05', '2025-01-05T00:00', '2025-13-01']) {
      const r = await get(`/quan-tri/don-vi?ngay=${encodeURIComponent(typed)}`, admin);
      const words = `Có hiệu lực ngày: “${typed}” không phải là một ngày có thật (dạng NNNN-TT-NN, ví dụ 2025-07-01). Đang hiện các đơn vị có hiệu lực hôm nay, ${today}.`;
      expect(r.status, typed).toBe(422);
      expect(unescapeHtml(r.body), typed).toContain(`<a href="#ngay">${words}</a>`);
      expect(unescapeHtml(r.body), typed).toContain(`<p class="error-message" id="ngay-error">${words}</p>`);
      expect(r.body, typed).toContain(`id="ngay" name="ngay" value="${typed}" aria-invalid="true" aria-describedby="ngay-error">`);
      // Today's units, as without a day.
      expect(countOf(r.body), typed).toBe(countOf(plain.body));
    }
    const en = await get('/quan-tri/don-vi?ngay=2025-02-30', `${admin}; lang=en`);
    expect(en.status).toBe(422);
    expect(unescapeHtml(en.body)).toContain(
      `<p class="error-message" id="ngay-error">In force on: “2025-02-30” is not a real date (YYYY-MM-DD, for example 2025-07-01). Showing the units in force today, ${today}.</p>`,
    );
    // What was typed is shown as text, never as markup.
    const markup = await get(`/quan-tri/don-vi?ngay=${encodeURIComponent('"><b>x</b>')}`, admin);
    expect(markup.status).toBe(422);
    expect(markup.body).not.toContain('<b>x</b>');
    expect(markup.body).toContain('value="&quot;&gt;&lt;b&gt;x&lt;/b&gt;"');
    // No day, or an empty one, is today without a word; a real day is that day.
    for (const url of ['/quan-tri/don-vi?ngay=', '/quan-tri/don-vi?ngay=2024-02-29']) {
      const r = await get(url, admin);
      expect(r.status, url).toBe(200);
      expect(r.body, url).not.toContain('error-message');
      expect(r.body, url).toContain(`id="ngay" name="ngay" value="${url.endsWith('=') ? today : '2024-02-29'}">`);
    }
  });

  it('makes every table that may scroll sideways a named region the keyboard can reach (axe scrollable-region-focusable)', async () => {
    const wraps = (body: string) => [...body.matchAll(/<div class="table-wrap"[^>]*>/g)].map((m) => m[0]);
    const region = (label: string) => `<div class="table-wrap" role="region" aria-label="${label}" tabindex="0">`;
    const units = await get('/quan-tri/don-vi', admin);
    expect(wraps(units.body)).toEqual([region('Bảng đơn vị hành chính')]);
    expect(wraps((await get('/quan-tri/don-vi', `${admin}; lang=en`)).body)).toEqual([region('Table of administrative units')]);
    // The import page answering with an error shows the same table, the same way.
    const m = multipart({ csrf: csrfOf(units.body) }, { name: 'units.csv', type: 'text/csv', data: Buffer.from('ma,ten\n01,A\n') });
    const refused = await t.app.inject({ method: 'POST', url: '/quan-tri/don-vi/nhap', payload: m.payload, headers: { ...m.headers, cookie: admin } });
    expect(refused.statusCode).toBe(422);
    expect(wraps(refused.body)).toEqual([region('Bảng đơn vị hành chính')]);
    expect(wraps((await get('/quan-tri/thu-tuc', admin)).body)).toEqual([region('Thủ tục hành chính')]);
    expect(wraps((await get(`/quan-tri/thu-tuc/${PROC}`, admin)).body)).toEqual([region('Các phiên bản')]);
    expect(wraps((await get('/quan-tri/tai-khoan', admin)).body)).toEqual([region('Tài khoản và vai trò')]);
    expect(wraps((await get('/quan-tri/co-quan', admin)).body)).toEqual([region('Cơ quan, đơn vị')]);
    expect(wraps((await get('/quan-tri/cau-hinh', admin)).body)).toEqual([region('Cấu hình hệ thống')]);
    expect(wraps((await get('/quan-tri/lich?nam=2026', admin)).body)).toEqual([region('Ngày nghỉ')]);
    // The public procedure page: its components and fees tables.
    const proc = await get('/thu-tuc/1.010727');
    expect(wraps(proc.body)).toEqual([region('Thành phần hồ sơ'), region('Phí, lệ phí')]);
    // The dashboard's tables (some scroll at 360 px) are regions named by their captions.
    const dash = (await get('/bang-dieu-khien', admin)).body;
    const dashWraps = [...dash.matchAll(/<div class="dash-table-wrap"[^>]*>/g)].map((m) => m[0]);
    expect(dashWraps.length).toBeGreaterThan(0);
    for (const w of dashWraps) expect(w).toMatch(/^<div class="dash-table-wrap" role="region" aria-(label="[^"]+"|labelledby="[^"]+") tabindex="0">$/);
    expect(dashWraps).toContain('<div class="dash-table-wrap" role="region" aria-label="Điểm theo nhóm chỉ số" tabindex="0">');
    // The focus ring shows where the keyboard is.
    const css = (await get(String(/href="(\/assets\/site\.css[^"]*)"/.exec(units.body)![1]))).body;
    expect(css).toContain('.table-wrap:focus{outline:3px solid #ffdd00');
  });
});
