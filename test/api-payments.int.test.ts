import jsQRModule from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { DEMO_PAYMENT_WEBHOOK_SECRET, loadConfig } from '../src/config.ts';
import { openDatabase, queryRows, sql } from '../src/db/client.ts';
import { signPayload } from '../src/modules/payments/signature.ts';
import { startStandInBank, type StandInBank } from '../src/modules/payments/stand-in-bank.ts';
import { decodeVietQr, encodeVietQr } from '../src/modules/payments/vietqr.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { vnDate } from '../src/platform/time.ts';
import { createTestApp, requiredAnswers, submittedDossier, type TestApp } from './harness.ts';
import { decodePdfQrCodes, pdfPlainText } from './pdf-helpers.ts';
import { csrfOf, webClient } from './web-client.ts';

// Fees and VietQR payments end to end: request_payment creates the request, the stand-in bank
// pays it over real HTTP with a signed webhook, the dossier moves on; signatures, replays,
// mismatches held for review, access control, receipts and reconciliation.

// jsqr is CommonJS with a `default` export in its types: take the function whichever way it arrives.
const jsQR = ((jsQRModule as unknown as { default?: typeof jsQRModule }).default ?? jsQRModule) as unknown as typeof jsQRModule.default;

let t: TestApp;
let bank: StandInBank;
const COPIES = '2.000635'; // Cấp bản sao trích lục hộ tịch: 8.000 đ per copy (form field so_ban)
const FREE = '1.001193'; // Đăng ký khai sinh: no fee
const defs = new Map<string, ProcedureDefinition>();
const api = (p: string) => `/api/v1${p}`;
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

async function received(code: string, form: Record<string, unknown> = {}) {
  const s = await submittedDossier(t, 'citizen.an', { procedureCode: code, applicant, form: { ...requiredAnswers(defs.get(code)!.form, 11), ...form } });
  const r = await t.request({ method: 'POST', url: api(`/dossiers/${s.code}/actions`), as: 'reception.dung', payload: { action: 'receive' } });
  expect(r.status, r.body).toBe(200);
  return r.json as { id: string; code: string; version: number };
}

async function requestPayment(code: string, body: Record<string, unknown> = {}) {
  const r = await t.request({ method: 'POST', url: api(`/dossiers/${code}/actions`), as: 'reception.dung', payload: { action: 'request_payment', ...body } });
  expect(r.status, r.body).toBe(200);
  expect(r.json.status).toBe('payment_requested');
  const list = await t.request({ method: 'GET', url: api(`/dossiers/${code}/payments`), as: 'citizen.an' });
  expect(list.status, list.body).toBe(200);
  return list.json as { id: string; amount: number; reference: string; status: string; vietqr: { payload: string; png: string; svg: string } }[];
}

/** Sends a notification to the webhook as the gateway would, optionally with a wrong secret or an old timestamp. */
async function notify(body: Record<string, unknown>, opts: { secret?: string; ageSeconds?: number; signature?: string | null } = {}) {
  const raw = JSON.stringify(body);
  const ts = Math.floor(Date.now() / 1000) - (opts.ageSeconds ?? 0);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-tinhso-timestamp': String(ts) };
  if (opts.signature !== null) headers['x-tinhso-signature'] = opts.signature ?? signPayload(opts.secret ?? DEMO_PAYMENT_WEBHOOK_SECRET, ts, raw);
  return t.request({ method: 'POST', url: api('/payments/notifications'), payload: raw, headers });
}

const dossierRow = async (id: string) =>
  (
    await queryRows<{ status: string; is_paid_online: boolean; version: number }>(
      t.database.db,
      sql`SELECT status, is_paid_online, version FROM dossiers WHERE id = ${id}::uuid`,
    )
  )[0]!;
const txCount = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM payment_transactions`))[0]!.n);

beforeAll(async () => {
  t = await createTestApp();
  for (const code of [COPIES, FREE]) {
    const p = await t.request({ method: 'GET', url: api(`/procedures/${code}`) });
    defs.set(code, p.json.definition);
  }
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (t.app.server.address() as { port: number }).port;
  bank = await startStandInBank({
    webhookUrl: `http://127.0.0.1:${port}/api/v1/payments/notifications`,
    secret: DEMO_PAYMENT_WEBHOOK_SECRET,
    bankBin: '970415',
    accountNo: '113000006868',
  });
}, 120_000);

