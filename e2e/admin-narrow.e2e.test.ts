import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../test/harness.ts';
import { checkPage, startJourney } from './browser.ts';

/**
 * The administrators' and the security officers' pages on a phone (360×640), in Vietnamese and
 * English: no sideways scroll, and no serious axe violation (checked in Vietnamese: the English
 * pages have the same markup, and their language marks are web-lang-vi's), with a draft version listed on the
 * procedure page (its table's "Xem trước" links carry visually hidden text, which widened the page
 * when the table's wrapper was not their containing block) and with errors shown.
 */
const CODE = '1.001193';
let t: TestApp;
let base: string;
let browser: Browser;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ t, base, browser, close } = await startJourney('giay-to-admin-narrow.pdf'));
  const def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
  const draft = await t.request({
    method: 'POST',
    url: `/api/v1/procedures/${CODE}/versions`,
    as: 'admin.lan',
    payload: { definition: def, decisionRef: 'Quyết định số 1234/QĐ-UBND ngày 01/11/2026 của Chủ tịch Ủy ban nhân dân tỉnh' },
  });
  expect(draft.status, draft.body).toBe(201);
});
afterAll(async () => close?.());

const ADMIN_PAGES = [
  '/quan-tri',
  '/quan-tri/thu-tuc',
  `/quan-tri/thu-tuc/${CODE}`,
  `/quan-tri/thu-tuc/${CODE}/phien-ban-moi`,
  `/quan-tri/thu-tuc/${CODE}/1/xem-truoc`,
  '/quan-tri/thu-tuc/moi',
  '/quan-tri/lich',
  '/quan-tri/lich?nam=abc',
  '/quan-tri/tai-khoan',
  '/quan-tri/tai-khoan/moi',
  '/quan-tri/co-quan',
  '/quan-tri/co-quan/moi',
  '/quan-tri/don-vi',
  '/quan-tri/cau-hinh',
];

describe('administrators’ pages at 360 px', () => {
  for (const lang of ['vi', 'en'] as const) {
    const axe = lang === 'vi';
    it(`every page fits the screen${axe ? ' and passes axe' : ''} (${lang})`, async () => {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 640 } });
      await ctx.addCookies([
        { name: 'lang', value: lang, url: base },
        { name: 'tinhso_session', value: await t.token('admin.lan'), url: base },
      ]);
      const page = await ctx.newPage();
      for (const url of ADMIN_PAGES) {
        await page.goto(`${base}${url}`);
        await checkPage(page, `admin-narrow-${lang}${url.replace(/[^a-z0-9]+/gi, '-')}`, { axe });
      }
      // A units file with bad rows: the reasons at the file field and in the summary.
      await page.goto(`${base}/quan-tri/don-vi`);
      await page.locator('#u-file').setInputFiles({
        name: 'don-vi.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('code,name,type,parent_code,valid_from\n99993,Xã Thử,commune,37,2026-13-01\n'),
      });
      await page.locator('form[action="/quan-tri/don-vi/nhap"] button[type="submit"]').click();
      await page.locator('#u-file-error').waitFor();
      await checkPage(page, `admin-narrow-${lang}-units-error`, { axe });
      // The security officers’ page.
      await ctx.addCookies([{ name: 'tinhso_session', value: await t.token('security.minh'), url: base }]);
      await page.goto(`${base}/an-ninh`);
      await checkPage(page, `admin-narrow-${lang}-security`, { axe });
      await ctx.close();
    });
  }
});
