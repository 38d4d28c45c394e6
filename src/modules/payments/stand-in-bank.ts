import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { IDEMPOTENCY_HEADER, signPayload, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature.ts';
import { decodeVietQr, VietQrError } from './vietqr.ts';

/**
 * A local stand-in for the bank (or payment gateway) in development, the demo and tests. It
 * speaks the real protocol in both directions: it takes a VietQR payload as a banking app would
 * (decodes it, checks the CRC, the beneficiary account and the amount), "transfers" the money,
 * and sends tinhso the signed webhook a gateway sends.
 *
 *   POST /pay     {"payload": "<VietQR>", "amount"?: n, "payerName"?: "..."}  → 200 {transactionId, webhook: {status, body}}
 *   POST /resend  {"transactionId": "..."}  → delivers the same notification again (idempotency demo)
 *   POST /refunds {"transactionId", "amount", "currency", "refundId", "reason"} signed by tinhso
 *                 (X-Tinhso-Timestamp, X-Tinhso-Signature, Idempotency-Key) → 200 {status: "completed", bankRefundId}
 *   GET  /healthz
 *
 * `amount` overrides the QR's amount only to simulate a payer who types another amount; a
 * dynamic VietQR normally fixes it.
 */
export interface StandInBankOptions {
  port?: number;
  host?: string;
  /** tinhso's webhook: http://host:port/api/v1/payments/notifications */
  webhookUrl: string;
  secret: string;
  /** The only beneficiary account this bank pays into (the province's collecting account). */
  bankBin: string;
  accountNo: string;
  /** The secret tinhso signs refund requests with (PAYMENT_REFUND_SECRET); defaults to `secret`. */
  refundSecret?: string;
}

export interface BankRefund {
  bankRefundId: string;
  transactionId: string;
  amount: number;
  refundId: string;
}

export interface StandInBank {
  url: string;
  port: number;
  /** Every notification sent, by transaction id (for /resend and for tests). */
  sent: Map<string, { body: string; status: number }>;
  /** Refunds made, by idempotency key. */
  refunds: Map<string, BankRefund>;
  /** Every refund request received (after the signature check), answered or not: for tests. */
  refundCalls: { idempotencyKey: string; status: number }[];
  /**
   * Faults for tests and demos: `refundOutages` next refund requests answer 503 without doing
   * anything; `refundAnswerDelayMs` delays the answer after the refund is made (a lost answer
   * when it exceeds the caller's timeout).
   */
  faults: { refundOutages: number; refundAnswerDelayMs: number };
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** Delivers a notification the way the gateway does: raw JSON, timestamp and HMAC signature headers. */
export async function deliverNotification(webhookUrl: string, secret: string, body: string, nowMs = Date.now()): Promise<{ status: number; body: string }> {
  const timestamp = Math.floor(nowMs / 1000);
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [TIMESTAMP_HEADER]: String(timestamp), [SIGNATURE_HEADER]: signPayload(secret, timestamp, body) },
    body,
  });
  return { status: res.status, body: await res.text() };
}

