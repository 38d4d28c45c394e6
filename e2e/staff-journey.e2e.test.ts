import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAnswer, rng } from '../src/db/demo/generate-dossiers.ts';
import { notificationJobHandlers } from '../src/modules/notifications/notifications.jobs.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { JobWorker } from '../src/platform/jobs.ts';
import { createTestApp, multipart, SAMPLE_PDF, type TestApp } from '../test/harness.ts';
import { checkPage, launch, SCREENSHOTS } from './browser.ts';

/**
 * Journey (2) of the portal in real Chromium on a phone-sized screen: the desk receives an
 * online dossier and assigns it, the specialist asks for a supplement, the citizen adds the
 * document and sends it back, the desk receives it again, the specialist forwards, the leader
 * approves, the desk returns the result, and the citizen sees it and rates it. Every page is
 * checked with axe-core and for sideways scrolling, and saved as a screenshot.
 */
const CODE = '1.001776';
let t: TestApp;
let base: string;
let browser: Browser;
let def: ProcedureDefinition;
let pdfPath: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  t = await createTestApp({ dossiers: 40 });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  browser = await launch();
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
  pdfPath = path.join(SCREENSHOTS, 'bo-sung.pdf');
  await writeFile(pdfPath, SAMPLE_PDF);
});
afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await t?.close();
});

/** A signed-in phone for one demo user: the session cookie is the same token as the API's. */
async function phone(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'vi-VN' });
  contexts.push(context);
  await context.addCookies([{ name: 'tinhso_session', value: await t.token(username), url: base, httpOnly: true, sameSite: 'Lax' }]);
  return context.newPage();
}

const check = (page: Page, name: string) => checkPage(page, name);

/** Submits an online application through the API (journey 1 covers doing it in the browser). */
async function submitted(): Promise<{ id: string; code: string }> {
  const r = rng(3);
  const form = Object.fromEntries(def.form.filter((f) => f.required).map((f) => [f.key, fakeAnswer(f, r)]));
  const created = await t.request({
    method: 'POST',
    url: '/api/v1/dossiers',
    as: 'citizen.an',
    payload: { procedureCode: CODE, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form },
  });
  for (const c of def.components.filter((x) => x.required)) {
    const body = multipart({ component: c.code }, { name: `${c.code}.pdf`, type: 'application/pdf', data: SAMPLE_PDF });
    await t.request({ method: 'POST', url: `/api/v1/dossiers/${created.json.id}/files`, as: 'citizen.an', ...body });
  }
  const sub = await t.request({ method: 'POST', url: `/api/v1/dossiers/${created.json.id}/submit`, as: 'citizen.an' });
  expect(sub.status).toBe(200);
  return { id: sub.json.id, code: sub.json.code };
}

/** Opens a dossier from the worklist tab where it waits. */
async function openFromWorklist(page: Page, tab: string, code: string, shot?: string) {
  await page.goto(`${base}/can-bo/ho-so?nhom=${tab}`);
  if (shot) await check(page, shot);
  await page.getByRole('link', { name: code, exact: true }).click();
  await page.waitForURL(new RegExp(`/can-bo/ho-so/${code.replace(/\./g, '\\.')}`));
}

async function takeAction(page: Page, label: string) {
  await page.getByRole('button', { name: label, exact: true }).click();
  await page.getByText(`Đã thực hiện: ${label}.`).waitFor();
}

