import { setTimeout as sleep } from 'node:timers/promises';
import type { PaymentsConfig } from '../../config.ts';
import { queryRows, sql, type Db } from '../../db/client.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { vietQrPayloadOf, type PaymentRow } from './payments.service.ts';

/**
 * The test payment of the citizen's payment page (development and the demo, docs/PAYMENTS.md): the
 * request paid through the stand-in bank, which sends tinhso the signed notification a real bank
 * sends, then answers. At most one transfer per request whatever the number of app instances: the
 * claim on a request's test payment is a row of `payment_demo_transfers` (migration 0017), taken by
 * one statement before the bank is called; a second press, in this process or another, waits for
 * the first and answers with its outcome.
 */

/** What a test payment came to: a transfer made (now or by an earlier press), nothing to do, or the stand-in bank's refusal. */
export type DemoOutcome = { kind: 'paid'; transactionId: string } | { kind: 'unchanged' } | { kind: 'failed'; reason: string };

/** How long a test payment waits for the stand-in bank (its answer comes after the notification it sent us). */
const BANK_TIMEOUT_MS = 15_000;
/**
 * A claim older than this while its request is still pending was left by a stopped process, or its
 * transfer did not pay the request: a later press may take it over. Twice the bank's time limit, so
 * a live attempt has always finished by then. Compared with the database's clock, which every
 * instance shares.
 */
const CLAIM_STALE_AFTER = sql`interval '30 seconds'`;
/** How often a press waiting for another one's attempt reads its outcome. */
const POLL_MS = 100;

/** A request no longer pending answers with the transfer that paid it, if any: a repeated post gets the first one's outcome. */
export const outcomeOf = (p: { status: string; transactionId: string | null }): DemoOutcome =>
  p.status === 'paid' && p.transactionId ? { kind: 'paid', transactionId: p.transactionId } : { kind: 'unchanged' };

/**
 * Claims the test payment of a pending request: inserts the claim, or takes over a failed or stale
 * one, in one statement (concurrent ones queue on the primary key; exactly one gets a row back).
 * The attempt's id when this call holds the claim; null otherwise (another attempt holds it, or the
 * request is no longer pending).
 */
async function claim(db: Db, paymentId: string): Promise<string | null> {
  const attemptId = newId();
  const [row] = await queryRows<{ attempt_id: string }>(
    db,
    sql`INSERT INTO payment_demo_transfers (payment_id, attempt_id, started_at)
        SELECT p.id, ${attemptId}::uuid, now() FROM payments p WHERE p.id = ${paymentId}::uuid AND p.status = 'pending'
        ON CONFLICT (payment_id) DO UPDATE
          SET attempt_id = EXCLUDED.attempt_id, started_at = EXCLUDED.started_at, finished_at = NULL, transaction_id = NULL, failure = NULL
          WHERE payment_demo_transfers.failure IS NOT NULL OR payment_demo_transfers.started_at < now() - ${CLAIM_STALE_AFTER}
        RETURNING attempt_id`,
  );
  return row ? attemptId : null;
}

interface ClaimState {
  status: string;
  transaction_id: string | null;
  demo_transaction_id: string | null;
  failure: string | null;
  /** A claim is held by an attempt that may still be running. */
  is_running: boolean;
}

/** The request's status with its test payment's claim, if any. */
async function stateOf(db: Db, paymentId: string): Promise<ClaimState | null> {
  const [row] = await queryRows<ClaimState>(
    db,
    sql`SELECT p.status, p.transaction_id, c.transaction_id AS demo_transaction_id, c.failure,
               coalesce(c.finished_at IS NULL AND c.started_at >= now() - ${CLAIM_STALE_AFTER}, false) AS is_running
        FROM payments p LEFT JOIN payment_demo_transfers c ON c.payment_id = p.id
        WHERE p.id = ${paymentId}::uuid`,
  );
  return row ?? null;
}

/** The payer's name as a bank prints it: capitals without diacritics. */
const bankName = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'D')
    .toUpperCase();

/** Sends the request's VietQR payload to the stand-in bank, as a banking app would: its transfer, or why there is none. */
async function callBank(bankUrl: string, cfg: PaymentsConfig, p: PaymentRow, payerName: string): Promise<Exclude<DemoOutcome, { kind: 'unchanged' }>> {
  try {
    const res = await fetch(`${bankUrl}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ payload: vietQrPayloadOf(cfg, p), payerName: bankName(payerName) }),
      signal: AbortSignal.timeout(BANK_TIMEOUT_MS),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200 || typeof json.transactionId !== 'string') return { kind: 'failed', reason: String(json.error ?? res.status) };
    return { kind: 'paid', transactionId: json.transactionId };
  } catch (err) {
    return { kind: 'failed', reason: (err as Error).message };
  }
}

/**
 * Pays a request the caller may see (the route checked it) through the stand-in bank, once: the
 * press holding the claim calls the bank and records the outcome; any other press meanwhile waits
 * for that outcome and answers with it. A request no longer pending answers with what paid it.
 * A failed attempt may be tried again by a later press. Errors: PAYMENTS_DEMO_BANK_OFF.
 */
export async function payWithStandInBank(ctx: Ctx, cfg: PaymentsConfig, p: PaymentRow): Promise<DemoOutcome> {
  const bankUrl = cfg.demoBankUrl;
  if (!bankUrl) throw new AppError('unavailable', 'PAYMENTS_DEMO_BANK_OFF', { userMessage: 'Không có ngân hàng mô phỏng.' });
  if (p.status !== 'pending') return outcomeOf(p);
  let attemptId = await claim(ctx.db, p.id);
  while (!attemptId) {
    const s = await stateOf(ctx.db, p.id);
    if (!s) return { kind: 'unchanged' };
    if (s.status !== 'pending') return outcomeOf({ status: s.status, transactionId: s.transaction_id });
    // The other attempt finished: its outcome (its transfer, even if the bank's notification has not paid the request yet).
    if (s.demo_transaction_id) return { kind: 'paid', transactionId: s.demo_transaction_id };
    if (s.failure !== null) return { kind: 'failed', reason: s.failure };
    if (s.is_running) await sleep(POLL_MS);
    // No claim (or a stale one): take it.
    else attemptId = await claim(ctx.db, p.id);
  }
  const outcome = await callBank(bankUrl, cfg, p, ctx.actor?.displayName ?? '');
  const [transactionId, failure] = outcome.kind === 'paid' ? [outcome.transactionId, null] : [null, outcome.reason.slice(0, 500)];
  // Only the attempt holding the claim writes its outcome (one taken over after it went stale writes nothing).
  await ctx.db.execute(
    sql`UPDATE payment_demo_transfers SET finished_at = now(), transaction_id = ${transactionId}, failure = ${failure}
        WHERE payment_id = ${p.id}::uuid AND attempt_id = ${attemptId}::uuid`,
  );
  return outcome;
}
