import { randomBytes } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { computeFees, FeeError, type FeeLine } from './fees.ts';
import { payments } from './payments.schema.ts';

/**
 * Payment requests, created by the dossier service's `request_payment` in its transaction. Kept
 * apart from payments.service.ts (which uses the dossier service to confirm payments) so the two
 * modules do not import each other.
 */

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
 * Errors: PAYMENT_FEE_INVALID.
 */
export async function createPaymentRequest(
  ctx: Ctx,
  input: { dossierId: string; fees: readonly FeeLine[]; form: Record<string, unknown>; amount?: number | undefined },
): Promise<CreatedPayment | null> {
  let lines;
  try {
    lines = computeFees(input.fees, input.form).lines;
  } catch (err) {
    if (err instanceof FeeError) {
      throw new AppError('invalid', 'PAYMENT_FEE_INVALID', { userMessage: 'Không tính được lệ phí từ thông tin trong tờ khai.', errors: [{ path: `form.${err.field}`, message: err.message }] });
    }
    throw err;
  }
  const amount = input.amount ?? lines.reduce((a, l) => a + l.amount, 0);
  if (amount <= 0) return null;
  const db: Db = ctx.db;
  await db
    .update(payments)
    .set({ status: 'cancelled', updatedAt: ctx.now })
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