describe('the one-stop desk and the agency in Chromium', () => {
  it('receives, asks for a supplement, gets it, finishes, returns the result, and the citizen rates it', async () => {
    const d = await submitted();
    const desk = await phone('reception.dung');
    const specialist = await phone('specialist.giang');
    const leader = await phone('leader.hoa');
    const citizen = await phone('citizen.an');

    // The desk: the worklist's "to receive" tab, the dossier, receive, assign.
    await desk.goto(`${base}/`);
    await desk.getByRole('link', { name: 'Hồ sơ cần xử lý' }).click();
    await desk.waitForURL(/\/can-bo\/ho-so$/);
    await openFromWorklist(desk, 'can-tiep-nhan', d.code, 'staff-worklist-desk');
    await check(desk, 'staff-dossier-submitted');
    await takeAction(desk, 'Tiếp nhận hồ sơ');
    await desk.getByLabel('Chuyên viên được giao').selectOption({ label: 'Hoàng Văn Giang' });
    await takeAction(desk, 'Giao chuyên viên xử lý');
    await check(desk, 'staff-dossier-assigned');

    // The specialist asks for a supplement; the reason is required.
    await openFromWorklist(specialist, 'cua-toi', d.code, 'staff-worklist-specialist');
    await specialist.getByRole('button', { name: 'Yêu cầu bổ sung giấy tờ', exact: true }).click();
    await specialist.locator('.error-summary').waitFor();
    await check(specialist, 'staff-action-error');
    await specialist.getByLabel('Giấy tờ, nội dung cần bổ sung').fill('Bổ sung bản sao giấy xác nhận khuyết tật rõ nét');
    await takeAction(specialist, 'Yêu cầu bổ sung giấy tờ');

    // The citizen sees what is missing, adds the document and sends it back.
    await citizen.goto(`${base}/ho-so`);
    await citizen.getByRole('link', { name: d.code }).click();
    await citizen.getByText('Cơ quan yêu cầu bổ sung giấy tờ').waitFor();
    expect(await citizen.content()).toContain('Bổ sung bản sao giấy xác nhận khuyết tật rõ nét');
    await check(citizen, 'citizen-supplement');
    const comp = def.components[0]!;
    await citizen.locator(`#c-${comp.code}`).setInputFiles(pdfPath);
    await citizen.locator(`form:has(#c-${comp.code})`).getByRole('button', { name: 'Tải lên' }).click();
    await citizen.getByText('bo-sung.pdf').first().waitFor();
    await citizen.getByRole('button', { name: 'Gửi bổ sung' }).click();
    await citizen.getByText('Đã gửi.').waitFor();
    await check(citizen, 'citizen-supplement-sent');

    // The desk accepts the supplement; the specialist forwards; the leader approves.
    await openFromWorklist(desk, 'can-tiep-nhan', d.code);
    await takeAction(desk, 'Tiếp nhận hồ sơ');
    await openFromWorklist(specialist, 'cua-toi', d.code);
    await takeAction(specialist, 'Chuyển bước tiếp theo');
    await openFromWorklist(leader, 'cua-toi', d.code, 'staff-worklist-leader');
    await check(leader, 'staff-dossier-leader');
    await takeAction(leader, 'Phê duyệt kết quả');

    // The desk hands the result over.
    await openFromWorklist(desk, 'cua-toi', d.code);
    await takeAction(desk, 'Trả kết quả');
    await check(desk, 'staff-dossier-returned');

    // The citizen sees the result and rates it.
    await citizen.goto(`${base}/ho-so/${d.id}`);
    await citizen.getByRole('heading', { name: 'Kết quả' }).waitFor();
    await check(citizen, 'citizen-result');
    await citizen.getByLabel('Rất hài lòng').check();
    await citizen.getByLabel('Góp ý (không bắt buộc)').fill('Cán bộ hướng dẫn tận tình');
    await citizen.getByRole('button', { name: 'Gửi đánh giá' }).click();
    await citizen.getByText('Bạn đã đánh giá: Rất hài lòng.').waitFor();
    await check(citizen, 'citizen-rated');

    // What they were told along the way (the job worker, run here by hand, writes the in-app
    // notifications): the header's link with the unread count, the list, and opening one.
    const worker = new JobWorker(t.database.db, notificationJobHandlers, t.app.log);
    while ((await worker.runOnce()) > 0);
    await citizen.goto(`${base}/ho-so/${d.id}`);
    await citizen
      .getByRole('link', { name: /^Thông báo/ })
      .first()
      .click();
    await citizen.getByRole('heading', { name: 'Thông báo', level: 1 }).waitFor();
    await citizen.getByText('Chưa đọc').first().waitFor();
    await check(citizen, 'citizen-notifications');
    await citizen
      .getByRole('button', { name: `Xem hồ sơ ${d.code}` })
      .first()
      .click();
    await citizen.waitForURL(`${base}/ho-so/${d.id}`);

    const history = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}/history`, as: 'reception.dung' })).json.map(
      (h: { action: string }) => h.action,
    );
    expect(history).toEqual([
      'create',
      'submit',
      'receive',
      'assign',
      'request_supplement',
      'attach_file',
      'supplement',
      'receive',
      'forward',
      'approve',
      'return_result',
      'rate',
    ]);
  }, 480_000);
});
