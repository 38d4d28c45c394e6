import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PAYMENT_WEBHOOK_SECRET } from '../src/config.ts';
import { queryRows, sql } from '../src/db/client.ts';
import { REFUND_JOB, refundJobHandler } from '../src/modules/payments/refunds.ts';
import { signPayload } from '../src/modules/payments/signature.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { JobWorker } from '../src/platform/jobs.ts';
import { formatDay, vnDate } from '../src/platform/time.ts';
import { formatMoney } from '../src/web/i18n.ts';
import { createTestApp, requiredAnswers, sessionCookie, submittedDossier, type TestApp } from './harness.ts';
import { unmarked } from './lang-vi.ts';
import { formValues, webClient } from './web-client.ts';

// The payments reviewers' page /can-bo/thanh-toan (docs/WEB.md, docs/PAYMENTS.md): held transfers
// made through the signed webhook, as the bank sends them; decisions, refunds and the
// reconciliation through the page's forms, checked against the API and the database.

let t: TestApp;
let worker: JobWorker;
const { get, postForm } = webClient(() => t);
const cookies: Record<string, string> = {};
const en = (user: string) => `${cookies[user]}; lang=en`;
const api = (p: string) => `/api/v1${p}`;
const PAGE = '/can-bo/thanh-toan';
const COPIES = '2.000635'; // 8.000 đ per copy (form field so_ban)
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678', email: 'an.nguyen@example.vn' };
const PAYER = 'Nguyễn Văn An';
const REJECT_REASON = 'Chuyển khoản hai lần, hoàn trả khoản thứ hai';
let def: ProcedureDefinition;
const today = () => vnDate(new Date());

/** A dossier awaiting payment of `copies` × 8.000 đ, with its payment request. */
async function awaitingPayment(copies: number) {
  const s = await submittedDossier(t, 'citizen.an', { procedureCode: COPIES, applicant, form: { ...requiredAnswers(def.form, 7), so_ban: copies } });
  for (const action of ['receive', 'request_payment']) {
    const r = await t.request({ method: 'POST', url: api(`/dossiers/${s.code}/actions`), as: 'reception.dung', payload: { action } });
    expect(r.status, r.body).toBe(200);
  }
  const [p] = (await t.request({ method: 'GET', url: api(`/dossiers/${s.code}/payments`), as: 'citizen.an' })).json as {
    id: string;
    amount: number;
    reference: string;
  }[];
  return { id: s.id, code: s.code as string, payment: p! };
}

/** The bank's signed notification of a transfer. */
async function transfer(body: Record<string, unknown>) {
  const raw = JSON.stringify({ payerName: PAYER, ...body });
  const ts = Math.floor(Date.now() / 1000);
  const r = await t.request({
    method: 'POST',
    url: api('/payments/notifications'),
    payload: raw,
    headers: { 'content-type': 'application/json', 'x-tinhso-timestamp': String(ts), 'x-tinhso-signature': signPayload(DEMO_PAYMENT_WEBHOOK_SECRET, ts, raw) },
  });
  expect(r.status, r.body).toBe(200);
  return r.json as { outcome: string; holdReason: string | null };
}

