import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import {
  clearSettingsCache,
  getSetting,
  SETTING_DEFAULTS,
  setSettingsReporter,
  type InvalidSettingWarning,
  type SettingKey,
} from '../src/platform/settings.ts';
import { createTestApp, submittedDossier, type TestApp } from './harness.ts';
import { csrfOf, formValues, unescapeHtml, webClient } from './web-client.ts';

let t: TestApp;
const cookies: Record<string, string> = {};
beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['admin.lan', 'leader.hoa', 'citizen.an']) cookies[u] = `tinhso_session=${await t.token(u)}`;
});
afterAll(async () => t?.close());

const { get, postForm } = webClient(() => t);
const PAGE = '/quan-tri/cau-hinh';
const KEYS = Object.keys(SETTING_DEFAULTS) as SettingKey[];

/** The value attribute of the input with this id. */
const valueOf = (body: string, id: string) => unescapeHtml(new RegExp(`id="${id}" name="[^"]*" value="([^"]*)"`).exec(body)?.[1] ?? '(no input)');
const isChecked = (body: string, id: string) => new RegExp(`id="${id}" [^>]* checked>`).test(body);

const apiSettings = async () => {
  const r = await t.request({ method: 'GET', url: '/api/v1/settings', as: 'admin.lan' });
  expect(r.status).toBe(200);
  return r.json as Record<SettingKey, unknown>;
};
const auditCount = async () =>
  Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'settings.update'`))[0]!.n);

/** Posts one setting's form as the page shows it, with `changes` on top (null removes an input). */
async function post(slug: string, changes: Record<string, string | null>, cookie = cookies['admin.lan']!) {
  const page = await get(PAGE, cookies['admin.lan']);
  const values: Record<string, string> = { ...formValues(page.body, `${PAGE}/${slug}`), op: 'save' };
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) delete values[k];
    else values[k] = v;
  }
  return postForm(`${PAGE}/${slug}`, values, cookie);
}

/** Today in Vietnam as yymmdd, worked out here (UTC+7, no daylight saving). */
const todayYymmdd = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(2, 10).replace(/-/g, '');

// Every test leaves the settings as it found them: the defaults.
afterEach(async () => {
  const current = await apiSettings();
  for (const k of KEYS) {
    if (JSON.stringify(current[k]) === JSON.stringify(SETTING_DEFAULTS[k])) continue;
    const r = await t.request({ method: 'PUT', url: `/api/v1/settings/${k}`, as: 'admin.lan', payload: { value: SETTING_DEFAULTS[k] } });
    expect(r.status).toBe(200);
  }
});

describe('the settings page: who may use it', () => {
  it('sends the anonymous to sign in, refuses officers and citizens (403), lists it on the admin home', async () => {
    const anon = await get(PAGE);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe('/dang-nhap?next=%2Fquan-tri%2Fcau-hinh');
    const anonPost = await postForm(`${PAGE}/sap-den-han`, { days: '5', op: 'save' });
    expect(anonPost.status).toBe(303);
    expect(String(anonPost.headers.location)).toMatch(/^\/dang-nhap\?next=/);

    for (const who of ['leader.hoa', 'citizen.an']) {
      const page = await get(PAGE, cookies[who]);
      expect(page.status, who).toBe(403);
      expect(page.body).toContain('chỉ dành cho quản trị viên');
      expect(page.body).not.toContain('Giờ làm việc');
      // A valid CSRF token of their own does not help.
      const home = await get('/', cookies[who]);
      const res = await postForm(`${PAGE}/sap-den-han`, { csrf: csrfOf(home.body), days: '5', op: 'save' }, cookies[who]);
      expect(res.status, who).toBe(403);
    }
    expect((await apiSettings()).worklist_soon_days).toBe(2);

    const home = await get('/quan-tri', cookies['admin.lan']);
    expect(home.body).toContain(`href="${PAGE}"`);
  });

  it('refuses a form without its CSRF token or with a wrong one, and an unknown setting', async () => {
    const before = await auditCount();
    const none = await postForm(`${PAGE}/sap-den-han`, { days: '5', op: 'save' }, cookies['admin.lan']);
    expect(none.status).toBe(403);
    const wrong = await postForm(`${PAGE}/sap-den-han`, { csrf: 'x'.repeat(43), days: '5', op: 'save' }, cookies['admin.lan']);
    expect(wrong.status).toBe(403);
    expect((await apiSettings()).worklist_soon_days).toBe(2);
    expect(await auditCount()).toBe(before);
    const page = await get(PAGE, cookies['admin.lan']);
    const unknown = await postForm(`${PAGE}/khong-co`, { csrf: csrfOf(page.body), op: 'save' }, cookies['admin.lan']);
    expect(unknown.status).toBe(404);
    expect((await get(`${PAGE}/khong-co`, cookies['admin.lan'])).status).toBe(404);
    // A form's address opened directly (language switch, back from sign-in) leads to its section.
    const direct = await get(`${PAGE}/sap-den-han`, cookies['admin.lan']);
    expect([direct.status, direct.headers.location]).toEqual([303, `${PAGE}#sap-den-han`]);
  });
});

