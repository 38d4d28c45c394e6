import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { SAMPLE_PDF, submittedDossier, type TestApp } from '../test/harness.ts';
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
async function holdUpload(page: Page, url = '**/tep'): Promise<(how: 'continue' | 'abort') => Promise<void>> {
  let held: ((r: Route) => void) | null = null;
  const arrived = new Promise<Route>((resolve) => (held = resolve));
  await page.route(url, (route) => (route.request().method() === 'POST' ? held!(route) : route.continue()), { times: 1 });
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

describe('the officers’ result upload', () => {
  const STAFF_BUSY = 'Đang tải tệp kết quả lên: chờ tải xong rồi hãy làm thao tác khác.';
  const setLimit = async (value: number) =>
    expect((await t.request({ method: 'PUT', url: '/api/v1/settings/upload_max_bytes', as: 'admin.lan', payload: { value } })).status).toBe(200);

  it('stops a file over the limit before sending, disables the page’s buttons with a reason while one is sent, and lands on the confirmation', async () => {
    const d = await submittedDossier(t, 'citizen.an', {
      procedureCode: CODE,
      applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' },
    });
    const staff = (await t.request({ method: 'GET', url: '/api/v1/agencies/TTPVHCC/staff?role=specialist', as: 'reception.dung' })).json;
    const giangId = staff.find((s: { username: string }) => s.username === 'specialist.giang').id as string;
    for (const body of [{ action: 'receive' }, { action: 'assign', assigneeId: giangId }]) {
      const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${d.code}/actions`, as: 'reception.dung', payload: body });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    }
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    await context.addCookies([{ name: 'tinhso_session', value: await t.token('specialist.giang'), url: base, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    let posts = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/ket-qua')) posts++;
    });
    const send = page.getByRole('button', { name: 'Niêm phong và đính kèm tệp' });

    // Over the administrators' limit (2 KB here): said next to the input, nothing sent.
    await setLimit(2048);
    try {
      await page.goto(`${base}/can-bo/ho-so/${d.code}`);
      await page
        .locator('#kq-file')
        .setInputFiles({ name: 'lon.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([SAMPLE_PDF, Buffer.alloc(4096, 32)]) });
      await send.click();
      await page.locator('#kq-file-error').getByText('Tệp phải nhỏ hơn 2 KB').waitFor();
      expect(posts).toBe(0);
    } finally {
      await setLimit(10 * 1024 * 1024);
    }

    await page.goto(`${base}/can-bo/ho-so/${d.code}`);
    const release = await holdUpload(page, '**/ket-qua');
    await page.locator('#kq-file-title').fill('Quyết định trợ cấp hằng tháng');
    await page.locator('#kq-file').setInputFiles(pdfPath);
    await send.click();
    await expect.poll(() => send.isDisabled()).toBe(true);
    const states = await mainButtons(page).evaluateAll((bs) => bs.map((b) => b.hasAttribute('disabled')));
    expect(states.every(Boolean)).toBe(true);
    // The compose form and the dossier's actions say why; the upload box itself shows its progress instead.
    expect(await page.getByText(STAFF_BUSY).first().isVisible()).toBe(true);
    expect(await page.locator('[data-uploads] .upload-busy').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await screenshot(page, 'upload-busy-staff');

    await release('continue');
    await page.waitForURL(/\?ket-qua=[0-9a-f-]{36}#kq-done$/);
    await page.getByText('Đã niêm phong và đính kèm kết quả: Quyết định trợ cấp hằng tháng.').waitFor();
    expect(await page.evaluate<string>('document.activeElement ? document.activeElement.id : ""')).toBe('kq-done');
    expect(await page.locator('.upload-busy').count()).toBe(0);
    expect(posts).toBe(1);
    await context.close();
  });
});