afterAll(async () => {
  await bank?.close();
  await t?.close();
});

async function bankPay(body: Record<string, unknown>) {
  const res = await fetch(`${bank.url}/pay`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { transactionId: string; webhook: { status: number; body: string }; error?: string } };
}

describe('payment requests', () => {
  it('request_payment creates a request from the fee schedule and the form (3 copies × 8.000 đ) with a dynamic VietQR', async () => {
    const d = await received(COPIES, { so_ban: 3 });
    const [p, ...more] = await requestPayment(d.code);
    expect(more).toHaveLength(0);
    expect(p).toMatchObject({ amount: 24_000, currency: 'VND', status: 'pending', paidAt: null, receipt: null });
    expect(p!.reference).toMatch(/^TS[0-9A-Z]{10}$/);
    const qr = decodeVietQr(p!.vietqr.payload);
    expect(qr).toMatchObject({
      isDynamic: true,
      bin: '970415',
      accountNo: '113000006868',
      amount: 24_000,
      purpose: p!.reference,
      currency: '704',
      country: 'VN',
    });
    expect(p!.vietqr.png).toBe(`/api/v1/payments/${p!.id}/qr.png`);
    // Recorded in the dossier's history with the request.
    const h = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'reception.dung' });
    expect(h.json.at(-1)).toMatchObject({ action: 'request_payment', toStatus: 'payment_requested' });
  });

  it('serves the QR as a PNG that decodes to the payload, and as SVG; the applicant and the agency only', async () => {
    const d = await received(COPIES, { so_ban: 1 });
    const [p] = await requestPayment(d.code);
    const png = await t.app.inject({ method: 'GET', url: p!.vietqr.png, headers: { authorization: `Bearer ${await t.token('citizen.an')}` } });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    const img = PNG.sync.read(png.rawPayload);
    expect(jsQR(new Uint8ClampedArray(img.data), img.width, img.height)?.data).toBe(p!.vietqr.payload);
    const svg = await t.request({ method: 'GET', url: p!.vietqr.svg, as: 'reception.dung' });
    expect(svg.status).toBe(200);
    expect(svg.body).toContain('<svg');
    for (const who of ['citizen.binh', 'officer.khanh']) {
      expect((await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/payments`), as: who })).json).toMatchObject({
        status: 404,
        code: 'DOSSIER_NOT_FOUND',
      });
      expect((await t.request({ method: 'GET', url: p!.vietqr.png, as: who })).json).toMatchObject({ status: 404, code: 'PAYMENT_NOT_FOUND' });
      expect((await t.request({ method: 'GET', url: api(`/payments/${p!.id}/receipt.pdf`), as: who })).status).toBe(404);
    }
    expect((await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/payments`) })).status).toBe(401);
    expect((await t.request({ method: 'GET', url: api(`/payments/${p!.id}/receipt.pdf`), as: 'citizen.an' })).json).toMatchObject({
      status: 409,
      code: 'PAYMENT_NOT_PAID',
    });
  });

  it('a free procedure takes no payment request unless the officer states an amount; the desk settles it by hand, and a new request follows', async () => {
    const d = await received(FREE);
    // Nothing to pay: not offered, and refused with a clear message (the citizen would be left with "pay" and nothing to pay).
    const view = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}`), as: 'reception.dung' });
    expect(view.json.allowedActions).not.toContain('request_payment');
    const none = await t.request({ method: 'POST', url: api(`/dossiers/${d.code}/actions`), as: 'reception.dung', payload: { action: 'request_payment' } });
    expect(none.status).toBe(409);
    expect(none.json).toMatchObject({ code: 'DOSSIER_TRANSITION_NOT_ALLOWED', reason: 'the procedure charges no fee: there is nothing to pay' });
    expect(none.json.detail).toContain('không có phí, lệ phí phải nộp');
    expect((await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/payments`), as: 'citizen.an' })).json).toEqual([]);
    const [stated] = await requestPayment(d.code, { amount: 50_000, note: 'Phí trích lục bổ sung' });
    expect(stated).toMatchObject({ amount: 50_000, status: 'pending' });
    const bad = await t.request({
      method: 'POST',
      url: api(`/dossiers/${d.code}/actions`),
      as: 'reception.dung',
      payload: { action: 'confirm_payment', amount: 1.5 },
    });
    expect(bad.status).toBe(422);
    await t.request({ method: 'POST', url: api(`/dossiers/${d.code}/actions`), as: 'reception.dung', payload: { action: 'confirm_payment' } });
    const again = await requestPayment(d.code, { amount: 60_000 });
    expect(again.map((p) => [p.amount, p.status])).toEqual([
      [60_000, 'pending'],
      [50_000, 'settled_at_desk'],
    ]);
    expect((again[1] as unknown as { closedAt: string }).closedAt).toMatch(/\+07:00$/);
  });
});