describe('the settings page: reading', () => {
  it('shows every setting with its value, that it is the default, and its form filled in', async () => {
    const page = await get(PAGE, cookies['admin.lan']);
    expect(page.status).toBe(200);
    const b = page.body;
    for (const name of [
      'Giờ làm việc',
      'Mẫu mã hồ sơ',
      'Dung lượng tối đa của tệp tải lên',
      'Vai trò phải xác thực hai bước',
      'Ngưỡng “sắp đến hạn”',
      'Gia hạn hồ sơ',
    ])
      expect(b).toContain(name);
    // The overview table: one row per setting, all at their defaults.
    const table = b.slice(b.indexOf('<tbody>'), b.indexOf('</tbody>'));
    expect(table.match(/<tr>/g)).toHaveLength(6);
    expect(table.match(/<td>Mặc định<\/td>/g)).toHaveLength(6);
    expect(table).toContain('07:30–11:30, 13:30–17:00');
    expect(table).toContain('{agency}-{yymmdd}-{seq4}');
    expect(table).toContain('<td>10 MB</td>');
    expect(table).toContain('Theo môi trường (không vai trò nào)'); // tests do not run as production
    expect(table).toContain('<td>2 ngày làm việc</td>');
    expect(table).toContain('người duyệt: Lãnh đạo; số lần: không giới hạn; mỗi lần thêm tối đa: không giới hạn; xin khi còn: không giới hạn');
    // The forms: two periods and two blank rows; the pattern; 10 MB; the environment; 2; the leader.
    expect(valueOf(b, 'gio-lam-viec-p-0-start')).toBe('07:30');
    expect(valueOf(b, 'gio-lam-viec-p-1-end')).toBe('17:00');
    expect(valueOf(b, 'gio-lam-viec-p-3-start')).toBe('');
    expect(b).not.toContain('id="gio-lam-viec-p-4-start"');
    expect(valueOf(b, 'ma-ho-so-pattern')).toBe('{agency}-{yymmdd}-{seq4}');
    expect(valueOf(b, 'tep-tai-len-mb')).toBe('10');
    expect(isChecked(b, 'xac-thuc-hai-buoc-mode-env')).toBe(true);
    expect(isChecked(b, 'xac-thuc-hai-buoc-mode-list')).toBe(false);
    expect(valueOf(b, 'sap-den-han-days')).toBe('2');
    expect(isChecked(b, 'gia-han-approver-leader')).toBe(true);
    expect(isChecked(b, 'gia-han-approver-specialist')).toBe(false);
    expect(valueOf(b, 'gia-han-maxExtensions')).toBe('');
    // The code the first dossier of today at the provincial centre (identity code 000.00.01.H37) would get.
    expect(b).toContain(`<code>000.00.01.H37-${todayYymmdd()}-0001</code>`);
    // Each form posts to its own address with the CSRF token and a way back to the default.
    for (const slug of ['gio-lam-viec', 'ma-ho-so', 'tep-tai-len', 'xac-thuc-hai-buoc', 'sap-den-han', 'gia-han']) {
      expect(formValues(b, `${PAGE}/${slug}`).csrf).toBe(csrfOf(b));
    }
    expect(b.match(/name="op" value="default"/g)).toHaveLength(6);

    const en = await get(PAGE, `${cookies['admin.lan']}; lang=en`);
    expect(en.body).toContain('<h1>System settings</h1>');
    expect(en.body).toContain('Office hours');
  });
});

