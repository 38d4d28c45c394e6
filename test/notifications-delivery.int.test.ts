import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/client.ts';
import { notificationHandlers } from '../src/modules/notifications/index.ts';
import { httpSmsChannel, smtpChannel, type Channels, type EmailChannel } from '../src/modules/notifications/notifications.channels.ts';
import { parseEmail } from '../src/modules/notifications/notifications.outbox.ts';
import { startSmsSink, startSmtpSink, type Sink } from '../src/modules/notifications/notifications.sinks.ts';
import { Keyring } from '../src/platform/crypto.ts';
import { JobWorker, type BatchJobHandler, type JobRow } from '../src/platform/jobs.ts';
import { createTestApp, requiredAnswers, submittedDossier, type TestApp } from './harness.ts';

/**
 * Email and SMS notifications end to end: a dossier change → the fan-out job → delivery rows and
 * jobs → a real SMTP server and a real HTTP SMS gateway (the development sinks), including a
 * server that fails with 451 once and one that is not there at all.
 */
let t: TestApp;
let smtp: Sink;
let sms: Sink;
let outbox: string;
const FROM = 'Tỉnh Số <no-reply@tinhso.test>';
const SMS_TOKEN = 'test-gateway-token';
let channels: Channels;
let worker: JobWorker;
// The app's keyring: notification jobs read the applicant's phone, which is stored encrypted with it.
let keyring: Keyring;

const drain = async (w: JobWorker) => {
  while ((await w.runOnce()) > 0);
};
type Item = {
  id: string;
  channel: string;
  recipient: string;
  template: string;
  subject: string | null;
  status: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  providerMessageId: string | null;
  history: { attempt: number; outcome: string; error: string | null }[];
};
const deliveries = async (code: string, as = 'citizen.binh') => {
  const r = await t.request({ method: 'GET', url: `/api/v1/dossiers/${encodeURIComponent(code)}/notifications`, as });
  expect(r.status).toBe(200);
  return r.json.items as Item[];
};
const files = async (ext: string) => (await readdir(outbox).catch(() => [] as string[])).filter((n) => n.endsWith(ext)).sort();

let dossierId: string;
let code: string;
let version: number;

