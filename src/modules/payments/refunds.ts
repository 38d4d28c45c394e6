import { eq, sql as dsql } from 'drizzle-orm';
import type { PaymentsConfig } from '../../config.ts';
import type { Db } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Ctx } from '../../platform/context.ts';
import { newId } from '../../platform/ids.ts';
import { enqueueJob, type JobHandler } from '../../platform/jobs.ts';
import { paymentRefunds, paymentTransactions } from './payments.schema.ts';
import { IDEMPOTENCY_HEADER, signPayload, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.ts';

export { IDEMPOTENCY_HEADER };

/**
 * Refunds sent to the bank (docs/PAYMENTS.md, "Refunds"). A refund is recorded and its job
 * enqueued in the transaction of the decision that causes it; the job calls the bank's refund API
 * over HTTP, signed like the webhook (HMAC-SHA256 over `timestamp + "." + raw body`), with an
 * idempotency key that is the same for every attempt of one refund, so a retry after a lost
 * answer never refunds twice.
 *
 *   requested → sent (an attempt was made) → completed (the bank refunded)
 *                                          → failed (the bank refused, or stayed unreachable)
 */
export const REFUND_JOB = 'payment.refund';
export type RefundStatus = 'requested' | 'sent' | 'completed' | 'failed';

/** The body tinhso sends to the bank's refund API. */
export interface BankRefundRequest {
  /** The bank's id of the transfer being refunded (the webhook's `transactionId`). */
  transactionId: string;
  amount: number;
  currency: 'VND';
  /** tinhso's id of the refund; the idempotency key travels in its own header. */
  refundId: string;
  reason: string;
  payerAccount?: string | undefined;
}

export type BankRefundOutcome =
  { kind: 'completed'; bankRefundId: string; replayed: boolean } | { kind: 'refused'; code: string; message: string } | { kind: 'retry'; message: string };

const SYSTEM_AUDIT = { actorId: null, actorRole: 'system' } as const;

/**
 * Records a refund of (part of) a bank transaction and enqueues its job, in the caller's
 * transaction. The idempotency key is derived from the refund id: stable across every attempt.
 */
export async function requestRefund(
  ctx: Ctx,
  input: { transactionId: string; paymentId: string | null; amount: number; reason: string },
  cfg: { maxAttempts: number },
): Promise<string> {
  const id = newId(ctx.now.getTime());
  await ctx.db.insert(paymentRefunds).values({
    id,
    transactionId: input.transactionId,
    paymentId: input.paymentId,
    amount: input.amount,
    currency: 'VND',
    status: 'requested',
    idempotencyKey: `tinhso-refund-${id}`,
    reason: input.reason,
    requestedBy: ctx.actor?.userId ?? null,
    requestedAt: ctx.now,
    updatedAt: ctx.now,
  });
  await enqueueJob(ctx.db, ctx.now, REFUND_JOB, { refundId: id }, { maxAttempts: cfg.maxAttempts });
  await writeAudit(ctx, {
    action: 'payment.refund_requested',
    targetType: 'payment_refund',
    targetId: id,
    details: { transactionId: input.transactionId, amount: input.amount, reason: input.reason },
  });
  return id;
}

/**
 * One call of the bank's refund API. 200 with `status: "completed"` = refunded; another 4xx =
 * a definite refusal (the bank's `error` code is kept); 408, 429, 5xx, a network error or the
 * timeout = try again later (the same idempotency key makes that safe).
 */
export async function callBankRefund(
  url: string,
  secret: string,
  idempotencyKey: string,
  body: BankRefundRequest,
  opts: { timeoutMs: number; nowMs?: number },
): Promise<BankRefundOutcome> {
  const raw = JSON.stringify(body);
  const timestamp = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signPayload(secret, timestamp, raw),
        [IDEMPOTENCY_HEADER]: idempotencyKey,
      },
      body: raw,
      redirect: 'error',
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    text = await res.text();
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const what = e.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (e.cause?.code ?? e.message);
    return { kind: 'retry', message: `bank unreachable: ${what}` };
  }
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    json = {};
  }
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : null);
  if (res.status === 200 && json.status === 'completed' && str(json.bankRefundId)) {
    return { kind: 'completed', bankRefundId: str(json.bankRefundId)!, replayed: json.replayed === true };
  }
  if (res.status === 408 || res.status === 429 || res.status >= 500 || res.status === 200) {
    return { kind: 'retry', message: `bank answered ${res.status}${str(json.error) ? ` ${str(json.error)}` : ''}` };
  }
  return { kind: 'refused', code: str(json.error) ?? `http_${res.status}`, message: str(json.message) ?? `bank refused with HTTP ${res.status}` };
}

