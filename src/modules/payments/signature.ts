import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures (pure). The gateway signs `timestamp + "." + rawBody` with HMAC-SHA256 and
 * the shared secret, and sends:
 *   X-Tinhso-Timestamp: <Unix seconds>
 *   X-Tinhso-Signature: sha256=<64 lowercase hex digits>
 * A request is accepted only within WINDOW_SECONDS of our clock (either way), so a captured
 * request cannot be replayed later; within the window, the bank transaction id makes a replay
 * harmless (processing is idempotent).
 */
export const TIMESTAMP_HEADER = 'x-tinhso-timestamp';
export const SIGNATURE_HEADER = 'x-tinhso-signature';
export const WINDOW_SECONDS = 300;
/** Sent with every refund request (refunds.ts): the same value on every attempt of one refund. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';

export function signPayload(secret: string, timestamp: number | string, rawBody: Buffer | string): string {
  const h = createHmac('sha256', secret);
  h.update(`${timestamp}.`);
  h.update(rawBody);
  return `sha256=${h.digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch' };

/** Checks the headers against the raw body, in constant time for the signature itself. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: Buffer | string,
  nowMs: number,
): SignatureCheck {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature) return { ok: false, reason: 'missing' };
  if (!/^\d{9,11}$/.test(timestamp) || !/^sha256=[0-9a-fA-F]{64}$/.test(signature)) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > WINDOW_SECONDS) return { ok: false, reason: 'expired' };
  const expected = Buffer.from(signPayload(secret, timestamp, rawBody).slice(7), 'hex');
  const given = Buffer.from(signature.slice(7), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
