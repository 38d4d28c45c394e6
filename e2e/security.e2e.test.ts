import { readFile } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { DEMO_PASSWORD } from '../src/db/demo/seed.ts';
import { runSecurityMonitor } from '../src/modules/security/index.ts';
import { multipart, SAMPLE_PDF } from '../test/harness.ts';
import { checkPage, startJourney } from './browser.ts';

/**
 * Issue 6 in real Chromium on a phone-sized screen (360×640): a leader's own account security
 * (sessions, turning on two-step verification with a code computed here from the secret the page
 * shows, recovery codes, signing in again with the code, signing out another own session), a
 * brute-force run that ends in the lockout page and the event the security officer sees and
 * filters on /an-ninh, and a citizen downloading their personal data and asking for a correction.
 * Every page is checked with axe-core (no serious or critical violation) and for sideways scroll.
 */
let journey: Awaited<ReturnType<typeof startJourney>>;
let base: string;
const contexts: BrowserContext[] = [];
const CODE = '1.001193';

beforeAll(async () => {
  journey = await startJourney('an-ninh.pdf');
  base = journey.base;
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await journey?.close();
});

/** A fresh phone (its own cookies), not signed in. */
async function phone(): Promise<Page> {
  const context = await journey.browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'vi-VN', acceptDownloads: true });
  contexts.push(context);
  return context.newPage();
}

const check = (page: Page, name: string) => checkPage(page, name);

