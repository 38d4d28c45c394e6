import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { fakeAnswer, rng } from '../src/db/demo/generate-dossiers.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import type { TestApp } from '../test/harness.ts';
import { checkPage, startJourney } from './browser.ts';

/**
 * Journey 5: an administrator drafts a new version of a procedure with one more question,
 * previews it and publishes it; a citizen then applies with the new form, and the dossier keeps
 * the version it was made under.
 */
const CODE = '1.001776';
let t: TestApp;
let base: string;
let browser: Browser;
let pdfPath: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, base, browser, pdfPath, close } = await startJourney('giay-to-admin.pdf'));
});
afterAll(async () => close?.());

const check = (page: Page, name: string) => checkPage(page, name);

async function signIn(page: Page, username: string) {
  await page.goto(`${base}/dang-nhap`);
  await page.getByLabel(/Tên đăng nhập/).fill(username);
  await page.getByLabel(/Mật khẩu/).fill('tinhso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).last().click();
  await page.waitForURL(`${base}/`);
}

describe('publishing a new procedure version in Chromium', () => {
  it('an administrator adds a question and publishes; a citizen applies with the new form', async () => {
    const before = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json as { version: number; definition: ProcedureDefinition };
    const next = before.version + 1;

    const admin = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await admin.newPage();
    await signIn(page, 'admin.lan');
    await page.goto(`${base}/quan-tri`);
    await check(page, 'admin-home');
    await page.getByRole('link', { name: 'Thủ tục hành chính' }).last().click();
    await page.getByLabel('Tìm theo tên hoặc mã').fill(CODE);
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await check(page, 'admin-procedures');
    await page.getByRole('link', { name: CODE }).click();
    await page.getByRole('link', { name: 'Soạn phiên bản mới' }).click();
    await check(page, 'admin-editor');

    // The editor offers one blank row after the existing fields: fill it.
    const row = before.definition.form.length;
    await page.locator(`#p-form-${row}-key`).fill('so_nguoi_phu_thuoc');
    await page.locator(`#p-form-${row}-label`).fill('Số người phụ thuộc');
    await page.locator(`#p-form-${row}-type`).selectOption('number');
    await page.locator(`#p-form-${row}-required`).check();
    await page.locator(`#p-form-${row}-min`).fill('0');
    await page.getByRole('button', { name: 'Lưu bản nháp' }).click();
    await page.getByText(`Đã lưu bản nháp phiên bản ${next}`).waitFor();
    await check(page, 'admin-versions');

    await page.getByRole('link', { name: `Xem trước Phiên bản ${next}` }).click();
    await page.locator('#f-so_nguoi_phu_thuoc').waitFor();
    await check(page, 'admin-preview');
    await page.goBack();
    await page.getByRole('button', { name: `Công bố phiên bản ${next}` }).click();
    await page.getByText(`Đã công bố phiên bản ${next}`).waitFor();
    await admin.close();

    const citizen = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const c = await citizen.newPage();
    await signIn(c, 'citizen.an');
    await c.goto(`${base}/thu-tuc/${CODE}`);
    await c.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).first().click();
    await c.locator('#a-idNumber').fill('036090001234');
    await c.getByRole('button', { name: 'Bắt đầu' }).click();
    await c.waitForURL(/\/ho-so\/[0-9a-f-]{36}$/);
    const id = /\/ho-so\/([0-9a-f-]{36})$/.exec(c.url())![1]!;
    await c.locator('#f-so_nguoi_phu_thuoc').waitFor();
    const r = rng(5);
    for (const f of before.definition.form.filter((x) => x.required)) {
      const value = fakeAnswer(f, r);
      const field = c.locator(`#f-${f.key}`);
      if (f.type === 'checkbox') await field.check();
      else if (f.type === 'select') await field.selectOption(String(value));
      else await field.fill(String(value));
    }
    await c.locator('#f-so_nguoi_phu_thuoc').fill('2');
    await c.getByRole('button', { name: 'Lưu nháp' }).click();
    await c.getByText('Đã lưu bản nháp.').waitFor();
    await check(c, 'apply-new-version');
    for (const comp of before.definition.components.filter((x) => x.required)) {
      await c.locator(`#c-${comp.code}`).setInputFiles(pdfPath);
      await c.locator(`form:has(#c-${comp.code})`).getByRole('button', { name: 'Tải lên' }).click();
      await c.waitForLoadState('load');
    }
    await c.getByRole('button', { name: 'Tiếp tục' }).click();
    await c.waitForURL(/\/kiem-tra$/);
    await c.getByText('Số người phụ thuộc').first().waitFor();
    await c.getByRole('button', { name: 'Nộp hồ sơ' }).click();
    await c
      .getByText(/000\.00\.01\.H37-\d{6}-\d{4}/)
      .first()
      .waitFor();
    await citizen.close();

    const [row2] = await queryRows<{ procedure_version: number; answer: string; status: string }>(
      t.database.db,
      sql`SELECT procedure_version, form->>'so_nguoi_phu_thuoc' AS answer, status FROM dossiers WHERE id = ${id}`,
    );
    expect(row2).toEqual({ procedure_version: next, answer: '2', status: 'submitted' });
  });
  it('an administrator changes a setting on a phone: an error first, then saved, then the default back', async () => {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const page = await ctx.newPage();
    await signIn(page, 'admin.lan');
    await page.goto(`${base}/quan-tri/cau-hinh`);
    await page.getByRole('heading', { name: 'Cấu hình hệ thống', level: 1 }).waitFor();
    await check(page, 'admin-settings');
    const form = page.locator('form[action$="/sap-den-han"]');
    await form.locator('input[name="days"]').fill('0');
    await form.getByRole('button', { name: /^Lưu/ }).click();
    await page.locator('.error-summary').waitFor();
    await check(page, 'admin-settings-error');
    await page.locator('form[action$="/sap-den-han"] input[name="days"]').fill('5');
    await page.locator('form[action$="/sap-den-han"]').getByRole('button', { name: /^Lưu/ }).click();
    await page.getByText(/^Đã lưu:/).waitFor();
    expect((await t.request({ method: 'GET', url: '/api/v1/settings', as: 'admin.lan' })).json.worklist_soon_days).toBe(5);
    await page
      .locator('form[action$="/sap-den-han"]')
      .getByRole('button', { name: /^Khôi phục mặc định/ })
      .click();
    await page.getByText(/^Đã khôi phục giá trị mặc định:/).waitFor();
    await ctx.close();
  });
});