const txIdOf = async (bankTxn: string) =>
  (await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM payment_transactions WHERE provider_txn_id = ${bankTxn}`))[0]!.id;
const refundsOf = (txId: string) =>
  queryRows<{ id: string; status: string; amount: number; reason: string; failure_code: string | null }>(
    t.database.db,
    sql`SELECT id, status, amount::int AS amount, reason, failure_code FROM payment_refunds WHERE transaction_id = ${txId}::uuid`,
  );
const txStatus = async (txId: string) =>
  (await queryRows<{ status: string }>(t.database.db, sql`SELECT status FROM payment_transactions WHERE id = ${txId}::uuid`))[0]!.status;
const dossierStatus = async (code: string) => (await t.request({ method: 'GET', url: api(`/dossiers/${code}`), as: 'reception.dung' })).json.status as string;

/** The decision form of a held transaction as the browser would send it, with a note (and a dossier code) typed. */
const decisionForm = (page: string, txId: string, slug: 'chap-nhan' | 'tu-choi', typed: Record<string, string>) => ({
  ...formValues(page, `${PAGE}/giao-dich/${txId}/${slug}`),
  ...typed,
});

const drain = async () => {
  while ((await worker.runOnce()) > 0);
};

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: api(`/procedures/${COPIES}`) })).json.definition;
  for (const u of ['leader.hoa', 'reception.dung', 'specialist.giang', 'citizen.an']) cookies[u] = await sessionCookie(t, u);
  // No refund address: a refund fails at once (not_configured), for the reviewer to send again.
  worker = new JobWorker(
    t.database.db,
    { [REFUND_JOB]: refundJobHandler({ refundUrl: undefined, refundSecret: undefined, refundTimeoutMs: 1_000 }) },
    t.app.log,
  );
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('who may open the page', () => {
  it('sends a visitor to sign in, and answers 403 to a citizen, the desk and a specialist', async () => {
    const anon = await get(PAGE);
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toBe(`/dang-nhap?next=${encodeURIComponent(PAGE)}`);
    for (const u of ['citizen.an', 'reception.dung', 'specialist.giang']) {
      const r = await get(PAGE, cookies[u]);
      expect(r.status, u).toBe(403);
      expect(r.body).toContain('Trang này chỉ dành cho cán bộ xét duyệt các khoản thanh toán');
      expect(r.body).not.toContain(`href="${PAGE}"`);
      expect((await get(`${PAGE}/doi-soat.csv?ngay=${today()}`, cookies[u])).status, u).toBe(403);
    }
    // A post from the desk with its own valid token decides nothing.
    const desk = await get('/can-bo/ho-so', cookies['reception.dung']);
    const csrf = /name="csrf" value="([^"]+)"/.exec(desk.body)![1]!;
    const r = await postForm(`${PAGE}/giao-dich/00000000-0000-7000-8000-000000000000/tu-choi`, { csrf, note: 'thử từ chối' }, cookies['reception.dung']);
    expect(r.status).toBe(403);
  });

  it('links the page in the navigation of the roles the API lets review payments only', async () => {
    const leader = await get('/', cookies['leader.hoa']);
    expect(leader.body).toContain(`<li><a href="${PAGE}">Thanh toán, hoàn tiền</a></li>`);
    const own = await get(PAGE, cookies['leader.hoa']);
    expect(own.status).toBe(200);
    expect(own.body).toContain(`<li><a aria-current="page" href="${PAGE}">Thanh toán, hoàn tiền</a></li>`);
    for (const u of ['reception.dung', 'specialist.giang', 'citizen.an']) expect((await get('/', cookies[u])).body, u).not.toContain(`href="${PAGE}"`);
  });
});

describe('held transfers, decided on the page', () => {
  let paidTwice: Awaited<ReturnType<typeof awaitingPayment>>;
  let secondTx = '';

  it('shows a second transfer for a paid request with what the reviewer needs, and no accept form', async () => {
    paidTwice = await awaitingPayment(1);
    expect(await transfer({ transactionId: 'FTWEB00001', amount: 8_000, reference: paidTwice.payment.reference })).toMatchObject({ outcome: 'confirmed' });
    expect(
      await transfer({
        transactionId: 'FTWEB00002',
        amount: 8_000,
        description: `${paidTwice.payment.reference} nop le phi`,
        paidAt: '2026-11-26T10:15:00+07:00',
      }),
    ).toMatchObject({ outcome: 'held', holdReason: 'already_paid' });
    secondTx = await txIdOf('FTWEB00002');

    const page = await get(PAGE, cookies['leader.hoa']);
    expect(page.status).toBe(200);
    const item = page.body.slice(page.body.indexOf(`id="gd-${secondTx}"`), page.body.indexOf('</section>', page.body.indexOf(`id="gd-${secondTx}"`)));
    expect(item).toContain(`<h3 id="gd-${secondTx}-h">8.000\u00a0₫ · giao dịch FTWEB00002</h3>`);
    expect(item).toContain('Khoản này đã được thanh toán trước đó: có thể người nộp đã chuyển tiền hai lần.');
    expect(item).toContain(`<dt>Người chuyển</dt><dd>${PAYER}</dd>`);
    expect(item).toContain(`<dt>Mã thanh toán</dt><dd>${paidTwice.payment.reference}</dd>`);
    expect(item).toContain('<dt>Ngân hàng ghi nhận lúc</dt><dd>10:15 26/11/2026</dd>');
    expect(item).toContain(`<a href="/can-bo/ho-so/${encodeURIComponent(paidTwice.code)}">${paidTwice.code}</a>`);
    // Accepting would be refused by the service (the request is paid): not offered.
    expect(item).not.toContain(`/giao-dich/${secondTx}/chap-nhan`);
    expect(item).toContain('Chỉ có thể từ chối và hoàn trả.');
    expect(item).toContain('Từ chối và hoàn trả 8.000\u00a0₫</button>');
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)|style=/); // strict CSP
  });

  it('refuses a rejection without a reason, at the field, and changes nothing', async () => {
    const page = await get(PAGE, cookies['leader.hoa']);
    const r = await postForm(`${PAGE}/giao-dich/${secondTx}/tu-choi`, decisionForm(page.body, secondTx, 'tu-choi', { note: ' x ' }), cookies['leader.hoa']);
    expect(r.status).toBe(422);
    const field = `gd-${secondTx}-reject-note`;
    expect(r.body).toContain(`<li><a href="#${field}">Nhập lý do từ chối (ít nhất 3 ký tự)</a></li>`);
    expect(r.body).toContain(`<p class="error-message" id="${field}-error">`);
    expect(r.body).toContain(`aria-describedby="${field}-hint ${field}-error" aria-invalid="true">x</textarea>`);
    expect(await txStatus(secondTx)).toBe('held');
    expect(await refundsOf(secondTx)).toEqual([]);
  });

  it('rejects with the reason and sends the refund; the same form sent again decides nothing', async () => {
    const page = await get(PAGE, cookies['leader.hoa']);
    const form = decisionForm(page.body, secondTx, 'tu-choi', { note: REJECT_REASON });
    expect(form.gd).toBe('FTWEB00002');
    const r = await postForm(`${PAGE}/giao-dich/${secondTx}/tu-choi`, form, cookies['leader.hoa']);
    expect(r.status, r.body.slice(0, 300)).toBe(303);
    expect(r.headers.location).toBe(`${PAGE}?xong=reject&gd=FTWEB00002&ngay=${today()}`);
    expect(await txStatus(secondTx)).toBe('rejected');
    const [refund, ...more] = await refundsOf(secondTx);
    expect(more).toEqual([]);
    expect(refund).toMatchObject({ status: 'requested', amount: 8_000, reason: REJECT_REASON });

    const after = await get(String(r.headers.location), cookies['leader.hoa']);
    expect(after.body).toContain('<div class="notice" role="status"><p>Đã từ chối giao dịch FTWEB00002 và gửi lệnh hoàn trả tới ngân hàng.');
    expect(after.body).not.toContain(`id="gd-${secondTx}"`);
    expect(after.body).toContain('<strong>Đã yêu cầu, chờ gửi</strong>');
    expect(after.body).toContain(`<td>${REJECT_REASON}</td>`);

    // A double click without the script, or a second reviewer on an old page: told, nothing done.
    const again = await postForm(`${PAGE}/giao-dich/${secondTx}/tu-choi`, form, cookies['leader.hoa']);
    expect(again.status).toBe(409);
    expect(again.body).toContain('role="alert" tabindex="-1" autofocus><p>Giao dịch FTWEB00002 đã được xử lý trước đó (đã từ chối)');
    expect(await refundsOf(secondTx)).toHaveLength(1);
    const accept = await postForm(`${PAGE}/giao-dich/${secondTx}/chap-nhan`, { ...form, note: 'chấp nhận sau' }, cookies['leader.hoa']);
    expect(accept.status).toBe(409);
    expect(await txStatus(secondTx)).toBe('rejected');
  });

  it('accepts a short transfer with a note: the request is paid and the dossier moves on', async () => {
    const d = await awaitingPayment(2);
    expect(await transfer({ transactionId: 'FTWEB00003', amount: 10_000, reference: d.payment.reference })).toMatchObject({ holdReason: 'amount_mismatch' });
    const txId = await txIdOf('FTWEB00003');
    const page = await get(PAGE, cookies['leader.hoa']);
    expect(page.body).toContain('Số tiền chuyển khác số tiền phải nộp.');
    expect(page.body).toContain('<dt>Chênh lệch</dt><dd>-6.000\u00a0₫</dd>');
    expect(page.body).toContain('Chấp nhận khoản 10.000\u00a0₫</button>');
    const r = await postForm(
      `${PAGE}/giao-dich/${txId}/chap-nhan`,
      decisionForm(page.body, txId, 'chap-nhan', { note: 'Thu thêm 6.000 đồng tại quầy' }),
      cookies['leader.hoa'],
    );
    expect(r.status, r.body.slice(0, 300)).toBe(303);
    expect(await txStatus(txId)).toBe('accepted');
    expect(await dossierStatus(d.code)).not.toBe('payment_requested');
    const [p] = (await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/payments`), as: 'citizen.an' })).json;
    expect(p).toMatchObject({ status: 'paid' });
    expect(await refundsOf(txId)).toEqual([]);
    expect((await get(String(r.headers.location), cookies['leader.hoa'])).body).toContain('Đã chấp nhận giao dịch FTWEB00003');
  });

  it('accepts a transfer with an unknown reference for the dossier the reviewer names', async () => {
    const d = await awaitingPayment(1);
    expect(await transfer({ transactionId: 'FTWEB00004', amount: 8_000, description: 'nop phi ban sao' })).toMatchObject({ holdReason: 'unknown_reference' });
    const txId = await txIdOf('FTWEB00004');
    const page = await get(PAGE, cookies['leader.hoa']);
    const field = `gd-${txId}-accept-dossier`;
    expect(page.body).toContain(`<label for="${field}">Mã hồ sơ mà khoản tiền này trả cho</label>`);

    const missing = await postForm(
      `${PAGE}/giao-dich/${txId}/chap-nhan`,
      decisionForm(page.body, txId, 'chap-nhan', { note: 'Đúng hồ sơ' }),
      cookies['leader.hoa'],
    );
    expect(missing.status).toBe(422);
    expect(missing.body).toContain(`<li><a href="#${field}">Nhập mã hồ sơ mà khoản tiền này trả cho</a></li>`);
    const wrong = await postForm(
      `${PAGE}/giao-dich/${txId}/chap-nhan`,
      decisionForm(page.body, txId, 'chap-nhan', { note: 'Đúng hồ sơ', 'ma-ho-so': 'KHONG-CO-HO-SO-NAY' }),
      cookies['leader.hoa'],
    );
    expect(wrong.status).toBe(422);
    expect(wrong.body).toContain('Không tìm thấy hồ sơ KHONG-CO-HO-SO-NAY trong các cơ quan bạn xét duyệt');
    expect(wrong.body).toContain(`value="KHONG-CO-HO-SO-NAY"`);
    const paidOne = await postForm(
      `${PAGE}/giao-dich/${txId}/chap-nhan`,
      decisionForm(page.body, txId, 'chap-nhan', { note: 'Đúng hồ sơ', 'ma-ho-so': paidTwice.code }),
      cookies['leader.hoa'],
    );
    expect(paidOne.status).toBe(422);
    expect(paidOne.body).toContain(`Hồ sơ ${paidTwice.code} không có khoản phí nào đang chờ thanh toán`);
    expect(await txStatus(txId)).toBe('held');

    const ok = await postForm(
      `${PAGE}/giao-dich/${txId}/chap-nhan`,
      decisionForm(page.body, txId, 'chap-nhan', { note: 'Đúng hồ sơ', 'ma-ho-so': d.code.toLowerCase() }),
      cookies['leader.hoa'],
    );
    expect(ok.status, ok.body.slice(0, 300)).toBe(303);
    expect(await txStatus(txId)).toBe('accepted');
    expect(await dossierStatus(d.code)).not.toBe('payment_requested');
  });
});