/** The portal's sign-in form; lands on `next`. */
async function signIn(page: Page, username: string, password = DEMO_PASSWORD, next = '/tai-khoan') {
  await page.goto(`${base}/dang-nhap?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
}

const totpOf = (secret: string) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 });

describe('account security, monitoring and personal data in Chromium', () => {
  it('a leader turns on two-step verification, signs in with a code and signs out another own session', async () => {
    const a = await phone();
    await signIn(a, 'leader.hoa');
    await a.waitForURL(`${base}/tai-khoan`);
    await a.getByRole('heading', { name: 'Tài khoản của tôi' }).waitFor();
    // The header's name leads to this page; the session table shows this session.
    expect(await a.getByRole('link', { name: 'Đang đăng nhập: Vũ Thị Hoa' }).getAttribute('aria-current')).toBe('page');
    await a.getByRole('heading', { name: 'Phiên đăng nhập đang mở' }).waitFor();
    expect(await a.locator('ul.sessions > li').count()).toBe(1);
    await a.getByText('Phiên này', { exact: true }).waitFor();
    await check(a, 'account-sessions');

    // Turn on: the page shows the QR code and the key; the code is computed from the key shown.
    await a.getByRole('button', { name: 'Bật xác thực hai bước' }).click();
    await a.getByRole('img', { name: 'Mã QR để thêm tài khoản vào ứng dụng xác thực' }).waitFor();
    await check(a, 'account-totp-enrol');
    const secret = (await a.locator('main code').first().innerText()).replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{16,}$/);
    const totp = totpOf(secret);
    // A wrong code first: the error summary and the field's message, still on the enrolment.
    await a.getByLabel('Mã xác thực').fill(totp.generate({ timestamp: Date.now() - 10 * 60_000 }));
    await a.getByRole('button', { name: 'Xác nhận và bật' }).click();
    await a.locator('.error-summary').waitFor();
    expect(await a.locator('.error-summary').innerText()).toContain('Mã xác thực không đúng');
    await check(a, 'account-totp-wrong-code');
    await a.getByLabel('Mã xác thực').fill(totp.generate());
    await a.getByRole('button', { name: 'Xác nhận và bật' }).click();

    // The recovery codes, shown once.
    await a.getByRole('heading', { name: 'Mã khôi phục của bạn' }).waitFor();
    const codes = (await a.locator('ul.codes code').allInnerTexts()).map((c) => c.trim());
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(/^[a-z0-9]{5}-[a-z0-9]{5}$/);
    expect(new Set(codes).size).toBe(10);
    await check(a, 'account-recovery-codes');
    await a.getByRole('link', { name: 'Tiếp tục' }).click();
    await a.getByText(/Đang bật từ .*Còn 10 mã khôi phục chưa dùng\./).waitFor();
    expect(await a.content()).not.toContain(codes[0]!);

    // Sign out, then in again: password, then the code of the next time step (each step counts once).
    await a.getByRole('button', { name: 'Đăng xuất', exact: true }).click();
    await a.waitForURL(`${base}/`);
    await signIn(a, 'leader.hoa');
    await a.waitForURL(/\/dang-nhap\/xac-thuc/);
    await a.getByRole('heading', { name: 'Xác thực hai bước' }).waitFor();
    await check(a, 'sign-in-second-step');
    await a.getByLabel('Mã xác thực').fill(totp.generate({ timestamp: Date.now() + 30_000 }));
    await a.getByRole('button', { name: 'Xác nhận' }).click();
    await a.waitForURL(`${base}/tai-khoan`);
    await a.getByText('Mật khẩu và mã xác thực').first().waitFor();

    // A second device signs in with a recovery code.
    const b = await phone();
    await signIn(b, 'leader.hoa');
    await b.waitForURL(/\/dang-nhap\/xac-thuc/);
    await b.getByLabel('Mã xác thực').fill(codes[3]!);
    await b.getByRole('button', { name: 'Xác nhận' }).click();
    await b.waitForURL(`${base}/tai-khoan`);
    await b.getByText('Còn 9 mã khôi phục chưa dùng', { exact: false }).waitFor();

    // The first device sees both sessions and signs the other one out.
    await a.reload();
    expect(await a.locator('ul.sessions > li').count()).toBe(2);
    await a.getByText('Mật khẩu và mã khôi phục').waitFor();
    await check(a, 'account-two-sessions');
    const other = a.locator('ul.sessions > li').filter({ hasNot: a.getByText('Phiên này', { exact: true }) });
    await other.getByRole('button', { name: /^Đăng xuất phiên này/ }).click();
    await a.getByText('Đã đăng xuất phiên đăng nhập.').waitFor();
    expect(await a.locator('ul.sessions > li').count()).toBe(1);
    await check(a, 'account-session-revoked');

    // The other device is signed out at its next request.
    await b.goto(`${base}/tai-khoan`);
    await b.waitForURL(/\/dang-nhap\?next=%2Ftai-khoan/);
    await b.getByRole('link', { name: 'Đăng nhập', exact: true }).waitFor();
    const [row] = await queryRows<{ n: number }>(
      journey.t.database.db,
      sql`SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.username = 'leader.hoa' AND s.revoked_at IS NULL AND s.expires_at > now()`,
    );
    expect(Number(row!.n)).toBe(1);
  });

  it('wrong passwords end in the lockout page, and the security officer sees and filters the event', async () => {
    const attacker = await phone();
    let locked = false;
    for (let i = 1; i <= 8 && !locked; i++) {
      await signIn(attacker, 'specialist.giang', `sai-mat-khau-${i}`, '/');
      await attacker.locator('main h1').waitFor();
      locked = (await attacker.locator('main h1').innerText()) === 'Tạm khoá đăng nhập';
      if (i === 1) {
        expect(await attacker.locator('.error-summary').innerText()).toContain('Tên đăng nhập hoặc mật khẩu không đúng');
        await check(attacker, 'sign-in-wrong-password');
      }
    }
    expect(locked).toBe(true);
    await attacker.getByText(/Tài khoản tạm khoá do đăng nhập sai nhiều lần\. Hãy thử lại sau 1[45] phút\./).waitFor();
    await check(attacker, 'sign-in-locked');
    // Even the right password is refused while locked.
    await signIn(attacker, 'specialist.giang', DEMO_PASSWORD, '/');
    await attacker.getByRole('heading', { name: 'Tạm khoá đăng nhập' }).waitFor();

    // The monitor (a job every minute) reads the audit records and raises the event.
    const run = await runSecurityMonitor(journey.t.database.db, journey.t.app.log, { loginFailures: 5, accountsPerAddress: 5, readsPerHour: 50 });
    expect(run.events).toBeGreaterThanOrEqual(1);

    const officer = await phone();
    await signIn(officer, 'security.minh', DEMO_PASSWORD, '/');
    await officer.waitForURL(`${base}/`);
    await officer.getByRole('navigation').getByRole('link', { name: 'An ninh', exact: true }).click();
    await officer.waitForURL(`${base}/an-ninh`);
    const event = officer.locator('ol.sec-events > li').filter({ has: officer.getByRole('heading', { name: 'Dò mật khẩu một tài khoản' }) });
    await event.waitFor();
    expect(await event.innerText()).toContain('lần đăng nhập sai vào tài khoản specialist.giang trong 15 phút.');
    expect(await event.locator('.sev').innerText()).toBe('Mức độ: Cao');
    await check(officer, 'security-events');

    // At least "critical": the high event is filtered out; at least "high": it is back.
    await officer.getByLabel('Mức độ tối thiểu').selectOption({ label: 'Nghiêm trọng' });
    await officer.getByRole('button', { name: 'Lọc', exact: true }).click();
    await officer.waitForURL(/muc-do=critical/);
    expect(await event.count()).toBe(0);
    expect(await officer.getByLabel('Mức độ tối thiểu').inputValue()).toBe('critical');
    await check(officer, 'security-events-critical');
    await officer.getByLabel('Mức độ tối thiểu').selectOption({ label: 'Cao' });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    await officer.getByLabel('Từ ngày').fill(today);
    await officer.getByRole('button', { name: 'Lọc', exact: true }).click();
    await officer.waitForURL(/muc-do=high/);
    await event.waitFor();
    await check(officer, 'security-events-high');
    // By rule: only password guessing, and the choice is kept in the form.
    await officer.getByLabel('Quy tắc').selectOption({ label: 'Dò mật khẩu một tài khoản' });
    await officer.getByRole('button', { name: 'Lọc', exact: true }).click();
    await officer.waitForURL(/quy-tac=auth\.password_guessing/);
    await event.waitFor();
    expect(await officer.locator('ol.sec-events h3').allInnerTexts()).toEqual(expect.arrayContaining(['Dò mật khẩu một tài khoản']));
    expect(new Set(await officer.locator('ol.sec-events h3').allInnerTexts())).toEqual(new Set(['Dò mật khẩu một tài khoản']));
    expect(await officer.getByLabel('Quy tắc').inputValue()).toBe('auth.password_guessing');
  });

  it('a citizen downloads their personal data and asks for a correction', async () => {
    // A dossier of theirs, sent through the API (journey 1 covers applying in the browser).
    const t = journey.t;
    const def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition as {
      components: { code: string; required: boolean }[];
    };
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: CODE, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form: {} },
    });
    expect(created.status).toBe(201);
    for (const c of def.components.filter((x) => x.required)) {
      const body = multipart({ component: c.code }, { name: `${c.code}.pdf`, type: 'application/pdf', data: SAMPLE_PDF });
      await t.request({ method: 'POST', url: `/api/v1/dossiers/${created.json.id}/files`, as: 'citizen.an', ...body });
    }

    const citizen = await phone();
    await signIn(citizen, 'citizen.an');
    await citizen.waitForURL(`${base}/tai-khoan`);
    await citizen.getByRole('heading', { name: 'Dữ liệu cá nhân của tôi' }).waitFor();
    await check(citizen, 'account-personal-data');

    const [download] = await Promise.all([
      citizen.waitForEvent('download'),
      citizen.getByRole('link', { name: 'Tải về toàn bộ dữ liệu của tôi (tệp JSON)' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^tinhso-du-lieu-ca-nhan-\d{4}-\d{2}-\d{2}\.json$/);
    const data = JSON.parse(await readFile((await download.path())!, 'utf8')) as {
      account: { username: string; display_name: string };
      dossiers: { id: string; procedure_code: string }[];
      sessions: unknown[];
      notIncluded: string[];
    };
    expect(data.account.username).toBe('citizen.an');
    expect(data.account.display_name).toBe('Nguyễn Văn An');
    expect(data.dossiers.map((d) => d.id)).toContain(created.json.id);
    expect(data.dossiers.find((d) => d.id === created.json.id)!.procedure_code).toBe(CODE);
    expect(data.sessions.length).toBeGreaterThanOrEqual(1);
    // Secrets are named in notIncluded, never exported.
    expect(JSON.stringify(data)).not.toMatch(/\$argon2|"password_hash"|"token_hash"|"secret_enc"|"code_hash"/);
    expect(data.notIncluded.length).toBeGreaterThan(0);

    // An empty request is refused with the error summary; then a real one is queued.
    await citizen.getByRole('button', { name: 'Gửi yêu cầu đính chính' }).click();
    await citizen.locator('.error-summary').waitFor();
    expect(await citizen.locator('.error-summary').innerText()).toContain('Hãy nhập thông tin cần đính chính');
    expect(await citizen.getByLabel('Thông tin nào chưa đúng và cần sửa thành gì?').getAttribute('aria-invalid')).toBe('true');
    await check(citizen, 'account-correction-error');
    expect(await citizen.locator('.error-summary a').getAttribute('href')).toBe('#correction-details');
    const text = 'Số điện thoại của tôi đúng là 0912 345 679, không phải 0912 345 678.';
    await citizen.getByLabel('Thông tin nào chưa đúng và cần sửa thành gì?').fill(text);
    await citizen.getByRole('button', { name: 'Gửi yêu cầu đính chính' }).click();
    await citizen.getByText('Đã gửi yêu cầu đính chính.', { exact: false }).waitFor();
    const item = citizen.locator('ul.data-requests li', { hasText: text });
    await item.waitFor();
    expect(await item.innerText()).toContain('Đang chờ xử lý');
    await check(citizen, 'account-correction-sent');

    // The data controller (administrators) sees it in the open requests.
    const open = await t.request({ method: 'GET', url: '/api/v1/data-requests?status=open', as: 'admin.lan' });
    expect(open.json.filter((r: { username: string; details: string }) => r.username === 'citizen.an' && r.details === text)).toHaveLength(1);
  });
});
