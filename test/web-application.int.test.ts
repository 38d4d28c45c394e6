import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { putSetting } from '../src/platform/settings.ts';
import { createTestApp, SAMPLE_PDF, type TestApp } from './harness.ts';
import { csrfOf, webClient, type WebRes } from './web-client.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const PROC = '1.001776';
type Res = WebRes;
const { get, postForm, upload, signIn: signInAs } = webClient(() => t);

const versionOf = (body: string) => /name="version" value="(\d+)"/.exec(body)?.[1] ?? '';
const nonceOf = (body: string) => /name="nonce" value="([^"]+)"/.exec(body)?.[1] ?? '';

function expectHtml(r: Res) {
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(r.body.startsWith('<!doctype html>')).toBe(true);
  expect(r.body).not.toMatch(/<script(?![^>]*\ssrc=)/i);
}

async function signIn(username: string) {
  const { res, cookie } = await signInAs(username);
  expect(res.status).toBe(303);
  return cookie;
}

const ANSWERS = {
  'f-ho_ten_doi_tuong': '<script>alert(1)</script>',
  'f-so_dinh_danh': '036090001234',
  'f-ngay_sinh': '1950-03-04',
  'f-nhom_doi_tuong': 'nguoi_cao_tuoi',
  'f-noi_cu_tru': '13669',
  'f-so_tai_khoan': '',
  'f-so_dien_thoai': '',
};
const APPLICANT = { 'a-fullName': 'Nguyễn Văn An', 'a-idNumber': '036090001234', 'a-phone': '', 'a-email': '' };

async function submittedCount(): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(t.database.db, sql`SELECT count(*) AS n FROM dossier_history WHERE action = 'submit'`);
  return Number(row?.n ?? 0);
}

