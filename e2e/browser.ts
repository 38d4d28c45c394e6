import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../bench/lib.ts';
import { createTestApp, SAMPLE_PDF, type TestApp } from '../test/harness.ts';

/**
 * Real Chromium (Debian's package) driven by playwright-core, with the flags this environment
 * needs. Screenshots go to e2e/screenshots/ (ignored by git) so a person can look at them.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'e2e/screenshots');

export async function launch(): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/** Axe violations of impact serious or critical (WCAG 2.1 AA rules). */
export async function seriousViolations(page: Page) {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

/**
 * What every page of a journey must pass: no serious or critical axe violation (unless `axe` is
 * false: pages without JavaScript are checked with it on), no sideways scrolling, and a screenshot
 * (named `shot`, default the page's name).
 */
export async function checkPage(page: Page, name: string, opts: { axe?: boolean; shot?: string } = {}): Promise<void> {
  if (opts.axe !== false) expect(await seriousViolations(page), name).toEqual([]);
  expect(
    await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
    `${name} scrolls sideways`,
  ).toBeLessThanOrEqual(0);
  await screenshot(page, opts.shot ?? name);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * The app on a real port with a fresh database, a browser, and a sample PDF on disk to upload:
 * what every journey starts from. `close` stops both.
 */
export async function startJourney(pdfName: string): Promise<{ t: TestApp; base: string; browser: Browser; pdfPath: string; close: () => Promise<void> }> {
  const t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  const browser = await launch();
  const pdfPath = path.join(SCREENSHOTS, pdfName);
  await writeFile(pdfPath, SAMPLE_PDF);
  return {
    t,
    base,
    browser,
    pdfPath,
    close: async () => {
      await browser.close();
      await t.close();
    },
  };
}
