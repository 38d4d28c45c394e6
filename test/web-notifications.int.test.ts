import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { notificationJobHandlers } from '../src/modules/notifications/notifications.jobs.ts';
import { JobWorker } from '../src/platform/jobs.ts';
import { createTestApp, submittedDossier, type TestApp } from './harness.ts';
import { csrfOf, webClient, type WebRes } from './web-client.ts';

/**
 * The notifications page `/thong-bao`, the header's "Thông báo" link with the unread count, and
 * the SMS consent on the account page (docs/NOTIFICATIONS.md, docs/WEB.md).
 */
let t: TestApp;
const { postForm } = webClient(() => t);
const cookies: Record<string, string> = {};
const ids: Record<string, string> = {};

/** A page as a browser asks for it (Accept: text/html: the header then carries the unread count). */
async function page(url: string, cookie?: string): Promise<WebRes> {
  const r = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html,application/xhtml+xml', ...(cookie ? { cookie } : {}) } });
  return { status: r.statusCode, body: r.body, headers: r.headers };
}

const itemsOn = (body: string) => [...body.matchAll(/<li(?: class="unread")?>\s*<p>/g)].length;
const unreadOf = async (username: string) => (await t.request({ method: 'GET', url: '/api/v1/me/notifications', as: username })).json.unread as number;

/** `n` notifications for a user, an hour apart, the newest `hoursAgo` hours old; `read` of them (the oldest) already read. */
async function addNotifications(username: string, n: number, read: number, hoursAgo = 48) {
  await t.database.db.execute(sql`
    INSERT INTO notifications (id, user_id, kind, title, body, created_at, read_at)
    SELECT gen_random_uuid(), ${ids[username]}::uuid, 'info', 'Thông báo thử ' || i, 'Nội dung ' || i,
           now() - make_interval(hours => ${hoursAgo} + i), CASE WHEN i > ${n - read} THEN now() END
    FROM generate_series(1, ${n}) AS i`);
}

beforeAll(async () => {
  t = await createTestApp();
  for (const u of ['citizen.an', 'citizen.binh', 'specialist.giang']) {
    cookies[u] = `tinhso_session=${await t.token(u)}`;
    ids[u] = (await t.request({ method: 'GET', url: '/api/v1/me', as: u })).json.id;
  }
});
afterAll(async () => t?.close());

