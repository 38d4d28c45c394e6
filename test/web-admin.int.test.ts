import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { findProcedure } from '../src/modules/procedures/procedures.repo.ts';
import { createTestApp, multipart, type TestApp } from './harness.ts';
import { csrfOf, formValues, webClient } from './web-client.ts';

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
    for (const href of ['/quan-tri/thu-tuc', '/quan-tri/lich', '/quan-tri/tai-khoan', '/quan-tri/co-quan', '/quan-tri/don-vi']) expect(home.body).toContain(`href="${href}"`);
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
    const bad = { ...values, [`form.${last}.key`]: 'Ghi Chu', [`form.${last}.label`]: 'Ghi chú thêm', [`form.${last}.type`]: 'textarea', 'wf.0.share': '0.9', op: 'save' };
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
    expect(bad.body).toContain('Dòng 2');
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

  it('creates staff accounts with roles, rejects bad input, edits roles, and will not lock the signed-in administrator out', async () => {
    const page = await get('/quan-tri/tai-khoan/moi', admin);
    const csrf = csrfOf(page.body);
    const base = { csrf, username: 'test.staff', displayName: 'Cán bộ Thử', kind: 'staff', password: 'mat-khau-dai-du', idNumber: '', email: '', phone: '', 'role.0.role': 'specialist', 'role.0.agency': 'TTPVHCC' };
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
    expect(noAgency.body).toContain('Vai trò cán bộ cần một cơ quan');
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
    const form = { csrf, code: 'SO-THU', name: 'Sở Thử nghiệm', shortName: 'STN', identityCode: '000.00.99.H37', parentCode: '', unitCode: '37', kind: 'department' };
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
    const cycle = await postForm('/quan-tri/co-quan/TTPVHCC', { ...formValues((await get('/quan-tri/co-quan/TTPVHCC', admin)).body, '/quan-tri/co-quan/TTPVHCC'), parentCode: 'TTPVHCC' }, admin);
    expect(cycle.status).toBe(422);
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
});
