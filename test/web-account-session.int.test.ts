import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './harness.ts';
import { cookieNamed, csrfOf, unescapeHtml, webClient } from './web-client.ts';

/**
 * Session 12 QA of the account pages and the public verification page: turning on two-step
 * verification by choice (its own words, the QR code at the top of the page), an ended session
 * sent to sign-in with the reason, the person's own correction text marked `lang="vi"` on the
 * English page, and an empty verification code answered at its field.
 */
let t: TestApp;
const web = webClient(() => t);

beforeAll(async () => {
  t = await createTestApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

describe('turning on two-step verification by choice', () => {
  it('says so in its own words and puts the QR code and the code field at the top, where the page opens', async () => {
    const { cookie } = await web.signIn('specialist.giang');
    const account = await web.get('/tai-khoan', cookie);
    const started = await web.postForm('/tai-khoan/xac-thuc-hai-buoc', { csrf: csrfOf(account.body) }, cookie);
    expect(started.status).toBe(200);
    const body = unescapeHtml(started.body);
    expect(body).toContain('quét mã QR dưới đây, rồi nhập mã 6 số ứng dụng hiển thị để bật xác thực hai bước.');
    expect(body).not.toContain('Tài khoản của bạn cần xác thực hai bước');
    // Above the list of sessions, its heading focused as the page loads; the section below points up to it.
    const top = body.indexOf('id="bat-xac-thuc"');
    expect(top).toBeGreaterThan(-1);
    expect(top).toBeLessThan(body.indexOf('<img class="qr"'));
    expect(body.indexOf('<img class="qr"')).toBeLessThan(body.indexOf('Phiên đăng nhập đang mở'));
    expect(body.indexOf('id="code-confirm"')).toBeLessThan(body.indexOf('Phiên đăng nhập đang mở'));
    expect(body).toMatch(/<h2 id="h-enrol" tabindex="-1" autofocus>Bật xác thực hai bước<\/h2>/);
    expect(body).toContain('<a href="#bat-xac-thuc">');

    // A wrong first code: the error summary takes the focus, the QR code is still at the top.
    const wrong = await web.postForm('/tai-khoan/xac-thuc-hai-buoc/xac-nhan', { csrf: csrfOf(account.body), code: '000000' }, cookie);
    expect(wrong.status).toBe(422);
    const again = unescapeHtml(wrong.body);
    expect(again.indexOf('class="error-summary"')).toBeLessThan(again.indexOf('id="bat-xac-thuc"'));
    expect(again.indexOf('<img class="qr"')).toBeLessThan(again.indexOf('Phiên đăng nhập đang mở'));
    expect(again).toMatch(/<h2 id="h-enrol">/);

    // In English too.
    const en = await web.postForm('/tai-khoan/xac-thuc-hai-buoc', { csrf: csrfOf(account.body) }, `${cookie}; lang=en`);
    expect(en.body).toContain('then enter the 6-digit code the app shows to turn on two-step verification.');
    expect(en.body).not.toContain('Your account needs two-step verification');
  });
});

describe('a session that has ended', () => {
  /** Two sign-ins of one person; the second signs the others out. Returns the first, now ended, cookie. */
  async function endedCookie(username: string) {
    const first = await web.signIn(username);
    const second = await web.signIn(username);
    const page = await web.get('/tai-khoan', second.cookie);
    const out = await web.postForm('/tai-khoan/phien/dang-xuat-khac', { csrf: csrfOf(page.body) }, second.cookie);
    expect(out.status).toBe(303);
    return { ended: first.cookie, page: await web.get('/tai-khoan', first.cookie) };
  }

  it('sends the person to sign in with the reason, in the page’s language', async () => {
    const { ended } = await endedCookie('citizen.binh');
    const res = await web.get('/tai-khoan', ended);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/dang-nhap?next=%2Ftai-khoan&het-phien=1');
    expect(cookieNamed(res.headers, 'tinhso_session')).toMatch(/^tinhso_session=;.*Max-Age=0/);
    const signIn = await web.get(String(res.headers.location));
    expect(signIn.status).toBe(200);
    expect(signIn.body).toMatch(/<div class="notice" role="status"><p>Phiên đăng nhập đã kết thúc\. Hãy đăng nhập lại\.<\/p><\/div>/);
    expect(signIn.body).toContain('name="next" value="/tai-khoan"');
    const en = await web.get(String(res.headers.location), 'lang=en');
    expect(en.body).toContain('Your session has ended. Please sign in again.');

    // Other pages' sign-in redirects say it too (the staff pages, the citizen's dossiers).
    const staff = await endedCookie('reception.dung');
    const worklist = await web.get('/can-bo/ho-so', staff.ended);
    expect(worklist.status).toBe(303);
    expect(worklist.headers.location).toBe('/dang-nhap?next=%2Fcan-bo%2Fho-so&het-phien=1');
    const mine = await endedCookie('citizen.an');
    expect((await web.get('/ho-so', mine.ended)).headers.location).toMatch(/^\/dang-nhap\?next=%2Fho-so&het-phien=1$/);
  });

  it('a form sent after the session ended goes to sign-in with the reason (what was typed is not kept)', async () => {
    const { ended, page } = await endedCookie('business.cuong');
    expect(page.status).toBe(303); // the first page view after the end already said so
    // Back to the page the form was on, from the browser's same-site Referer (sign-in.ts pageAsked).
    const sent = await t.app.inject({
      method: 'POST',
      url: '/tai-khoan/yeu-cau-dinh-chinh',
      payload: new URLSearchParams({ csrf: 'stale', details: 'Sửa số điện thoại' }).toString(),
      headers: { host: 'tinhso.test', referer: 'http://tinhso.test/tai-khoan', 'content-type': 'application/x-www-form-urlencoded', cookie: ended },
    });
    expect(sent.statusCode).toBe(303);
    expect(sent.headers.location).toBe('/dang-nhap?next=%2Ftai-khoan&het-phien=1');
    // Without one, to the home page.
    const bare = await web.postForm('/tai-khoan/yeu-cau-dinh-chinh', { csrf: 'stale', details: 'Sửa số điện thoại' }, ended);
    expect(bare.headers.location).toBe('/dang-nhap?next=%2F&het-phien=1');
  });

  it('says nothing when there was no session, or the cookie is not one the portal sets', async () => {
    const none = await web.get('/tai-khoan');
    expect(none.headers.location).toBe('/dang-nhap?next=%2Ftai-khoan');
    expect((await web.get('/tai-khoan', 'tinhso_session=not-a-token')).headers.location).toBe('/dang-nhap?next=%2Ftai-khoan');
    const plain = await web.get('/dang-nhap?next=%2Ftai-khoan');
    expect(plain.body).not.toContain('Phiên đăng nhập đã kết thúc');
    // A live session is not touched by the flag's rule.
    const { cookie } = await web.signIn('citizen.an');
    expect((await web.get('/tai-khoan', cookie)).status).toBe(200);
  });
});

describe('the person’s own correction text on the English account page', () => {
  it('is marked lang="vi": the request listed and the text sent back with an error', async () => {
    const { cookie } = await web.signIn('citizen.an');
    const page = await web.get('/tai-khoan', cookie);
    const text = 'Ngày sinh của tôi là 02/03/1990, không phải 03/02/1990.';
    expect((await web.postForm('/tai-khoan/yeu-cau-dinh-chinh', { csrf: csrfOf(page.body), details: text }, cookie)).status).toBe(303);
    const en = await web.get('/tai-khoan', `${cookie}; lang=en`);
    expect(unescapeHtml(en.body)).toContain(`<p class="request-details" lang="vi">${text}</p>`);
    const tooLong = await web.postForm(
      '/tai-khoan/yeu-cau-dinh-chinh',
      { csrf: csrfOf(page.body), details: `${text} ${'x'.repeat(4000)}` },
      `${cookie}; lang=en`,
    );
    expect(tooLong.status).toBe(422);
    expect(tooLong.body).toMatch(/<textarea id="correction-details" [^>]* lang="vi">Ngày sinh/);
    // Not on the Vietnamese page.
    expect(unescapeHtml((await web.get('/tai-khoan', cookie)).body)).toContain(`<p class="request-details">${text}</p>`);
  });
});

describe('the verification page', () => {
  it('asks for the code at the field when it was sent empty', async () => {
    for (const url of ['/xac-thuc?ma=', '/xac-thuc?ma=%20%20']) {
      const res = await web.get(url);
      expect(res.status).toBe(422);
      expect(res.body).toContain('<p class="error-message" id="ma-error">Hãy nhập mã xác thực in trên văn bản.</p>');
      expect(res.body).toContain('<li><a href="#ma">Hãy nhập mã xác thực in trên văn bản.</a></li>');
      expect(res.body).toMatch(/<input type="text" id="ma" name="ma" value=""[^>]* aria-describedby="ma-hint ma-error" aria-invalid="true">/);
    }
    expect((await web.get('/xac-thuc?ma=', 'lang=en')).body).toContain('Enter the verification code printed on the document.');
    const plain = await web.get('/xac-thuc');
    expect(plain.status).toBe(200);
    expect(plain.body).not.toContain('class="error-message"');
  });
});
