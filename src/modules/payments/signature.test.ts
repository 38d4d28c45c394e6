import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './signature.ts';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const body = '{"transactionId":"FT1","amount":8000}';
const now = Date.parse('2026-11-26T03:00:00Z');
const ts = Math.floor(now / 1000);

describe('webhook signatures', () => {
  it('is HMAC-SHA256 over timestamp + "." + raw body, as sha256=<hex>', () => {
    const hex = createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex');
    expect(signPayload(SECRET, ts, body)).toBe(`sha256=${hex}`);
    expect(signPayload(SECRET, ts, Buffer.from(body))).toBe(`sha256=${hex}`);
  });

  it('accepts a fresh, correct signature (up to 5 minutes either way)', () => {
    const signature = signPayload(SECRET, ts, body);
    expect(verifySignature(SECRET, { timestamp: String(ts), signature }, body, now)).toEqual({ ok: true });
    expect(verifySignature(SECRET, { timestamp: String(ts), signature }, body, now + 300_000)).toEqual({ ok: true });
    expect(verifySignature(SECRET, { timestamp: String(ts), signature }, body, now - 300_000)).toEqual({ ok: true });
  });

  it('refuses old or future timestamps, other bodies, other secrets, and malformed headers', () => {
    const signature = signPayload(SECRET, ts, body);
    expect(verifySignature(SECRET, { timestamp: String(ts), signature }, body, now + 301_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifySignature(SECRET, { timestamp: String(ts), signature }, body, now - 301_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifySignature(SECRET, { timestamp: String(ts), signature }, body.replace('8000', '9000'), now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, { timestamp: String(ts + 1), signature }, body, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(`${SECRET}x`, { timestamp: String(ts), signature }, body, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(SECRET, { timestamp: undefined, signature }, body, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifySignature(SECRET, { timestamp: String(ts), signature: signature.slice(7) }, body, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifySignature(SECRET, { timestamp: 'yesterday', signature }, body, now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
