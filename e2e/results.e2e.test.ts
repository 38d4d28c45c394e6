import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submittedDossier, type TestApp } from '../test/harness.ts';
import { checkPage, SCREENSHOTS, startJourney } from './browser.ts';

/**
 * Journey of a result document in real Chromium on a phone-sized screen: the specialist seals the
 * result by uploading a file while the dossier is in progress, the leader approves, the desk
 * composes a second result (title and text, the PDF generated) once it is done and returns it;
 * the citizen sees both under "Kết quả điện tử", opens the verification page of one, and checks
 * the downloaded file on /xac-thuc (and a changed copy, which must not verify). Every page is
 * checked with axe-core and for sideways scrolling, and saved as a screenshot.
 */
const CODE = '1.001776'; // received by the provincial centre, decided by UBND-13669; specialist then leader
let t: TestApp;
let base: string;
let browser: Browser;
let pdfPath: string;
let close: () => Promise<void>;
let giangId = '';
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  ({ t, base, browser, pdfPath, close } = await startJourney('quyet-dinh-ket-qua.pdf'));
  const staff = (await t.request({ method: 'GET', url: '/api/v1/agencies/TTPVHCC/staff?role=specialist', as: 'reception.dung' })).json;
  giangId = staff.find((s: { username: string }) => s.username === 'specialist.giang').id;
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await close?.();
});

/** A signed-in phone for one demo user (or nobody): the session cookie is the same token as the API's. */
async function phone(username?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'vi-VN', acceptDownloads: true });
  contexts.push(context);
  if (username) await context.addCookies([{ name: 'tinhso_session', value: await t.token(username), url: base, httpOnly: true, sameSite: 'Lax' }]);
  return context.newPage();
}

const check = (page: Page, name: string) => checkPage(page, name);

async function act(code: string, as: string, body: Record<string, unknown>) {
  const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: body });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
}

async function takeAction(page: Page, label: string) {
  await page.getByRole('button', { name: label, exact: true }).click();
  await page.getByText(`Đã thực hiện: ${label}.`).waitFor();
}

