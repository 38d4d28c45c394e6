import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAnswer, rng } from '../src/db/demo/generate-dossiers.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import type { TestApp } from '../test/harness.ts';
import { checkPage, startJourney } from './browser.ts';

/**
 * The citizen's application journey in real Chromium on a phone-sized screen, with JavaScript on
 * and off: sign in, find the procedure, start, save a draft, leave, come back, complete it,
 * upload a document, check the answers, submit, and see the dossier code.
 */
const CODE = '1.001776';
let t: TestApp;
let base: string;
let browser: Browser;
let def: ProcedureDefinition;
let pdfPath: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, base, browser, pdfPath, close } = await startJourney('giay-to.pdf'));
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
});
afterAll(async () => close?.());

async function fill(page: Page, f: ProcedureDefinition['form'][number], value: string | number | boolean) {
  const field = page.locator(`#f-${f.key}`);
  if (f.type === 'checkbox') await field.check();
  else if (f.type === 'select') await field.selectOption(String(value));
  else await field.fill(String(value));
}

const check = (page: Page, name: string, js: boolean) => checkPage(page, name, { axe: js, shot: `${name}${js ? '' : '-nojs'}` });

describe('applying online in Chromium', () => {
  for (const js of [true, false]) {
    it(`a citizen applies, saves a draft, returns and submits (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: js });
      const page = await context.newPage();
      await page.goto(`${base}/dang-nhap`);
      await page.getByLabel(/Tên đăng nhập/).fill('citizen.an');
      await page.getByLabel(/Mật khẩu/).fill('tinhso-demo');
      await page.getByRole('button', { name: 'Đăng nhập' }).last().click();
      await page.waitForURL(`${base}/`);

      await page.goto(`${base}/thu-tuc/${CODE}`);
      await page.getByRole('link', { name: 'Nộp hồ sơ trực tuyến' }).first().click();
      await page.waitForURL(/\/ho-so\/moi/);
      await check(page, 'apply-start', js);
      await page.locator('#a-idNumber').fill('036090001234');
      await page.getByRole('button', { name: 'Bắt đầu' }).click();
      await page.waitForURL(/\/ho-so\/[0-9a-f-]{36}$/);
      const draftUrl = page.url();

      // Answer one question, save, leave.
      const r = rng(11);
      const required = def.form.filter((f) => f.required);
      const answers = new Map(required.map((f) => [f.key, fakeAnswer(f, r)]));
      const first = required.find((f) => f.type === 'text' || f.type === 'textarea')!;
      await fill(page, first, answers.get(first.key)!);
      await page.getByRole('button', { name: 'Lưu nháp' }).click();
      await page.getByText('Đã lưu bản nháp.').waitFor();
      await check(page, 'apply-form', js);
      // A page without errors leaves the focus where the browser puts it.
      expect(await page.evaluate<string>('document.activeElement.tagName')).toBe('BODY');
      await page.goto(`${base}/`);

      // Come back through "my dossiers": the answer is still there.
      await page.getByRole('link', { name: 'Hồ sơ của tôi' }).first().click();
      await page.waitForURL(/\/ho-so$/);
      await check(page, 'my-dossiers', js);
      await page.goto(draftUrl);
      expect(await page.locator(`#f-${first.key}`).inputValue()).toBe(String(answers.get(first.key)));

      // Continue too early: the error summary names what is missing.
      await page.getByRole('button', { name: 'Tiếp tục' }).click();
      await page.locator('.error-summary').waitFor();
      // The summary takes the focus as the page loads (autofocus), with JavaScript and without, so
      // keyboard and screen-reader users start at the errors; a list left unchosen says "choose".
      await expect.poll(() => page.evaluate<string>('document.activeElement.className')).toBe('error-summary');
      await expect(page.locator('.error-summary').textContent()).resolves.toContain('Chưa chọn Nhóm đối tượng');
      await check(page, 'apply-errors', js);
      for (const f of required) if (f.key !== first.key) await fill(page, f, answers.get(f.key)!);
      await page.getByRole('button', { name: 'Lưu nháp' }).click();
      await page.getByText('Đã lưu bản nháp.').waitFor();

      // Upload every required document.
      for (const c of def.components.filter((x) => x.required)) {
        // With JavaScript the upload goes by XMLHttpRequest and the page is swapped in place; without,
        // the browser navigates. Either way, wait for one more listed copy of the file: a link to it,
        // which only the server's answer has (the progress line names the file from its start).
        const listed = await page.getByRole('link', { name: path.basename(pdfPath) }).count();
        await page.locator(`#c-${c.code}`).setInputFiles(pdfPath);
        await page.locator(`form:has(#c-${c.code})`).getByRole('button', { name: 'Tải lên' }).click();
        await expect.poll(() => page.getByRole('link', { name: path.basename(pdfPath) }).count(), { timeout: 60_000 }).toBeGreaterThan(listed);
      }
      await page.getByRole('button', { name: 'Tiếp tục' }).click();
      await page.waitForURL(/\/kiem-tra$/);
      await check(page, 'apply-check', js);
      await page.getByRole('button', { name: 'Nộp hồ sơ' }).click();
      await page
        .getByText(/000\.00\.01\.H37-\d{6}-\d{4}/)
        .first()
        .waitFor();
      await check(page, 'apply-submitted', js);
      await context.close();
    });
  }
});
