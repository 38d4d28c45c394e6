import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { DEMO_PASSWORD } from '../src/db/demo/seed.ts';
import { cookieNamed, cookiePair, csrfOf, webClient } from './web-client.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ dossiers: 30 });
});
afterAll(async () => {
  await t?.close();
});

const { get, postForm, signIn: signInAs } = webClient(() => t);

function expectHtml(r: { headers: Record<string, unknown>; body: string }) {
  expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(r.headers['content-security-policy']).toBe(
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  );
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['referrer-policy']).toBe('same-origin');
  expect(r.body.startsWith('<!doctype html>')).toBe(true);
  expect(r.body).not.toMatch(/<script(?![^>]*\ssrc=)/i);
  expect(Buffer.byteLength(r.body)).toBeLessThan(50_000);
}

const signIn = (username: string) => signInAs(username, '/thu-tuc');

describe('web portal: public pages', () => {
  it('renders the home page in Vietnamese with search, popular procedures, fields and lookup', async () => {
    const r = await get('/');
    expect(r.status).toBe(200);
    expectHtml(r);
    expect(r.body).toContain('<html lang="vi">');
    expect(r.body).toContain('Tỉnh Số — Cổng dịch vụ công tỉnh Ninh Bình');
    expect(r.body).toContain('Bỏ qua, đến nội dung chính');
    expect(r.body).toContain('action="/thu-tuc"');
    expect(r.body).toContain('Thủ tục được dùng nhiều nhất');
    expect(r.body).toContain('Đăng ký khai sinh');
    expect(r.body).toContain('href="/thu-tuc?linh-vuc=ho_tich"');
    expect(r.body).toContain('action="/tra-cuu"');
    expect(r.body).toContain('href="/dang-nhap"');
    expect((await get('/thu-tuc?q=a')).body).toContain('href="/dang-nhap?next=%2Fthu-tuc%3Fq%3Da"');
    // Most used first: birth registration (popularity 120) comes before marriage (35).
    expect(r.body.indexOf('Đăng ký khai sinh')).toBeLessThan(r.body.indexOf('Đăng ký kết hôn'));
  });

  it('serves one stylesheet with a long cache', async () => {
    const home = await get('/');
    const href = /href="(\/assets\/site\.css\?v=[0-9a-f]+)"/.exec(home.body)?.[1];
    expect(href).toBeTruthy();
    const css = await get(href!);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.body).toContain(':focus');
    expect(Buffer.byteLength(css.body) + Buffer.byteLength(home.body)).toBeLessThan(50_000);
  });

  it('searches without diacritics, filters and pages', async () => {
    const r = await get('/thu-tuc?q=khai%20sinh');
    expect(r.status).toBe(200);
    expectHtml(r);
    expect(r.body).toContain('Kết quả cho “khai sinh”');
    expect(r.body).toContain('href="/thu-tuc/1.001193"');

    const all = await get('/thu-tuc');
    expect(all.body).toContain('Tìm thấy 34 thủ tục');
    expect(all.body).toContain('Trang 1/2');
    expect(all.body).toContain('href="/thu-tuc?trang=2"');
    const page2 = await get('/thu-tuc?trang=2');
    expect(page2.body).toContain('Trang 2/2');
    expect(page2.body).toContain('rel="prev" href="/thu-tuc"');

    const field = await get('/thu-tuc?linh-vuc=ho_tich&muc-do=full');
    expect(field.status).toBe(200);
    expect(field.body).toMatch(/Tìm thấy \d+ thủ tục/);
    expect(field.body).toContain('<option value="ho_tich" selected>');
    expect(field.body).not.toContain('Mức độ: Một phần');
    expect(field.body).not.toContain('class="tag partial"');

    const bad = await get('/thu-tuc?muc-do=nonsense&trang=-4');
    expect(bad.status).toBe(200);
    expect(bad.body).toContain('Trang 1/2');
    const past = await get('/thu-tuc?trang=99');
    expect(past.body).toContain('Trang 2/2');
    expect(past.body).toContain('<ul class="results"><li>');
  });

  it('escapes a hostile search query and says clearly that nothing was found', async () => {
    const r = await get(`/thu-tuc?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(r.status).toBe(200);
    expectHtml(r);
    expect(r.body).not.toContain('<script>alert(1)</script>');
    expect(r.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(r.body).toContain('Không tìm thấy thủ tục nào phù hợp.');
    const attr = await get(`/thu-tuc?q=${encodeURIComponent('"><img src=x onerror=alert(1)>')}`);
    expect(attr.body).not.toContain('<img src=x');
  });

  it('shows everything a procedure must publish, with fees in đồng and a start button', async () => {
    const r = await get('/thu-tuc/1.001193');
    expect(r.status).toBe(200);
    expectHtml(r);
    expect(r.body).toContain('<h1>Đăng ký khai sinh</h1>');
    expect(r.body).toContain('1 ngày làm việc');
    expect(r.body).toContain('Thành phần hồ sơ');
    expect(r.body).toContain('Giấy chứng sinh');
    expect(r.body).toContain('Bản chính hoặc bản sao');
    expect(r.body).toContain('1 bản');
    expect(r.body).toContain('Không thu phí, lệ phí.');
    expect(r.body).toContain('Căn cứ pháp lý');
    expect(r.body).toContain('Toàn trình');
    expect(r.body).toContain('Ai được thực hiện');
    expect(r.body).toContain('Nơi, cách nhận kết quả');
    expect(r.body).toContain('href="/ho-so/moi?thu-tuc=1.001193"');
    expect(r.body).toContain('Nộp hồ sơ trực tuyến');

    const fee = await get('/thu-tuc/1.010727');
    expect(fee.status).toBe(200);
    expect(fee.body).toContain('15.000.000\u00a0₫');
  });

  it('answers an unknown procedure with a readable 404 page', async () => {
    for (const url of ['/thu-tuc/9.999999', '/thu-tuc/%3Cb%3E']) {
      const r = await get(url);
      expect(r.status).toBe(404);
      expectHtml(r);
      expect(r.body).toContain('Không tìm thấy trang');
      expect(r.body).toContain('Về trang chủ');
    }
  });

  it('looks up a dossier by code without anything personal', async () => {
    const [row] = await queryRows<{ code: string; applicant: unknown }>(
      t.database.db,
      sql`SELECT code, applicant FROM dossiers WHERE code IS NOT NULL AND due_at IS NOT NULL ORDER BY code LIMIT 1`,
    );
    expect(row).toBeTruthy();
    const r = await get(`/tra-cuu?ma=${encodeURIComponent(row!.code)}`);
    expect(r.status).toBe(200);
    expectHtml(r);
    expect(r.body).toContain(`Hồ sơ ${row!.code}`);
    expect(r.body).toMatch(/Ngày hẹn trả kết quả<\/dt><dd>\d{2}:\d{2} \d{2}\/\d{2}\/\d{4}</);
    const applicant = JSON.stringify(row!.applicant);
    for (const m of applicant.match(/\d{12}/g) ?? []) expect(r.body).not.toContain(m);
    const lower = await get(`/tra-cuu?ma=${encodeURIComponent(row!.code.toLowerCase())}`);
    expect(lower.status).toBe(200);
  });

  it('explains an unknown or invalid dossier code', async () => {
    const unknown = await get('/tra-cuu?ma=000.00.12.H37-261126-9999');
    expect(unknown.status).toBe(404);
    expectHtml(unknown);
    expect(unknown.body).toContain('Không tìm thấy hồ sơ có mã 000.00.12.H37-261126-9999');
    expect(unknown.body).toContain('class="error-summary"');
    const invalid = await get(`/tra-cuu?ma=${encodeURIComponent('<b>x</b>')}`);
    expect(invalid.status).toBe(400);
    expect(invalid.body).toContain('Mã hồ sơ không hợp lệ');
    expect(invalid.body).not.toContain('<b>x</b>');
    const empty = await get('/tra-cuu');
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('<h1>Tra cứu hồ sơ</h1>');
  });

  it('switches to English with a cookie and only redirects to local paths', async () => {
    const sw = await get('/lang?to=en&back=%2Fthu-tuc%3Fq%3Dkhai');
    expect(sw.status).toBe(303);
    expect(sw.headers.location).toBe('/thu-tuc?q=khai');
    const lang = cookieNamed(sw.headers, 'lang');
    expect(lang).toMatch(/^lang=en; Path=\/; SameSite=Lax; Max-Age=\d+; HttpOnly$/);

    const r = await get('/', cookiePair(lang));
    expect(r.status).toBe(200);
    expect(r.body).toContain('<html lang="en">');
    expect(r.body).toContain('Most used procedures');
    expect(r.body).toContain('Tiếng Việt');
    const proc = await get('/thu-tuc/1.001193', cookiePair(lang));
    expect(proc.body).toContain('1 working day');
    expect(proc.body).toContain('Apply online');
    expect(proc.body).toContain('<h1><span lang="vi">Đăng ký khai sinh</span></h1>');

    for (const back of ['//evil.example/x', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)']) {
      const evil = await get(`/lang?to=en&back=${encodeURIComponent(back)}`);
      expect(evil.status).toBe(303);
      expect(evil.headers.location).toBe('/');
    }
    const ignored = await get('/lang?to=fr&back=/');
    expect(cookieNamed(ignored.headers, 'lang')).toBeUndefined();
  });
});

describe('web portal: sign-in, sign-out and CSRF', () => {
  it('signs in with a session cookie and shows the user in the header', async () => {
    const page = await get('/dang-nhap?next=%2Fthu-tuc');
    expect(page.status).toBe(200);
    expectHtml(page);
    expect(page.body).toContain('<label for="username">Tên đăng nhập</label>');
    expect(page.body).toContain('<label for="password">Mật khẩu</label>');
    expect(cookieNamed(page.headers, 'tinhso_csrf')).toMatch(/HttpOnly/);

    const { res, cookie } = await signIn('citizen.an');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/thu-tuc');
    const set = cookieNamed(res.headers, 'tinhso_session')!;
    expect(set).toMatch(/^tinhso_session=[A-Za-z0-9_-]{20,}; Path=\/; SameSite=Lax; Max-Age=43200; HttpOnly$/);
    expect(set).not.toContain('Secure'); // not production

    const home = await get('/', cookie);
    expect(home.body).toContain('Đang đăng nhập: Nguyễn Văn An');
    expect(home.body).toContain('Đăng xuất');
    expect(home.headers['cache-control']).toBe('no-store');
  });

  it('shows an error summary linking to the fields when sign-in fails', async () => {
    const page = await get('/dang-nhap');
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const wrong = await postForm('/dang-nhap', { csrf: csrfOf(page.body), username: 'citizen.an', password: 'wrong-password', next: '/' }, pre);
    expect(wrong.status).toBe(422);
    expectHtml(wrong);
    expect(wrong.body).toContain('class="error-summary"');
    expect(wrong.body).toContain('<a href="#username">Tên đăng nhập hoặc mật khẩu không đúng</a>');
    expect(wrong.body).toContain('value="citizen.an"');
    expect(wrong.body).not.toContain('wrong-password');
    expect(cookieNamed(wrong.headers, 'tinhso_session')).toBeUndefined();

    const empty = await postForm('/dang-nhap', { csrf: csrfOf(page.body), username: '', password: '' }, pre);
    expect(empty.status).toBe(422);
    expect(empty.body).toContain('<a href="#username">Nhập tên đăng nhập</a>');
    expect(empty.body).toContain('<a href="#password">Nhập mật khẩu</a>');
  });

  it('refuses a POST without a valid CSRF token', async () => {
    const page = await get('/dang-nhap');
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const none = await postForm('/dang-nhap', { username: 'citizen.an', password: DEMO_PASSWORD }, pre);
    expect(none.status).toBe(403);
    expectHtml(none);
    expect(none.body).toContain('Biểu mẫu đã hết hạn');
    const noCookie = await postForm('/dang-nhap', { csrf: csrfOf(page.body), username: 'citizen.an', password: DEMO_PASSWORD });
    expect(noCookie.status).toBe(403);
    const other = await postForm('/dang-nhap', { csrf: 'x'.repeat(43), username: 'citizen.an', password: DEMO_PASSWORD }, pre);
    expect(other.status).toBe(403);

    // Signed in: the token is bound to the session, so a forged sign-out is refused.
    const { cookie } = await signIn('citizen.binh');
    const forged = await postForm('/dang-xuat', { csrf: csrfOf(page.body) }, cookie);
    expect(forged.status).toBe(403);
    expect((await get('/', cookie)).body).toContain('Trần Thị Bình');
  });

  it('signs out: revokes the session and clears the cookie', async () => {
    const { cookie } = await signIn('citizen.an');
    const home = await get('/', cookie);
    const out = await postForm('/dang-xuat', { csrf: csrfOf(home.body) }, cookie);
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/');
    expect(cookieNamed(out.headers, 'tinhso_session')).toMatch(/^tinhso_session=; Path=\/; SameSite=Lax; Max-Age=0; HttpOnly$/);
    const after = await get('/', cookie);
    expect(after.body).not.toContain('Nguyễn Văn An');
    expect(after.body).toContain('Đăng nhập');
    expect(cookieNamed(after.headers, 'tinhso_session')).toContain('Max-Age=0');
  });

  it('forgets an unknown session cookie and still issues a pre-session CSRF cookie', async () => {
    const r = await get('/dang-nhap', 'tinhso_session=not-a-real-session-token-at-all');
    expect(r.status).toBe(200);
    expect(cookieNamed(r.headers, 'tinhso_session')).toContain('Max-Age=0');
    expect(cookieNamed(r.headers, 'tinhso_csrf')).toBeTruthy();
    expect(r.body).not.toContain('Đăng xuất');
  });

  it('never redirects off-site after sign-in', async () => {
    const page = await get('/dang-nhap');
    const pre = cookiePair(cookieNamed(page.headers, 'tinhso_csrf'));
    const res = await postForm('/dang-nhap', { csrf: csrfOf(page.body), username: 'citizen.an', password: DEMO_PASSWORD, next: '//evil.example' }, pre);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/');
  });
});

describe('web portal: errors', () => {
  // Last in the file: it uses up this address's sign-in allowance.
  it('answers a rate-limited form with a readable 429 page', async () => {
    let last = { status: 0, body: '', headers: {} as Record<string, unknown> };
    for (let i = 0; i < 40 && last.status !== 429; i++) last = await postForm('/dang-nhap', { username: 'x', password: 'y' });
    expect(last.status).toBe(429);
    expectHtml(last);
    expect(last.body).toContain('Bạn gửi quá nhiều yêu cầu');
  });
});

describe('unknown addresses', () => {
  it('shows browsers a readable 404 page and keeps problem+json for API clients', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/khong-co-trang-nay', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<html lang="vi"');
    const api = await t.app.inject({ method: 'GET', url: '/api/v1/khong-co', headers: { accept: 'text/html' } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/^application\/problem\+json/);
    const plain = await t.app.inject({ method: 'GET', url: '/khong-co-trang-nay' });
    expect(plain.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