describe('the stand-in bank and the webhook', () => {
  it('pays a VietQR: signed webhook, payment confirmed, dossier moves on and is flagged paid online, receipt available', async () => {
    const d = await received(COPIES, { so_ban: 2 });
    const [p] = await requestPayment(d.code);
    const paid = await bankPay({ payload: p!.vietqr.payload, payerName: 'NGUYEN VAN AN' });
    expect(paid.status).toBe(200);
    expect(paid.json.webhook.status).toBe(200);
    expect(JSON.parse(paid.json.webhook.body)).toMatchObject({
      outcome: 'confirmed',
      status: 'confirmed',
      paymentId: p!.id,
      dossierCode: d.code,
      holdReason: null,
    });
    expect(await dossierRow(d.id)).toMatchObject({ status: 'received', is_paid_online: true });
    const [after] = (await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/payments`), as: 'citizen.an' })).json;
    expect(after).toMatchObject({ status: 'paid', amount: 16_000, receipt: `/api/v1/payments/${p!.id}/receipt.pdf` });
    expect(after.paidAt).toMatch(/\+07:00$/);
    const h = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'citizen.an' });
    expect(h.json.at(-1)).toMatchObject({
      action: 'confirm_payment',
      fromStatus: 'payment_requested',
      toStatus: 'received',
      actor: { name: 'Cổng thanh toán (hệ thống)' },
    });
    expect(h.json.at(-1).note).toContain(paid.json.transactionId);

    // The same transaction delivered again changes nothing.
    const before = await dossierRow(d.id);
    const count = await txCount();
    const resend = await fetch(`${bank.url}/resend`, { method: 'POST', body: JSON.stringify({ transactionId: paid.json.transactionId }) });
    const again = (await resend.json()) as { webhook: { status: number; body: string } };
    expect(again.webhook.status).toBe(200);
    expect(JSON.parse(again.webhook.body)).toMatchObject({ outcome: 'duplicate', status: 'confirmed', paymentId: p!.id });
    expect(await dossierRow(d.id)).toEqual(before);
    expect(await txCount()).toBe(count);

    // The receipt: a PDF with the Vietnamese text and the QR of the dossier, procedure and applicant.
    const pdf = await t.app.inject({ method: 'GET', url: after.receipt, headers: { authorization: `Bearer ${await t.token('citizen.an')}` } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfPlainText(new Uint8Array(pdf.rawPayload));
    for (const s of ['BIÊN LAI THU PHÍ, LỆ PHÍ', `BL-${p!.reference}`, d.code, 'Nguyễn Văn An', '16.000 đồng', 'Mười sáu nghìn đồng', paid.json.transactionId])
      expect(text).toContain(s);
    const qrs = await decodePdfQrCodes(new Uint8Array(pdf.rawPayload));
    expect(qrs.map((q) => q.text)).toContain(`HS:${d.code}|TTHC:${COPIES}|ID:036090001234|BL:BL-${p!.reference}`);
  });

  it('the bank refuses a payload with a broken CRC or for another account', async () => {
    const d = await received(COPIES, { so_ban: 1 });
    const [p] = await requestPayment(d.code);
    const tampered = p!.vietqr.payload.replace('54048000', '54041000');
    expect(await bankPay({ payload: tampered })).toMatchObject({ status: 422, json: { error: 'vietqr_crc' } });
    const elsewhere = encodeVietQr({ bin: '970415', accountNo: '999999999', amount: 8000, purpose: p!.reference });
    expect(await bankPay({ payload: elsewhere })).toMatchObject({ status: 422, json: { error: 'unknown_beneficiary' } });
    expect(await bankPay({ payload: 'not a qr' })).toMatchObject({ status: 422 });
    expect((await dossierRow(d.id)).status).toBe('payment_requested');
  });

  it('refuses unsigned, wrongly signed, expired and malformed notifications with 401 problem+json', async () => {
    const body = { transactionId: 'FT-SIG-1', amount: 8000, currency: 'VND', reference: 'TS0000000000' };
    const wrong = await notify(body, { secret: 'another-secret-that-is-long-enough-000' });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.json).toMatchObject({ code: 'PAYMENT_SIGNATURE_INVALID', reason: 'mismatch' });
    expect((await notify(body, { ageSeconds: 301 })).json).toMatchObject({ status: 401, code: 'PAYMENT_SIGNATURE_EXPIRED' });
    expect((await notify(body, { ageSeconds: -400 })).json).toMatchObject({ status: 401, code: 'PAYMENT_SIGNATURE_EXPIRED' });
    expect((await notify(body, { signature: null })).json).toMatchObject({ status: 401, reason: 'missing' });
    expect((await notify(body, { signature: 'sha256=zz' })).json).toMatchObject({ status: 401, reason: 'malformed' });
    // A signature over different bytes (re-serialised JSON) does not verify: the raw body counts.
    const raw = JSON.stringify(body, null, 2);
    const ts = Math.floor(Date.now() / 1000);
    const res = await t.request({
      method: 'POST',
      url: api('/payments/notifications'),
      payload: JSON.stringify(body),
      headers: {
        'content-type': 'application/json',
        'x-tinhso-timestamp': String(ts),
        'x-tinhso-signature': signPayload(DEMO_PAYMENT_WEBHOOK_SECRET, ts, raw),
      },
    });
    expect(res.status).toBe(401);
    expect(await txCount()).toBe(
      Number(
        (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM payment_transactions WHERE provider_txn_id <> 'FT-SIG-1'`))[0]!.n,
      ),
    );
    // Signed but not a valid notification: 422.
    expect((await notify({ transactionId: 'FT-SIG-2', amount: -5 })).status).toBe(422);
  });

  it('a wrong amount is held for review, the dossier waits; a leader accepts it and the dossier moves on', async () => {
    const d = await received(COPIES, { so_ban: 1 });
    const [p] = await requestPayment(d.code);
    const held = await notify({
      transactionId: 'FT-AMT-1',
      amount: 7_000,
      currency: 'VND',
      description: `CT ${p!.reference} nop le phi`,
      payerName: 'NGUYEN VAN AN',
    });
    expect(held.status, held.body).toBe(200);
    expect(held.json).toMatchObject({ outcome: 'held', holdReason: 'amount_mismatch', paymentId: p!.id });
    expect(await dossierRow(d.id)).toMatchObject({ status: 'payment_requested', is_paid_online: false });
    const [pp] = (await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/payments`), as: 'citizen.an' })).json;
    expect(pp.status).toBe('held');
    // The same transaction again: still held, nothing new.
    expect((await notify({ transactionId: 'FT-AMT-1', amount: 7_000, currency: 'VND', description: p!.reference })).json).toMatchObject({
      outcome: 'duplicate',
      status: 'held',
    });

    // Refused by the authorization matrix (ROLE_REQUIRED) or the service (PAYMENT_REVIEW_FORBIDDEN): 403 either way.
    expect((await t.request({ method: 'GET', url: api('/payments/held'), as: 'reception.dung' })).json).toMatchObject({ status: 403 });
    const list = await t.request({ method: 'GET', url: api('/payments/held'), as: 'leader.hoa' });
    const item = list.json.find((x: { transactionId: string }) => x.transactionId === 'FT-AMT-1');
    expect(item).toMatchObject({
      status: 'held',
      holdReason: 'amount_mismatch',
      amount: 7_000,
      expectedAmount: 8_000,
      dossierCode: d.code,
      payerName: 'NGUYEN VAN AN',
    });

    const resolve = (body: Record<string, unknown>, as = 'leader.hoa') =>
      t.request({ method: 'POST', url: api(`/payments/transactions/${item.id}/resolution`), as, payload: body });
    expect((await resolve({ decision: 'accept', note: 'Đã thu bổ sung 1.000 đồng tại quầy' }, 'citizen.an')).status).toBe(403);
    const ok = await resolve({ decision: 'accept', note: 'Đã thu bổ sung 1.000 đồng tại quầy' });
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json).toMatchObject({ status: 'accepted', resolutionNote: 'Đã thu bổ sung 1.000 đồng tại quầy' });
    expect(await dossierRow(d.id)).toMatchObject({ status: 'received', is_paid_online: true });
    expect((await resolve({ decision: 'reject', note: 'lần hai' })).json).toMatchObject({ status: 409, code: 'PAYMENT_NOT_HELD' });
  });

  it('an unknown reference is held, never accepted; a transfer to a paid request is held as already paid', async () => {
    const unknown = await notify({ transactionId: 'FT-UNK-1', amount: 8_000, currency: 'VND', description: 'chuyen tien khong ghi ma' });
    expect(unknown.json).toMatchObject({ outcome: 'held', holdReason: 'unknown_reference', paymentId: null, dossierCode: null });
    const list = await t.request({ method: 'GET', url: api('/payments/held'), as: 'leader.hoa' });
    const item = list.json.find((x: { transactionId: string }) => x.transactionId === 'FT-UNK-1');
    expect(item).toMatchObject({ reference: null, expectedAmount: null });
    const needs = await t.request({
      method: 'POST',
      url: api(`/payments/transactions/${item.id}/resolution`),
      as: 'leader.hoa',
      payload: { decision: 'accept', note: 'thử' },
    });
    expect(needs.json).toMatchObject({ status: 422, code: 'PAYMENT_NOT_FOUND' });
    const rej = await t.request({
      method: 'POST',
      url: api(`/payments/transactions/${item.id}/resolution`),
      as: 'leader.hoa',
      payload: { decision: 'reject', note: 'Hoàn trả người chuyển' },
    });
    expect(rej.json).toMatchObject({ status: 'rejected' });

    const d = await received(COPIES, { so_ban: 1 });
    const [p] = await requestPayment(d.code);
    expect((await notify({ transactionId: 'FT-DUP-1', amount: 8_000, currency: 'VND', reference: p!.reference })).json).toMatchObject({ outcome: 'confirmed' });
    const second = await notify({ transactionId: 'FT-DUP-2', amount: 8_000, currency: 'VND', reference: p!.reference });
    expect(second.json).toMatchObject({ outcome: 'held', holdReason: 'already_paid', paymentId: p!.id });
    expect((await dossierRow(d.id)).status).toBe('received');
  });

  it('reconciliation: the day’s transactions against what was expected, as JSON and CSV, for finance and leaders only', async () => {
    const date = vnDate(new Date());
    expect((await t.request({ method: 'GET', url: api(`/payments/reconciliation?date=${date}`), as: 'specialist.giang' })).status).toBe(403);
    expect((await t.request({ method: 'GET', url: api('/payments/reconciliation?date=2026-13-45'), as: 'leader.hoa' })).status).toBe(422);
    const r = await t.request({ method: 'GET', url: api(`/payments/reconciliation?date=${date}`), as: 'leader.hoa' });
    expect(r.status, r.body).toBe(200);
    const rows = r.json.rows as {
      transactionId: string;
      amount: number;
      expectedAmount: number | null;
      difference: number | null;
      isMismatch: boolean;
      status: string;
    }[];
    const all = await queryRows<{ amount: number }>(t.database.db, sql`SELECT amount FROM payment_transactions`);
    expect(r.json.summary.transactions).toBe(all.length);
    expect(r.json.summary.receivedTotal).toBe(all.reduce((a, x) => a + Number(x.amount), 0));
    expect(rows.find((x) => x.transactionId === 'FT-AMT-1')).toMatchObject({
      amount: 7_000,
      expectedAmount: 8_000,
      difference: -1_000,
      isMismatch: true,
      status: 'accepted',
    });
    expect(rows.find((x) => x.transactionId === 'FT-UNK-1')).toMatchObject({ isMismatch: true, status: 'rejected' });
    expect(rows.find((x) => x.transactionId === 'FT-DUP-1')).toMatchObject({ difference: 0, isMismatch: false, status: 'confirmed' });
    expect(r.json.mismatches.map((x: { transactionId: string }) => x.transactionId).sort()).toEqual(
      rows
        .filter((x) => x.isMismatch)
        .map((x) => x.transactionId)
        .sort(),
    );
    expect(r.json.summary.mismatchCount).toBe(r.json.mismatches.length);
    expect(r.json.summary.heldCount).toBe(rows.filter((x) => x.status === 'held').length);

    const csv = await t.request({ method: 'GET', url: api(`/payments/reconciliation.csv?date=${date}`), as: 'leader.hoa' });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'ngay,ma_giao_dich,thoi_diem_nhan,ma_tham_chieu,ma_ho_so,so_tien_phai_thu,so_tien_nhan,chenh_lech,trang_thai,ly_do_giu_lai,lech,hoan_tien,so_tien_hoan,ma_hoan_tien_ngan_hang',
    );
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines.find((l) => l.includes('FT-AMT-1'))).toMatch(/,8000,7000,-1000,accepted,amount_mismatch,co,,,$/);
    // The rejected transfer is refunded through the bank: its refund is on the row (no worker runs here, so still requested).
    expect(lines.find((l) => l.includes('FT-UNK-1'))).toMatch(/,,8000,,rejected,unknown_reference,co,requested,8000,$/);

    const empty = await t.request({ method: 'GET', url: api('/payments/reconciliation?date=2020-01-01'), as: 'leader.hoa' });
    expect(empty.json.summary).toMatchObject({ transactions: 0, receivedTotal: 0, mismatchCount: 0 });
  });
});

describe('the citizen’s payment page', () => {
  const web = webClient(() => t);

  it('shows the amount, the QR, the bank details and the reference; the QR image and, once paid, the receipt', async () => {
    const d = await received(COPIES, { so_ban: 2 });
    const [p] = await requestPayment(d.code);
    const { cookie } = await web.signIn('citizen.an');
    const page = await web.get(`/ho-so/${d.id}/thanh-toan`, cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Thanh toán phí, lệ phí');
    expect(page.body).toContain('16.000');
    expect(page.body).toContain(p!.reference);
    expect(page.body).toContain('113000006868');
    expect(page.body).toContain('Chờ thanh toán');
    expect(page.body).toContain(`<img src="/ho-so/${d.id}/thanh-toan/${p!.id}/qr.png"`);
    expect(page.body).toMatch(/<img [^>]*alt="Mã VietQR thanh toán/);
    expect(page.body).not.toContain('Thanh toán thử'); // no stand-in bank configured for this app
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)|style=/); // no inline script or style (strict CSP)
    const img = await t.app.inject({ method: 'GET', url: `/ho-so/${d.id}/thanh-toan/${p!.id}/qr.png`, headers: { cookie } });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/png');

    const other = await web.signIn('citizen.binh');
    expect((await web.get(`/ho-so/${d.id}/thanh-toan`, other.cookie)).status).toBe(404);
    expect((await web.get(`/ho-so/${d.id}/thanh-toan/${p!.id}/qr.png`, other.cookie)).status).toBe(404);
    expect((await web.get(`/ho-so/${d.id}/thanh-toan`)).status).toBe(303);

    expect((await bankPay({ payload: p!.vietqr.payload })).json.webhook.status).toBe(200);
    const paid = await web.get(`/ho-so/${d.id}/thanh-toan`, cookie);
    expect(paid.body).toContain('Đã thanh toán');
    expect(paid.body).toContain(`/ho-so/${d.id}/thanh-toan/${p!.id}/bien-lai.pdf`);
    const pdf = await t.app.inject({ method: 'GET', url: `/ho-so/${d.id}/thanh-toan/${p!.id}/bien-lai.pdf`, headers: { cookie } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await web.get(`/ho-so/${d.id}/thanh-toan/${p!.id}/bien-lai.pdf`, other.cookie)).status).toBe(404);
  });
});

describe('the demo button with the stand-in bank', () => {
  /** An app configured as main.ts does with DEMO_BANK_PORT, on the test's database (its own pool on PostgreSQL, as another process has). */
  async function demoApp() {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATA_DIR: t.dataDir,
      LOG_LEVEL: 'silent',
      DEMO_BANK_PORT: String(bank.port),
      ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : {}),
    });
    const database = t.databaseUrl ? await openDatabase({ databaseUrl: t.databaseUrl, poolSize: 4 }) : t.database;
    const app = await buildApp({ config, database, files: t.files });
    const web = webClient(() => ({ ...t, app }));
    return {
      web,
      async close() {
        await app.close();
        if (database !== t.database) await database.close();
      },
    };
  }
  const demoRow = async (paymentId: string) =>
    (
      await queryRows<{ transaction_id: string | null; failure: string | null; finished: boolean }>(
        t.database.db,
        sql`SELECT transaction_id, failure, finished_at IS NOT NULL AS finished FROM payment_demo_transfers WHERE payment_id = ${paymentId}::uuid`,
      )
    )[0];

  it('appears only when the stand-in bank is configured, pays through it once whatever the number of instances, and answers with a redirect to the payment page', async () => {
    // Two instances of the app on one database, as behind the load balancer (or WORKERS=2).
    const [one, two] = [await demoApp(), await demoApp()];
    try {
      const d = await received(COPIES, { so_ban: 1 });
      const [p] = await requestPayment(d.code);
      const { cookie } = await one.web.signIn('citizen.an');
      const page = await one.web.get(`/ho-so/${d.id}/thanh-toan`, cookie);
      expect(page.body).toContain('Thanh toán thử (ngân hàng mô phỏng)');
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
      const pay = `/ho-so/${d.id}/thanh-toan/${p!.id}/thu`;
      expect((await one.web.postForm(pay, { csrf: 'wrong' }, cookie)).status).toBe(403);
      // The form posted at once to both instances, twice to the first (a double click without the script,
      // the second click routed elsewhere): one transfer, the same answer to all three.
      const before = bank.sent.size;
      const posts = await Promise.all([one, two, one].map((x) => x.web.postForm(pay, { csrf }, cookie)));
      expect(posts.map((r) => r.status)).toEqual([303, 303, 303]);
      expect(bank.sent.size - before).toBe(1);
      const transfers = await queryRows<{ provider_txn_id: string; status: string }>(
        t.database.db,
        sql`SELECT provider_txn_id, status FROM payment_transactions WHERE payment_id = ${p!.id}::uuid`,
      );
      expect(transfers).toHaveLength(1);
      expect(transfers[0]).toMatchObject({ status: 'confirmed' });
      const txn = transfers[0]!.provider_txn_id;
      expect(await demoRow(p!.id)).toEqual({ transaction_id: txn, failure: null, finished: true });
      // Post/redirect/get: the payment page, which says what the test payment did.
      const location = `/ho-so/${d.id}/thanh-toan?da-thu=${txn}`;
      expect(posts.map((r) => r.headers.location)).toEqual([location, location, location]);
      const paid = await two.web.get(location, cookie);
      expect(paid.status, paid.body).toBe(200);
      expect(paid.body).toContain(`Ngân hàng mô phỏng đã chuyển tiền, mã giao dịch ${txn}.`);
      expect(paid.body).toContain('Đã thanh toán');
      expect(paid.body).not.toContain('Thanh toán thử (ngân hàng mô phỏng)');
      expect(await dossierRow(d.id)).toMatchObject({ status: 'received', is_paid_online: true });
      // Sent again later (Back, a restored tab), to either instance: the same outcome, no new transfer.
      for (const x of [one, two]) {
        const again = await x.web.postForm(pay, { csrf }, cookie);
        expect(again.status).toBe(303);
        expect(again.headers.location).toBe(location);
      }
      expect(bank.sent.size - before).toBe(1);
      // The flag names a transfer of this dossier or is ignored.
      expect((await one.web.get(`/ho-so/${d.id}/thanh-toan?da-thu=SB-NOT-MINE`, cookie)).body).not.toContain('Ngân hàng mô phỏng đã chuyển tiền');
      // Someone who may not see the dossier: 404, nothing sent.
      const other = await one.web.signIn('citizen.binh');
      const otherCsrf = csrfOf((await two.web.get('/', other.cookie)).body);
      expect(otherCsrf).not.toBe('');
      expect((await two.web.postForm(pay, { csrf: otherCsrf }, other.cookie)).status).toBe(404);
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('waits for a test payment another instance has under way and answers with its outcome; takes over one left by a stopped instance', async () => {
    const demo = await demoApp();
    try {
      const d = await received(COPIES, { so_ban: 1 });
      const [p] = await requestPayment(d.code);
      const { cookie } = await demo.web.signIn('citizen.an');
      const csrf = csrfOf((await demo.web.get(`/ho-so/${d.id}/thanh-toan`, cookie)).body);
      const pay = `/ho-so/${d.id}/thanh-toan/${p!.id}/thu`;
      const before = bank.sent.size;
      // Another instance is calling the bank (its claim is in the table): this post waits for it.
      await t.database.db.execute(
        sql`INSERT INTO payment_demo_transfers (payment_id, attempt_id, started_at) VALUES (${p!.id}::uuid, ${crypto.randomUUID()}::uuid, now())`,
      );
      const waiting = demo.web.postForm(pay, { csrf }, cookie);
      await new Promise((r) => setTimeout(r, 400));
      expect(bank.sent.size - before).toBe(0);
      // The other instance's bank refused: the waiting post shows the same refusal, and sent nothing itself.
      await t.database.db.execute(sql`UPDATE payment_demo_transfers SET finished_at = now(), failure = 'amount_missing' WHERE payment_id = ${p!.id}::uuid`);
      const refused = await waiting;
      expect(refused.status).toBe(502);
      expect(refused.body).toContain('Ngân hàng mô phỏng không thực hiện được giao dịch: amount_missing.');
      expect(bank.sent.size - before).toBe(0);
      // An instance stopped in the middle of its call left its claim: once older than the bank's time limit
      // allows, the next post takes it over and pays.
      await t.database.db.execute(
        sql`UPDATE payment_demo_transfers SET attempt_id = ${crypto.randomUUID()}::uuid, started_at = now() - interval '5 minutes', finished_at = NULL, failure = NULL
            WHERE payment_id = ${p!.id}::uuid`,
      );
      const paid = await demo.web.postForm(pay, { csrf }, cookie);
      expect(paid.status, paid.body).toBe(303);
      expect(bank.sent.size - before).toBe(1);
      const [transfer] = await queryRows<{ provider_txn_id: string }>(
        t.database.db,
        sql`SELECT provider_txn_id FROM payment_transactions WHERE payment_id = ${p!.id}::uuid`,
      );
      expect(paid.headers.location).toBe(`/ho-so/${d.id}/thanh-toan?da-thu=${transfer!.provider_txn_id}`);
      expect(await demoRow(p!.id)).toEqual({ transaction_id: transfer!.provider_txn_id, failure: null, finished: true });
    } finally {
      await demo.close();
    }
  });
});

describe('OpenAPI', () => {
  it('documents the payment routes and the webhook headers', async () => {
    const doc = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json;
    for (const path of [
      '/api/v1/dossiers/{id}/payments',
      '/api/v1/payments/notifications',
      '/api/v1/payments/held',
      '/api/v1/payments/reconciliation',
      '/api/v1/payments/{id}/receipt.pdf',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const hook = doc.paths['/api/v1/payments/notifications'].post;
    expect(hook.parameters.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['x-tinhso-timestamp', 'x-tinhso-signature']));
  });
});
