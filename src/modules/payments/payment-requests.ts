import { randomBytes } from 'node:crypto';
import { and, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError, type ErrorReasons } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { computeFees, FeeError, type FeeLine } from './fees.ts';
import { payments } from './payments.schema.ts';

/**
 * Payment requests, created by the dossier service's `request_payment` in its transaction. Kept
 * apart from payments.service.ts (which uses the dossier service to confirm payments) so the two
 * modules do not import each other.
 */

/** The account that records the gateway's actions in dossier history (cannot sign in: no password, inactive). */
export const PAYMENT_SYSTEM_USER_ID = '00000000-0000-7000-8000-00000000a0a1';

/** How long a citizen has to pay; set from configuration when the payment routes are registered. */
let dueHours = 72;
export function setPaymentDueHours(hours: number): void {
  dueHours = hours;
}

// Crockford's base 32: no I, L, O, U, so a reference read aloud or typed is unambiguous.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const REFERENCE_RE = /TS[0-9A-HJKMNP-TV-Z]{10}/;

/** A short unique reference: "TS" and 10 random base-32 characters (50 bits), e.g. TS7K2M9QX4BD. */
export function newReference(): string {
  const bytes = randomBytes(10);
  let out = 'TS';
  for (const b of bytes) out += ALPHABET[b & 31];
  return out;
}

export interface CreatedPayment {
  paymentId: string;
  amount: number;
  reference: string;
  dueAt: string;
}

/**
 * Creates the payment request of a dossier from its procedure version's fee schedule and form
 * answers (or an amount the officer states), in the caller's transaction. Earlier unpaid requests
 * of the dossier are cancelled, so only one reference is payable. Returns null when nothing is
 * due (a free procedure with no stated amount): the fee is then settled at the counter.
 * `fields` are the form's fields (their labels name an answer a fee cannot count).
 * Errors: PAYMENT_FEE_INVALID (one field error: `form.<field>`, an answer that is not a whole
 * number of units, with the form's reason `whole_number` and the field's label; or `form.fees`,
 * a total too large, with the reason `field_total_too_large` in the cause).
 */
export async function createPaymentRequest(
  ctx: Ctx,
  input: {
    dossierId: string;
    fees: readonly FeeLine[];
    form: Record<string, unknown>;
    fields?: readonly { key: string; label: string }[] | undefined;
    amount?: number | undefined;
  },
): Promise<CreatedPayment | null> {
  let lines;
  try {
    lines = computeFees(input.fees, input.form).lines;
  } catch (err) {
    if (err instanceof FeeError) throw feeInvalid(err, input.fields ?? []);
    throw err;
  }
  const amount = input.amount ?? lines.reduce((a, l) => a + l.amount, 0);
  if (amount <= 0) return null;
  const db: Db = ctx.db;
  await db
    .update(payments)
    .set({ status: 'cancelled', closedAt: ctx.now, closedBy: ctx.actor?.userId ?? null, updatedAt: ctx.now })
    .where(and(eq(payments.dossierId, input.dossierId), inArray(payments.status, ['pending', 'held'])));
  const id = newId(ctx.now.getTime());
  const reference = newReference();
  const dueAt = new Date(ctx.now.getTime() + dueHours * 3600_000);
  await db.insert(payments).values({
    id,
    dossierId: input.dossierId,
    amount,
    currency: 'VND',
    reference,
    status: 'pending',
    feeLines: input.amount !== undefined ? [{ code: 'stated', name: 'Số tiền do cán bộ xác định', unitAmount: amount, quantity: 1, amount }] : lines,
    dueAt,
    requestedBy: ctx.actor?.userId ?? null,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  });
  return { paymentId: id, amount, reference, dueAt: dueAt.toISOString() };
}

/**
 * The fee calculator's refusal as the API and the pages say it: the field error's words are
 * Vietnamese (the calculator's English stays in the log message); an answer the fee counts by
 * carries the form's own reason `whole_number` (the rule validateForm applies to new answers), so
 * a page words it with the field's label.
 */
function feeInvalid(err: FeeError, fields: readonly { key: string; label: string }[]): AppError {
  const common = { userMessage: 'Không tính được lệ phí từ thông tin trong tờ khai.', message: `fees not computed: ${err.message}` };
  if (err.reason === 'not_whole_units') {
    const label = fields.find((f) => f.key === err.field)?.label ?? err.field;
    return new AppError('invalid', 'PAYMENT_FEE_INVALID', {
      ...common,
      errors: [
        {
          path: `form.${err.field}`,
          message: `${label}: phải là số nguyên không âm (số lượng dùng để tính lệ phí)`,
          reason: 'whole_number',
          params: { label },
        },
      ],
    });
  }
  return new AppError('invalid', 'PAYMENT_FEE_INVALID', {
    ...common,
    errors: [{ path: `form.${err.field}`, message: 'Tổng lệ phí tính từ tờ khai quá lớn' }],
    cause: { reasons: [[{ reason: 'field_total_too_large' }]] } satisfies ErrorReasons,
  });
}

/** What confirm_payment records in the dossier's history about the payment (the message to the applicant states the amount). */
export interface ConfirmedPaymentData {
  payment?: { paymentId: string; amount: number; reference: string; method: 'online' | 'desk' };
  settledAtDesk?: string[];
}

/**
 * Called by the dossier service's `confirm_payment` in its transaction (the dossier row is locked).
 *
 * - Confirmed by the gateway (the system account, after a matching bank transfer): the request
 *   was just marked paid; nothing to close, the paid request is reported.
 * - Confirmed by the desk by hand (the fee collected at the counter): the dossier's open online
 *   requests (`pending`, `held`) are closed as `settled_at_desk` with who and when, so the
 *   citizen's page no longer offers the QR, and a later transfer for their reference is held for
 *   review as a possible double payment (payments.service.ts, hold reason `paid_at_desk`).
 */
export async function settlePaymentsOnConfirm(ctx: Ctx, dossierId: string): Promise<ConfirmedPaymentData> {
  const db: Db = ctx.db;
  if (ctx.actor?.userId === PAYMENT_SYSTEM_USER_ID) {
    const [paid] = await db
      .select({ id: payments.id, amount: payments.amount, paidAmount: payments.paidAmount, reference: payments.reference })
      .from(payments)
      .where(and(eq(payments.dossierId, dossierId), eq(payments.status, 'paid')))
      .orderBy(desc(payments.paidAt))
      .limit(1);
    return paid ? { payment: { paymentId: paid.id, amount: paid.paidAmount ?? paid.amount, reference: paid.reference, method: 'online' } } : {};
  }
  const closed = await db
    .update(payments)
    .set({ status: 'settled_at_desk', closedAt: ctx.now, closedBy: ctx.actor?.userId ?? null, updatedAt: ctx.now })
    .where(and(eq(payments.dossierId, dossierId), inArray(payments.status, ['pending', 'held'])))
    .returning({ id: payments.id, amount: payments.amount, reference: payments.reference, createdAt: payments.createdAt });
  if (!closed.length) return {};
  for (const c of closed) {
    await writeAudit(ctx, {
      action: 'payment.settled_at_desk',
      targetType: 'payment',
      targetId: c.id,
      details: { dossierId, amount: c.amount, reference: c.reference },
    });
  }
  const latest = closed.reduce((a, b) => (b.createdAt > a.createdAt ? b : a));
  return { payment: { paymentId: latest.id, amount: latest.amount, reference: latest.reference, method: 'desk' }, settledAtDesk: closed.map((c) => c.id) };
}
