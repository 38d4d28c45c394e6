import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { dueBadge } from '../src/web/staff-pages.ts';
import { createTestApp, requiredAnswers, submittedDossier, type TestApp } from './harness.ts';
import { csrfOf, unescapeHtml, webClient, type WebRes } from './web-client.ts';

/**
 * The citizen-facing pages as QA found them in a browser: the procedure page offers "Nộp hồ sơ
 * trực tuyến" only to whom the dossier service would accept (and says why not otherwise), the
 * start page is filled from the account, answers read as people write them (dates, unit names,
 * documents by name), and the small wording fixes (plurals, CCCD, the counter intake's list).
 */
let t: TestApp;
const { get, postForm } = webClient(() => t);
const cookies: Record<string, string> = {};

const ONLINE_CITIZEN = '1.001776'; // online; citizens only
const PAPER_ONLY = '2.000815'; // in person only; citizens and organisations
const ORGS_ONLY = '1.005013'; // online; organisations only
const CITIZENS_ONLY = '1.001193'; // online; citizens only

/** The "Nộp hồ sơ trực tuyến" buttons (one under the summary, one at the end). */
const startLinks = (body: string, code: string) => body.split(`href="/ho-so/moi?thu-tuc=${code}" draggable="false">Nộp hồ sơ trực tuyến</a>`).length - 1;
const text = (r: WebRes) => unescapeHtml(r.body);

function expectPage(r: WebRes, status: number) {
  expect(r.status, r.body.slice(0, 400)).toBe(status);
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
}

beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['citizen.an', 'business.cuong', 'reception.dung', 'admin.lan', 'security.minh']) cookies[u] = `tinhso_session=${await t.token(u)}`;
});
afterAll(async () => {
  await t?.close();
});

describe('the procedure page offers to apply online only where the service accepts it', () => {
  it('shows the start button twice to a visitor and to a citizen on an online citizen procedure', async () => {
    for (const who of [undefined, cookies['citizen.an']]) {
      const page = await get(`/thu-tuc/${ONLINE_CITIZEN}`, who);
      expectPage(page, 200);
      expect(startLinks(page.body, ONLINE_CITIZEN)).toBe(2);
      expect(page.body).not.toContain('id="khong-nop-truc-tuyen"');
    }
  });

  it('names the receiving places instead on a procedure that takes paper dossiers only, for everyone', async () => {
    const proc = (await t.request({ method: 'GET', url: `/api/v1/procedures/${PAPER_ONLY}` })).json as {
      definition: ProcedureDefinition;
      receivingAgencies: { name: string }[];
    };
    expect(proc.definition.channels).toEqual(['in_person']);
    for (const who of [undefined, cookies['citizen.an'], cookies['business.cuong']]) {
      const page = await get(`/thu-tuc/${PAPER_ONLY}`, who);
      expectPage(page, 200);
      expect(startLinks(page.body, PAPER_ONLY)).toBe(0);
      expect(text(page)).toContain('Thủ tục này chỉ nhận hồ sơ trực tiếp tại Bộ phận Một cửa.');
      const notice = text(page).split('id="khong-nop-truc-tuyen"')[1]!.split('</div>')[0]!;
      expect(proc.receivingAgencies.length).toBeGreaterThan(0);
      for (const a of proc.receivingAgencies) expect(notice).toContain(`<li>${a.name}</li>`);
    }
    // The start page refuses it with the same rule.
    expect((await get(`/ho-so/moi?thu-tuc=${PAPER_ONLY}`, cookies['citizen.an'])).status).toBe(422);
  });

  it('tells a citizen an organisations-only procedure is not theirs, and a business a citizens-only one', async () => {
    const citizen = await get(`/thu-tuc/${ORGS_ONLY}`, cookies['citizen.an']);
    expect(startLinks(citizen.body, ORGS_ONLY)).toBe(0);
    expect(text(citizen)).toContain('Thủ tục dành cho tổ chức, doanh nghiệp: tài khoản công dân không nộp được hồ sơ này.');
    expect((await get(`/ho-so/moi?thu-tuc=${ORGS_ONLY}`, cookies['citizen.an'])).status).toBe(422);
    // The business sees the button there, and the notice on a citizens-only procedure.
    expect(startLinks((await get(`/thu-tuc/${ORGS_ONLY}`, cookies['business.cuong'])).body, ORGS_ONLY)).toBe(2);
    const business = await get(`/thu-tuc/${CITIZENS_ONLY}`, cookies['business.cuong']);
    expect(startLinks(business.body, CITIZENS_ONLY)).toBe(0);
    expect(text(business)).toContain('Thủ tục dành cho công dân: tài khoản tổ chức, doanh nghiệp không nộp được hồ sơ này.');
    expect((await get(`/ho-so/moi?thu-tuc=${CITIZENS_ONLY}`, cookies['business.cuong'])).status).toBe(422);
  });

  it('offers officers no online application; the desk gets its counter intake instead', async () => {
    for (const u of ['reception.dung', 'admin.lan', 'security.minh']) {
      const page = await get(`/thu-tuc/${ONLINE_CITIZEN}`, cookies[u]);
      expectPage(page, 200);
      expect(startLinks(page.body, ONLINE_CITIZEN), u).toBe(0);
      expect(text(page)).toContain('Tài khoản cán bộ không nộp hồ sơ trực tuyến.');
      expect(page.body.includes(`href="/can-bo/tiep-nhan?thu-tuc=${ONLINE_CITIZEN}"`), u).toBe(u === 'reception.dung');
      expect((await get(`/ho-so/moi?thu-tuc=${ONLINE_CITIZEN}`, cookies[u])).status).toBe(403);
    }
  });
});

