import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { SAMPLE_PDF, type TestApp } from '../test/harness.ts';
import { checkPage, SCREENSHOTS, startJourney } from './browser.ts';

/**
 * What the portal's script adds, in real Chromium with JavaScript on, on a 360×640 phone screen:
 * instant search on the home and search pages (results as you type, a shareable URL), and
 * uploads with a progress bar that reaches 100 % before the page continues (the file listed),
 * the server's error page when it refuses a file, and the early size check.
 */
const CODE = '1.001776';
let t: TestApp;
let base: string;
let browser: Browser;
let def: ProcedureDefinition;
let bigPath: string;
let textPath: string;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, base, browser, close } = await startJourney('enhance.pdf'));
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
  // About 3 MB, so the browser reports upload progress along the way.
  bigPath = path.join(SCREENSHOTS, 'enhance-big.pdf');
  await writeFile(bigPath, Buffer.concat([SAMPLE_PDF, Buffer.alloc(3 * 1024 * 1024, 32)]));
  textPath = path.join(SCREENSHOTS, 'enhance-note.pdf');
  await writeFile(textPath, 'not a pdf, only text');
});
afterAll(async () => close?.());

const check = (page: Page, name: string) => checkPage(page, name, { shot: `enhance-${name}` });

describe('the portal script in Chromium', () => {
  it('searches as the user types, with a URL to share, on the home and the search page', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/`);
    await page.locator('#q').pressSequentially('khai sinh', { delay: 30 });
    await page.locator('#ket-qua .search-results a').first().waitFor();
    await page.waitForURL(`${base}/thu-tuc?q=khai+sinh`);
    // Debounced: one request for the whole word, not one per key.
    expect(requests.filter((u) => u.includes('/tim-kiem?')).length).toBeLessThanOrEqual(2);
    const homeResults = await page.locator('#ket-qua .results li').count();
    expect(homeResults).toBeGreaterThan(0);
    await check(page, 'home-instant');

    await page.goto(`${base}/thu-tuc`);
    const before = await page.locator('#ket-qua .results li').count();
    await page.locator('#q').fill('khai sinh');
    await page.waitForURL(`${base}/thu-tuc?q=khai+sinh`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Kết quả cho “khai sinh”');
    expect(await page.title()).toMatch(/^Kết quả cho “khai sinh” — /);
    const after = await page.locator('#ket-qua .results li').count();
    expect(after).toBe(homeResults);
    expect(after).toBeLessThan(before);
    // The announced count is in a live region that was there before the results changed.
    expect(await page.locator('p.visually-hidden[aria-live="polite"]').textContent()).toMatch(/thủ tục/);
    await check(page, 'search-instant');
    // The shared URL shows the same results without the script.
    const shared = await browser.newContext({ viewport: { width: 360, height: 640 }, javaScriptEnabled: false });
    const plain = await shared.newPage();
    await plain.goto(page.url());
    expect(await plain.locator('#ket-qua .results li').count()).toBe(after);
    await shared.close();
    // Enter still submits the form as without the script.
    await page.locator('#q').fill('zzqx khong co');
    await page.locator('#q').press('Enter');
    await page.waitForURL(/q=zzqx\+khong\+co/);
    await page.getByText('Không tìm thấy').first().waitFor();
    await context.close();
  });

  it('uploads with a progress bar that reaches 100 %, then shows the page the server answers', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
    const page = await context.newPage();
    await page.goto(`${base}/dang-nhap`);
    await page.getByLabel(/Tên đăng nhập/).fill('citizen.an');
    await page.getByLabel(/Mật khẩu/).fill('tinhso-demo');
    await page.getByRole('button', { name: 'Đăng nhập' }).last().click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/ho-so/moi?thu-tuc=${CODE}`);
    await page.locator('#a-idNumber').fill('036090001234');
    await page.getByRole('button', { name: 'Bắt đầu' }).click();
    await page.waitForURL(/\/ho-so\/[0-9a-f-]{36}$/);
    const draftUrl = page.url();
    const comp = def.components[0]!;
    const input = `#c-${comp.code}`;

    // Every value the bar takes, recorded in the page (the bar is replaced with the new page at the end).
    await page.evaluate(`window.seen = [];
      new MutationObserver((ms) => { for (const m of ms) if (m.target instanceof HTMLProgressElement) window.seen.push(m.target.value); })
        .observe(document.documentElement, { attributes: true, attributeFilter: ['value'], subtree: true });`);
    await page.locator(input).setInputFiles(bigPath);
    await page.locator(`form:has(${input})`).getByRole('button', { name: 'Tải lên' }).click();
    const component = page.locator('.component', { has: page.locator(input) });
    await component.getByRole('link', { name: 'enhance-big.pdf' }).waitFor();
    const bar = component.locator('.upload-progress progress');
    expect(await bar.getAttribute('value')).toBe('100');
    expect(await component.locator('.upload-progress p').textContent()).toBe('Đã tải lên xong enhance-big.pdf.');
    expect(await bar.getAttribute('aria-label')).toBe('Tiến độ tải lên enhance-big.pdf');
    // The page continued where the no-JS redirect goes (the component), without a full reload.
    expect(page.url()).toBe(`${draftUrl}#c-${comp.code}`);
    expect(await page.evaluate<string>('document.activeElement.id')).toBe(`c-${comp.code}`);
    const seen = await page.evaluate<number[]>('window.seen || []');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1]!)).toBe(true);
    await check(page, 'upload-done');

    // A file the server refuses: its error page, with the summary focused, exactly as without the script.
    await page.locator(input).setInputFiles(textPath);
    await page.locator(`form:has(${input})`).getByRole('button', { name: 'Tải lên' }).click();
    await page.locator('.error-summary').waitFor();
    expect(await page.locator('.error-summary').textContent()).toMatch(/PDF|JPG|PNG|loại tệp|định dạng/i);
    expect(await page.evaluate<string>('document.activeElement.className')).toBe('error-summary');
    expect(page.url()).toBe(`${draftUrl}#c-${comp.code}`);
    await check(page, 'upload-refused');

    // Too large for the limit the administrators set: stopped in the browser with the server's words.
    await t.request({ method: 'PUT', url: '/api/v1/settings/upload_max_bytes', as: 'admin.lan', payload: { value: 1024 * 1024 } });
    await page.goto(draftUrl);
    let posted = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST') posted++;
    });
    await page.locator(input).setInputFiles(bigPath);
    await page.locator(`form:has(${input})`).getByRole('button', { name: 'Tải lên' }).click();
    await page.locator(`#c-${comp.code}-error`).waitFor();
    expect(await page.locator(`#c-${comp.code}-error`).textContent()).toBe('Tệp phải nhỏ hơn 1 MB');
    expect(await page.locator(input).getAttribute('aria-invalid')).toBe('true');
    expect(posted).toBe(0);
    await check(page, 'upload-too-large');
    await t.request({ method: 'PUT', url: '/api/v1/settings/upload_max_bytes', as: 'admin.lan', payload: { value: 10 * 1024 * 1024 } });
    await context.close();
  });
});