describe('refunds', () => {
  it('shows a failed refund with why, sends it again once, and says so for a second press', async () => {
    await drain();
    const txId = await txIdOf('FTWEB00002');
    const [refund] = await refundsOf(txId);
    expect(refund).toMatchObject({ status: 'failed', failure_code: 'not_configured' });
    const page = await get(PAGE, cookies['leader.hoa']);
    expect(page.body).toContain('<strong>Thất bại</strong><br>Lý do thất bại: chưa cấu hình địa chỉ hoàn tiền của ngân hàng (PAYMENT_REFUND_URL)');
    expect(page.body).toContain('Hoàn tiền thất bại cần xử lý: 1.');
    const action = `${PAGE}/hoan-tien/${refund!.id}/gui-lai`;
    const form = formValues(page.body, action);
    const r = await postForm(action, form, cookies['leader.hoa']);
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`${PAGE}?xong=retry&gd=FTWEB00002&ngay=${today()}`);
    expect((await refundsOf(txId))[0]).toMatchObject({ status: 'requested', failure_code: null });
    const jobs = await queryRows(t.database.db, sql`SELECT id FROM jobs WHERE type = ${REFUND_JOB} AND payload->>'refundId' = ${refund!.id}`);
    expect(jobs).toHaveLength(2);
    const after = await get(String(r.headers.location), cookies['leader.hoa']);
    expect(after.body).toContain('Đã gửi lại lệnh hoàn tiền của giao dịch FTWEB00002.');
    expect(after.body).not.toContain(action);

    const again = await postForm(action, form, cookies['leader.hoa']);
    expect(again.status).toBe(409);
    expect(again.body).toContain('Khoản hoàn tiền này không còn ở trạng thái thất bại (Đã yêu cầu, chờ gửi)');
    expect(await queryRows(t.database.db, sql`SELECT id FROM jobs WHERE type = ${REFUND_JOB} AND payload->>'refundId' = ${refund!.id}`)).toHaveLength(2);
  });
});