async function act(as: string, body: Record<string, unknown>) {
  const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${dossierId}/actions`, as, headers: { 'if-match': `"${version}"` }, payload: body });
  expect(r.status, r.body).toBe(200);
  version = r.json.version;
  return r.json;
}

beforeAll(async () => {
  t = await createTestApp();
  keyring = t.app.keyring;
  outbox = path.join(t.dataDir, 'outbox');
  smtp = await startSmtpSink({ dir: outbox });
  sms = await startSmsSink({ dir: outbox, token: SMS_TOKEN });
  channels = { email: smtpChannel(smtp.url, FROM), sms: httpSmsChannel(sms.url, SMS_TOKEN) };
  worker = new JobWorker(
    t.database.db,
    notificationHandlers({ channels, maxAttempts: 4, publicBaseUrl: 'https://dichvucong.example.vn/', keyring }),
    t.app.log,
  );
  await drain(worker);

  const p = (await t.request({ method: 'GET', url: '/api/v1/procedures/1.001776' })).json.definition;
  const d = await submittedDossier(t, 'citizen.binh', {
    procedureCode: '1.001776',
    applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321', email: 'binh.tran@example.vn', phone: '0987654321' },
    form: requiredAnswers(p.form, 5),
  });
  dossierId = d.id;
  code = d.code;
  version = d.version;
});

afterAll(async () => {
  channels?.email?.close();
  await smtp?.close();
  await sms?.close();
  await t?.close();
});

describe('email and SMS notifications', () => {
  it('a dossier change produces a queued email delivery; no SMS without consent', async () => {
    expect(await deliveries(code)).toEqual([]);
    // One batch runs the fan-out job only: the delivery jobs it enqueues wait for the next batch.
    await worker.runOnce();
    const items = await deliveries(code);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      channel: 'email',
      recipient: 'b***@example.vn',
      template: 'submitted',
      status: 'queued',
      attempts: 0,
      sentAt: null,
      history: [],
    });
    expect(items[0]!.subject).toBe(`[Tỉnh Số] Hồ sơ ${code} đã được nộp`);
  });

  it('a retried fan-out creates nothing twice', async () => {
    const [job] = await queryRows<JobRow>(
      t.database.db,
      sql`SELECT id, type, payload, attempts, max_attempts FROM jobs WHERE type = 'dossier.status_changed' AND payload->>'dossierId' = ${dossierId}`,
    );
    const handler = notificationHandlers({ channels, maxAttempts: 4, keyring })['dossier.status_changed'] as BatchJobHandler;
    // Twice in one batch (one statement), then again one by one.
    await handler.many([job!, job!], t.database.db);
    await handler.one(job!, t.database.db);
    await handler.one(job!, t.database.db);
    const [n] = await queryRows<{ d: number; j: number }>(
      t.database.db,
      sql`SELECT (SELECT count(*)::int FROM notification_deliveries WHERE dossier_id = ${dossierId}) AS d,
                 (SELECT count(*)::int FROM jobs WHERE type = 'notification.deliver') AS j`,
    );
    expect(n).toEqual({ d: 1, j: 1 });
  });

  it('delivers the email to a real SMTP server: a Vietnamese plain-text message', async () => {
    await drain(worker);
    const [item] = await deliveries(code);
    expect(item).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
    expect(item!.sentAt).toMatch(/\+07:00$/);
    expect(item!.providerMessageId).toBe(`<${item!.id}@tinhso.test>`);
    expect(item!.history).toEqual([{ attempt: 1, at: expect.stringMatching(/\+07:00$/), outcome: 'sent', error: null }]);
    const emls = await files('.eml');
    expect(emls).toHaveLength(1);
    const mail = parseEmail(await readFile(path.join(outbox, emls[0]!)));
    expect(mail.subject).toBe(`[Tỉnh Số] Hồ sơ ${code} đã được nộp`);
    expect(mail.to).toBe('binh.tran@example.vn');
    expect(mail.from).toContain('no-reply@tinhso.test');
    expect(mail.messageId).toBe(item!.providerMessageId);
    expect(mail.text).toContain('Kính gửi ông/bà Trần Thị Bình,');
    expect(mail.text).toContain(`Hồ sơ ${code} (`);
    expect(mail.text).toContain('đã được gửi đến');
    expect(mail.text).toContain(`Xem hồ sơ: https://dichvucong.example.vn/ho-so/${dossierId}`);
    expect(mail.text).toBe(mail.text.normalize('NFC'));
    // Run again: a sent delivery is not sent twice.
    await drain(worker);
    expect(await files('.eml')).toHaveLength(1);
  });

  it('records consent (audited) and sends SMS only while it is granted', async () => {
    const before = await t.request({ method: 'GET', url: '/api/v1/me/consents', as: 'citizen.binh' });
    expect(before.status).toBe(200);
    expect(before.json.items).toEqual([expect.objectContaining({ purpose: 'sms_notifications', granted: false, at: null, source: null })]);
    expect((await t.request({ method: 'GET', url: '/api/v1/me/consents' })).status).toBe(401);
    expect((await t.request({ method: 'PUT', url: '/api/v1/me/consents/marketing', as: 'citizen.binh', payload: { granted: true } })).status).toBe(404);
    expect((await t.request({ method: 'PUT', url: '/api/v1/me/consents/sms_notifications', as: 'citizen.binh', payload: { granted: 'yes' } })).status).toBe(
      422,
    );
    const put = await t.request({ method: 'PUT', url: '/api/v1/me/consents/sms_notifications', as: 'citizen.binh', payload: { granted: true } });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({ purpose: 'sms_notifications', granted: true, source: 'api' });
    expect(put.json.at).toMatch(/\+07:00$/);
    const [audit] = await queryRows<{ action: string; details: unknown; actor: string }>(
      t.database.db,
      sql`SELECT a.action, a.details, u.username AS actor FROM audit_log a JOIN users u ON u.id = a.actor_id WHERE a.action LIKE 'consent.%' ORDER BY a.id DESC LIMIT 1`,
    );
    expect(audit).toMatchObject({ action: 'consent.grant', actor: 'citizen.binh' });
    // Another person's consent is theirs alone.
    expect((await t.request({ method: 'GET', url: '/api/v1/me/consents', as: 'citizen.an' })).json.items[0].granted).toBe(false);

    const received = await act('reception.dung', { action: 'receive' });
    await drain(worker);
    const items = (await deliveries(code)).filter((i) => i.template === 'received');
    expect(items.map((i) => [i.channel, i.status]).sort()).toEqual([
      ['email', 'sent'],
      ['sms', 'sent'],
    ]);
    const smsItem = items.find((i) => i.channel === 'sms')!;
    expect(smsItem.recipient).toBe('098****321');
    expect(smsItem.providerMessageId).toMatch(/^sms-/);
    const [smsFile] = await files('.json');
    const stored = JSON.parse(await readFile(path.join(outbox, smsFile!), 'utf8'));
    expect(stored.to).toBe('84987654321');
    expect(stored.reference).toBe(smsItem.id);
    expect(stored.text).toMatch(
      new RegExp(`^TinhSo: Ho so ${code.replace(/[.-]/g, '\\$&')} da duoc tiep nhan\\. Hen tra ket qua: \\d{2}/\\d{2}/\\d{4} \\d{2}:\\d{2}\\.$`),
    );
    expect(stored.text.length).toBeLessThanOrEqual(160);
    // The email carries the due date the dossier got.
    const due = new Date(received.dueAt);
    const hhmm = new Date(due.getTime() + 7 * 3600_000).toISOString();
    const emls = await files('.eml');
    const mail = parseEmail(await readFile(path.join(outbox, emls.at(-1)!)));
    expect(mail.subject).toBe(`[Tỉnh Số] Hồ sơ ${code} đã được tiếp nhận`);
    expect(mail.text).toContain(`Ngày hẹn trả kết quả: ${hhmm.slice(11, 16)} ${hhmm.slice(8, 10)}/${hhmm.slice(5, 7)}/${hhmm.slice(0, 4)}.`);

    // Withdrawn: the next change goes by email only.
    const off = await t.request({ method: 'PUT', url: '/api/v1/me/consents/sms_notifications', as: 'citizen.binh', payload: { granted: false } });
    expect(off.json.granted).toBe(false);
    await act('reception.dung', { action: 'request_payment', note: 'Lệ phí cấp bản sao', amount: 50_000 });
    const payments = await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}/payments`, as: 'citizen.binh' });
    expect(payments.status, payments.body).toBe(200);
    const reference = (payments.json as { reference: string; status: string }[]).find((p) => p.status === 'pending')!.reference;
    await drain(worker);
    const pay = (await deliveries(code)).filter((i) => i.template === 'payment_requested');
    expect(pay.map((i) => i.channel)).toEqual(['email']);
    expect(await files('.json')).toHaveLength(1);
    const payMail = parseEmail(await readFile(path.join(outbox, (await files('.eml')).at(-1)!)));
    expect(payMail.subject).toBe(`[Tỉnh Số] Hồ sơ ${code}: đề nghị nộp phí, lệ phí`);
    expect(payMail.text).toContain('Ghi chú của cơ quan: Lệ phí cấp bản sao');
    expect(payMail.text).toContain(`Đề nghị ông/bà nộp phí, lệ phí 50.000 đồng cho hồ sơ ${code}`);
    expect(payMail.text).toContain(`Nội dung chuyển khoản: ${reference}`);
  });

  it('retries after a failing SMTP server (451 once), then succeeds; the history shows both attempts; the dossier is unaffected', async () => {
    let calls = 0;
    const received: string[] = [];
    const flaky = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _s, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          calls++;
          if (calls === 1) return cb(Object.assign(new Error('Requested action aborted: local error in processing'), { responseCode: 451 }));
          received.push(Buffer.concat(chunks).toString('latin1'));
          cb();
        });
      },
    });
    await new Promise<void>((r) => flaky.listen(0, '127.0.0.1', () => r()));
    const url = `smtp://127.0.0.1:${(flaky.server.address() as AddressInfo).port}`;
    const flakyChannels: Channels = { email: smtpChannel(url, FROM), sms: channels.sms };
    const w = new JobWorker(t.database.db, notificationHandlers({ channels: flakyChannels, maxAttempts: 4, keyring }), t.app.log);
    try {
      const after = await act('reception.dung', { action: 'confirm_payment' });
      expect(after.status).toBe('received');
      await drain(w);
      let [item] = (await deliveries(code)).filter((i) => i.template === 'payment_confirmed');
      expect(item).toMatchObject({ channel: 'email', status: 'retrying', attempts: 1, sentAt: null });
      expect(item!.lastError).toContain('451');
      expect(item!.lastError).not.toContain('binh.tran@example.vn');
      const [job] = await queryRows<{ status: string; attempts: number; later: boolean }>(
        t.database.db,
        sql`SELECT status, attempts, run_at > now() AS later FROM jobs WHERE type = 'notification.deliver' AND payload->>'deliveryId' = ${item!.id}`,
      );
      expect(job).toEqual({ status: 'pending', attempts: 1, later: true });
      // The dossier moved on regardless.
      const d = await t.request({ method: 'GET', url: `/api/v1/dossiers/${dossierId}`, as: 'citizen.binh' });
      expect(d.json).toMatchObject({ status: 'received', version });
      // The backoff has passed.
      await t.database.db.execute(sql`UPDATE jobs SET run_at = now() WHERE type = 'notification.deliver' AND status = 'pending'`);
      await drain(w);
      [item] = (await deliveries(code, 'reception.dung')).filter((i) => i.template === 'payment_confirmed');
      expect(item).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
      expect(item!.history.map((h) => [h.attempt, h.outcome])).toEqual([
        [1, 'error'],
        [2, 'sent'],
      ]);
      expect(item!.history[0]!.error).toContain('451');
      expect(calls).toBe(2);
      expect(received).toHaveLength(1);
      expect(parseEmail(received[0]!).subject).toBe(`[Tỉnh Số] Hồ sơ ${code}: đã nhận thanh toán`);
    } finally {
      flakyChannels.email?.close();
      await new Promise<void>((r) => flaky.close(() => r()));
    }
  });

  /** An SMTP server on a free port that counts connections and messages; idle connections are closed after 300 ms. */
  async function countingSmtpServer() {
    const counts = { connections: 0, messages: 0 };
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      socketTimeout: 300,
      onConnect(_s, cb) {
        counts.connections++;
        cb();
      },
      onData(stream, _s, cb) {
        stream.resume();
        stream.on('end', () => {
          counts.messages++;
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      counts,
      url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
      close: () => new Promise<void>((r) => server.close(() => r())),
    };
  }
  const sendMany = (email: EmailChannel, n: number, from: number) =>
    Promise.all(
      Array.from({ length: n }, (_, i) => email.send({ to: `nguoi${from + i}@example.vn`, subject: 'Thử', text: 'Nội dung', id: `pool-${from + i}` })),
    );

  it('sends over a few reused SMTP connections, not one per message, and over new ones after the server closed them', async () => {
    const smtp = await countingSmtpServer();
    const email = smtpChannel(smtp.url, FROM);
    try {
      await sendMany(email, 40, 0);
      expect(smtp.counts.messages).toBe(40);
      expect(smtp.counts.connections).toBeGreaterThanOrEqual(1);
      expect(smtp.counts.connections).toBeLessThanOrEqual(4);
      await new Promise((r) => setTimeout(r, 800));
      const before = smtp.counts.connections;
      await sendMany(email, 5, 40);
      expect(smtp.counts.messages).toBe(45);
      expect(smtp.counts.connections).toBeGreaterThan(before);
    } finally {
      email.close();
      await smtp.close();
    }
  });

  it('takes the pool limits from the SMTP_URL query (maxConnections, maxMessages)', async () => {
    const smtp = await countingSmtpServer();
    // One connection, renewed after every 4 messages: 20 messages need exactly 5 (the defaults would use at most 4).
    const email = smtpChannel(`${smtp.url}?maxConnections=1&maxMessages=4`, FROM);
    try {
      await sendMany(email, 20, 100);
      expect(smtp.counts.messages).toBe(20);
      expect(smtp.counts.connections).toBe(5);
    } finally {
      email.close();
      await smtp.close();
    }
  });

  it('gives up after the last attempt when no SMTP server answers; the dossier change stands', async () => {
    // A port that was free a moment ago: connections are refused.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const dead: Channels = { email: smtpChannel(`smtp://127.0.0.1:${port}`, FROM) };
    const w = new JobWorker(t.database.db, notificationHandlers({ channels: dead, maxAttempts: 2, keyring }), t.app.log);
    try {
      const before = await t.request({ method: 'GET', url: `/api/v1/dossiers/${dossierId}`, as: 'leader.hoa' });
      expect(before.status, before.body).toBe(200);
      const newDueAt = new Date(new Date(before.json.dueAt).getTime() + 5 * 86400_000).toISOString();
      await act('leader.hoa', { action: 'extend', reason: 'Cần xác minh thêm thông tin', newDueAt });
      await drain(w);
      await t.database.db.execute(sql`UPDATE jobs SET run_at = now() WHERE type = 'notification.deliver' AND status = 'pending'`);
      await drain(w);
      const [item] = (await deliveries(code)).filter((i) => i.template === 'late_apology');
      expect(item).toMatchObject({ channel: 'email', status: 'failed', attempts: 2, sentAt: null });
      expect(item!.history.map((h) => h.outcome)).toEqual(['error', 'error']);
      expect(item!.lastError).toMatch(/ECONNREFUSED|ECONNECTION|ESOCKET/);
      const [job] = await queryRows<{ status: string }>(
        t.database.db,
        sql`SELECT status FROM jobs WHERE type = 'notification.deliver' AND payload->>'deliveryId' = ${item!.id}`,
      );
      expect(job!.status).toBe('failed');
      const d = await t.request({ method: 'GET', url: `/api/v1/dossiers/${dossierId}`, as: 'citizen.binh' });
      expect(new Date(d.json.dueAt).getTime()).toBe(new Date(newDueAt).getTime());
      expect(d.json.version).toBe(version);
    } finally {
      dead.email?.close();
    }
  });

  it('a recipient that cannot be decrypted (a removed key) fails for good at once, without sending', async () => {
    const otherKeys = new JobWorker(
      t.database.db,
      notificationHandlers({ channels, maxAttempts: 4, keyring: Keyring.parse(Keyring.generateSpec('k9')) }),
      t.app.log,
    );
    const emlsBefore = (await files('.eml')).length;
    await act('leader.hoa', { action: 'stop', reason: 'Người nộp không bổ sung được giấy tờ' });
    // The fan-out with the right keys, the delivery on an instance whose keyring lost the key.
    await worker.runOnce();
    await drain(otherKeys);
    const [item] = (await deliveries(code)).filter((i) => i.template === 'stopped');
    expect(item).toMatchObject({ channel: 'email', status: 'failed', attempts: 1, lastError: 'the recipient cannot be decrypted with the configured keys' });
    const [job] = await queryRows<{ status: string }>(
      t.database.db,
      sql`SELECT status FROM jobs WHERE type = 'notification.deliver' AND payload->>'deliveryId' = ${item!.id}`,
    );
    expect(job!.status).toBe('done');
    expect((await files('.eml')).length).toBe(emlsBefore);
    const d = await t.request({ method: 'GET', url: `/api/v1/dossiers/${dossierId}`, as: 'citizen.binh' });
    expect(d.json.status).toBe('stopped');
  });

  it('shows deliveries to the applicant and the agency staff only (404 otherwise)', async () => {
    expect((await deliveries(code, 'reception.dung')).length).toBeGreaterThan(0);
    for (const other of ['citizen.an', 'officer.khanh', 'business.cuong']) {
      const r = await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}/notifications`, as: other });
      expect(r.status, other).toBe(404);
      expect(r.json.code).toBe('DOSSIER_NOT_FOUND');
    }
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${dossierId}/notifications`, as: 'citizen.an' })).status).toBe(404);
    expect((await t.request({ method: 'GET', url: '/api/v1/dossiers/KHONG-CO/notifications', as: 'citizen.binh' })).status).toBe(404);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}/notifications` })).status).toBe(401);
    // Full addresses never leave the server.
    const body = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}/notifications`, as: 'reception.dung' })).body;
    expect(body).not.toContain('binh.tran@example.vn');
    expect(body).not.toContain('0987654321');
    expect(body).not.toContain('84987654321');
    // Nor are they readable in the database: encrypted, bound to their row.
    const rows = await queryRows<{ recipient: string; recipient_masked: string }>(
      t.database.db,
      sql`SELECT recipient, recipient_masked FROM notification_deliveries`,
    );
    expect(rows.length).toBeGreaterThan(4);
    for (const r of rows) {
      expect(r.recipient).toMatch(/^enc:v1:/);
      expect(r.recipient).not.toContain('example.vn');
      expect(['b***@example.vn', '098****321']).toContain(r.recipient_masked);
    }
    expect(() => notificationHandlers({ channels, maxAttempts: 2, keyring: null })).toThrow(/keyring/);
  });

  it('the SMS sink speaks the gateway protocol: bearer token required, malformed messages refused', async () => {
    const bad = await fetch(sms.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' }, body: '{}' });
    expect(bad.status).toBe(401);
    const malformed = await fetch(sms.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SMS_TOKEN}` },
      body: JSON.stringify({ to: 'abc', text: 'x', reference: 'r' }),
    });
    expect(malformed.status).toBe(400);
    // The adapter treats a 4xx as permanent and does not retry.
    const wrongToken = httpSmsChannel(sms.url, 'wrong');
    await expect(wrongToken.send({ to: '84987654321', text: 'x', reference: 'r' })).rejects.toMatchObject({ permanent: true });
    expect(() => httpSmsChannel('ftp://sms.example.vn/send', 't')).toThrow(/http/);
    expect(() => httpSmsChannel('https://user:pw@sms.example.vn/send', 't')).toThrow(/credentials/);
  });
  it('a walk-in applicant without an account gets SMS only when the desk recorded their consent', async () => {
    const form = requiredAnswers((await t.request({ method: 'GET', url: '/api/v1/procedures/1.001776' })).json.definition.form, 9);
    const walkIn = async (phone: string, smsConsent?: boolean) => {
      const { id, code } = await submittedDossier(t, 'reception.dung', {
        procedureCode: '1.001776',
        channel: 'in_person',
        applicant: { type: 'citizen', fullName: 'Đinh Văn Khách', idNumber: '036177003344', phone },
        form,
        ...(smsConsent === undefined ? {} : { smsConsent }),
      });
      const rec = await t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/actions`, as: 'reception.dung', payload: { action: 'receive' } });
      expect(rec.status, rec.body).toBe(200);
      await drain(worker);
      return { id, code, view: rec.json };
    };
    const smsBefore = (await files('.json')).length;
    const without = await walkIn('0911000111');
    expect(without.view.smsConsentAt).toBeNull();
    expect((await deliveries(without.code, 'reception.dung')).filter((i) => i.channel === 'sms')).toEqual([]);
    const withConsent = await walkIn('0911000222', true);
    expect(withConsent.view.smsConsentAt).toMatch(/\+07:00$/);
    const smsItems = (await deliveries(withConsent.code, 'reception.dung')).filter((i) => i.channel === 'sms');
    expect(smsItems.map((i) => [i.template, i.status, i.recipient]).sort()).toEqual([
      ['received', 'sent', '091****222'],
      ['submitted', 'sent', '091****222'],
    ]);
    expect((await files('.json')).length).toBe(smsBefore + 2);
    // Consent at the counter is the desk's to record, and needs a phone.
    const citizen = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.binh',
      payload: {
        procedureCode: '1.001776',
        applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321', phone: '0987654321' },
        form,
        smsConsent: true,
      },
    });
    expect(citizen.status).toBe(422);
    expect(citizen.json.code).toBe('DOSSIER_SMS_CONSENT_INVALID');
    const noPhone = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'reception.dung',
      payload: {
        procedureCode: '1.001776',
        channel: 'in_person',
        applicant: { type: 'citizen', fullName: 'Đinh Văn Khách', idNumber: '036177003344' },
        form,
        smsConsent: true,
      },
    });
    expect(noPhone.status).toBe(422);
    expect(noPhone.json.errors).toEqual([expect.objectContaining({ path: 'applicant.phone' })]);
  });
});