describe('the start page', () => {
  it('fills the applicant from the citizen’s account (ID number and phone opened from their sealed columns)', async () => {
    const page = await get(`/ho-so/moi?thu-tuc=${ONLINE_CITIZEN}`, cookies['citizen.an']);
    expectPage(page, 200);
    expect(page.body).toMatch(/id="a-fullName" name="a-fullName" value="Nguyễn Văn An"/);
    expect(page.body).toMatch(/id="a-idNumber" name="a-idNumber" value="036090001234"/);
    expect(page.body).toMatch(/id="a-phone" name="a-phone" value="0912345678"/);
    expect(page.body).toMatch(/id="a-email" name="a-email" value="an@example.vn"/);
  });

  it('fills an organisation’s tax code, and the person can still change what was filled', async () => {
    const page = await get(`/ho-so/moi?thu-tuc=${ORGS_ONLY}`, cookies['business.cuong']);
    expectPage(page, 200);
    expect(page.body).toMatch(/id="a-taxCode" name="a-taxCode" value="0601234567"/);
    expect(page.body).toMatch(/id="a-idNumber" name="a-idNumber" value="036085007777"/);
    const a = await get(`/ho-so/moi?thu-tuc=${ONLINE_CITIZEN}`, cookies['citizen.an']);
    const sent = await postForm(
      '/ho-so/moi',
      {
        csrf: csrfOf(a.body),
        'thu-tuc': ONLINE_CITIZEN,
        nonce: 'a'.repeat(24),
        'a-fullName': 'Nguyễn Văn An',
        'a-idNumber': '',
        'a-phone': '0987654321',
        'a-email': '',
      },
      cookies['citizen.an'],
    );
    expectPage(sent, 422);
    // The label keeps its abbreviation in capitals inside the sentence.
    expect(text(sent)).toContain('Chưa nhập số định danh cá nhân (CCCD)');
    expect(sent.body).toMatch(/id="a-phone" name="a-phone" value="0987654321"/);
  });

  it('names the applicant type in the singular in English', async () => {
    const page = await get(`/ho-so/moi?thu-tuc=${ONLINE_CITIZEN}`, `${cookies['citizen.an']}; lang=en`);
    expect(page.body).toContain('Applicant type: <strong>Citizen</strong>');
  });
});

