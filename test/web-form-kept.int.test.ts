import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { DEMO_PASSWORD } from '../src/db/demo/seed.ts';
import { createTestApp, multipart, SAMPLE_PDF, submittedDossier, type TestApp } from './harness.ts';
import { cookieNamed, cookiePair, csrfOf, unescapeHtml, webClient, type WebRes } from './web-client.ts';

/**
 * QA 13a D4 and D5: a portal form keeps the person's work when a NUL character (`%00`) is in a
 * field (it is removed, the page's own checks run), and a form sent after the session ended in
 * another tab goes to sign-in with the reason and back to the form's page, not to "form expired".
 */
let t: TestApp;
const web = webClient(() => t);
const PROC = '1.001776';
const HOST = 'tinhso.test';
const APPLICANT = { 'a-fullName': 'Nguyễn Văn An', 'a-idNumber': '036090001234', 'a-phone': '', 'a-email': '' };

beforeAll(async () => {
  t = await createTestApp();
}, 120_000);
afterAll(async () => {
  await t?.close();
});

const versionOf = (body: string) => /name="version" value="(\d+)"/.exec(body)?.[1] ?? '';
const wrap = (r: { statusCode: number; body: string; headers: Record<string, unknown> }): WebRes => ({
  status: r.statusCode,
  body: r.body,
  headers: r.headers,
});

/** A form post as a browser sends it from a page of this site: with its same-site Referer. */
async function postFrom(page: string, url: string, form: Record<string, string>, cookie: string): Promise<WebRes> {
  return wrap(
    await t.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(form).toString(),
      headers: { host: HOST, referer: `http://${HOST}${page}`, 'content-type': 'application/x-www-form-urlencoded', cookie },
    }),
  );
}

async function signIn(username: string): Promise<string> {
  const { res, cookie } = await web.signIn(username);
  expect(res.status).toBe(303);
  return cookie;
}

/** A new draft of citizen.an, through the start form. */
async function newDraft(cookie: string): Promise<string> {
  const start = await web.get(`/ho-so/moi?thu-tuc=${PROC}`, cookie);
  const nonce = /name="nonce" value="([^"]+)"/.exec(start.body)?.[1] ?? '';
  const made = await web.postForm('/ho-so/moi', { csrf: csrfOf(start.body), nonce, 'thu-tuc': PROC, ...APPLICANT }, cookie);
  expect(made.status).toBe(303);
  return /^\/ho-so\/([0-9a-f-]{36})$/.exec(String(made.headers.location))![1]!;
}

async function storedForm(id: string): Promise<{ form: Record<string, unknown>; version: number }> {
  const [row] = await queryRows<{ form: Record<string, unknown>; version: number }>(t.database.db, sql`SELECT form, version FROM dossiers WHERE id = ${id}`);
  return row!;
}

