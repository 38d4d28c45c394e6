import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PAYMENT_WEBHOOK_SECRET } from '../src/config.ts';
import { queryRows, sql } from '../src/db/client.ts';
import { notificationHandlers } from '../src/modules/notifications/index.ts';
import { smtpChannel } from '../src/modules/notifications/notifications.channels.ts';
import { parseEmail } from '../src/modules/notifications/notifications.outbox.ts';
import { startSmtpSink, type Sink } from '../src/modules/notifications/notifications.sinks.ts';
import { callBankRefund, REFUND_JOB, refundJobHandler } from '../src/modules/payments/refunds.ts';
import { signPayload } from '../src/modules/payments/signature.ts';
import { startStandInBank, type StandInBank } from '../src/modules/payments/stand-in-bank.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { JobWorker } from '../src/platform/jobs.ts';
import { formatVnDateTime, vnDate } from '../src/platform/time.ts';
import { formatMoney } from '../src/web/i18n.ts';
import { createTestApp, requiredAnswers, submittedDossier, type TestApp } from './harness.ts';
import { csrfOf, unescapeHtml, webClient } from './web-client.ts';

// Issue 5, second part: a payment the desk confirms by hand closes the online request (no QR any
// more; a later transfer is held as a possible double payment), refunds go to the bank over
// signed HTTP with retries and an idempotency key, and the payment_confirmed message states the
// amount. Real app, real database, the stand-in bank over real HTTP, a real SMTP sink.

let t: TestApp;
let bank: StandInBank;
let smtp: Sink;
let outbox: string;
let worker: JobWorker;
const COPIES = '2.000635'; // 8.000 đ per copy (form field so_ban)
const api = (p: string) => `/api/v1${p}`;
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678', email: 'an.nguyen@example.vn' };
let def: ProcedureDefinition;
// Long enough for a busy machine; the lost-answer case makes the bank answer well after it.
const REFUND_TIMEOUT_MS = 1_500;

async function received(copies: number) {
  const s = await submittedDossier(t, 'citizen.an', { procedureCode: COPIES, applicant, form: { ...requiredAnswers(def.form, 7), so_ban: copies } });
  const rcv = await t.request({ method: 'POST', url: api(`/dossiers/${s.code}/actions`), as: 'reception.dung', payload: { action: 'receive' } });
  expect(rcv.status, rcv.body).toBe(200);
  const pay = await t.request({ method: 'POST', url: api(`/dossiers/${s.code}/actions`), as: 'reception.dung', payload: { action: 'request_payment' } });
  expect(pay.status, pay.body).toBe(200);
  const [p] = (await t.request({ method: 'GET', url: api(`/dossiers/${s.code}/payments`), as: 'citizen.an' })).json as {
    id: string;
    amount: number;
    reference: string;
    status: string;
    vietqr: { payload: string; png: string };
  }[];
  return { id: s.id, code: s.code, payment: p! };
}