describe('answers as people read them', () => {
  let def: ProcedureDefinition;
  let form: Record<string, string | number | boolean>;
  beforeAll(async () => {
    def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${ONLINE_CITIZEN}` })).json.definition;
    form = { ...requiredAnswers(def.form), ngay_sinh: '1950-03-04', noi_cu_tru: '13669' };
  });

  it('shows dates as dd/mm/yyyy and a unit code with its name on the check page', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: ONLINE_CITIZEN, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form },
    });
    expect(created.status, created.body).toBe(201);
    const page = await get(`/ho-so/${created.json.id}/kiem-tra`, cookies['citizen.an']);
    expectPage(page, 200);
    expect(page.body).toContain('<dd>04/03/1950</dd>');
    expect(page.body).toContain('<dd>Phường Nam Định (13669)</dd>');
    expect(page.body).not.toContain('<dd>1950-03-04</dd>');
    expect(page.body).not.toContain('<dd>13669</dd>');
  });

  it('shows the same on the desk’s dossier page, and each file with its document on the citizen’s page', async () => {
    const sub = await submittedDossier(t, 'citizen.an', {
      procedureCode: ONLINE_CITIZEN,
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
      form,
    });
    const staff = await get(`/can-bo/ho-so/${encodeURIComponent(sub.code)}`, cookies['reception.dung']);
    expectPage(staff, 200);
    expect(staff.body).toContain('<dd>04/03/1950</dd>');
    expect(staff.body).toContain('<dd>Phường Nam Định (13669)</dd>');
    const mine = await get(`/ho-so/${sub.id}`, cookies['citizen.an']);
    expectPage(mine, 200);
    const required = def.components.filter((c) => c.required);
    expect(required.length).toBeGreaterThan(0);
    for (const c of required) expect(mine.body).toContain(`<li>${c.name}: <a href="/ho-so/${sub.id}/tep/`);
  });

  it('leaves an unknown code as it is and a missing answer as not answered', async () => {
    const { answerText } = await import('../src/web/application-pages.ts');
    const p = { locale: 'vi' as const, userName: null, csrf: null, path: '/' };
    const unit = { key: 'xa', label: 'Xã', type: 'unit_code' as const, required: false };
    expect(answerText(p, unit, '99999', new Map([['13669', 'Phường Nam Định']]))).toBe('99999');
    expect(answerText(p, unit, '13669', new Map([['13669', 'Phường Nam Định']]))).toBe('Phường Nam Định (13669)');
    expect(answerText(p, { key: 'd', label: 'Ngày', type: 'date', required: false }, '2026-11-20')).toBe('20/11/2026');
    expect(answerText(p, { key: 'd', label: 'Ngày', type: 'date', required: false }, '')).toBe('Chưa nhập');
  });
});

describe('small wording and the counter intake', () => {
  it('says "1 working day left" in English, "2 working days left" otherwise', () => {
    const en = { locale: 'en' as const, userName: null, csrf: null, path: '/' };
    expect(String(dueBadge(en, { kind: 'ok', days: 1 }))).toContain('1 working day left');
    expect(String(dueBadge(en, { kind: 'soon', days: 1 }))).toContain('1 working day left');
    expect(String(dueBadge(en, { kind: 'ok', days: 2 }))).toContain('2 working days left');
    expect(String(dueBadge(en, { kind: 'ok', days: 1.5 }))).toContain('1.5 working days left');
    expect(String(dueBadge(en, { kind: 'over', days: 1 }))).toContain('Overdue by 1 working day<');
    expect(String(dueBadge({ ...en, locale: 'vi' }, { kind: 'ok', days: 1 }))).toContain('Còn 1 ngày làm việc');
  });

  it('lists the counter’s procedures in Vietnamese order and asks for one when none is chosen', async () => {
    const page = await get('/can-bo/tiep-nhan', cookies['reception.dung']);
    expectPage(page, 200);
    expect(page.body).not.toContain('class="error-message"');
    const names = [
      ...unescapeHtml(page.body.split('id="in-procedure"')[1]!.split('</select>')[0]!).matchAll(/<option value="[^"]+">(.+?) \(\d\.\d{6}\)<\/option>/g),
    ].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(3);
    expect(names).toEqual([...names].sort(new Intl.Collator('vi').compare));
    const none = await get('/can-bo/tiep-nhan?thu-tuc=&doi-tuong=citizen', cookies['reception.dung']);
    expectPage(none, 422);
    expect(none.body).toContain('<p class="error-message" id="in-procedure-error">Chọn một thủ tục</p>');
    expect(none.body).toContain('aria-invalid="true"');
  });
});

describe('the stylesheet at 360 px', () => {
  it('keeps words whole in scrolling tables and the dashboard’s hidden text inside its container', async () => {
    const home = await get('/');
    const href = /href="(\/assets\/site\.css\?v=[^"]+)"/.exec(home.body)?.[1];
    expect(href).toBeTruthy();
    const css = (await get(href!)).body;
    expect(css).toContain('.table-wrap th,.table-wrap td{overflow-wrap:break-word}');
    expect(css).not.toMatch(/word-break:break-all[^}]*\}[^{]*table/);
    expect(css).toMatch(/\.dash-table-wrap\{position:relative;/);
    expect(css).toMatch(
      /\.dash-vh\{position:absolute!important;top:0;left:0;width:1px!important;height:1px!important;[^}]*overflow:hidden!important;[^}]*clip-path:inset\(50%\)/,
    );
  });
});
