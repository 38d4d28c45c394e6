import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { signPayload, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.ts';
import { decodeVietQr, VietQrError } from './vietqr.ts';

/**
 * A local stand-in for the bank (or payment gateway) in development, the demo and tests. It
 * speaks the real protocol in both directions: it takes a VietQR payload as a banking app would
 * (decodes it, checks the CRC, the beneficiary account and the amount), "transfers" the money,
 * and sends tinhso the signed webhook a gateway sends.
 *
 *   POST /pay     {"payload": "<VietQR>", "amount"?: n, "payerName"?: "..."}  → 200 {transactionId, webhook: {status, body}}
 *   POST /resend  {"transactionId": "..."}  → delivers the same notification again (idempotency demo)
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
}

export interface StandInBank {
  url: string;
  port: number;
  /** Every notification sent, by transaction id (for /resend and for tests). */
  sent: Map<string, { body: string; status: number }>;
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
  let seq = 0;
  const nextTransactionId = () => {
    const d = new Date(Date.now() + 7 * 3600_000).toISOString();
    return `SB${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${Date.now().toString(36).toUpperCase()}${String(++seq).padStart(4, '0')}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://bank.local');
    if (req.method === 'GET' && url.pathname === '/healthz') return answer(res, 200, { status: 'ok' });
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