describe('reconciliation of a day', () => {
  it('shows the day’s figures as the service computes them, with the CSV', async () => {
    const day = today();
    const recon = (await t.request({ method: 'GET', url: api(`/payments/reconciliation?date=${day}`), as: 'leader.hoa' })).json;
    expect(recon.summary.transactions).toBe(4);
    const page = await get(`${PAGE}?ngay=${day}`, cookies['leader.hoa']);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<h3>Đối soát ngày ${formatDay(day)}</h3>`);
    const s = recon.summary;
    expect(page.body).toContain(`<dt>Giao dịch nhận được</dt><dd>4</dd>`);
    expect(page.body).toContain(`<dt>Tổng tiền nhận</dt><dd>${formatMoney(s.receivedTotal)}</dd>`);
    expect(s.receivedTotal).toBe(34_000);
    expect(page.body).toContain(`<dt>Đã xác nhận (tự động hoặc được chấp nhận)</dt><dd>${formatMoney(s.confirmedTotal)}</dd>`);
    expect(page.body).toContain(`<dt>Giao dịch lệch</dt><dd>${s.mismatchCount}</dd>`);
    expect(page.body).toContain(`<dt>Đang hoàn trả</dt><dd>${formatMoney(8_000)}</dd>`);
    expect(page.body).toContain(`<dt>Yêu cầu thanh toán tạo trong ngày</dt><dd>${s.requestsCreated} khoản · ${formatMoney(s.requestedTotal)}</dd>`);
    for (const txn of ['FTWEB00001', 'FTWEB00002', 'FTWEB00003', 'FTWEB00004']) expect(page.body).toContain(`<td>${txn}</td>`);
    expect(page.body).toContain(`href="${PAGE}/doi-soat.csv?ngay=${day}"`);

    const csv = await get(`${PAGE}/doi-soat.csv?ngay=${day}`, cookies['leader.hoa']);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="doi-soat-${day}.csv"`);
    const apiCsv = await t.request({ method: 'GET', url: api(`/payments/reconciliation.csv?date=${day}`), as: 'leader.hoa' });
    expect(csv.body).toBe(apiCsv.body);
    expect(csv.body).toContain('FTWEB00002');
  });

  it('says a malformed or impossible day at the field, and still shows the rest of the page', async () => {
    for (const bad of ['2026-02-30', '26-11-2026', 'hôm qua']) {
      const page = await get(`${PAGE}?ngay=${encodeURIComponent(bad)}`, cookies['leader.hoa']);
      expect(page.status, bad).toBe(422);
      expect(page.body).toContain('<li><a href="#fin-day">Ngày đối soát không hợp lệ');
      expect(page.body).toContain('aria-invalid="true"');
      expect(page.body).not.toContain('Đối soát ngày');
      expect(page.body).toContain('<h2 id="hoan-tien">Hoàn tiền (1)</h2>');
      expect((await get(`${PAGE}/doi-soat.csv?ngay=${encodeURIComponent(bad)}`, cookies['leader.hoa'])).status, bad).toBe(422);
    }
    const empty = await get(`${PAGE}?ngay=2020-01-01`, cookies['leader.hoa']);
    expect(empty.body).toContain('Không có giao dịch nào trong ngày này.');
  });
});