export async function startStandInBank(opts: StandInBankOptions): Promise<StandInBank> {
  const sent = new Map<string, { body: string; status: number }>();
  const refunds = new Map<string, BankRefund>();
  const refundCalls: StandInBank['refundCalls'] = [];
  const faults = { refundOutages: 0, refundAnswerDelayMs: 0 };
  let seq = 0;
  let refundSeq = 0;

  /** A refund, as a bank's refund API does it: signed, idempotent per key, never more than was paid. */
  const refund = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const h = (k: string) => (typeof req.headers[k] === 'string' ? (req.headers[k] as string) : undefined);
    const check = verifySignature(opts.refundSecret ?? opts.secret, { timestamp: h(TIMESTAMP_HEADER), signature: h(SIGNATURE_HEADER) }, raw, Date.now());
    if (!check.ok) return answer(res, 401, { error: 'signature_invalid', message: check.reason });
    const key = h(IDEMPOTENCY_HEADER);
    if (!key || !/^[\x21-\x7e]{8,100}$/.test(key)) return answer(res, 400, { error: 'idempotency_key_missing' });
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return answer(res, 400, { error: 'invalid_json' });
    }
    const { transactionId, amount, currency, refundId } = input;
    if (typeof transactionId !== 'string' || typeof refundId !== 'string' || typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0) {
      return answer(res, 422, { error: 'invalid_request', message: 'transactionId, refundId and a positive integer amount are required' });
    }
    if (currency !== 'VND') return answer(res, 422, { error: 'currency_not_vnd' });
    if (faults.refundOutages > 0) {
      faults.refundOutages--;
      refundCalls.push({ idempotencyKey: key, status: 503 });
      return answer(res, 503, { error: 'temporarily_unavailable' });
    }
    const prior = refunds.get(key);
    let status = 200;
    let body: Record<string, unknown>;
    if (prior) {
      // The same key again: the same answer, nothing refunded twice; another request under it is refused.
      if (prior.transactionId !== transactionId || prior.amount !== amount) {
        status = 409;
        body = { error: 'idempotency_key_reused', message: 'this idempotency key was used for another refund' };
      } else body = { status: 'completed', ...prior, idempotencyKey: key, replayed: true };
    } else {
      const original = sent.get(transactionId);
      const paid = original ? (JSON.parse(original.body) as { amount: number }).amount : null;
      const alreadyRefunded = [...refunds.values()].filter((r) => r.transactionId === transactionId).reduce((a, r) => a + r.amount, 0);
      if (paid === null) {
        status = 404;
        body = { error: 'unknown_transaction', message: `no transfer ${transactionId} at this bank` };
      } else if (amount > paid - alreadyRefunded) {
        status = 422;
        body = { error: 'amount_exceeds_payment', message: `refund ${amount} exceeds what remains of the payment (${paid - alreadyRefunded})` };
      } else {
        const made: BankRefund = {
          bankRefundId: `RF${Date.now().toString(36).toUpperCase()}${String(++refundSeq).padStart(4, '0')}`,
          transactionId,
          amount,
          refundId,
        };
        refunds.set(key, made);
        body = { status: 'completed', ...made, idempotencyKey: key, replayed: false };
      }
    }
    refundCalls.push({ idempotencyKey: key, status });
    if (faults.refundAnswerDelayMs > 0) await new Promise((r) => setTimeout(r, faults.refundAnswerDelayMs));
    if (!res.destroyed) answer(res, status, body);
  };
  const nextTransactionId = () => {
    const d = new Date(Date.now() + 7 * 3600_000).toISOString();
    return `SB${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${Date.now().toString(36).toUpperCase()}${String(++seq).padStart(4, '0')}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://bank.local');
    if (req.method === 'GET' && url.pathname === '/healthz') return answer(res, 200, { status: 'ok' });
    if (req.method === 'POST' && url.pathname === '/refunds') return refund(req, res);
    if (req.method !== 'POST' || (url.pathname !== '/pay' && url.pathname !== '/resend')) return answer(res, 404, { error: 'not_found' });
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(await readBody(req)) as Record<string, unknown>;
    } catch {
      return answer(res, 400, { error: 'invalid_json' });
    }
    if (url.pathname === '/resend') {
      const prior = typeof input.transactionId === 'string' ? sent.get(input.transactionId) : undefined;
      if (!prior) return answer(res, 404, { error: 'unknown_transaction' });
      const webhook = await deliverNotification(opts.webhookUrl, opts.secret, prior.body);
      return answer(res, 200, { transactionId: input.transactionId, webhook });
    }
    if (typeof input.payload !== 'string') return answer(res, 422, { error: 'payload_missing' });
    let qr;
    try {
      qr = decodeVietQr(input.payload);
    } catch (err) {
      if (err instanceof VietQrError) return answer(res, 422, { error: `vietqr_${err.reason}`, message: err.message });
      throw err;
    }
    if (qr.bin !== opts.bankBin || qr.accountNo !== opts.accountNo) return answer(res, 422, { error: 'unknown_beneficiary' });
    if (qr.currency !== '704') return answer(res, 422, { error: 'currency_not_vnd' });
    const amount = typeof input.amount === 'number' ? input.amount : qr.amount;
    if (amount === null || !Number.isSafeInteger(amount) || amount <= 0) return answer(res, 422, { error: 'amount_missing' });
    const transactionId = nextTransactionId();
    const body = JSON.stringify({
      transactionId,
      amount,
      currency: 'VND',
      description: qr.purpose ?? '',
      paidAt: new Date(Date.now() + 7 * 3600_000).toISOString().replace('Z', '+07:00'),
      accountNo: qr.accountNo,
      bankBin: qr.bin,
      payerName: typeof input.payerName === 'string' ? input.payerName.slice(0, 200) : 'NGUYEN VAN A',
      payerAccount: '0000123456789',
    });
    const webhook = await deliverNotification(opts.webhookUrl, opts.secret, body);
    sent.set(transactionId, { body, status: webhook.status });
    return answer(res, 200, { transactionId, amount, webhook });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => answer(res, 502, { error: 'delivery_failed', message: (err as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    sent,
    refunds,
    refundCalls,
    faults,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