async function bankPay(body: Record<string, unknown>) {
  const res = await fetch(`${bank.url}/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as { transactionId: string; webhook: { status: number; body: string } };
  return { status: res.status, json, webhook: JSON.parse(json.webhook.body) as Record<string, unknown> };
}

async function notify(body: Record<string, unknown>) {
  const raw = JSON.stringify(body);
  const ts = Math.floor(Date.now() / 1000);
  return t.request({
    method: 'POST',
    url: api('/payments/notifications'),
    payload: raw,
    headers: { 'content-type': 'application/json', 'x-tinhso-timestamp': String(ts), 'x-tinhso-signature': signPayload(DEMO_PAYMENT_WEBHOOK_SECRET, ts, raw) },
  });
}

const drain = async () => {
  while ((await worker.runOnce()) > 0);
};
/** The refund job of a refund, as the queue holds it. */
const refundJob = async (refundId: string) =>
  (
    await queryRows<{ status: string; attempts: number; later: boolean; wait_s: number; last_error: string | null }>(
      t.database.db,
      sql`SELECT status, attempts, run_at > now() AS later, round(extract(epoch FROM run_at - now()))::int AS wait_s, last_error FROM jobs WHERE type = ${REFUND_JOB} AND payload->>'refundId' = ${refundId} ORDER BY id DESC LIMIT 1`,
    )
  )[0]!;
const makeDue = () => t.database.db.execute(sql`UPDATE jobs SET run_at = now() WHERE type = ${REFUND_JOB} AND status = 'pending'`);
const audits = async (targetId: string) =>
  (
    await queryRows<{ action: string; actor_id: string | null; details: unknown }>(
      t.database.db,
      sql`SELECT action, actor_id, details FROM audit_log WHERE target_id = ${targetId} ORDER BY seq`,
    )
  ).map((a) => a.action);
const heldItem = async (transactionId: string) => {
  const list = await t.request({ method: 'GET', url: api('/payments/held'), as: 'leader.hoa' });
  expect(list.status, list.body).toBe(200);
  return list.json.find((x: { transactionId: string }) => x.transactionId === transactionId);
};
const reject = (id: string, note = 'Hoàn trả người chuyển khoản') =>
  t.request({ method: 'POST', url: api(`/payments/transactions/${id}/resolution`), as: 'leader.hoa', payload: { decision: 'reject', note } });

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: api(`/procedures/${COPIES}`) })).json.definition;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  bank = await startStandInBank({
    webhookUrl: `http://127.0.0.1:${port}/api/v1/payments/notifications`,
    secret: DEMO_PAYMENT_WEBHOOK_SECRET,
    bankBin: '970415',
    accountNo: '113000006868',
  });
  outbox = path.join(t.dataDir, 'outbox');
  smtp = await startSmtpSink({ dir: outbox });
  const keyring = t.app.keyring;
  worker = new JobWorker(
    t.database.db,
    {
      ...notificationHandlers({ channels: { email: smtpChannel(smtp.url, 'Tỉnh Số <no-reply@tinhso.test>') }, maxAttempts: 3, keyring }),
      [REFUND_JOB]: refundJobHandler({ refundUrl: `${bank.url}/refunds`, refundSecret: DEMO_PAYMENT_WEBHOOK_SECRET, refundTimeoutMs: REFUND_TIMEOUT_MS }),
    },
    t.app.log,
  );
  await drain();
}, 120_000);

afterAll(async () => {
  await bank?.close();
  await smtp?.close();
  await t?.close();
});

