import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callBankRefund } from './refunds.ts';
import { verifySignature } from './signature.ts';

// How one call of the bank's refund API is classified: completed, refused for good, or retried.
const SECRET = 'unit-test-refund-secret-0123456789abcdef';
let server: Server;
let url: string;
let answer: { status: number; body: string; delayMs?: number } = { status: 200, body: '{}' };
let last: { headers: IncomingMessage['headers']; body: string } | null = null;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      last = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/refunds`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const body = { transactionId: 'FT1', amount: 16_000, currency: 'VND' as const, refundId: 'r1', reason: 'Hoàn trả' };
// A generous timeout (the machine may be busy); the timeout case sets its own.
const call = (timeoutMs = 5_000) => callBankRefund(url, SECRET, 'tinhso-refund-r1', body, { timeoutMs });

describe('callBankRefund', () => {
  it('signs the raw body like the webhook and sends the idempotency key', async () => {
    answer = { status: 200, body: JSON.stringify({ status: 'completed', bankRefundId: 'RF1' }) };
    expect(await call()).toEqual({ kind: 'completed', bankRefundId: 'RF1', replayed: false });
    expect(last!.headers['idempotency-key']).toBe('tinhso-refund-r1');
    expect(JSON.parse(last!.body)).toEqual(body);
    const check = verifySignature(
      SECRET,
      { timestamp: last!.headers['x-tinhso-timestamp'] as string, signature: last!.headers['x-tinhso-signature'] as string },
      last!.body,
      Date.now(),
    );
    expect(check).toEqual({ ok: true });
    expect(
      verifySignature(
        'another-secret-0123456789abcdef-xyz',
        { timestamp: last!.headers['x-tinhso-timestamp'] as string, signature: last!.headers['x-tinhso-signature'] as string },
        last!.body,
        Date.now(),
      ),
    ).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('a repeated key answered by the bank is still completed, and says so', async () => {
    answer = { status: 200, body: JSON.stringify({ status: 'completed', bankRefundId: 'RF1', replayed: true }) };
    expect(await call()).toEqual({ kind: 'completed', bankRefundId: 'RF1', replayed: true });
  });

  it('4xx other than 408 and 429 is a definite refusal with the bank’s code', async () => {
    answer = { status: 422, body: JSON.stringify({ error: 'amount_exceeds_payment', message: 'too much' }) };
    expect(await call()).toEqual({ kind: 'refused', code: 'amount_exceeds_payment', message: 'too much' });
    answer = { status: 404, body: 'not json' };
    expect(await call()).toEqual({ kind: 'refused', code: 'http_404', message: 'bank refused with HTTP 404' });
  });

  it('408, 429, 5xx, an unfinished 200 and a timeout are retried', async () => {
    for (const status of [408, 429, 500, 503]) {
      answer = { status, body: JSON.stringify({ error: 'busy' }) };
      expect(await call()).toEqual({ kind: 'retry', message: `bank answered ${status} busy` });
    }
    answer = { status: 200, body: JSON.stringify({ status: 'processing' }) };
    expect(await call()).toMatchObject({ kind: 'retry' });
    answer = { status: 200, body: '{}', delayMs: 3_000 };
    expect(await call(300)).toEqual({ kind: 'retry', message: 'bank unreachable: no answer within 300 ms' });
  });

  it('a closed port is retried', async () => {
    const r = await callBankRefund('http://127.0.0.1:9/refunds', SECRET, 'k-00000001', body, { timeoutMs: 1_000 });
    expect(r.kind).toBe('retry');
  });
});