describe('the page’s languages', () => {
  it('marks the data in English (names, typed reasons and notes) and nothing on the Vietnamese page', async () => {
    const d = await awaitingPayment(1);
    await transfer({ transactionId: 'FTWEB00005', amount: 9_000, reference: d.payment.reference, description: 'Nộp phí bản sao' });
    const txId = await txIdOf('FTWEB00005');
    const page = await get(`${PAGE}?ngay=${today()}`, en('leader.hoa'));
    expect(page.status).toBe(200);
    expect(unmarked(page)).toEqual([]);
    expect(page.body).toContain(`<dt>Sender</dt><dd lang="vi">${PAYER}</dd>`);
    expect(page.body).toContain('<dt>Transfer description</dt><dd lang="vi">Nộp phí bản sao</dd>');
    expect(page.body).toContain(`<td lang="vi">${REJECT_REASON}</td>`);
    expect(page.body).toContain('The amount transferred differs from the amount due.');
    expect(page.body).toContain('Reject and refund 9.000\u00a0₫</button>');

    // A refused form keeps the typed note, marked, with the error in English.
    const r = await postForm(`${PAGE}/giao-dich/${txId}/tu-choi`, decisionForm(page.body, txId, 'tu-choi', { note: 'Đủ' }), en('leader.hoa'));
    expect(r.status).toBe(422);
    expect(unmarked(r)).toEqual([]);
    expect(r.body).toContain('Enter the reason for rejecting (at least 3 characters)');
    expect(r.body).toMatch(/<textarea [^>]*lang="vi"[^>]*>Đủ<\/textarea>/);
    const bad = await get(`${PAGE}?ngay=2026-02-30`, en('leader.hoa'));
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('The day is not valid');

    const viPage = await get(`${PAGE}?ngay=${today()}`, cookies['leader.hoa']);
    expect(viPage.body).toContain('<html lang="vi">');
    expect(viPage.body.split('lang="vi"').length - 1).toBe(1);
  });
});