describe('a payment the desk confirms by hand', () => {
  it('closes the online request in the same change: no QR any more, who and when recorded, the amount in history', async () => {
    const d = await received(2);
    expect(d.payment).toMatchObject({ amount: 16_000, status: 'pending' });
    const ok = await t.request({
      method: 'POST',
      url: api(`/dossiers/${d.code}/actions`),
      as: 'reception.dung',
      payload: { action: 'confirm_payment', note: 'Đã thu tiền mặt tại quầy' },
    });
    expect(ok.status, ok.body).toBe(200);
    const [p] = (await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/payments`), as: 'citizen.an' })).json;
    expect(p).toMatchObject({ id: d.payment.id, status: 'settled_at_desk', paidAt: null, receipt: null });
    expect(p.closedAt).toMatch(/\+07:00$/);
    const [row] = await queryRows<{ closed_by: string; username: string }>(
      t.database.db,
      sql`SELECT p.closed_by, u.username FROM payments p JOIN users u ON u.id = p.closed_by WHERE p.id = ${d.payment.id}::uuid`,
    );
    expect(row!.username).toBe('reception.dung');
    expect(await audits(d.payment.id)).toContain('payment.settled_at_desk');
    const [h] = await queryRows<{ data: unknown }>(
      t.database.db,
      sql`SELECT data FROM dossier_history WHERE dossier_id = ${d.id}::uuid AND action = 'confirm_payment'`,
    );
    const data = (typeof h!.data === 'string' ? JSON.parse(h!.data) : h!.data) as Record<string, unknown>;
    expect(data).toMatchObject({
      payment: { paymentId: d.payment.id, amount: 16_000, reference: d.payment.reference, method: 'desk' },
      settledAtDesk: [d.payment.id],
    });

    // The QR is refused by the API and the page; the page says it was paid at the desk.
    expect((await t.request({ method: 'GET', url: d.payment.vietqr.png, as: 'citizen.an' })).json).toMatchObject({
      status: 409,
      code: 'PAYMENT_NOT_PAYABLE',
      paymentStatus: 'settled_at_desk',
    });
    const web = webClient(() => t);
    const { cookie } = await web.signIn('citizen.an');
    const page = await web.get(`/ho-so/${d.id}/thanh-toan`, cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Đã nộp tại bộ phận một cửa');
    expect(page.body).toContain('Bạn không cần chuyển khoản nữa.');
    expect(page.body).not.toContain('qr.png');
    expect(page.body).not.toContain(d.payment.vietqr.payload);
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)|style=/); // no inline script or style (strict CSP)
    expect((await web.get(`/ho-so/${d.id}/thanh-toan/${d.payment.id}/qr.png`, cookie)).status).toBe(404);
  });

  it('a later transfer for that reference is held as a possible double payment, cannot be accepted, and is refunded through the bank', async () => {
    const d = await received(1);
    await t.request({ method: 'POST', url: api(`/dossiers/${d.code}/actions`), as: 'reception.dung', payload: { action: 'confirm_payment' } });
    const before = (
      await queryRows<{ status: string; version: number; is_paid_online: boolean }>(
        t.database.db,
        sql`SELECT status, version, is_paid_online FROM dossiers WHERE id = ${d.id}::uuid`,
      )
    )[0];
    // The citizen had the QR open and pays it anyway.
    const paid = await bankPay({ payload: d.payment.vietqr.payload, payerName: 'NGUYEN VAN AN' });
    expect(paid.webhook).toMatchObject({ outcome: 'held', holdReason: 'paid_at_desk', paymentId: d.payment.id, dossierCode: d.code });
    expect((await queryRows(t.database.db, sql`SELECT status, version, is_paid_online FROM dossiers WHERE id = ${d.id}::uuid`))[0]).toEqual(before);
    const item = await heldItem(paid.json.transactionId);
    expect(item).toMatchObject({ status: 'held', holdReason: 'paid_at_desk', amount: 8_000, expectedAmount: 8_000, refund: null });
    expect(item.holdReasonText).toContain('một cửa');
    expect(item.holdReasonText).toContain('hai lần');

    const accept = await t.request({
      method: 'POST',
      url: api(`/payments/transactions/${item.id}/resolution`),
      as: 'leader.hoa',
      payload: { decision: 'accept', note: 'thử chấp nhận' },
    });
    expect(accept.json).toMatchObject({ status: 409, code: 'PAYMENT_NOT_PAYABLE' });

    const rej = await reject(item.id, 'Đã nộp tại quầy, hoàn trả khoản chuyển khoản');
    expect(rej.status, rej.body).toBe(200);
    expect(rej.json).toMatchObject({ status: 'rejected', refund: { amount: 8_000, status: 'requested', attempts: 0, bankRefundId: null } });
    const refundId = rej.json.refund.id as string;
    expect((await queryRows<{ status: string }>(t.database.db, sql`SELECT status FROM payments WHERE id = ${d.payment.id}::uuid`))[0]!.status).toBe(
      'settled_at_desk',
    );

    await drain();
    const done = (await t.request({ method: 'GET', url: api('/payments/refunds?status=completed'), as: 'leader.hoa' })).json.find(
      (x: { id: string }) => x.id === item.id,
    );
    expect(done.refund).toMatchObject({ id: refundId, status: 'completed', amount: 8_000, attempts: 1, failureCode: null });
    expect(done.refund.bankRefundId).toMatch(/^RF/);
    expect(done.refund.completedAt).toMatch(/\+07:00$/);
    expect([...bank.refunds.values()].filter((r) => r.transactionId === paid.json.transactionId)).toEqual([
      { bankRefundId: done.refund.bankRefundId, transactionId: paid.json.transactionId, amount: 8_000, refundId },
    ]);
    expect(await audits(refundId)).toEqual(['payment.refund_requested', 'payment.refund_sent', 'payment.refund_completed']);
    expect((await refundJob(refundId)).status).toBe('done');
  });

  it('an online payment stays paid (not settled at the desk) and records its amount for the message', async () => {
    const d = await received(3);
    const paid = await bankPay({ payload: d.payment.vietqr.payload });
    expect(paid.webhook).toMatchObject({ outcome: 'confirmed' });
    const [p] = (await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/payments`), as: 'citizen.an' })).json;
    expect(p).toMatchObject({ status: 'paid', closedAt: null });
    const [h] = await queryRows<{ data: unknown }>(
      t.database.db,
      sql`SELECT data FROM dossier_history WHERE dossier_id = ${d.id}::uuid AND action = 'confirm_payment'`,
    );
    const data = (typeof h!.data === 'string' ? JSON.parse(h!.data) : h!.data) as Record<string, unknown>;
    expect(data).toEqual({ payment: { paymentId: d.payment.id, amount: 24_000, reference: d.payment.reference, method: 'online' } });
  });

  it('the payment_confirmed email states the amount, Vietnamese style', async () => {
    const d = await received(2);
    await t.request({ method: 'POST', url: api(`/dossiers/${d.code}/actions`), as: 'reception.dung', payload: { action: 'confirm_payment' } });
    await drain();
    const names = (await readdir(outbox)).filter((n) => n.endsWith('.eml'));
    const mails = await Promise.all(names.map(async (n) => parseEmail(await readFile(path.join(outbox, n)))));
    const mail = mails.find((m) => m.subject === `[Tỉnh Số] Hồ sơ ${d.code}: đã nhận thanh toán`);
    expect(mail, mails.map((m) => m.subject).join('\n')).toBeDefined();
    expect(mail!.text).toContain(`Cơ quan đã nhận khoản thanh toán 16.000 đ cho hồ sơ ${d.code}`);
  });
});