export interface RefundJobConfig {
  refundUrl: string | undefined;
  refundSecret: string | undefined;
  refundTimeoutMs: number;
}

/**
 * The refund job. At least once delivery is safe: a refund already completed or failed is left
 * alone, and every attempt carries the refund's idempotency key. A retryable failure throws, so
 * the job queue tries again with its backoff (10 s, 20 s, 40 s …); at the last attempt the
 * refund is marked failed (`unreachable`) for a reviewer to retry.
 */
export function refundJobHandler(cfg: RefundJobConfig, now: () => Date = () => new Date()): JobHandler {
  return async (job, db: Db) => {
    const { refundId } = job.payload as { refundId: string };
    const [r] = await db.select().from(paymentRefunds).where(eq(paymentRefunds.id, refundId));
    if (!r || r.status === 'completed' || r.status === 'failed') return;
    const [t] = await db.select().from(paymentTransactions).where(eq(paymentTransactions.id, r.transactionId));
    if (!t) throw new Error(`refund ${refundId}: transaction missing`);
    const audit = (tx: Db, at: Date) => ({ db: tx, actor: null, now: at, ip: undefined });
    const attemptAt = now();
    const attempt = r.attempts + 1;
    await db.transaction(async (tx) => {
      await tx
        .update(paymentRefunds)
        .set({ status: 'sent', attempts: dsql`${paymentRefunds.attempts} + 1`, sentAt: r.sentAt ?? attemptAt, updatedAt: attemptAt })
        .where(eq(paymentRefunds.id, r.id));
      await writeAudit(audit(tx, attemptAt), {
        ...SYSTEM_AUDIT,
        action: 'payment.refund_sent',
        targetType: 'payment_refund',
        targetId: r.id,
        details: { attempt, amount: r.amount, transactionId: t.providerTxnId },
      });
    });

    const finish = async (status: 'completed' | 'failed', set: Partial<typeof paymentRefunds.$inferInsert>, details: Record<string, unknown>) => {
      const at = now();
      await db.transaction(async (tx) => {
        await tx
          .update(paymentRefunds)
          .set({ status, ...set, ...(status === 'completed' ? { completedAt: at, failureCode: null, failureMessage: null } : { failedAt: at }), updatedAt: at })
          .where(eq(paymentRefunds.id, r.id));
        await writeAudit(audit(tx, at), {
          ...SYSTEM_AUDIT,
          action: `payment.refund_${status}`,
          targetType: 'payment_refund',
          targetId: r.id,
          outcome: status === 'completed' ? 'success' : 'failure',
          details: { attempt, amount: r.amount, transactionId: t.providerTxnId, ...details },
        });
      });
    };

    if (!cfg.refundUrl || !cfg.refundSecret) {
      await finish('failed', { failureCode: 'not_configured', failureMessage: 'PAYMENT_REFUND_URL is not set' }, { code: 'not_configured' });
      return;
    }
    const payload = (typeof t.payload === 'string' ? JSON.parse(t.payload) : t.payload) as { payerAccount?: unknown };
    const outcome = await callBankRefund(
      cfg.refundUrl,
      cfg.refundSecret,
      r.idempotencyKey,
      {
        transactionId: t.providerTxnId,
        amount: r.amount,
        currency: 'VND',
        refundId: r.id,
        reason: r.reason,
        payerAccount: typeof payload.payerAccount === 'string' ? payload.payerAccount : undefined,
      },
      { timeoutMs: cfg.refundTimeoutMs, nowMs: attemptAt.getTime() },
    );
    if (outcome.kind === 'completed') {
      await finish('completed', { bankRefundId: outcome.bankRefundId }, { bankRefundId: outcome.bankRefundId, replayed: outcome.replayed });
      return;
    }
    if (outcome.kind === 'refused') {
      await finish('failed', { failureCode: outcome.code, failureMessage: outcome.message }, { code: outcome.code, message: outcome.message });
      return;
    }
    if (job.attempts >= job.max_attempts) {
      await finish('failed', { failureCode: 'unreachable', failureMessage: outcome.message }, { code: 'unreachable', message: outcome.message });
      return;
    }
    await db.update(paymentRefunds).set({ failureMessage: outcome.message, updatedAt: now() }).where(eq(paymentRefunds.id, r.id));
    throw new Error(outcome.message);
  };
}

/** Job handlers of the payments module (main.ts merges them into the worker's). */
export function paymentJobHandlers(cfg: Pick<PaymentsConfig, 'refundUrl' | 'refundSecret' | 'refundTimeoutMs'>): Record<string, JobHandler> {
  return { [REFUND_JOB]: refundJobHandler(cfg) };
}