describe('the notifications page', () => {
  let dossier: { id: string; code: string };

  it('sends visitors to sign in and shows them no notifications link', async () => {
    const r = await page('/thong-bao');
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/dang-nhap?next=%2Fthong-bao');
    const home = await page('/');
    expect(home.status).toBe(200);
    expect(home.body).not.toContain('href="/thong-bao"');
  });

  it('lists the newest first, paged, unread ones marked, with the unread count in the header', async () => {
    await t.database.db.execute(sql`DELETE FROM notifications WHERE user_id = ${ids['citizen.binh']}::uuid`);
    dossier = await submittedDossier(t, 'citizen.binh', {
      procedureCode: '1.001776',
      applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321' },
    });
    const worker = new JobWorker(t.database.db, notificationJobHandlers, t.app.log);
    while ((await worker.runOnce()) > 0);
    // The submission's message (now), and 24 older ones, of which the 3 oldest are read: 25 in all, 22 unread.
    await addNotifications('citizen.binh', 24, 3);
    expect(await unreadOf('citizen.binh')).toBe(22);

    const home = await page('/', cookies['citizen.binh']);
    expect(home.body).toContain('<a href="/thong-bao">Thông báo <span aria-hidden="true">(22)</span><span class="visually-hidden">: 22 chưa đọc</span></a>');

    const first = await page('/thong-bao', cookies['citizen.binh']);
    expect(first.status).toBe(200);
    expect(first.body).toContain('<a href="/thong-bao" aria-current="page">Thông báo');
    expect(first.body).toContain('25 thông báo, 22 chưa đọc');
    expect(itemsOn(first.body)).toBe(20);
    expect(first.body).toContain('Trang 1/2');
    // Newest first: the submission's message, then "Thông báo thử 1", "… 2".
    const newest = first.body.indexOf(dossier.code);
    expect(newest).toBeGreaterThan(-1);
    expect(newest).toBeLessThan(first.body.indexOf('Thông báo thử 1<'));
    expect(first.body.indexOf('Thông báo thử 1<')).toBeLessThan(first.body.indexOf('Thông báo thử 2<'));
    expect(first.body).toContain(`action="/thong-bao/`);
    expect(first.body).toContain(`Xem hồ sơ ${dossier.code}`);
    expect(first.body).toContain('action="/thong-bao/doc-tat-ca"');
    expect([...first.body.matchAll(/<li class="unread">/g)]).toHaveLength(20);

    const second = await page('/thong-bao?trang=2', cookies['citizen.binh']);
    expect(itemsOn(second.body)).toBe(5);
    expect(second.body).toContain('Trang 2/2');
    // The 3 read ones are the oldest: on page 2, not marked.
    expect([...second.body.matchAll(/<li class="unread">/g)]).toHaveLength(2);
    expect(second.body).toContain('Thông báo thử 24');
    // A page past the end or a malformed number: an empty page or the first page, never an error.
    expect(itemsOn((await page('/thong-bao?trang=9', cookies['citizen.binh'])).body)).toBe(0);
    expect(itemsOn((await page('/thong-bao?trang=abc', cookies['citizen.binh'])).body)).toBe(20);
  });

  it('opens a notification through a form that marks it read and goes to the dossier', async () => {
    const list = (await t.request({ method: 'GET', url: '/api/v1/me/notifications?limit=1', as: 'citizen.binh' })).json.items;
    const id = list[0].id as string;
    const p = await page('/thong-bao', cookies['citizen.binh']);
    const csrf = csrfOf(p.body);
    // A form without its token does nothing.
    expect((await postForm(`/thong-bao/${id}/doc`, { csrf: 'x' }, cookies['citizen.binh'])).status).toBe(403);
    expect(await unreadOf('citizen.binh')).toBe(22);
    // Someone else's notification, or one that does not exist: 404, nothing marked.
    const anPage = await page('/thong-bao', cookies['citizen.an']);
    expect((await postForm(`/thong-bao/${id}/doc`, { csrf: csrfOf(anPage.body) }, cookies['citizen.an'])).status).toBe(404);
    expect((await postForm('/thong-bao/not-an-id/doc', { csrf }, cookies['citizen.binh'])).status).toBe(404);
    expect(await unreadOf('citizen.binh')).toBe(22);

    const open = await postForm(`/thong-bao/${id}/doc`, { csrf, trang: '1' }, cookies['citizen.binh']);
    expect(open.status).toBe(303);
    expect(open.headers.location).toBe(`/ho-so/${dossier.id}`);
    expect(await unreadOf('citizen.binh')).toBe(21);
    // Opening it again keeps it read (and leads to the same place).
    expect((await postForm(`/thong-bao/${id}/doc`, { csrf }, cookies['citizen.binh'])).headers.location).toBe(`/ho-so/${dossier.id}`);
    expect(await unreadOf('citizen.binh')).toBe(21);
    // One without a dossier is marked read and the list comes back, on the page it was on.
    const plain = (await t.request({ method: 'GET', url: '/api/v1/me/notifications?unread=true&limit=100', as: 'citizen.binh' })).json.items.find(
      (n: { dossierCode: string | null }) => n.dossierCode === null,
    );
    const back = await postForm(`/thong-bao/${plain.id}/doc`, { csrf, trang: '2' }, cookies['citizen.binh']);
    expect(back.headers.location).toBe('/thong-bao?trang=2');
    expect(await unreadOf('citizen.binh')).toBe(20);
  });

  it('leads an officer to the officers’ page of the dossier', async () => {
    await t.database.db.execute(sql`DELETE FROM notifications WHERE user_id = ${ids['specialist.giang']}::uuid`);
    await t.database.db.execute(sql`
      INSERT INTO notifications (id, user_id, dossier_id, kind, title, body, created_at)
      VALUES (gen_random_uuid(), ${ids['specialist.giang']}::uuid, ${dossier.id}::uuid, 'deadline_soon', 'Hồ sơ sắp đến hạn', 'Hạn giải quyết: ngày mai', now())`);
    const p = await page('/thong-bao', cookies['specialist.giang']);
    expect(p.body).toContain('1 thông báo, 1 chưa đọc');
    const [n] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM notifications WHERE user_id = ${ids['specialist.giang']}::uuid`);
    const open = await postForm(`/thong-bao/${n!.id}/doc`, { csrf: csrfOf(p.body) }, cookies['specialist.giang']);
    expect(open.headers.location).toBe(`/can-bo/ho-so/${encodeURIComponent(dossier.code)}`);
  });

  it('marks everything read at once, and caps the header count at 99+', async () => {
    const p = await page('/thong-bao', cookies['citizen.binh']);
    expect((await postForm('/thong-bao/doc-tat-ca', { csrf: '' }, cookies['citizen.binh'])).status).toBe(403);
    const all = await postForm('/thong-bao/doc-tat-ca', { csrf: csrfOf(p.body) }, cookies['citizen.binh']);
    expect(all.status).toBe(303);
    expect(all.headers.location).toBe('/thong-bao?xong=20');
    const after = await page(String(all.headers.location), cookies['citizen.binh']);
    expect(after.body).toContain('Đã đánh dấu 20 thông báo là đã đọc.');
    expect(after.body).toContain('<a href="/thong-bao" aria-current="page">Thông báo</a>');
    expect(after.body).not.toContain('action="/thong-bao/doc-tat-ca"');
    expect(after.body).not.toContain('class="unread"');
    expect(await unreadOf('citizen.binh')).toBe(0);

    await addNotifications('citizen.binh', 120, 0, 1);
    const many = await page('/', cookies['citizen.binh']);
    expect(many.body).toContain('Thông báo <span aria-hidden="true">(99+)</span><span class="visually-hidden">: 99+ chưa đọc</span>');
    // In English too.
    const en = await page('/', `${cookies['citizen.binh']}; lang=en`);
    expect(en.body).toContain('Notifications <span aria-hidden="true">(99+)</span><span class="visually-hidden">: 99+ unread</span>');
  });
});

describe('SMS consent on the account page', () => {
  it('explains the choice and records it as a box ticked or not, with CSRF', async () => {
    const p = await page('/tai-khoan', cookies['citizen.an']);
    expect(p.status).toBe(200);
    expect(p.body).toContain('<h2 id="thong-bao-sms">Nhận thông báo qua tin nhắn SMS</h2>');
    expect(p.body).toContain('Thư điện tử và thông báo trên Cổng vẫn được gửi dù bạn không đồng ý.');
    expect(p.body).toContain('Bạn chưa đồng ý nhận tin nhắn SMS.');
    expect(p.body).toContain('<input type="checkbox" id="sms-consent" name="granted" value="on" aria-describedby="sms-consent-hint">');
    const csrf = csrfOf(p.body);

    expect((await postForm('/tai-khoan/dong-y-sms', { csrf: 'wrong', granted: 'on' }, cookies['citizen.an'])).status).toBe(403);
    const consents = async () => (await t.request({ method: 'GET', url: '/api/v1/me/consents', as: 'citizen.an' })).json.items[0];
    expect(await consents()).toMatchObject({ purpose: 'sms_notifications', granted: false, source: null });

    const grant = await postForm('/tai-khoan/dong-y-sms', { csrf, granted: 'on' }, cookies['citizen.an']);
    expect(grant.status).toBe(303);
    expect(grant.headers.location).toBe('/tai-khoan?xong=sms#thong-bao-sms');
    expect(await consents()).toMatchObject({ granted: true, source: 'web' });
    const shown = await page('/tai-khoan?xong=sms', cookies['citizen.an']);
    expect(shown.body).toContain('Đã lưu lựa chọn nhận tin nhắn SMS.');
    expect(shown.body).toContain('Bạn đã đồng ý nhận tin nhắn SMS (từ ');
    expect(shown.body).toContain('name="granted" value="on" aria-describedby="sms-consent-hint" checked>');

    // Unticked: withdrawn.
    expect((await postForm('/tai-khoan/dong-y-sms', { csrf }, cookies['citizen.an'])).status).toBe(303);
    expect(await consents()).toMatchObject({ granted: false, source: 'web' });
    // Both answers are in the audit log.
    const audit = await queryRows<{ action: string }>(
      t.database.db,
      sql`SELECT action FROM audit_log WHERE action LIKE 'consent.%' AND target_id = ${ids['citizen.an']} ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['consent.grant', 'consent.withdraw']);
    // Signed out: sign in first.
    expect((await postForm('/tai-khoan/dong-y-sms', { csrf, granted: 'on' })).status).toBe(303);
    expect(await consents()).toMatchObject({ granted: false });
  });
});