describe('refunds sent to the bank', () => {
  /** A transfer with the wrong amount, held, then rejected: a refund of what was paid. */
  async function rejectedTransfer(amount: number) {
    const d = await received(1);
    const paid = await bankPay({ payload: d.payment.vietqr.payload, amount });
    expect(paid.webhook).toMatchObject({ outcome: 'held', holdReason: 'amount_mismatch' });
    const item = await heldItem(paid.json.transactionId);
    const rej = await reject(item.id);
    expect(rej.status, rej.body).toBe(200);
    return { d, bankTxn: paid.json.transactionId, txnId: item.id as string, refundId: rej.json.refund.id as string };
  }
  const refundOf = async (txnId: string) =>
    (await t.request({ method: 'GET', url: api('/payments/refunds'), as: 'leader.hoa' })).json.find((x: { id: string }) => x.id === txnId).refund;

  it('retries with backoff while the bank is down, then completes once', async () => {
    const r = await rejectedTransfer(9_000);
    bank.faults.refundOutages = 2;
    await drain();
    expect(await refundOf(r.txnId)).toMatchObject({
      status: 'sent',
      attempts: 1,
      completedAt: null,
      failureMessage: 'bank answered 503 temporarily_unavailable',
    });
    let job = await refundJob(r.refundId);
    expect(job).toMatchObject({ status: 'pending', attempts: 1, later: true, last_error: 'bank answered 503 temporarily_unavailable' });
    expect(job.wait_s).toBeGreaterThanOrEqual(8);
    expect(job.wait_s).toBeLessThanOrEqual(10);
    await makeDue();
    await drain();
    job = await refundJob(r.refundId);
    expect(job).toMatchObject({ status: 'pending', attempts: 2, later: true });
    expect(job.wait_s).toBeGreaterThanOrEqual(18); // 10 s, then 20 s
    expect(job.wait_s).toBeLessThanOrEqual(20);
    await makeDue();
    await drain();
    const refund = await refundOf(r.txnId);
    expect(refund).toMatchObject({ status: 'completed', attempts: 3, amount: 9_000, failureMessage: null });
    const calls = bank.refundCalls.filter((c) => c.idempotencyKey === `tinhso-refund-${r.refundId}`).map((c) => c.status);
    expect(calls).toEqual([503, 503, 200]);
    expect([...bank.refunds.values()].filter((x) => x.transactionId === r.bankTxn).map((x) => x.amount)).toEqual([9_000]);
    expect(await audits(r.refundId)).toEqual([
      'payment.refund_requested',
      'payment.refund_sent',
      'payment.refund_sent',
      'payment.refund_sent',
      'payment.refund_completed',
    ]);
  });

  it('an answer lost to a timeout is retried with the same idempotency key: refunded once, not twice', async () => {
    const r = await rejectedTransfer(10_000);
    bank.faults.refundAnswerDelayMs = REFUND_TIMEOUT_MS * 3;
    // (the bank records the refund at once and answers only after the caller gave up)
    await drain();
    bank.faults.refundAnswerDelayMs = 0;
    const first = await refundOf(r.txnId);
    expect(first).toMatchObject({ status: 'sent', attempts: 1 });
    expect(first.failureMessage).toBe(`bank unreachable: no answer within ${REFUND_TIMEOUT_MS} ms`);
    // The bank did refund: the answer was lost on the way.
    expect([...bank.refunds.values()].filter((x) => x.transactionId === r.bankTxn)).toHaveLength(1);
    await makeDue();
    await drain();
    const refund = await refundOf(r.txnId);
    expect(refund).toMatchObject({ status: 'completed', attempts: 2 });
    const atBank = [...bank.refunds.values()].filter((x) => x.transactionId === r.bankTxn);
    expect(atBank).toEqual([{ bankRefundId: refund.bankRefundId, transactionId: r.bankTxn, amount: 10_000, refundId: r.refundId }]);
    expect(bank.refundCalls.filter((c) => c.idempotencyKey === `tinhso-refund-${r.refundId}`).map((c) => c.status)).toEqual([200, 200]);
    const [completed] = await queryRows<{ details: unknown }>(
      t.database.db,
      sql`SELECT details FROM audit_log WHERE target_id = ${r.refundId} AND action = 'payment.refund_completed'`,
    );
    expect(typeof completed!.details === 'string' ? JSON.parse(completed!.details) : completed!.details).toMatchObject({ replayed: true, attempt: 2 });
  });

  it('a definite refusal fails the refund without retrying; a reviewer may send it again', async () => {
    // A transfer the stand-in bank never made (notified directly): the bank refuses its refund.
    const n = await notify({ transactionId: 'FT-FOREIGN-1', amount: 5_000, currency: 'VND', description: 'khong ro noi dung', payerAccount: '0000999' });
    expect(n.json).toMatchObject({ outcome: 'held', holdReason: 'unknown_reference' });
    const item = await heldItem('FT-FOREIGN-1');
    const rej = await reject(item.id);
    const refundId = rej.json.refund.id as string;
    await drain();
    const refund = await refundOf(item.id);
    expect(refund).toMatchObject({ status: 'failed', attempts: 1, failureCode: 'unknown_transaction', completedAt: null });
    expect(refund.failedAt).toMatch(/\+07:00$/);
    expect(await refundJob(refundId)).toMatchObject({ status: 'done', attempts: 1 });
    expect(await audits(refundId)).toEqual(['payment.refund_requested', 'payment.refund_sent', 'payment.refund_failed']);
    const failed = (await t.request({ method: 'GET', url: api('/payments/refunds?status=failed'), as: 'leader.hoa' })).json.map(
      (x: { transactionId: string }) => x.transactionId,
    );
    expect(failed).toContain('FT-FOREIGN-1');

    // Retrying: reviewers only, failed refunds only.
    expect((await t.request({ method: 'POST', url: api(`/payments/refunds/${refundId}/retry`), as: 'reception.dung' })).status).toBe(403);
    expect(
      (await t.request({ method: 'POST', url: api('/payments/refunds/00000000-0000-7000-8000-000000000000/retry'), as: 'leader.hoa' })).json,
    ).toMatchObject({ status: 404, code: 'PAYMENT_REFUND_NOT_FOUND' });
    const again = await t.request({ method: 'POST', url: api(`/payments/refunds/${refundId}/retry`), as: 'leader.hoa' });
    expect(again.status, again.body).toBe(200);
    expect(again.json.refund).toMatchObject({ status: 'requested', failureCode: null, failedAt: null });
    expect((await t.request({ method: 'POST', url: api(`/payments/refunds/${refundId}/retry`), as: 'leader.hoa' })).json).toMatchObject({
      status: 409,
      code: 'PAYMENT_REFUND_NOT_FAILED',
    });
    await drain();
    expect(await refundOf(item.id)).toMatchObject({ status: 'failed', attempts: 2, failureCode: 'unknown_transaction' });
    expect(await audits(refundId)).toContain('payment.refund_retried');
  });

  it('a bank that stays unreachable fails the refund as unreachable after the last attempt', async () => {
    const r = await rejectedTransfer(11_000);
    const closed = await startStandInBank({
      webhookUrl: 'http://127.0.0.1:9/',
      secret: DEMO_PAYMENT_WEBHOOK_SECRET,
      bankBin: '970415',
      accountNo: '113000006868',
    });
    const deadUrl = `${closed.url}/refunds`;
    await closed.close();
    const w = new JobWorker(
      t.database.db,
      { [REFUND_JOB]: refundJobHandler({ refundUrl: deadUrl, refundSecret: DEMO_PAYMENT_WEBHOOK_SECRET, refundTimeoutMs: REFUND_TIMEOUT_MS }) },
      t.app.log,
    );
    await t.database.db.execute(sql`UPDATE jobs SET max_attempts = 2 WHERE type = ${REFUND_JOB} AND payload->>'refundId' = ${r.refundId}`);
    await w.runOnce();
    expect(await refundOf(r.txnId)).toMatchObject({ status: 'sent', attempts: 1 });
    expect((await refundOf(r.txnId)).failureMessage).toMatch(/^bank unreachable: /);
    await makeDue();
    await w.runOnce();
    expect(await refundOf(r.txnId)).toMatchObject({ status: 'failed', attempts: 2, failureCode: 'unreachable' });
    expect(await refundJob(r.refundId)).toMatchObject({ status: 'done' });
    expect([...bank.refunds.values()].filter((x) => x.transactionId === r.bankTxn)).toEqual([]);
  });

  it('the stand-in bank checks the signature, refuses more than was paid, and is idempotent per key', async () => {
    const d = await received(1);
    const paid = await bankPay({ payload: d.payment.vietqr.payload });
    expect(paid.webhook).toMatchObject({ outcome: 'confirmed' });
    const url = `${bank.url}/refunds`;
    const body = (amount: number) => ({ transactionId: paid.json.transactionId, amount, currency: 'VND' as const, refundId: 'r-test', reason: 'thử' });
    const opts = { timeoutMs: 5_000 };
    expect(await callBankRefund(url, 'another-secret-that-is-long-enough-000', 'key-test-00001', body(1_000), opts)).toMatchObject({
      kind: 'refused',
      code: 'signature_invalid',
    });
    expect(await callBankRefund(url, DEMO_PAYMENT_WEBHOOK_SECRET, 'key-test-00001', body(1_000), { ...opts, nowMs: Date.now() - 600_000 })).toMatchObject({
      kind: 'refused',
      code: 'signature_invalid',
    });
    expect(await callBankRefund(url, DEMO_PAYMENT_WEBHOOK_SECRET, 'key-test-00001', body(8_001), opts)).toMatchObject({
      kind: 'refused',
      code: 'amount_exceeds_payment',
    });
    const a = await callBankRefund(url, DEMO_PAYMENT_WEBHOOK_SECRET, 'key-test-00001', body(5_000), opts);
    expect(a).toMatchObject({ kind: 'completed', replayed: false });
    expect(await callBankRefund(url, DEMO_PAYMENT_WEBHOOK_SECRET, 'key-test-00001', body(5_000), opts)).toEqual({ ...a, replayed: true });
    expect(await callBankRefund(url, DEMO_PAYMENT_WEBHOOK_SECRET, 'key-test-00001', body(4_000), opts)).toMatchObject({
      kind: 'refused',
      code: 'idempotency_key_reused',
    });
    // 5.000 of 8.000 refunded: 3.001 more is too much, 3.000 is the rest.
    expect(await callBankRefund(url, DEMO_PAYMENT_WEBHOOK_SECRET, 'key-test-00002', body(3_001), opts)).toMatchObject({
      kind: 'refused',
      code: 'amount_exceeds_payment',
    });
    expect(await callBankRefund(url, DEMO_PAYMENT_WEBHOOK_SECRET, 'key-test-00003', body(3_000), opts)).toMatchObject({ kind: 'completed', replayed: false });
    expect([...bank.refunds.values()].filter((x) => x.transactionId === paid.json.transactionId).reduce((s, x) => s + x.amount, 0)).toBe(8_000);
  });

  it('the reconciliation shows each refund and totals them', async () => {
    const date = vnDate(new Date());
    const r = await t.request({ method: 'GET', url: api(`/payments/reconciliation?date=${date}`), as: 'leader.hoa' });
    expect(r.status, r.body).toBe(200);
    const rows = r.json.rows as { transactionId: string; refund: { status: string; amount: number } | null }[];
    const refunds = await queryRows<{ status: string; amount: number | string }>(t.database.db, sql`SELECT status, amount FROM payment_refunds`);
    const sum = (s: string) => refunds.filter((x) => x.status === s).reduce((a, x) => a + Number(x.amount), 0);
    expect(r.json.summary).toMatchObject({
      refundsRequested: refunds.length,
      refundedTotal: sum('completed'),
      refundPendingTotal: sum('requested') + sum('sent'),
      refundsFailed: refunds.filter((x) => x.status === 'failed').length,
    });
    // Hand-computed: 8.000 (double payment) + 9.000 (outage) + 10.000 (lost answer) completed.
    expect(r.json.summary.refundedTotal).toBe(27_000);
    expect(rows.find((x) => x.transactionId === 'FT-FOREIGN-1')!.refund).toMatchObject({ status: 'failed', amount: 5_000 });
    const csv = await t.request({ method: 'GET', url: api(`/payments/reconciliation.csv?date=${date}`), as: 'leader.hoa' });
    expect(csv.body.split('\r\n').find((l) => l.includes('FT-FOREIGN-1'))).toMatch(/,failed,5000,$/);
  });
});