describe('web portal: applying online', () => {
  let cookie = '';
  let other = '';
  let id = '';
  let code = '';

  beforeAll(async () => {
    cookie = await signIn('citizen.an');
    other = await signIn('citizen.binh');
  });

  it('asks to sign in first', async () => {
    const start = await get(`/ho-so/moi?thu-tuc=${PROC}`);
    expect(start.status).toBe(303);
    expect(start.headers.location).toBe(`/dang-nhap?next=${encodeURIComponent(`/ho-so/moi?thu-tuc=${PROC}`)}`);
    const mine = await get('/ho-so');
    expect(mine.status).toBe(303);
    expect(mine.headers.location).toBe('/dang-nhap?next=%2Fho-so');
  });

  it('starts a draft with the applicant prefilled from the account', async () => {
    const page = await get(`/ho-so/moi?thu-tuc=${PROC}`, cookie);
    expect(page.status).toBe(200);
    expectHtml(page);
    expect(page.body).toContain('value="Nguyễn Văn An"');
    expect(page.body).toContain('<label for="a-idNumber">');
    expect(page.body).toContain('Công dân');
    const csrf = csrfOf(page.body);
    const nonce = nonceOf(page.body);

    const missing = await postForm('/ho-so/moi', { csrf, nonce, 'thu-tuc': PROC, ...APPLICANT, 'a-idNumber': '' }, cookie);
    expect(missing.status).toBe(422);
    expect(missing.body).toContain('class="error-summary"');
    expect(missing.body).toContain('href="#a-idNumber"');
    // A phone that is neither a mobile nor a landline: said next to the box, in words.
    const badPhone = await postForm('/ho-so/moi', { csrf, nonce, 'thu-tuc': PROC, ...APPLICANT, 'a-phone': '0229 387 123' }, cookie);
    expect(badPhone.status).toBe(422);
    expect(badPhone.body).toContain(
      '<a href="#a-phone">Số điện thoại: số điện thoại không hợp lệ (di động 10 chữ số hoặc cố định 11 chữ số bắt đầu bằng 02)</a>',
    );

    const ok = await postForm('/ho-so/moi', { csrf, nonce, 'thu-tuc': PROC, ...APPLICANT }, cookie);
    expect(ok.status).toBe(303);
    const m = /^\/ho-so\/([0-9a-f-]{36})$/.exec(String(ok.headers.location));
    expect(m).toBeTruthy();
    id = m![1]!;
    // A double click on "Bắt đầu" sends the same form: the same draft.
    const again = await postForm('/ho-so/moi', { csrf, nonce, 'thu-tuc': PROC, ...APPLICANT }, cookie);
    expect(again.headers.location).toBe(`/ho-so/${id}`);
  });

  it('shows the form generated from the procedure, with upload forms', async () => {
    const r = await get(`/ho-so/${id}`, cookie);
    expect(r.status).toBe(200);
    expectHtml(r);
    expect(r.body).toContain('<label for="f-ho_ten_doi_tuong">Họ tên đối tượng');
    expect(r.body).toContain('type="date" id="f-ngay_sinh"');
    expect(r.body).toContain('<select id="f-nhom_doi_tuong"');
    expect(r.body).toContain('type="checkbox" id="f-cam_ket"');
    expect(r.body).toContain('type="tel" id="f-so_dien_thoai"');
    expect(r.body).toContain('id="f-so_dinh_danh-hint">12 chữ số');
    expect(r.body).toContain('(bắt buộc)');
    expect(r.body).toContain('value="save" class="secondary">Lưu nháp');
    expect(r.body).toContain('value="continue">Tiếp tục');
    expect(r.body).toContain('enctype="multipart/form-data"');
    expect(r.body).toContain('accept=".pdf,.jpg,.jpeg,.png');
    expect(r.body).toContain('Chỉ nhận tệp PDF, JPG hoặc PNG, mỗi tệp tối đa 10 MB.');
    expect(r.body).toContain('Tờ khai đề nghị trợ giúp xã hội (theo mẫu)');
  });

  it('saves a draft, escapes the answers and keeps them when coming back', async () => {
    const page = await get(`/ho-so/${id}`, cookie);
    const saved = await postForm(
      `/ho-so/${id}`,
      {
        csrf: csrfOf(page.body),
        version: versionOf(page.body),
        action: 'save',
        ...APPLICANT,
        'f-ho_ten_doi_tuong': ANSWERS['f-ho_ten_doi_tuong'],
        'f-ngay_sinh': '1950-03-04',
      },
      cookie,
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/ho-so/${id}?da-luu=1`);
    const back = await get(`/ho-so/${id}?da-luu=1`, cookie);
    expectHtml(back);
    expect(back.body).toContain('Đã lưu bản nháp.');
    expect(back.body).not.toContain('<script>alert(1)</script>');
    expect(back.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(back.body).toContain('id="f-ngay_sinh" name="f-ngay_sinh" value="1950-03-04"');
  });

  it('shows an error summary linking to each missing field, keeping what was typed', async () => {
    const page = await get(`/ho-so/${id}`, cookie);
    const r = await postForm(
      `/ho-so/${id}`,
      {
        csrf: csrfOf(page.body),
        version: versionOf(page.body),
        action: 'continue',
        ...APPLICANT,
        'f-ho_ten_doi_tuong': 'Nguyễn Văn Ba',
        'f-so_dinh_danh': '12ab',
      },
      cookie,
    );
    expect(r.status).toBe(422);
    expectHtml(r);
    expect(r.body).toContain('class="error-summary"');
    expect(r.body).toContain('href="#f-so_dinh_danh"');
    expect(r.body).toContain('href="#f-nhom_doi_tuong"');
    expect(r.body).toContain('href="#f-cam_ket"');
    expect(r.body).toContain('value="12ab"');
    expect(r.body).toContain('value="Nguyễn Văn Ba"');
    expect(r.body).toContain('id="f-so_dinh_danh-error"');
    expect(r.body).toContain('aria-invalid="true"');
  });

  it('uploads a PDF, rejects another kind of file readably, and refuses a stale form', async () => {
    const page = await get(`/ho-so/${id}`, cookie);
    const csrf = csrfOf(page.body);
    const oldVersion = versionOf(page.body);
    const bad = await upload(
      `/ho-so/${id}/tep`,
      { csrf, component: 'to_khai' },
      { name: 'notes.txt', type: 'text/plain', data: Buffer.from('hello, not a pdf') },
      cookie,
    );
    expect(bad.status).toBe(415);
    expectHtml(bad);
    expect(bad.body).toContain('<a href="#c-to_khai">Tệp phải là PDF, JPG hoặc PNG</a>');

    const ok = await upload(`/ho-so/${id}/tep`, { csrf, component: 'to_khai' }, { name: 'to-khai.pdf', type: 'application/pdf', data: SAMPLE_PDF }, cookie);
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe(`/ho-so/${id}#c-to_khai`);
    const after = await get(`/ho-so/${id}`, cookie);
    expect(after.body).toContain('to-khai.pdf');
    expect(after.body).toContain(`action="/ho-so/${id}/tep/`);

    const stale = await postForm(`/ho-so/${id}`, { csrf, version: oldVersion, action: 'save', ...APPLICANT, ...ANSWERS }, cookie);
    expect(stale.status).toBe(412);
    expect(stale.body).toContain('Hồ sơ vừa được thay đổi ở nơi khác');
  });

  it('checks the answers, submits once and shows the code', async () => {
    const page = await get(`/ho-so/${id}`, cookie);
    const cont = await postForm(
      `/ho-so/${id}`,
      { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'continue', ...APPLICANT, ...ANSWERS, 'f-cam_ket': 'true' },
      cookie,
    );
    expect(cont.status).toBe(303);
    expect(cont.headers.location).toBe(`/ho-so/${id}/kiem-tra`);

    const check = await get(`/ho-so/${id}/kiem-tra`, cookie);
    expect(check.status).toBe(200);
    expectHtml(check);
    expect(check.body).toContain('Kiểm tra thông tin trước khi nộp');
    expect(check.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(check.body).toContain('Người cao tuổi');
    expect(check.body).toContain('to-khai.pdf');
    expect(check.body).toContain(`href="/ho-so/${id}#f-ho_ten_doi_tuong"`);
    expect(check.body).toContain(`href="/ho-so/${id}#c-to_khai"`);
    expect(check.body).toContain('<span aria-hidden="true">Sửa</span><span class="visually-hidden">Sửa: Họ và tên</span></a>');

    const before = await submittedCount();
    const form = { csrf: csrfOf(check.body), version: versionOf(check.body) };
    const submit = await postForm(`/ho-so/${id}/nop`, form, cookie);
    expect(submit.status).toBe(303);
    expect(submit.headers.location).toBe(`/ho-so/${id}`);
    const done = await get(`/ho-so/${id}`, cookie);
    expect(done.status).toBe(200);
    expectHtml(done);
    expect(done.body).toContain('Đã nộp hồ sơ');
    expect(done.body).toContain('Mới đăng ký');
    expect(done.body).toContain('Điều gì xảy ra tiếp theo');
    code = /<strong class="code">([^<]+)<\/strong>/.exec(done.body)?.[1] ?? '';
    expect(code).toMatch(/^[0-9A-Z.]+-\d{6}-\d{4}$/);
    expect(await submittedCount()).toBe(before + 1);

    // A double click sends the same form again: nothing new.
    const twice = await postForm(`/ho-so/${id}/nop`, form, cookie);
    expect(twice.status).toBe(303);
    expect(twice.headers.location).toBe(`/ho-so/${id}`);
    expect(await submittedCount()).toBe(before + 1);
    expect((await get(`/ho-so/${id}`, cookie)).body).toContain(code);
    // The check page of a submitted dossier goes to its status.
    expect((await get(`/ho-so/${id}/kiem-tra`, cookie)).status).toBe(303);
  });

  it('lists the dossier under "Hồ sơ của tôi"', async () => {
    const r = await get('/ho-so', cookie);
    expect(r.status).toBe(200);
    expectHtml(r);
    expect(r.body).toContain('<h1>Hồ sơ của tôi</h1>');
    expect(r.body).toContain(`<a href="/ho-so/${id}">${code}</a>`);
    expect(r.body).toContain('Mới đăng ký');
    expect(r.body).toContain('href="/ho-so">Hồ sơ của tôi</a>');
  });

  it('answers another citizen with the 404 page', async () => {
    for (const url of [`/ho-so/${id}`, `/ho-so/${id}/kiem-tra`, '/ho-so/not-an-id']) {
      const r = await get(url, other);
      expect(r.status).toBe(404);
      expectHtml(r);
      expect(r.body).toContain('Không tìm thấy trang');
    }
    const home = await get('/', other);
    const post = await postForm(`/ho-so/${id}`, { csrf: csrfOf(home.body), action: 'save' }, other);
    expect(post.status).toBe(404);
    expect((await get('/ho-so', other)).body).not.toContain(id);
  });

  it('sends an incomplete submission back to the form, and explains a file that is too large', async () => {
    const start = await get(`/ho-so/moi?thu-tuc=${PROC}`, cookie);
    const created = await postForm('/ho-so/moi', { csrf: csrfOf(start.body), nonce: nonceOf(start.body), 'thu-tuc': PROC, ...APPLICANT }, cookie);
    const draft = String(created.headers.location);
    expect(draft).not.toBe(`/ho-so/${id}`);
    const check = await get(`${draft}/kiem-tra`, cookie);
    expect(check.status).toBe(200);
    const r = await postForm(`${draft}/nop`, { csrf: csrfOf(check.body), version: versionOf(check.body) }, cookie);
    expect(r.status).toBe(422);
    expectHtml(r);
    expect(r.body).toContain('class="error-summary"');
    expect(r.body).toContain('href="#f-ho_ten_doi_tuong"');
    expect(r.body).toContain('<a href="#c-to_khai">Chưa đính kèm: Tờ khai đề nghị trợ giúp xã hội (theo mẫu)</a>');

    await putSetting(t.database.db, 'upload_max_bytes', 1024, null, new Date());
    try {
      const big = Buffer.concat([SAMPLE_PDF, Buffer.alloc(4096, 0x20)]);
      const up = await upload(
        `${draft}/tep`,
        { csrf: csrfOf(check.body), component: 'to_khai' },
        { name: 'big.pdf', type: 'application/pdf', data: big },
        cookie,
      );
      expect(up.status).toBe(413);
      expectHtml(up);
      expect(up.body).toContain('<a href="#c-to_khai">Tệp phải nhỏ hơn 1 KB</a>');
      expect(up.body).toContain('mỗi tệp tối đa 1 KB.');
    } finally {
      await putSetting(t.database.db, 'upload_max_bytes', 10 * 1024 * 1024, null, new Date());
    }
  });

  it('renders the flow in English', async () => {
    const en = `${cookie}; lang=en`;
    const r = await get(`/ho-so/${id}`, en);
    expect(r.body).toContain('Application submitted');
    expect(r.body).toContain('What happens next');
    expect((await get('/ho-so', en)).body).toContain('<h1>My applications</h1>');
  });

  it('refuses a POST without the CSRF token', async () => {
    const start = await postForm('/ho-so/moi', { 'thu-tuc': PROC, ...APPLICANT }, cookie);
    expect(start.status).toBe(403);
    expectHtml(start);
    expect(start.body).toContain('Biểu mẫu đã hết hạn');
    expect((await postForm(`/ho-so/${id}`, { action: 'save' }, cookie)).status).toBe(403);
    expect((await postForm(`/ho-so/${id}/nop`, {}, cookie)).status).toBe(403);
    const up = await upload(`/ho-so/${id}/tep`, { component: 'to_khai' }, { name: 'a.pdf', type: 'application/pdf', data: SAMPLE_PDF }, cookie);
    expect(up.status).toBe(403);
  });
});
