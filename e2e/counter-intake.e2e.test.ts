import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAnswer, rng } from '../src/db/demo/generate-dossiers.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import type { TestApp } from '../test/harness.ts';
import { checkPage, startJourney } from './browser.ts';

/**
 * Journey (4) in real Chromium at 360×640, with JavaScript on (axe checks every page) and off:
 * a walk-in applicant at the one-stop desk. The officer picks the procedure, enters the
 * applicant, fills the generated form, uploads the scanned documents and receives the dossier
 * in one flow; the page shows the code and the link to print the receipt (form 01).
 */
const CODE = '1.001776';
let t: TestApp;
let base: string;
let browser: Browser;
let def: ProcedureDefinition;
let scanPath: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, base, browser, pdfPath: scanPath, close } = await startJourney('scan.pdf'));
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
});
afterAll(async () => close?.());

const check = (page: Page, name: string, js: boolean) => checkPage(page, name, { axe: js, shot: `${name}${js ? '' : '-nojs'}` });

describe('counter intake in Chromium', () => {
  for (const js of [true, false]) {
    it(`the desk takes in a walk-in applicant in one flow (JavaScript ${js ? 'on' : 'off'})`, async () => {
      const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: js, locale: 'vi-VN' });
      await context.addCookies([{ name: 'tinhso_session', value: await t.token('reception.dung'), url: base, httpOnly: true, sameSite: 'Lax' }]);
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.getByRole('link', { name: 'Tiếp nhận tại quầy' }).click();
      await page.waitForURL(/\/can-bo\/tiep-nhan$/);
      await check(page, 'intake-start', js);
      await page.getByLabel('Thủ tục', { exact: true }).selectOption(CODE);
      await page.getByLabel('Công dân').check();
      await page.getByRole('button', { name: 'Tiếp tục' }).click();
      await page.waitForURL(/thu-tuc=/);
      await page.locator('#a-fullName').fill('Trần Thị Bình');
      await page.locator('#a-idNumber').fill('036195004321');
      await check(page, 'intake-applicant', js);
      await page.getByRole('button', { name: 'Tạo hồ sơ' }).click();
      await page.waitForURL(/\/can-bo\/tiep-nhan\/[0-9a-f-]{36}$/);

      const r = rng(21);
      for (const f of def.form.filter((x) => x.required)) {
        const value = fakeAnswer(f, r);
        const field = page.locator(`#f-${f.key}`);
        if (f.type === 'checkbox') await field.check();
        else if (f.type === 'select') await field.selectOption(String(value));
        else await field.fill(String(value));
      }
      await page.getByRole('button', { name: 'Lưu nháp' }).click();
      await page.getByText('Đã lưu bản nháp.').waitFor();
      await check(page, 'intake-form', js);
      for (const c of def.components.filter((x) => x.required)) {
        // With JavaScript the upload goes by XMLHttpRequest and the page is swapped in place; without,
        // the browser navigates. Either way, wait for one more listed copy of the file: a link to it,
        // which only the server's answer has (the progress line names the file too, from its start,
        // and under load a click on "Nộp" before the answer swaps the page in would be lost).
        const listed = await page.getByRole('link', { name: path.basename(scanPath) }).count();
        await page.locator(`#c-${c.code}`).setInputFiles(scanPath);
        await page.locator(`form:has(#c-${c.code})`).getByRole('button', { name: 'Tải lên' }).click();
        await expect.poll(() => page.getByRole('link', { name: path.basename(scanPath) }).count(), { timeout: 60_000 }).toBeGreaterThan(listed);
      }
      await page.getByRole('button', { name: 'Nộp và tiếp nhận hồ sơ' }).click();
      await page.waitForURL(/\/xong$/);
      const code = (await page.locator('strong.code').textContent())!;
      expect(code).toMatch(/^000\.00\.01\.H37-\d{6}-\d{4}$/);
      expect(await page.getByRole('link', { name: /In giấy tiếp nhận/ }).getAttribute('href')).toMatch(/^\/ho-so\/[0-9a-f-]{36}\/giay-to\/01$/);
      await check(page, 'intake-done', js);

      await page.getByRole('link', { name: 'Mở hồ sơ' }).click();
      await page.getByText('Được tiếp nhận').first().waitFor();
      expect(await page.content()).toContain('Trực tiếp tại Bộ phận Một cửa');
      await check(page, 'intake-dossier', js);
      const view = await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}`, as: 'reception.dung' });
      expect(view.json).toMatchObject({ status: 'received', channel: 'in_person' });
      // The ID number belongs to citizen.binh: the dossier is in her account.
      expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}`, as: 'citizen.binh' })).status).toBe(200);
      await context.close();
    }, 300_000);
  }
});