// Session 12 QA: what the pages show of a fee, a second transfer and its refund (the desk and the
// citizen), and the history's amount. After the reconciliation above, whose totals are hand-computed.
describe('the fee, second transfers and refunds on the pages', () => {
  const web = webClient(() => t);
  const money = (n: number) => formatMoney(n);
  /** The transfers list of the citizen's page, as text. */
  const transfersOf = (body: string) => unescapeHtml(body.split('id="chuyen-khoan"')[1]?.split('</ul>')[0] ?? '');
  /** The staff page's fee section, as text. */
  const feeSection = (body: string) => unescapeHtml(body.split('id="phi-le-phi"')[1]!.split('id="thao-tac"')[0]!);

  it('the desk sees the amount, fee lines, reference and status next to "Xác nhận đã nộp phí", and the citizen a refunded transfer after a desk payment', async () => {
    const d = await received(3);
    const desk = await web.signIn('reception.dung');
    const citizen = await web.signIn('citizen.an');
    const before = await web.get(`/can-bo/ho-so/${d.code}`, desk.cookie);
    expect(before.status).toBe(200);
    const fees = feeSection(before.body);
    expect(fees).toContain(money(24_000));
    expect(fees).toContain(d.payment.reference);
    expect(fees).toContain('Chờ thanh toán');
    expect(fees).toContain(`Phí cấp bản sao trích lục hộ tịch (8.000 đồng/bản): 3 × ${money(8_000)} = ${money(24_000)}`);
    // The amount to collect, in the confirm_payment form itself.
    const confirm = unescapeHtml(before.body.split('id="h-confirm_payment"')[1]!.split('</form>')[0]!);
    expect(confirm).toContain(`Số tiền cần thu: ${money(24_000)} (nội dung chuyển khoản ${d.payment.reference}`);
    expect(before.body.indexOf('id="phi-le-phi"')).toBeLessThan(before.body.indexOf('id="h-confirm_payment"'));

    // Cash at the counter, then the transfer arrives anyway: held, rejected, refunded by the bank.
    const version = /name="version" value="(\d+)"/.exec(before.body)![1]!;
    const ok = await web.postForm(`/can-bo/ho-so/${d.code}/thao-tac`, { csrf: csrfOf(before.body), action: 'confirm_payment', version }, desk.cookie);
    expect(ok.status, ok.body.slice(0, 300)).toBe(303);
    let page = await web.get(`/ho-so/${d.id}/thanh-toan`, citizen.cookie);
    expect(unescapeHtml(page.body)).toContain('Nếu bạn đã lỡ chuyển khoản cho khoản này');
    expect(page.body).not.toContain('id="chuyen-khoan"');
    const paid = await bankPay({ payload: d.payment.vietqr.payload, payerName: 'NGUYEN VAN AN' });
    expect(paid.webhook).toMatchObject({ outcome: 'held', holdReason: 'paid_at_desk' });
    page = await web.get(`/ho-so/${d.id}/thanh-toan`, citizen.cookie);
    expect(unescapeHtml(page.body)).toContain('Đã nộp tại bộ phận một cửa');
    expect(unescapeHtml(page.body)).not.toContain('Nếu bạn đã lỡ chuyển khoản cho khoản này'); // a transfer did arrive: the list says what became of it
    expect(transfersOf(page.body)).toContain(paid.json.transactionId);
    expect(transfersOf(page.body)).toContain('Đang được kiểm tra. Khoản phí này đã được nộp tại bộ phận một cửa.');
    const deskView = feeSection((await web.get(`/can-bo/ho-so/${d.code}`, desk.cookie)).body);
    expect(deskView).toContain('Đã nộp tại bộ phận một cửa');
    expect(deskView).toContain('Tại bộ phận một cửa');
    expect(deskView).toContain(paid.json.transactionId);
    expect(deskView).toContain('NGUYEN VAN AN');
    expect(deskView).toContain('Đang được kiểm tra. Khoản phí này đã được nộp tại bộ phận một cửa.');

    const item = await heldItem(paid.json.transactionId);
    expect((await reject(item.id, 'Đã nộp tại quầy')).status).toBe(200);
    page = await web.get(`/ho-so/${d.id}/thanh-toan`, citizen.cookie);
    expect(transfersOf(page.body)).toContain(`Không dùng cho khoản phí này. Đang hoàn trả ${money(24_000)} về tài khoản đã chuyển.`);
    await drain();
    const refund = (await t.request({ method: 'GET', url: api('/payments/refunds?status=completed'), as: 'leader.hoa' })).json.find(
      (x: { id: string }) => x.id === item.id,
    ).refund as { bankRefundId: string; completedAt: string };
    page = await web.get(`/ho-so/${d.id}/thanh-toan`, citizen.cookie);
    const at = formatVnDateTime(new Date(refund.completedAt));
    expect(transfersOf(page.body)).toContain(
      `Không dùng cho khoản phí này. Đã hoàn trả ${money(24_000)} về tài khoản đã chuyển lúc ${at}, mã hoàn tiền ${refund.bankRefundId}.`,
    );
    const after = feeSection((await web.get(`/can-bo/ho-so/${d.code}`, desk.cookie)).body);
    expect(after).toContain(`mã hoàn tiền ${refund.bankRefundId}`);
    expect(after).toContain('Ghi chú khi xử lý: Đã nộp tại quầy');
  });

  it('a second transfer of a paid fee is shown held, then refunded, to the citizen and the desk; the history formats the amount', async () => {
    const d = await received(5);
    const citizen = await web.signIn('citizen.an');
    const desk = await web.signIn('reception.dung');
    const first = await bankPay({ payload: d.payment.vietqr.payload });
    expect(first.webhook).toMatchObject({ outcome: 'confirmed' });
    let page = await web.get(`/ho-so/${d.id}/thanh-toan`, citizen.cookie);
    expect(page.body).not.toContain('id="chuyen-khoan"'); // one transfer, taken: nothing more to say than "paid"
    const second = await bankPay({ payload: d.payment.vietqr.payload });
    expect(second.webhook).toMatchObject({ outcome: 'held', holdReason: 'already_paid' });
    page = await web.get(`/ho-so/${d.id}/thanh-toan`, citizen.cookie);
    const list = transfersOf(page.body);
    expect(list).toContain(`${money(40_000)}, nhận lúc`);
    expect(list).toContain(`mã giao dịch ${first.json.transactionId}`);
    expect(list).toContain('Đã dùng để thanh toán khoản phí này.');
    expect(list).toContain(`mã giao dịch ${second.json.transactionId}`);
    expect(list).toContain('Đang được kiểm tra. Khoản phí này đã được thanh toán trước đó.');

    const item = await heldItem(second.json.transactionId);
    expect((await reject(item.id)).status).toBe(200);
    await drain();
    page = await web.get(`/ho-so/${d.id}/thanh-toan`, citizen.cookie);
    expect(transfersOf(page.body)).toMatch(
      new RegExp(`Đã hoàn trả ${money(40_000)} về tài khoản đã chuyển lúc \\d\\d:\\d\\d \\d\\d/\\d\\d/\\d{4}, mã hoàn tiền RF`),
    );

    const staff = await web.get(`/can-bo/ho-so/${d.code}`, desk.cookie);
    const fees = feeSection(staff.body);
    expect(fees).toContain('Đã thanh toán');
    expect(fees).toContain(`Chuyển khoản VietQR, mã giao dịch ${first.json.transactionId}`);
    expect(fees).toContain(second.json.transactionId);
    expect(fees).toContain('Đã hoàn trả');
    // The history note the gateway wrote: the amount as people write it.
    expect(unescapeHtml(staff.body)).toContain(`Đã thanh toán 40.000 đồng qua VietQR, mã giao dịch ${first.json.transactionId}`);
    expect(staff.body).not.toContain('40000 đồng');
  });

  it('marks the Vietnamese fee name on the English pages; no fee, no section', async () => {
    const d = await received(2);
    const citizen = await web.signIn('citizen.an');
    const desk = await web.signIn('reception.dung');
    const line = `<span lang="vi">Phí cấp bản sao trích lục hộ tịch (8.000 đồng/bản)</span>: 2 × ${money(8_000)} = ${money(16_000)}`;
    const en = await web.get(`/ho-so/${d.id}/thanh-toan`, `${citizen.cookie}; lang=en`);
    expect(unescapeHtml(en.body)).toContain(line);
    expect(unescapeHtml((await web.get(`/can-bo/ho-so/${d.code}`, `${desk.cookie}; lang=en`)).body)).toContain(line);
    const vi = unescapeHtml((await web.get(`/ho-so/${d.id}/thanh-toan`, citizen.cookie)).body);
    expect(vi).toContain(line.replace('<span lang="vi">', '').replace('</span>', ''));
    expect(vi).not.toContain('<span lang="vi">');

    // A dossier without a fee request has no fee section on the desk's page.
    const s = await submittedDossier(t, 'citizen.an', { procedureCode: COPIES, applicant, form: { ...requiredAnswers(def.form, 7), so_ban: 1 } });
    const none = await web.get(`/can-bo/ho-so/${s.code}`, desk.cookie);
    expect(none.status).toBe(200);
    expect(none.body).not.toContain('id="phi-le-phi"');
  });
});