describe('the settings page: saving', () => {
  it('saves office hours (in order of their start), audited like the API, and shows who changed them', async () => {
    const before = await auditCount();
    // The afternoon typed first: the periods are saved in order.
    const res = await post('gio-lam-viec', { 'p.0.start': '13:30', 'p.0.end': '17:30', 'p.1.start': '7:30', 'p.1.end': '11:00' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${PAGE}?da-luu=gio-lam-viec#gio-lam-viec`);
    expect((await apiSettings()).office_hours).toEqual({
      periods: [
        { start: '07:30', end: '11:00' },
        { start: '13:30', end: '17:30' },
      ],
    });
    expect(await auditCount()).toBe(before + 1);
    const [audit] = await queryRows<{ target_id: string; details: { value: unknown }; ip: string | null }>(
      t.database.db,
      sql`SELECT target_id, details, ip FROM audit_log WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit!.target_id).toBe('office_hours');
    // With the address the change came from (the test client's, as app.inject sends it), as the API's changes are.
    expect(audit!.ip).toBe('127.0.0.1');
    expect(audit!.details.value).toEqual({
      periods: [
        { start: '07:30', end: '11:00' },
        { start: '13:30', end: '17:30' },
      ],
    });

    const page = await get(String(res.headers.location).split('#')[0]!, cookies['admin.lan']);
    expect(page.body).toContain('Đã lưu: Giờ làm việc.');
    expect(page.body).toContain('07:30–11:00, 13:30–17:30 <span class="tag partial">Đã thay đổi</span>');
    expect(page.body).toContain('<dt>Giá trị mặc định</dt><dd>07:30–11:30, 13:30–17:00</dd>');
    expect(page.body).toMatch(/<dt>Cập nhật lần cuối<\/dt><dd>\d\d:\d\d \d\d\/\d\d\/\d{4}, bởi Ngô Thị Lan<\/dd>/);
    expect(valueOf(page.body, 'gio-lam-viec-p-0-start')).toBe('07:30');

    // Clearing both boxes of a row removes that period.
    const one = await post('gio-lam-viec', { 'p.1.start': '', 'p.1.end': '' });
    expect(one.status).toBe(303);
    expect((await apiSettings()).office_hours).toEqual({ periods: [{ start: '07:30', end: '11:00' }] });
  });

  it('saves the upload limit in MB, and the citizen’s upload form states the new limit', async () => {
    const res = await post('tep-tai-len', { mb: '2,5' });
    expect(res.status).toBe(303);
    expect((await apiSettings()).upload_max_bytes).toBe(2_621_440); // 2.5 × 1 048 576
    const draft = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: {
        procedureCode: '1.001776',
        applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' },
        form: {},
      },
    });
    expect(draft.status).toBe(201);
    const form = await get(`/ho-so/${draft.json.id}`, cookies['citizen.an']);
    expect(form.body).toContain('data-max-bytes="2621440"');
    const page = await get(PAGE, cookies['admin.lan']);
    expect(page.body).toContain('<td>2,5 MB (2.621.440 byte)</td>');
    expect(valueOf(page.body, 'tep-tai-len-mb')).toBe('2,5');

    // "Restore the default" puts 10 MB back, whatever the box holds.
    const restore = await post('tep-tai-len', { mb: 'không quan trọng', op: 'default' });
    expect(restore.status).toBe(303);
    expect(restore.headers.location).toBe(`${PAGE}?mac-dinh=tep-tai-len#tep-tai-len`);
    expect((await apiSettings()).upload_max_bytes).toBe(10 * 1024 * 1024);
    expect((await get(`${PAGE}?mac-dinh=tep-tai-len`, cookies['admin.lan'])).body).toContain(
      'Đã khôi phục giá trị mặc định: Dung lượng tối đa của tệp tải lên.',
    );
  });

  it('saves the code pattern: the example follows and the next dossier gets a code of that shape', async () => {
    // "Show an example" tries a pattern without saving it.
    const tried = await post('ma-ho-so', { pattern: 'HS.{yymmdd}.{agency}.{seq4}', op: 'preview' });
    expect(tried.status).toBe(200);
    expect(tried.body).toContain(`<code>HS.${todayYymmdd()}.000.00.01.H37.0001</code>`);
    expect(valueOf(tried.body, 'ma-ho-so-pattern')).toBe('HS.{yymmdd}.{agency}.{seq4}');
    expect((await apiSettings()).dossier_code_pattern).toBe('{agency}-{yymmdd}-{seq4}');

    const res = await post('ma-ho-so', { pattern: 'HS-{agency}-{yymmdd}-{seq4}' });
    expect(res.status).toBe(303);
    expect((await apiSettings()).dossier_code_pattern).toBe('HS-{agency}-{yymmdd}-{seq4}');
    const page = await get(PAGE, cookies['admin.lan']);
    expect(page.body).toContain(`<code>HS-000.00.01.H37-${todayYymmdd()}-0001</code>`);
    const d = await submittedDossier(t, 'citizen.an', {
      procedureCode: '1.001193',
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
    });
    expect(d.code).toMatch(new RegExp(`^HS-[0-9A-Z.]+-${todayYymmdd()}-\\d{4}$`));
  });

  it('saves the second-factor roles (a list or the environment’s default), the “due soon” days and the extension policy', async () => {
    const mfa = await post('xac-thuc-hai-buoc', { mode: 'list', 'role.2': 'reception', 'role.3': 'specialist' });
    expect(mfa.status).toBe(303);
    expect((await apiSettings()).mfa_required_roles).toEqual(['reception', 'specialist']);
    let page = await get(PAGE, cookies['admin.lan']);
    expect(isChecked(page.body, 'xac-thuc-hai-buoc-mode-list')).toBe(true);
    expect(isChecked(page.body, 'xac-thuc-hai-buoc-role-reception')).toBe(true);
    expect(isChecked(page.body, 'xac-thuc-hai-buoc-role-admin')).toBe(false);
    // An empty list is a choice too: nobody needs a second factor, whatever the environment.
    expect((await post('xac-thuc-hai-buoc', { 'role.2': null, 'role.3': null })).status).toBe(303);
    expect((await apiSettings()).mfa_required_roles).toEqual([]);
    // Back to the environment: ticked roles do not matter then.
    expect((await post('xac-thuc-hai-buoc', { mode: 'env', 'role.5': 'admin' })).status).toBe(303);
    expect((await apiSettings()).mfa_required_roles).toBeNull();

    expect((await post('sap-den-han', { days: '5' })).status).toBe(303);
    expect((await apiSettings()).worklist_soon_days).toBe(5);

    const ext = await post('gia-han', { 'approver.1': 'specialist', maxExtensions: '2', maxWorkingDaysEach: '', withinWorkingDaysOfDue: '0' });
    expect(ext.status).toBe(303);
    expect((await apiSettings()).dossier_extension).toEqual({
      approverRoles: ['specialist', 'leader'],
      maxExtensions: 2,
      maxWorkingDaysEach: null,
      withinWorkingDaysOfDue: 0,
    });
    page = await get(PAGE, cookies['admin.lan']);
    expect(page.body).toContain('người duyệt: Chuyên viên, Lãnh đạo; số lần: 2 lần; mỗi lần thêm tối đa: không giới hạn; xin khi còn: 0 ngày làm việc');
    expect(valueOf(page.body, 'gia-han-withinWorkingDaysOfDue')).toBe('0');
  });
});

describe('the settings page: refusing', () => {
  /** Posts, expects a 422 page whose summary links `anchor` with `message`, and nothing saved or audited. */
  async function refused(slug: string, changes: Record<string, string | null>, anchor: string, message: string) {
    const before = { settings: await apiSettings(), audits: await auditCount() };
    const res = await post(slug, changes);
    expect(res.status, `${slug} ${JSON.stringify(changes)}`).toBe(422);
    const summary = res.body.slice(res.body.indexOf('class="error-summary"'), res.body.indexOf('</div>', res.body.indexOf('class="error-summary"')));
    expect(summary, 'error summary').toContain('Có lỗi cần sửa');
    expect(summary).toContain(`<li><a href="#${anchor}">${message}</a></li>`);
    // The message is also next to the input, and the anchor exists on the page.
    expect(res.body).toContain(`id="${anchor}"`);
    expect(res.body.match(new RegExp(`class="error-message"[^>]*>${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}<`))).not.toBeNull();
    expect(await apiSettings()).toEqual(before.settings);
    expect(await auditCount()).toBe(before.audits);
    return res.body;
  }

  it('office hours: an end before its start, overlapping periods, half a period, no period at all', async () => {
    let b = await refused(
      'gio-lam-viec',
      { 'p.0.start': '13:00', 'p.0.end': '08:00', 'p.1.start': '', 'p.1.end': '' },
      'gio-lam-viec-p-0-end',
      'Khoảng 1, giờ kết thúc: giờ kết thúc phải sau giờ bắt đầu',
    );
    // What was typed stays in the boxes.
    expect(valueOf(b, 'gio-lam-viec-p-0-start')).toBe('13:00');
    expect(valueOf(b, 'gio-lam-viec-p-0-end')).toBe('08:00');
    expect(b).toContain('Chưa lưu Giờ làm việc: hãy sửa các lỗi dưới đây.');
    b = await refused(
      'gio-lam-viec',
      { 'p.0.start': '07:30', 'p.0.end': '12:00', 'p.1.start': '11:00', 'p.1.end': '17:00' },
      'gio-lam-viec-p-1-start',
      'Khoảng 2, giờ bắt đầu: bắt đầu trước khi khoảng 1 kết thúc',
    );
    expect(valueOf(b, 'gio-lam-viec-p-1-start')).toBe('11:00');
    await refused(
      'gio-lam-viec',
      { 'p.2.start': '18:00' },
      'gio-lam-viec-p-2-end',
      'Khoảng 3, giờ kết thúc: nhập cả giờ bắt đầu và giờ kết thúc, hoặc để trống cả hai',
    );
    await refused(
      'gio-lam-viec',
      { 'p.0.start': '', 'p.0.end': '', 'p.1.start': '', 'p.1.end': '' },
      'gio-lam-viec-p-0-start',
      'Khoảng 1, giờ bắt đầu: cần ít nhất một khoảng giờ làm việc',
    );
    await refused('gio-lam-viec', { 'p.0.start': '25:00' }, 'gio-lam-viec-p-0-start', 'Khoảng 1, giờ bắt đầu: giờ dạng HH:MM, ví dụ 07:30');
  });

  it('the code pattern: without {yymmdd}, with a slash, too long; the example is not saved either', async () => {
    const b = await refused(
      'ma-ho-so',
      { pattern: '{agency}-{seq4}' },
      'ma-ho-so-pattern',
      'Mẫu mã: cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan',
    );
    expect(valueOf(b, 'ma-ho-so-pattern')).toBe('{agency}-{seq4}');
    await refused(
      'ma-ho-so',
      { pattern: '{agency}/{yymmdd}/{seq4}' },
      'ma-ho-so-pattern',
      'Mẫu mã: chỉ gồm chữ, số, dấu . - _ và các trường {agency}, {yymmdd}, {seq4}',
    );
    await refused('ma-ho-so', { pattern: `${'A'.repeat(70)}{agency}{yymmdd}{seq4}` }, 'ma-ho-so-pattern', 'Mẫu mã: tối đa 80 ký tự');
    await refused(
      'ma-ho-so',
      { pattern: '{agency}-{seq4}', op: 'preview' },
      'ma-ho-so-pattern',
      'Mẫu mã: cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan',
    );
  });

  it('numbers: negative, not a number, out of range, not whole', async () => {
    const range = 'Dung lượng tối đa của một tệp (MB): từ 0,001 MB (1 KB) đến 200 MB';
    let b = await refused('tep-tai-len', { mb: '-1' }, 'tep-tai-len-mb', range);
    expect(valueOf(b, 'tep-tai-len-mb')).toBe('-1');
    await refused('tep-tai-len', { mb: '300' }, 'tep-tai-len-mb', range);
    await refused('tep-tai-len', { mb: 'mười' }, 'tep-tai-len-mb', 'Dung lượng tối đa của một tệp (MB): nhập một số, ví dụ 10 hoặc 2,5');
    await refused('tep-tai-len', { mb: '' }, 'tep-tai-len-mb', 'Dung lượng tối đa của một tệp (MB): bắt buộc');
    b = await refused('sap-den-han', { days: '-3' }, 'sap-den-han-days', 'Số ngày làm việc: ít nhất là 1');
    expect(valueOf(b, 'sap-den-han-days')).toBe('-3');
    await refused('sap-den-han', { days: '31' }, 'sap-den-han-days', 'Số ngày làm việc: nhiều nhất là 30');
    await refused('sap-den-han', { days: '2,5' }, 'sap-den-han-days', 'Số ngày làm việc: nhập một số nguyên, ví dụ 5');
    b = await refused('gia-han', { maxExtensions: '-1' }, 'gia-han-maxExtensions', 'Số lần gia hạn tối đa cho một hồ sơ: ít nhất là 1');
    expect(valueOf(b, 'gia-han-maxExtensions')).toBe('-1');
    await refused(
      'gia-han',
      { withinWorkingDaysOfDue: '61' },
      'gia-han-withinWorkingDaysOfDue',
      'Chỉ cho gia hạn khi còn không quá (ngày làm việc) đến hạn: nhiều nhất là 60',
    );
  });

  it('roles: an unknown role, no approver at all, no choice between the environment and a list', async () => {
    const b = await refused(
      'xac-thuc-hai-buoc',
      { mode: 'list', 'role.0': 'superuser' },
      'xac-thuc-hai-buoc-role',
      'Vai trò phải xác thực hai bước: có vai trò không hợp lệ',
    );
    expect(isChecked(b, 'xac-thuc-hai-buoc-mode-list')).toBe(true);
    await refused('xac-thuc-hai-buoc', { mode: null }, 'xac-thuc-hai-buoc-mode', 'Áp dụng: chọn một trong hai cách');
    // Administrators are not among the roles that approve an extension.
    await refused('gia-han', { 'approver.0': 'admin' }, 'gia-han-approver', 'Vai trò duyệt gia hạn: có vai trò không hợp lệ');
    const none = await refused('gia-han', { 'approver.2': null, maxExtensions: '3' }, 'gia-han-approver', 'Vai trò duyệt gia hạn: chọn ít nhất 1');
    expect(valueOf(none, 'gia-han-maxExtensions')).toBe('3');
    expect(isChecked(none, 'gia-han-approver-leader')).toBe(false);
  });
});

describe('a stored value that no longer fits its schema', () => {
  /** Writes a value straight into the table, as a value stored before a rule was added would be. */
  const store = async (key: SettingKey, json: string) => {
    await t.database.db.execute(sql`INSERT INTO settings (key, value) VALUES (${key}, ${json}::jsonb) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`);
    clearSettingsCache();
  };
  interface StateJson {
    key: SettingKey;
    value: unknown;
    isDefault: boolean;
    invalidStored: { message: string; value: unknown; errors: { path: string; message: string }[] } | null;
  }
  const states = async () => {
    const r = await t.request({ method: 'GET', url: '/api/v1/settings/states', as: 'admin.lan' });
    expect(r.status).toBe(200);
    return Object.fromEntries((r.json.items as StateJson[]).map((s) => [s.key, s])) as Record<SettingKey, StateJson>;
  };
  const INVALID = 'Giá trị đã lưu không hợp lệ, hệ thống đang dùng giá trị mặc định.';

  afterEach(() => setSettingsReporter(null));

  it('is set aside for the default, said once, shown by the API and the page, and cleared by saving a valid pattern', async () => {
    const warnings: InvalidSettingWarning[] = [];
    setSettingsReporter((w) => warnings.push(w));
    // A pattern stored before the rule "{agency}, {yymmdd} and one {seq4}": no {agency}.
    await store('dossier_code_pattern', '"HS-{yymmdd}-{seq4}"');
    expect(await getSetting(t.database.db, 'dossier_code_pattern')).toBe('{agency}-{yymmdd}-{seq4}');
    clearSettingsCache();
    expect(await getSetting(t.database.db, 'dossier_code_pattern')).toBe('{agency}-{yymmdd}-{seq4}');
    expect(warnings).toEqual([
      { key: 'dossier_code_pattern', errors: [{ path: 'value', message: 'cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan' }] },
    ]);
    expect((await apiSettings()).dossier_code_pattern).toBe('{agency}-{yymmdd}-{seq4}');

    const s = (await states()).dossier_code_pattern;
    expect(s).toMatchObject({ value: '{agency}-{yymmdd}-{seq4}', isDefault: true });
    expect(s.invalidStored).toEqual({
      message: INVALID,
      value: 'HS-{yymmdd}-{seq4}',
      errors: [{ path: 'value', message: 'cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan' }],
    });
    expect((await states()).office_hours.invalidStored).toBeNull();

    // The page: a warning at the top linking the setting, the status in the table, and in its section the stored value and why.
    const page = await get(PAGE, cookies['admin.lan']);
    const b = page.body;
    expect(b).toContain('hệ thống đang dùng giá trị mặc định cho đến khi lưu giá trị mới:</p>\n<ul><li><a href="#ma-ho-so">Mẫu mã hồ sơ</a></li></ul>');
    const table = b.slice(b.indexOf('<tbody>'), b.indexOf('</tbody>'));
    expect(table).toContain('<td>{agency}-{yymmdd}-{seq4}</td><td>Giá trị đã lưu không hợp lệ, đang dùng mặc định</td>');
    expect(table.match(/<td>Mặc định<\/td>/g)).toHaveLength(5);
    const section = b.slice(b.indexOf('<section id="ma-ho-so"'), b.indexOf('</section>', b.indexOf('<section id="ma-ho-so"')));
    expect(section).toContain('<span class="tag bad">Giá trị đã lưu không hợp lệ, đang dùng mặc định</span>');
    expect(section).toContain(`<strong>${INVALID}</strong>`);
    expect(section).toContain('<dt>Giá trị đã lưu</dt><dd><code>HS-{yymmdd}-{seq4}</code></dd>');
    expect(section).toContain('<li>cần có {agency} và {yymmdd}: số thứ tự bắt đầu lại mỗi ngày ở mỗi cơ quan</li>');
    // The form holds the value in force; the code example follows it.
    expect(valueOf(section, 'ma-ho-so-pattern')).toBe('{agency}-{yymmdd}-{seq4}');
    expect(section).toContain(`<code>000.00.01.H37-${todayYymmdd()}-0001</code>`);
    const en = await get(PAGE, `${cookies['admin.lan']}; lang=en`);
    expect(en.body).toContain('<strong>The stored value is not valid: the default value is in force.</strong>');

    // Saving a valid pattern on the page replaces the stored value: nothing is set aside any more.
    const res = await post('ma-ho-so', { pattern: 'HS-{agency}-{yymmdd}-{seq4}' });
    expect(res.status).toBe(303);
    const after = (await states()).dossier_code_pattern;
    expect(after).toMatchObject({ value: 'HS-{agency}-{yymmdd}-{seq4}', isDefault: false, invalidStored: null });
    const fixed = await get(PAGE, cookies['admin.lan']);
    expect(fixed.body).not.toContain(INVALID);
    expect(fixed.body).not.toContain('tag bad');
    expect(warnings).toHaveLength(1);
  });

  it('words the reasons with their place in the value; restoring the default or saving through the API clears it too', async () => {
    await store('office_hours', '{"periods":[{"start":"07.30","end":"11:30"}]}');
    await store('upload_max_bytes', '"10MB"');
    const s = await states();
    expect(s.office_hours.invalidStored?.errors.map((e) => e.path)).toEqual(['value.periods.0.start']);
    expect(s.office_hours.invalidStored?.value).toEqual({ periods: [{ start: '07.30', end: '11:30' }] });
    expect(s.upload_max_bytes.invalidStored?.value).toBe('10MB');
    expect(s.upload_max_bytes.value).toBe(10 * 1024 * 1024);
    const page = await get(PAGE, cookies['admin.lan']);
    expect(page.body).toContain('<li><a href="#gio-lam-viec">Giờ làm việc</a></li><li><a href="#tep-tai-len">Dung lượng tối đa của tệp tải lên</a></li>');
    // As jsonb keeps it (its own key order), escaped.
    expect(page.body).toContain('<code>{&quot;periods&quot;:[{&quot;end&quot;:&quot;11:30&quot;,&quot;start&quot;:&quot;07.30&quot;}]}</code>');
    expect(page.body).toContain('<li>periods.0.start: giờ dạng HH:MM, ví dụ 07:30</li>');
    expect(page.body).toContain('<li>sai kiểu dữ liệu</li>');

    // "Restore the default" on the page stores the default; PUT through the API stores a value.
    expect((await post('gio-lam-viec', { op: 'default' })).status).toBe(303);
    const put = await t.request({ method: 'PUT', url: '/api/v1/settings/upload_max_bytes', as: 'admin.lan', payload: { value: 10 * 1024 * 1024 } });
    expect(put.status).toBe(200);
    const now = await states();
    expect(Object.values(now).filter((x) => x.invalidStored)).toEqual([]);
    expect((await get(PAGE, cookies['admin.lan'])).body).not.toContain('notice warn');
  });

  it('a member the schema does not know: a stored value holding one is set aside naming it; PUT refuses one and writes nothing', async () => {
    // Written by hand (the API never stored one: the schemas dropped unknown members before they became strict).
    const stored = { periods: [{ start: '07:30', end: '11:30', lunch: true }] };
    await store('office_hours', JSON.stringify(stored));
    const s = (await states()).office_hours;
    expect(s).toMatchObject({ value: SETTING_DEFAULTS.office_hours, isDefault: true });
    expect(s.invalidStored).toEqual({ message: INVALID, value: stored, errors: [{ path: 'value.periods.0', message: 'có trường không được phép: lunch' }] });
    expect((await get(PAGE, cookies['admin.lan'])).body).toContain('<li>periods.0: có trường không được phép: lunch</li>');
    expect((await get(PAGE, `${cookies['admin.lan']}; lang=en`)).body).toContain('<li>periods.0: has fields that are not allowed: lunch</li>');

    const audits = await auditCount();
    const put = (key: SettingKey, value: unknown, remoteAddress?: string) =>
      t.request({ method: 'PUT', url: `/api/v1/settings/${key}`, as: 'admin.lan', payload: { value }, ...(remoteAddress ? { remoteAddress } : {}) });
    const refused = [
      [await put('office_hours', { periods: [{ start: '08:00', end: '16:00', lunch: true }] }), 'value.periods.0', 'lunch'],
      [await put('office_hours', { periods: [{ start: '08:00', end: '16:00' }], timezone: '+07:00' }), 'value', 'timezone'],
      [await put('dossier_extension', { ...SETTING_DEFAULTS.dossier_extension, maxExtension: 1 }), 'value', 'maxExtension'],
    ] as const;
    for (const [r, path, key] of refused) {
      expect([r.status, r.json.code], key).toEqual([422, 'SETTING_INVALID']);
      expect(r.json.errors, key).toEqual([{ path, message: `có trường không được phép: ${key}` }]);
    }
    expect(await auditCount()).toBe(audits);
    expect((await states()).office_hours.invalidStored?.value).toEqual(stored);

    // Saving a valid value replaces it, audited with the address it came from.
    expect((await put('office_hours', SETTING_DEFAULTS.office_hours, '198.51.100.31')).status).toBe(200);
    expect((await states()).office_hours.invalidStored).toBeNull();
    const [audit] = await queryRows<{ target_id: string; ip: string | null }>(
      t.database.db,
      sql`SELECT target_id, ip FROM audit_log WHERE action = 'settings.update' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit).toEqual({ target_id: 'office_hours', ip: '198.51.100.31' });
  });

  it('the states API is for administrators only', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/settings/states' })).status).toBe(401);
    const r = await t.request({ method: 'GET', url: '/api/v1/settings/states', as: 'leader.hoa' });
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toContain('application/problem+json');
  });
});