describe('a NUL character in a portal form field (D4)', () => {
  it('is removed: the draft is saved with what was typed', async () => {
    const cookie = await signIn('citizen.an');
    const id = await newDraft(cookie);
    const page = await web.get(`/ho-so/${id}`, cookie);
    const saved = await web.postForm(
      `/ho-so/${id}`,
      { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'save', ...APPLICANT, 'f-ho_ten_doi_tuong': 'Trần\u0000 Thị Bé', 'f\u0000-ghi': 'x' },
      cookie,
    );
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/ho-so/${id}?da-luu=1`);
    expect((await storedForm(id)).form.ho_ten_doi_tuong).toBe('Trần Thị Bé');
  });

  it('leaves the page’s own checks to answer, at the field, with the other typed values kept', async () => {
    const cookie = await signIn('citizen.an');
    const id = await newDraft(cookie);
    const page = await web.get(`/ho-so/${id}`, cookie);
    const before = await storedForm(id);
    const r = await web.postForm(
      `/ho-so/${id}`,
      {
        csrf: csrfOf(page.body),
        version: versionOf(page.body),
        action: 'save',
        ...APPLICANT,
        'a-fullName': 'Nguyễn Văn An\u0000',
        'f-ho_ten_doi_tuong': 'Lê Văn\u0000 Cụ',
        'f-ngay_sinh': '2025-02-30\u0000',
      },
      cookie,
    );
    expect(r.status).toBe(422);
    const body = unescapeHtml(r.body);
    expect(body).not.toContain('Yêu cầu không thực hiện được');
    expect(body).toContain('href="#f-ngay_sinh"');
    expect(body).toContain('id="f-ngay_sinh-error"');
    expect(body).toContain('value="Lê Văn Cụ"');
    expect(body).toContain('value="Nguyễn Văn An"');
    expect(body).not.toContain('\u0000');
    expect(await storedForm(id)).toEqual(before);
  });

  it('is still a 422 naming the field on the API', async () => {
    const r = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: PROC, applicant: { type: 'citizen', fullName: 'An\u0000', idNumber: '036090001234' }, form: {} },
    });
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ code: 'INPUT_NUL_CHARACTER', errors: [{ path: 'applicant.fullName', message: 'chứa ký tự NUL (U+0000)' }] });
  });
});

describe('a form sent after the session ended in another tab (D5)', () => {
  /** Signed out in "another tab": the same cookie posts /dang-xuat with the token of a page it holds. */
  async function signOutElsewhere(cookie: string) {
    const home = await web.get('/', cookie);
    const out = await web.postForm('/dang-xuat', { csrf: csrfOf(home.body) }, cookie);
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/');
  }

  it('a citizen’s draft save goes to sign-in with the reason and back to the draft; nothing is written', async () => {
    const cookie = await signIn('citizen.an');
    const id = await newDraft(cookie);
    const page = await web.get(`/ho-so/${id}`, cookie);
    const before = await storedForm(id);
    await signOutElsewhere(cookie);

    const form = { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'save', ...APPLICANT, 'f-ho_ten_doi_tuong': 'Tên mới đã gõ' };
    const sent = await postFrom(`/ho-so/${id}`, `/ho-so/${id}`, form, cookie);
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/dang-nhap?next=${encodeURIComponent(`/ho-so/${id}`)}&het-phien=1`);
    expect(cookieNamed(sent.headers, 'tinhso_session')).toMatch(/^tinhso_session=;.*Max-Age=0/);
    expect(await storedForm(id)).toEqual(before);

    // The sign-in page says why, and signing in comes back to the draft.
    const signInPage = await web.get(String(sent.headers.location));
    expect(signInPage.body).toContain('Phiên đăng nhập đã kết thúc. Hãy đăng nhập lại.');
    expect(signInPage.body).toContain(`name="next" value="/ho-so/${id}"`);
    const { res } = await web.signIn('citizen.an', `/ho-so/${id}`);
    expect(res.headers.location).toBe(`/ho-so/${id}`);

    // An upload from that page (multipart) likewise: no file stored.
    const m = multipart({ csrf: csrfOf(page.body), component: 'to_khai' }, { name: 'to-khai.pdf', type: 'application/pdf', data: SAMPLE_PDF });
    const up = await t.app.inject({
      method: 'POST',
      url: `/ho-so/${id}/tep`,
      payload: m.payload,
      headers: { ...m.headers, host: HOST, referer: `http://${HOST}/ho-so/${id}`, cookie },
    });
    expect(up.statusCode).toBe(303);
    expect(up.headers.location).toBe(`/dang-nhap?next=${encodeURIComponent(`/ho-so/${id}`)}&het-phien=1`);
    const [files] = await queryRows<{ n: number | string }>(t.database.db, sql`SELECT count(*) AS n FROM dossier_files WHERE dossier_id = ${id}`);
    expect(Number(files!.n)).toBe(0);
  });

  it('an officer’s action goes to sign-in with the reason and back to the dossier; nothing is done', async () => {
    const sub = await submittedDossier(t, 'citizen.an', {
      procedureCode: PROC,
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
    });
    const cookie = await signIn('reception.dung');
    const staffPage = `/can-bo/ho-so/${encodeURIComponent(sub.code)}`;
    const page = await web.get(staffPage, cookie);
    expect(page.status).toBe(200);
    // Ended by the same person's "sign out my other sessions" in another browser.
    const second = await signIn('reception.dung');
    const account = await web.get('/tai-khoan', second);
    expect((await web.postForm('/tai-khoan/phien/dang-xuat-khac', { csrf: csrfOf(account.body) }, second)).status).toBe(303);

    const version = /name="action" value="receive">\s*<input type="hidden" name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    expect(version).not.toBe('');
    const sent = await postFrom(staffPage, `${staffPage}/thao-tac`, { csrf: csrfOf(page.body), action: 'receive', version, note: '' }, cookie);
    expect(sent.status).toBe(303);
    expect(sent.headers.location).toBe(`/dang-nhap?next=${encodeURIComponent(staffPage)}&het-phien=1`);
    const [row] = await queryRows<{ status: string; version: number }>(t.database.db, sql`SELECT status, version FROM dossiers WHERE id = ${sub.id}`);
    expect(row).toEqual({ status: 'submitted', version: sub.version });
  });

  it('stays a 403 "form expired" page without a session cookie, or with a live session and a wrong token', async () => {
    const cookie = await signIn('citizen.an');
    const id = await newDraft(cookie);
    const page = await web.get(`/ho-so/${id}`, cookie);
    const form = { csrf: csrfOf(page.body), version: versionOf(page.body), action: 'save', ...APPLICANT };
    const none = await postFrom(`/ho-so/${id}`, `/ho-so/${id}`, form, '');
    expect(none.status).toBe(403);
    expect(none.body).toContain('Biểu mẫu đã hết hạn');
    const wrong = await postFrom(`/ho-so/${id}`, `/ho-so/${id}`, { ...form, csrf: 'forged' }, cookie);
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('Biểu mẫu đã hết hạn');
  });

  it('lets a signed-out page’s own form through (its token is the pre-session one), and signing out again just clears the cookie', async () => {
    const cookie = await signIn('citizen.binh');
    await signOutElsewhere(cookie);
    const again = await web.postForm('/dang-xuat', { csrf: 'any' }, cookie);
    expect(again.status).toBe(303);
    expect(again.headers.location).toBe('/');

    // The sign-in page opened signed out, then sent with the old cookie still in the jar: it signs in.
    const signInPage = await web.get('/dang-nhap');
    const pre = cookiePair(cookieNamed(signInPage.headers, 'tinhso_csrf'));
    const res = await web.postForm(
      '/dang-nhap',
      { csrf: csrfOf(signInPage.body), username: 'citizen.binh', password: DEMO_PASSWORD, next: '/ho-so' },
      `${pre}; ${cookie}`,
    );
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/ho-so');
  });
});
