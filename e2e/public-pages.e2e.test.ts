import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { createTestApp, type TestApp } from '../test/harness.ts';
import { checkPage, launch } from './browser.ts';

/**
 * Journeys on the public portal in real Chromium, at a phone's 360×640, with and without
 * JavaScript: find a procedure, read it, look up a dossier, sign in. Every page is checked with
 * axe-core (no serious or critical violations) and for horizontal scrolling.
 */
let t: TestApp;
let base: string;
let browser: Browser;

beforeAll(async () => {
  t = await createTestApp({ dossiers: 60 });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

async function phone(javaScriptEnabled: boolean): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled, locale: 'vi-VN' });
}

describe('public portal in Chromium', () => {
  for (const js of [true, false]) {
    it(`finds a procedure without diacritics, reads it, and looks up a dossier (JavaScript ${js ? 'on' : 'off'})`, async () => {
      // axe runs inside the page, so the accessibility checks need JavaScript; without it we
      // check that every step still works.
      const context = await phone(js);
      const page = await context.newPage();
      await page.goto(base + '/');
      expect(await page.locator('html').getAttribute('lang')).toBe('vi');
      if (js) await checkPage(page, 'home');
      await page.getByLabel('Tìm thủ tục hành chính').fill('dang ky khai sinh');
      await page.getByRole('button', { name: 'Tìm kiếm' }).click();
      await page.waitForURL(/\/thu-tuc\?/);
      if (js) await checkPage(page, 'search');
      await page.getByRole('link', { name: 'Đăng ký khai sinh', exact: true }).first().click();
      await page.waitForURL(/\/thu-tuc\/1\.001193$/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Đăng ký khai sinh');
      expect(await page.getByText('Nộp hồ sơ trực tuyến').count()).toBeGreaterThan(0);
      if (js) await checkPage(page, 'procedure');

      const [row] = await queryRows<{ code: string }>(t.database.db, sql`SELECT code FROM dossiers WHERE code IS NOT NULL LIMIT 1`);
      await page.goto(base + '/');
      await page.getByLabel('Mã hồ sơ', { exact: true }).fill(row!.code);
      await page.getByRole('button', { name: 'Tra cứu', exact: true }).click();
      await page.waitForURL(/\/tra-cuu\?/);
      expect(await page.content()).toContain(row!.code);
      if (js) await checkPage(page, 'lookup');
      await context.close();
    });
  }

  it('signs in and out with the keyboard only, and switches to English', async () => {
    const context = await phone(true);
    const page = await context.newPage();
    await page.goto(base + '/dang-nhap');
    await checkPage(page, 'sign-in');
    await page.getByLabel(/Tên đăng nhập/).focus();
    await page.keyboard.type('citizen.an');
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await page.locator('.error-summary').waitFor();
    await checkPage(page, 'sign-in-error');
    await page.getByLabel(/Mật khẩu/).fill('tinhso-demo');
    await page.getByLabel(/Mật khẩu/).press('Enter');
    await page.waitForURL(base + '/');
    expect(await page.content()).toContain('Nguyễn Văn An');
    await page.getByRole('link', { name: 'English' }).click();
    await page.locator('html[lang=en]').waitFor();
    await checkPage(page, 'home-en');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().waitFor();
    expect(await page.content()).not.toContain('Nguyễn Văn An');
    await context.close();
  });
});
