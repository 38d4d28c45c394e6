import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import type { TestApp } from '../test/harness.ts';
import { screenshot, seriousViolations, startJourney } from './browser.ts';

/**
 * While the portal's script sends a file, the application page's other buttons ("Tiếp tục",
 * "Lưu nháp", other uploads, "Xóa") are disabled with a visible reason, and enabled again when the
 * upload ends (the page the server answers replaces this one) or fails. The upload request is held
 * by the browser's router, so the test sees the page in the middle of it.
 */
const CODE = '1.001776';
let t: TestApp;
let base: string;
let browser: Browser;
let pdfPath: string;
let def: ProcedureDefinition;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, base, browser, pdfPath, close } = await startJourney('upload-busy.pdf'));
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
});
afterAll(async () => close?.());

const BUSY = 'Đang tải tệp lên: chờ tải xong rồi hãy lưu hoặc nộp.';

async function draftPage(page: Page): Promise<string> {
  await page.goto(`${base}/dang-nhap`);
  await page.getByLabel(/Tên đăng nhập/).fill('citizen.an');
  await page.getByLabel(/Mật khẩu/).fill('tinhso-demo');
  await page.getByRole('button', { name: 'Đăng nhập' }).last().click();
  await page.waitForURL(`${base}/`);
  await page.goto(`${base}/ho-so/moi?thu-tuc=${CODE}`);
  await page.locator('#a-idNumber').fill('036090001234');
  await page.getByRole('button', { name: 'Bắt đầu' }).click();
  await page.waitForURL(/\/ho-so\/[0-9a-f-]{36}$/);
  return page.url();
}

/** Holds the next upload POST until the returned function is called with what to do with it. */
async function holdUpload(page: Page): Promise<(how: 'continue' | 'abort') => Promise<void>> {
  let held: ((r: Route) => void) | null = null;
  const arrived = new Promise<Route>((resolve) => (held = resolve));
  await page.route('**/tep', (route) => (route.request().method() === 'POST' ? held!(route) : route.continue()), { times: 1 });
  return async (how) => {
    const route = await arrived;
    await (how === 'continue' ? route.continue() : route.abort('connectionreset'));
  };
}

const mainButtons = (page: Page) => page.locator('main button:not(.visually-hidden)');

describe('buttons during an upload', () => {
  it('disables save, continue and the other uploads with a reason, and the next page has them back', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const page = await context.newPage();
    await draftPage(page);
    const [first, second] = def.components;
    expect(second).toBeDefined();
    const release = await holdUpload(page);
    await page.locator(`#c-${first!.code}`).setInputFiles(pdfPath);
    await page.locator(`form:has(#c-${first!.code})`).getByRole('button', { name: 'Tải lên' }).click();

    await expect.poll(() => page.getByRole('button', { name: 'Tiếp tục' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Lưu nháp' }).isDisabled()).toBe(true);
    expect(await page.locator(`form:has(#c-${second!.code})`).getByRole('button', { name: 'Tải lên' }).isDisabled()).toBe(true);
    const states = await mainButtons(page).evaluateAll((bs) => bs.map((b) => b.hasAttribute('disabled')));
    expect(states.every(Boolean)).toBe(true);
    // The reason is shown once, before the form's buttons, and not inside the upload boxes.
    expect(await page.locator('#dossier-form .upload-busy').count()).toBe(1);
    expect(await page.locator('#dossier-form .upload-busy').textContent()).toBe(BUSY);
    expect(await page.locator('[data-uploads] .upload-busy').count()).toBe(0);
    expect(await page.locator('#dossier-form .upload-busy').isVisible()).toBe(true);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'upload-busy');

    await release('continue');
    await page
      .locator('.component', { has: page.locator(`#c-${first!.code}`) })
      .getByRole('link', { name: 'upload-busy.pdf' })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Tiếp tục' }).isDisabled()).toBe(false);
    expect(await page.getByRole('button', { name: 'Lưu nháp' }).isDisabled()).toBe(false);
    expect(await page.locator('.upload-busy').count()).toBe(0);
    await context.close();
  });

  it('enables them again and removes the reason when the upload fails', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const page = await context.newPage();
    await draftPage(page);
    const comp = def.components[0]!;
    const release = await holdUpload(page);
    await page.locator(`#c-${comp.code}`).setInputFiles(pdfPath);
    await page.locator(`form:has(#c-${comp.code})`).getByRole('button', { name: 'Tải lên' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Lưu nháp' }).isDisabled()).toBe(true);
    await release('abort');
    await page.getByText('Không gửi được tệp (mất kết nối?). Hãy thử lại.').waitFor();
    const states = await mainButtons(page).evaluateAll((bs) => bs.map((b) => b.hasAttribute('disabled')));
    expect(states.some(Boolean)).toBe(false);
    expect(await page.locator('.upload-busy').count()).toBe(0);
    await context.close();
  });

  it('changes nothing without JavaScript: no reason on the page, buttons enabled', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await draftPage(page);
    expect(await page.locator('.upload-busy').count()).toBe(0);
    const states = await mainButtons(page).evaluateAll((bs) => bs.map((b) => b.hasAttribute('disabled')));
    expect(states.some(Boolean)).toBe(false);
    await context.close();
  });
});