describe('result documents in Chromium', () => {
  it('staff seal a result by upload and by composing text; the citizen sees both and verifies them', async () => {
    const d = await submittedDossier(t, 'citizen.an', {
      procedureCode: CODE,
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
    });
    const href = `${base}/can-bo/ho-so/${d.code}`;
    const desk = await phone('reception.dung');
    const specialist = await phone('specialist.giang');
    const leader = await phone('leader.hoa');
    const citizen = await phone('citizen.an');

    // Before it is received, the section is there but offers no form.
    await desk.goto(href);
    await desk.getByRole('heading', { name: 'Kết quả giải quyết' }).waitFor();
    await desk.getByText('Chưa có kết quả nào được niêm phong.').waitFor();
    expect(await desk.getByRole('button', { name: 'Tạo, niêm phong và đính kèm' }).count()).toBe(0);

    await act(d.code, 'reception.dung', { action: 'receive' });
    await act(d.code, 'reception.dung', { action: 'assign', assigneeId: giangId });

    // The specialist, while the dossier is in progress: an empty upload is refused with a
    // message linked from the summary, then the PDF is sealed under the title typed.
    await specialist.goto(href);
    await specialist.getByRole('heading', { name: 'Tải lên tệp kết quả' }).waitFor();
    await check(specialist, 'result-staff-form');
    await specialist.getByRole('button', { name: 'Niêm phong và đính kèm tệp' }).click();
    await specialist.locator('.error-summary').waitFor();
    await specialist.locator('#kq-file-error').waitFor();
    await check(specialist, 'result-staff-upload-missing');
    // A second tab holds the form as it is now, to send it again after the seal.
    const stale = await specialist.context().newPage();
    await stale.goto(href);
    await specialist.getByLabel('Tên văn bản (không bắt buộc)').fill('Quyết định trợ cấp xã hội hằng tháng');
    await specialist.getByLabel('Tệp kết quả', { exact: true }).setInputFiles(pdfPath);
    await specialist.getByRole('button', { name: 'Niêm phong và đính kèm tệp' }).click();
    // The script sends the file and lands on the confirmation (#kq-done, in the results section); without it, #ket-qua.
    await specialist.waitForURL(/\?ket-qua=[0-9a-f-]{36}#kq-done$/);
    expect(await specialist.evaluate<string>('document.activeElement ? document.activeElement.id : ""')).toBe('kq-done');
    await specialist.getByText('Đã niêm phong và đính kèm kết quả: Quyết định trợ cấp xã hội hằng tháng.').waitFor();
    const uploaded = specialist.locator('ul.results li', { hasText: 'Quyết định trợ cấp xã hội hằng tháng' });
    await uploaded.getByRole('link', { name: 'Trang xác thực của văn bản Quyết định trợ cấp xã hội hằng tháng' }).waitFor();
    await check(specialist, 'result-staff-uploaded');

    // Sending the form as it was before the seal seals nothing (its version is stale).
    await stale.getByLabel('Tệp kết quả', { exact: true }).setInputFiles(pdfPath);
    await stale.getByRole('button', { name: 'Niêm phong và đính kèm tệp' }).click();
    await stale.getByText(/hồ sơ vừa thay đổi/).waitFor();
    expect(await stale.locator('ul.results li').count()).toBe(1);
    await stale.close();

    await takeAction(specialist, 'Chuyển bước tiếp theo');
    await leader.goto(href);
    await takeAction(leader, 'Phê duyệt kết quả');

    // The desk, once the dossier is done: composing with no text is refused and keeps the title;
    // then the text is generated into a sealed PDF.
    await desk.goto(href);
    await desk.getByRole('heading', { name: 'Soạn văn bản kết quả' }).waitFor();
    await desk.getByLabel('Tên văn bản', { exact: true }).fill('Thông báo kết quả giải quyết');
    await desk.getByRole('button', { name: 'Tạo, niêm phong và đính kèm' }).click();
    await desk.locator('#kq-content-error').waitFor();
    expect(await desk.getByText('Nhập nội dung văn bản kết quả').count()).toBeGreaterThan(0);
    expect(await desk.getByLabel('Tên văn bản', { exact: true }).inputValue()).toBe('Thông báo kết quả giải quyết');
    await check(desk, 'result-staff-compose-error');
    await desk
      .getByLabel('Nội dung', { exact: true })
      .fill('Hồ sơ của ông Nguyễn Văn An đã được giải quyết.\n\nĐề nghị nhận kết quả tại Trung tâm Phục vụ hành chính công.');
    // A second press while the first post is on its way is dropped (portal.js): the page lands on the
    // confirmation, not on the conflict the second post would meet.
    const box = (await desk.getByRole('button', { name: 'Tạo, niêm phong và đính kèm' }).boundingBox())!;
    await desk.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await desk.waitForTimeout(60);
    await desk.mouse.click(box.x + box.width / 2, box.y + box.height / 2).catch(() => undefined);
    await desk.waitForURL(/\?ket-qua=[0-9a-f-]{36}#ket-qua$/);
    await desk.getByText('Đã niêm phong và đính kèm kết quả: Thông báo kết quả giải quyết.').waitFor();
    expect(await desk.locator('ul.results li').count()).toBe(2);
    await check(desk, 'result-staff-composed');
    await takeAction(desk, 'Trả kết quả');
    // Returned: the list stays, the forms are gone.
    expect(await desk.locator('ul.results li').count()).toBe(2);
    expect(await desk.getByRole('button', { name: 'Tạo, niêm phong và đính kèm' }).count()).toBe(0);

    // The citizen sees both sealed results and downloads the generated one.
    await citizen.goto(`${base}/ho-so/${d.id}`);
    await citizen.getByRole('heading', { name: 'Kết quả điện tử' }).waitFor();
    const items = citizen.locator('#ket-qua-dien-tu ~ ul.results li');
    expect(await items.count()).toBe(2);
    await check(citizen, 'result-citizen');
    const composed = items.filter({ hasText: 'Thông báo kết quả giải quyết' });
    // The link opens the PDF inline; fetch it with the citizen's session, as the browser does.
    const fileHref = await composed.getByRole('link', { name: /^Tải về tệp / }).getAttribute('href');
    const res = await citizen.request.get(`${base}${fileHref}`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    const got = path.join(SCREENSHOTS, 'ket-qua-tai-ve.pdf');
    await writeFile(got, await res.body());
    const bytes = await readFile(got);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Its verification page says it is authentic and names the dossier.
    await composed.getByRole('link', { name: 'Trang xác thực của văn bản Thông báo kết quả giải quyết' }).click();
    await citizen.waitForURL(/\/xac-thuc\/[0-9a-f-]{36}$/);
    await citizen.getByRole('heading', { name: 'Văn bản xác thực' }).waitFor();
    expect(await citizen.content()).toContain(d.code);
    await check(citizen, 'result-verify-by-id');

    // Anyone can check the file itself; a changed copy does not verify.
    const visitor = await phone();
    await visitor.goto(`${base}/xac-thuc`);
    await visitor.getByLabel('Tệp văn bản (PDF, JPEG hoặc PNG)').setInputFiles(got);
    await visitor.getByRole('button', { name: 'Kiểm tra', exact: true }).click();
    await visitor.getByRole('heading', { name: 'Văn bản xác thực' }).waitFor();
    expect(await visitor.content()).toContain('Thông báo kết quả giải quyết');
    await check(visitor, 'result-verify-by-file');
    const changed = path.join(SCREENSHOTS, 'ket-qua-da-sua.pdf');
    await writeFile(changed, Buffer.concat([bytes, Buffer.from('\n% sửa\n')]));
    await visitor.goto(`${base}/xac-thuc`);
    await visitor.getByLabel('Tệp văn bản (PDF, JPEG hoặc PNG)').setInputFiles(changed);
    await visitor.getByRole('button', { name: 'Kiểm tra', exact: true }).click();
    await visitor.getByRole('heading', { name: 'Không xác thực được văn bản' }).waitFor();
    await check(visitor, 'result-verify-changed');

    const history = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/history`, as: 'reception.dung' })).json.map(
      (h: { action: string }) => h.action,
    );
    expect(history.filter((a: string) => a === 'return_result')).toHaveLength(1);
  }, 300_000);
});
