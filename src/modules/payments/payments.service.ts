import { and, desc, eq, getTableColumns } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { PaymentsConfig } from '../../config.ts';
import { queryRows, sql, type Db } from '../../db/client.ts';
import { dossiers, users } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor } from '../../platform/auth.ts';
import { scopeOf, type Actor, type Ctx } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { newId, UUID_RE } from '../../platform/ids.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { openApplicantRow } from '../../platform/personal-data.ts';
import { nfc } from '../../platform/text.ts';
import { toIso, toIsoOrNull, VN_OFFSET_MS } from '../../platform/time.ts';
import { visibilitySql } from '../dossiers/dossiers.repo.ts';
import { performAction } from '../dossiers/dossiers.service.ts';
import { PAYMENT_SYSTEM_USER_ID, REFERENCE_RE } from './payment-requests.ts';
import { paymentRefunds, paymentTransactions, payments } from './payments.schema.ts';
import { formatDong } from './receipt.ts';
import { REFUND_JOB, requestRefund, type RefundStatus } from './refunds.ts';
import { enqueueJob } from '../../platform/jobs.ts';
import { encodeVietQr } from './vietqr.ts';

export type PaymentRow = typeof payments.$inferSelect;
export type PaymentStatus = 'pending' | 'held' | 'paid' | 'cancelled' | 'settled_at_desk';
export type TransactionRow = typeof paymentTransactions.$inferSelect;
export type HoldReason = 'amount_mismatch' | 'unknown_reference' | 'already_paid' | 'paid_at_desk' | 'not_awaiting_payment' | 'currency';

const paymentNotFound = () => notFound('PAYMENT_NOT_FOUND', 'khoản thanh toán');
const dossierNotFound = () => notFound('DOSSIER_NOT_FOUND', 'hồ sơ');

/** The VietQR payload of a payment request: dynamic, to the province's account, reference as purpose. */
export function vietQrPayloadOf(cfg: PaymentsConfig, p: { amount: number; reference: string }): string {
  return encodeVietQr({ bin: cfg.bankBin, accountNo: cfg.accountNo, amount: p.amount, purpose: p.reference });
}

export interface PaymentView {
  id: string;
  dossierId: string;
  amount: number;
  currency: 'VND';
  status: PaymentStatus;
  reference: string;
  dueAt: string;
  paidAt: string | null;
  /** When the request was closed without an online payment (settled at the desk, or superseded). */
  closedAt: string | null;
  feeLines: { code: string; name: string; unitAmount: number; quantity: number; amount: number }[];
  vietqr: { payload: string; png: string; svg: string };
  receipt: string | null;
}

export function paymentView(cfg: PaymentsConfig, p: PaymentRow): PaymentView {
  return {
    id: p.id,
    dossierId: p.dossierId,
    amount: p.amount,
    currency: 'VND',
    status: p.status as PaymentStatus,
    reference: p.reference,
    dueAt: toIso(p.dueAt),
    paidAt: toIsoOrNull(p.paidAt),
    closedAt: toIsoOrNull(p.closedAt),
    feeLines: p.feeLines as PaymentView['feeLines'],
    vietqr: { payload: vietQrPayloadOf(cfg, p), png: `/api/v1/payments/${p.id}/qr.png`, svg: `/api/v1/payments/${p.id}/qr.svg` },
    receipt: p.status === 'paid' ? `/api/v1/payments/${p.id}/receipt.pdf` : null,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading, with the dossier's visibility rules (applicant and the agency's staff; 404 otherwise)

/**
 * The tables under the names the raw rules use (`d` in the dossier visibility rule `visibilitySql`;
 * `t`, `p` and `d` in the review scope `reviewScopeSql`), for queries built with Drizzle.
 */
const named = { t: alias(paymentTransactions, 't'), p: alias(payments, 'p'), d: alias(dossiers, 'd') };
/** A dossier (`d`) by id or code. */
const dossierMatch = (idOrCode: string) => (UUID_RE.test(idOrCode) ? eq(named.d.id, idOrCode.toLowerCase()) : eq(named.d.code, idOrCode));

/**
 * The payment requests of a dossier, newest first. One query: the dossier, if the actor may see it,
 * with its requests (none: one row without a request). Errors: DOSSIER_NOT_FOUND.
 */
export async function listDossierPayments(ctx: Ctx, cfg: PaymentsConfig, idOrCode: string): Promise<PaymentView[]> {
  const actor = requireActor(ctx.actor);
  const rows = await ctx.db
    .select({ payment: payments })
    .from(named.d)
    .leftJoin(payments, eq(payments.dossierId, named.d.id))
    .where(and(dossierMatch(idOrCode), visibilitySql(actor)))
    .orderBy(desc(payments.createdAt), desc(payments.id));
  if (!rows.length) throw dossierNotFound();
  return rows.flatMap((r) => (r.payment ? [paymentView(cfg, r.payment)] : []));
}

/** One payment request whose dossier the actor may see (one query). Errors: PAYMENT_NOT_FOUND. */
export async function getVisiblePayment(ctx: Ctx, id: string): Promise<PaymentRow> {
  const actor = requireActor(ctx.actor);
  if (!UUID_RE.test(id)) throw paymentNotFound();
  const [p] = await ctx.db
    .select(getTableColumns(payments))
    .from(payments)
    .innerJoin(named.d, eq(named.d.id, payments.dossierId))
    .where(and(eq(payments.id, id.toLowerCase()), visibilitySql(actor)));
  if (!p) throw paymentNotFound();
  return p;
}

// ---------------------------------------------------------------------------------------------
// Bank notifications

export interface BankNotification {
  transactionId: string;
  amount: number;
  currency: string;
  reference?: string | undefined;
  description?: string | undefined;
  paidAt?: string | undefined;
  accountNo?: string | undefined;
  payerName?: string | undefined;
  payerAccount?: string | undefined;
  bankBin?: string | undefined;
}

export interface NotificationResult {
  transactionId: string;
  outcome: 'confirmed' | 'held' | 'duplicate';
  status: string;
  holdReason: HoldReason | null;
  paymentId: string | null;
  dossierCode: string | null;
}

export { PAYMENT_SYSTEM_USER_ID };
const PAYMENT_SYSTEM_USERNAME = 'system.payments';
const PAYMENT_SYSTEM_NAME = 'Cổng thanh toán (hệ thống)';

async function ensureSystemUser(db: Db, now: Date) {
  await db
    .insert(users)
    .values({
      id: PAYMENT_SYSTEM_USER_ID,
      username: PAYMENT_SYSTEM_USERNAME,
      displayName: PAYMENT_SYSTEM_NAME,
      passwordHash: null,
      kind: 'staff',
      isActive: false,
      createdAt: now,
    })
    .onConflictDoNothing();
}

/**
 * The gateway acts at the desk that asked for the payment: only the receiving desk may confirm a
 * payment (docs/WORKFLOW.md), and a bank transfer to the province's account is that confirmation.
 */
function paymentSystemActor(receivingAgencyId: string): Actor {
  return {
    userId: PAYMENT_SYSTEM_USER_ID,
    username: PAYMENT_SYSTEM_USERNAME,
    displayName: PAYMENT_SYSTEM_NAME,
    kind: 'staff',
    roles: [{ role: 'reception', agencyId: receivingAgencyId, agencyCode: null, includeChildren: false, scope: [receivingAgencyId] }],
    agencyScope: [receivingAgencyId],
    sessionId: null,
  };
}

/** Marks the payment paid, moves the dossier on through its confirm_payment action, flags online payment. */
async function confirmPayment(
  ctx: Ctx,
  tx: Db,
  p: PaymentRow,
  dossier: { id: string; receivingAgencyId: string },
  t: { transactionId: string; amount: number; paidAt: Date },
  note: string,
) {
  await ensureSystemUser(tx, ctx.now);
  await tx
    .update(payments)
    .set({ status: 'paid', paidAt: t.paidAt, paidAmount: t.amount, transactionId: t.transactionId, updatedAt: ctx.now })
    .where(eq(payments.id, p.id));
  await performAction({ ...ctx, db: tx, actor: paymentSystemActor(dossier.receivingAgencyId) }, dossier.id, { action: 'confirm_payment', note });
  // Paid through the province's own gateway (the national index's online payment flag).
  await tx.update(dossiers).set({ isPaidOnline: true }).where(eq(dossiers.id, dossier.id));
}

function referenceOf(n: BankNotification): string | null {
  const ref = n.reference?.trim().toUpperCase();
  if (ref) return ref;
  return REFERENCE_RE.exec((n.description ?? '').toUpperCase())?.[0] ?? null;
}

/**
 * Processes one signed bank notification (the signature was checked by the route). Idempotent
 * per bank transaction id: a repeat changes nothing and answers `duplicate`. A transfer that
 * matches a pending request in full confirms it and moves the dossier on, in one transaction; any
 * mismatch is recorded and held for review, never accepted silently.
 */
export async function processNotification(ctx: Ctx, n: BankNotification): Promise<NotificationResult> {
  const reference = referenceOf(n);
  const paidAt = n.paidAt ? new Date(n.paidAt) : ctx.now;
  return ctx.db.transaction(async (tx) => {
    const [prior] = await tx.select().from(paymentTransactions).where(eq(paymentTransactions.providerTxnId, n.transactionId));
    if (prior) return duplicateResult(tx, prior);

    // Lock order: the dossier, then its payment (as request_payment does).
    const [found] = reference
      ? await tx.select({ id: payments.id, dossierId: payments.dossierId }).from(payments).where(eq(payments.reference, reference))
      : [];
    const [d] = found
      ? await tx
          .select({ id: dossiers.id, code: dossiers.code, status: dossiers.status, receivingAgencyId: dossiers.receivingAgencyId })
          .from(dossiers)
          .where(eq(dossiers.id, found.dossierId))
          .for('update')
      : [];
    const [p] = found ? await tx.select().from(payments).where(eq(payments.id, found.id)).for('update') : [];

    let hold: HoldReason | null = null;
    if (!p || !d) hold = 'unknown_reference';
    else if (n.currency !== 'VND') hold = 'currency';
    else if (p.status === 'paid') hold = 'already_paid';
    // The desk collected the fee at the counter: this transfer is probably a second payment.
    else if (p.status === 'settled_at_desk') hold = 'paid_at_desk';
    else if (p.status === 'cancelled' || d.status !== 'payment_requested') hold = 'not_awaiting_payment';
    else if (n.amount !== p.amount) hold = 'amount_mismatch';

    const id = newId(ctx.now.getTime());
    const inserted = await tx
      .insert(paymentTransactions)
      .values({
        id,
        providerTxnId: n.transactionId,
        paymentId: p?.id ?? null,
        reference,
        amount: n.amount,
        currency: n.currency,
        paidAt,
        receivedAt: ctx.now,
        status: hold ? 'held' : 'confirmed',
        holdReason: hold,
        payload: n,
      })
      .onConflictDoNothing({ target: paymentTransactions.providerTxnId })
      .returning({ id: paymentTransactions.id });
    if (!inserted.length) {
      // The same transaction arrived twice at once: the other delivery recorded it.
      const [other] = await tx.select().from(paymentTransactions).where(eq(paymentTransactions.providerTxnId, n.transactionId));
      if (!other) throw new AppError('internal', 'PAYMENT_TRANSACTION_MISSING');
      return duplicateResult(tx, other);
    }

    const audit = { ...ctx, db: tx };
    if (hold) {
      if (p && hold === 'amount_mismatch') await tx.update(payments).set({ status: 'held', updatedAt: ctx.now }).where(eq(payments.id, p.id));
      await writeAudit(audit, {
        action: 'payment.held',
        targetType: 'payment_transaction',
        targetId: id,
        actorId: null,
        actorRole: 'system',
        details: { transactionId: n.transactionId, reference, amount: n.amount, expected: p?.amount ?? null, reason: hold, dossier: d?.code ?? null },
      });
      return { transactionId: n.transactionId, outcome: 'held', status: 'held', holdReason: hold, paymentId: p?.id ?? null, dossierCode: d?.code ?? null };
    }
    await confirmPayment(
      ctx,
      tx,
      p!,
      d!,
      { transactionId: n.transactionId, amount: n.amount, paidAt },
      `Đã thanh toán ${formatDong(n.amount)} đồng qua VietQR, mã giao dịch ${n.transactionId}`,
    );
    await writeAudit(audit, {
      action: 'payment.confirmed',
      targetType: 'payment',
      targetId: p!.id,
      actorId: PAYMENT_SYSTEM_USER_ID,
      actorRole: 'system',
      details: { transactionId: n.transactionId, reference, amount: n.amount, dossier: d!.code },
    });
    return { transactionId: n.transactionId, outcome: 'confirmed', status: 'confirmed', holdReason: null, paymentId: p!.id, dossierCode: d!.code };
  });
}

async function duplicateResult(db: Db, t: TransactionRow): Promise<NotificationResult> {
  const [d] = t.paymentId
    ? await queryRows<{ code: string | null }>(db, sql`SELECT d.code FROM payments p JOIN dossiers d ON d.id = p.dossier_id WHERE p.id = ${t.paymentId}::uuid`)
    : [];
  return {
    transactionId: t.providerTxnId,
    outcome: 'duplicate',
    status: t.status,
    holdReason: (t.holdReason as HoldReason | null) ?? null,
    paymentId: t.paymentId,
    dossierCode: d?.code ?? null,
  };
}

// ---------------------------------------------------------------------------------------------
// Review of held transactions and reconciliation (finance officers and leaders)

/** Finance officers (a `finance` role, where granted) and leaders review payments. */
export function requireFinance(ctx: Ctx): Actor {
  const actor = requireActor(ctx.actor);
  const ok = actor.roles.some((r) => r.role === 'leader' || (r.role as string) === 'finance');
  if (!ok)
    throw new AppError('forbidden', 'PAYMENT_REVIEW_FORBIDDEN', { userMessage: 'Chỉ cán bộ tài chính hoặc lãnh đạo được xem và xử lý các khoản thanh toán.' });
  return actor;
}

/** The agencies where the actor reviews payments: those of their leader (or finance) grants. */
const financeScope = (actor: Actor) => scopeOf(actor, ['leader', 'finance']);
/** Agency ids for `IN (...)`; NULL (matching nothing) when there are none. */
const inList = (ids: string[]) =>
  ids.length
    ? sql.join(
        ids.map((a) => sql`${a}::uuid`),
        sql`, `,
      )
    : sql`NULL`;

/** Transactions the reviewer may see: those of dossiers in their agencies, and those matching no request. */
function reviewScopeSql(actor: Actor) {
  const scope = financeScope(actor);
  const ids = scope.length
    ? sql.join(
        scope.map((id) => sql`${id}::uuid`),
        sql`, `,
      )
    : null;
  return ids ? sql`(t.payment_id IS NULL OR d.receiving_agency_id IN (${ids}) OR d.competent_agency_id IN (${ids}))` : sql`t.payment_id IS NULL`;
}

/** What each hold reason means, for the reviewer (Vietnamese). */
export const HOLD_REASON_TEXT: Record<HoldReason, string> = {
  amount_mismatch: 'Số tiền chuyển khác số tiền phải nộp.',
  unknown_reference: 'Không tìm thấy khoản thanh toán nào có nội dung chuyển khoản này.',
  already_paid: 'Khoản này đã được thanh toán trước đó: có thể người nộp đã chuyển tiền hai lần.',
  paid_at_desk: 'Khoản này đã được nộp trực tiếp tại bộ phận một cửa: có thể người nộp đã trả hai lần (tại quầy và chuyển khoản).',
  not_awaiting_payment: 'Yêu cầu thanh toán đã bị hủy hoặc hồ sơ không còn chờ nộp phí.',
  currency: 'Giao dịch không bằng đồng Việt Nam.',
};

export interface RefundView {
  id: string;
  amount: number;
  status: RefundStatus;
  attempts: number;
  bankRefundId: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  reason: string;
  requestedAt: string;
  sentAt: string | null;
  completedAt: string | null;
  failedAt: string | null;
}

export interface TransactionView {
  id: string;
  transactionId: string;
  status: string;
  holdReason: string | null;
  holdReasonText: string | null;
  reference: string | null;
  amount: number;
  expectedAmount: number | null;
  paymentId: string | null;
  dossierCode: string | null;
  paidAt: string | null;
  receivedAt: string;
  payerName: string | null;
  description: string | null;
  resolvedAt: string | null;
  resolutionNote: string | null;
  refund: RefundView | null;
}

interface TxJoinRow {
  id: string;
  provider_txn_id: string;
  status: string;
  hold_reason: string | null;
  reference: string | null;
  amount: number | string;
  expected: number | string | null;
  payment_id: string | null;
  dossier_code: string | null;
  paid_at: Date | string | null;
  received_at: Date | string;
  payload: unknown;
  resolved_at: Date | string | null;
  resolution_note: string | null;
  refund: unknown;
}

const asDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));
const asJson = (v: unknown): Record<string, unknown> =>
  typeof v === 'string' ? (JSON.parse(v) as Record<string, unknown>) : ((v ?? {}) as Record<string, unknown>);

function txView(r: TxJoinRow): TransactionView {
  const payload = asJson(r.payload);
  return {
    id: r.id,
    transactionId: r.provider_txn_id,
    status: r.status,
    holdReason: r.hold_reason,
    holdReasonText: r.hold_reason ? (HOLD_REASON_TEXT[r.hold_reason as HoldReason] ?? null) : null,
    reference: r.reference,
    amount: Number(r.amount),
    expectedAmount: r.expected === null ? null : Number(r.expected),
    paymentId: r.payment_id,
    dossierCode: r.dossier_code,
    paidAt: toIsoOrNull(asDate(r.paid_at)),
    receivedAt: toIso(asDate(r.received_at)!),
    payerName: typeof payload.payerName === 'string' ? payload.payerName : null,
    description: typeof payload.description === 'string' ? payload.description : null,
    resolvedAt: toIsoOrNull(asDate(r.resolved_at)),
    resolutionNote: r.resolution_note,
    refund: r.refund === null || r.refund === undefined ? null : refundViewOf(asJson(r.refund)),
  };
}

/** A refund row (snake_case, as json_build_object or a plain SELECT gives it) for the API. */
function refundViewOf(x: Record<string, unknown>): RefundView {
  const d = (v: unknown) => toIsoOrNull(asDate((v ?? null) as string | Date | null));
  return {
    id: String(x.id),
    amount: Number(x.amount),
    status: x.status as RefundStatus,
    attempts: Number(x.attempts),
    bankRefundId: (x.bank_refund_id as string | null) ?? null,
    failureCode: (x.failure_code as string | null) ?? null,
    failureMessage: (x.failure_message as string | null) ?? null,
    reason: String(x.reason),
    requestedAt: d(x.requested_at)!,
    sentAt: d(x.sent_at),
    completedAt: d(x.completed_at),
    failedAt: d(x.failed_at),
  };
}

const TX_SELECT = sql`SELECT t.id, t.provider_txn_id, t.status, t.hold_reason, t.reference, t.amount, p.amount AS expected, t.payment_id,
    d.code AS dossier_code, t.paid_at, t.received_at, t.payload, t.resolved_at, t.resolution_note,
    (SELECT json_build_object('id', r.id, 'amount', r.amount, 'status', r.status, 'attempts', r.attempts, 'bank_refund_id', r.bank_refund_id,
        'failure_code', r.failure_code, 'failure_message', r.failure_message, 'reason', r.reason, 'requested_at', r.requested_at,
        'sent_at', r.sent_at, 'completed_at', r.completed_at, 'failed_at', r.failed_at)
      FROM payment_refunds r WHERE r.transaction_id = t.id) AS refund
  FROM payment_transactions t LEFT JOIN payments p ON p.id = t.payment_id LEFT JOIN dossiers d ON d.id = p.dossier_id`;

/**
 * The bank transfers received for a dossier's payment requests, with their review and refund,
 * oldest first; for whoever may see the dossier (its applicant, its agencies' staff), so both
 * know of a second transfer held or refunded. One query, under the dossier's visibility rule: none
 * for a dossier the actor may not see (the pages calling it have answered 404 by then).
 */
export async function listDossierTransfers(ctx: Ctx, idOrCode: string): Promise<TransactionView[]> {
  const actor = requireActor(ctx.actor);
  const match = UUID_RE.test(idOrCode) ? sql`d.id = ${idOrCode.toLowerCase()}::uuid` : sql`d.code = ${idOrCode}`;
  const rows = await queryRows<TxJoinRow>(ctx.db, sql`${TX_SELECT} WHERE ${match} AND ${visibilitySql(actor)} ORDER BY t.received_at, t.id`);
  return rows.map(txView);
}

/** Transactions held for review, oldest first. Errors: PAYMENT_REVIEW_FORBIDDEN. */
export async function listHeld(ctx: Ctx): Promise<TransactionView[]> {
  const actor = requireFinance(ctx);
  const rows = await queryRows<TxJoinRow>(
    ctx.db,
    sql`${TX_SELECT} WHERE t.status = 'held' AND ${reviewScopeSql(actor)} ORDER BY t.received_at, t.id LIMIT 500`,
  );
  return rows.map(txView);
}

/** One transaction held for review, if the reviewer may see it; null otherwise. Errors: PAYMENT_REVIEW_FORBIDDEN. */
export async function findHeld(ctx: Ctx, id: string): Promise<TransactionView | null> {
  const actor = requireFinance(ctx);
  if (!UUID_RE.test(id)) return null;
  const [row] = await queryRows<TxJoinRow>(ctx.db, sql`${TX_SELECT} WHERE t.id = ${id.toLowerCase()}::uuid AND t.status = 'held' AND ${reviewScopeSql(actor)}`);
  return row ? txView(row) : null;
}

/**
 * Resolves a held transaction. `accept` pays its request (or the one named, for an unknown
 * reference) and moves the dossier on; `reject` records that the money goes back to the payer
 * (outside the system) and makes the request payable again. Errors: PAYMENT_REVIEW_FORBIDDEN,
 * PAYMENT_TRANSACTION_NOT_FOUND, PAYMENT_NOT_HELD, PAYMENT_NOT_FOUND, PAYMENT_NOT_PAYABLE.
 */
export async function resolveHeld(
  ctx: Ctx,
  id: string,
  input: { decision: 'accept' | 'reject'; note: string; paymentId?: string | undefined; refund?: boolean | undefined },
  opts: { refundMaxAttempts: number } = { refundMaxAttempts: 8 },
): Promise<TransactionView> {
  const actor = requireFinance(ctx);
  const txNotFound = () => notFound('PAYMENT_TRANSACTION_NOT_FOUND', 'giao dịch');
  if (!UUID_RE.test(id)) throw txNotFound();
  await ctx.db.transaction(async (tx) => {
    // The transaction, if the reviewer may see it, locked (its payment and dossier are only read for the scope).
    const [t] = await tx
      .select(getTableColumns(named.t))
      .from(named.t)
      .leftJoin(named.p, eq(named.p.id, named.t.paymentId))
      .leftJoin(named.d, eq(named.d.id, named.p.dossierId))
      .where(and(eq(named.t.id, id.toLowerCase()), reviewScopeSql(actor)))
      .for('update', { of: named.t });
    if (!t) throw txNotFound();
    if (t.status !== 'held') throw new AppError('conflict', 'PAYMENT_NOT_HELD', { userMessage: 'Giao dịch này đã được xử lý.', details: { status: t.status } });
    const note = nfc(input.note);
    const paymentId = input.paymentId ?? t.paymentId;
    const audit = { ...ctx, db: tx };
    if (input.decision === 'reject') {
      await tx
        .update(paymentTransactions)
        .set({ status: 'rejected', resolvedBy: actor.userId, resolvedAt: ctx.now, resolutionNote: note })
        .where(eq(paymentTransactions.id, t.id));
      if (t.paymentId)
        await tx
          .update(payments)
          .set({ status: 'pending', updatedAt: ctx.now })
          .where(and(eq(payments.id, t.paymentId), eq(payments.status, 'held')));
      // The money goes back to the payer through the bank's refund API (refunds.ts), unless the
      // reviewer says it was returned some other way.
      const refundId =
        input.refund === false
          ? null
          : await requestRefund(
              audit,
              { transactionId: t.id, paymentId: t.paymentId, amount: t.amount, reason: note },
              { maxAttempts: opts.refundMaxAttempts },
            );
      await writeAudit(audit, {
        action: 'payment.rejected',
        targetType: 'payment_transaction',
        targetId: t.id,
        details: { transactionId: t.providerTxnId, note, refundId },
      });
      return;
    }
    if (!paymentId || !UUID_RE.test(paymentId)) {
      throw new AppError('invalid', 'PAYMENT_NOT_FOUND', {
        userMessage: 'Cần chọn khoản thanh toán mà giao dịch này trả cho.',
        errors: [{ path: 'paymentId', message: 'Chưa chọn khoản thanh toán' }],
      });
    }
    const [target] = await queryRows<{ id: string; dossier_id: string }>(
      tx,
      sql`SELECT p.id, p.dossier_id FROM payments p JOIN dossiers d ON d.id = p.dossier_id WHERE p.id = ${paymentId.toLowerCase()}::uuid
          AND d.receiving_agency_id IN (${inList(financeScope(actor))})`,
    );
    if (!target) throw paymentNotFound();
    const [d] = await tx
      .select({ id: dossiers.id, status: dossiers.status, receivingAgencyId: dossiers.receivingAgencyId })
      .from(dossiers)
      .where(eq(dossiers.id, target.dossier_id))
      .for('update');
    const [p] = await tx.select().from(payments).where(eq(payments.id, target.id)).for('update');
    if (!p || !d || !['pending', 'held'].includes(p.status) || d.status !== 'payment_requested') {
      throw new AppError('conflict', 'PAYMENT_NOT_PAYABLE', {
        userMessage: 'Khoản thanh toán này không còn chờ thanh toán (đã trả, đã hủy, hoặc hồ sơ đã chuyển bước).',
        details: { paymentStatus: p?.status, dossierStatus: d?.status },
      });
    }
    await confirmPayment(
      ctx,
      tx,
      p,
      d,
      { transactionId: t.providerTxnId, amount: t.amount, paidAt: t.paidAt ?? ctx.now },
      `Đã thanh toán ${formatDong(t.amount)} đồng qua VietQR, mã giao dịch ${t.providerTxnId} (được chấp nhận khi đối soát: ${note})`,
    );
    await tx
      .update(paymentTransactions)
      .set({ status: 'accepted', paymentId: p.id, resolvedBy: actor.userId, resolvedAt: ctx.now, resolutionNote: note })
      .where(eq(paymentTransactions.id, t.id));
    await writeAudit(audit, {
      action: 'payment.accepted',
      targetType: 'payment_transaction',
      targetId: t.id,
      details: { transactionId: t.providerTxnId, paymentId: p.id, amount: t.amount, expected: p.amount, note },
    });
  });
  const [row] = await queryRows<TxJoinRow>(ctx.db, sql`${TX_SELECT} WHERE t.id = ${id.toLowerCase()}::uuid`);
  return txView(row!);
}

export interface Reconciliation {
  date: string;
  summary: {
    transactions: number;
    receivedTotal: number;
    expectedTotal: number;
    confirmedTotal: number;
    heldCount: number;
    heldTotal: number;
    mismatchCount: number;
    /** Refunds of the day's transactions: asked for (any state), completed by the bank, still on their way, failed. */
    refundsRequested: number;
    refundedTotal: number;
    refundPendingTotal: number;
    refundsFailed: number;
    requestsCreated: number;
    requestedTotal: number;
    paymentsPaid: number;
    paidTotal: number;
  };
  rows: (TransactionView & { difference: number | null; isMismatch: boolean })[];
  mismatches: (TransactionView & { difference: number | null; isMismatch: boolean })[];
}

/** Start and end of a Vietnamese civil day as instants. */
function dayBounds(date: string): { from: Date; to: Date } {
  const from = new Date(Date.parse(`${date}T00:00:00Z`) - VN_OFFSET_MS);
  return { from, to: new Date(from.getTime() + 86_400_000) };
}

/**
 * The daily reconciliation: every bank transaction received that day (Vietnamese time) against
 * what its payment request expected; mismatches are held, rejected, or differing amounts.
 * Errors: PAYMENT_REVIEW_FORBIDDEN.
 */
export async function reconciliation(ctx: Ctx, date: string): Promise<Reconciliation> {
  const actor = requireFinance(ctx);
  const { from, to } = dayBounds(date);
  const scope = reviewScopeSql(actor);
  const rows = (
    await queryRows<TxJoinRow>(ctx.db, sql`${TX_SELECT} WHERE t.received_at >= ${from} AND t.received_at < ${to} AND ${scope} ORDER BY t.received_at, t.id`)
  ).map(txView);
  const requestScope = inList(financeScope(actor));
  const [req] = await queryRows<{ created: number; created_total: number | string; paid: number; paid_total: number | string }>(
    ctx.db,
    sql`SELECT count(*) FILTER (WHERE p.created_at >= ${from} AND p.created_at < ${to})::int AS created,
               coalesce(sum(p.amount) FILTER (WHERE p.created_at >= ${from} AND p.created_at < ${to}), 0) AS created_total,
               count(*) FILTER (WHERE p.status = 'paid' AND p.paid_at >= ${from} AND p.paid_at < ${to})::int AS paid,
               coalesce(sum(p.paid_amount) FILTER (WHERE p.status = 'paid' AND p.paid_at >= ${from} AND p.paid_at < ${to}), 0) AS paid_total
        FROM payments p JOIN dossiers d ON d.id = p.dossier_id
        WHERE (d.receiving_agency_id IN (${requestScope}) OR d.competent_agency_id IN (${requestScope}))
          AND ((p.created_at >= ${from} AND p.created_at < ${to}) OR (p.paid_at >= ${from} AND p.paid_at < ${to}))`,
  );
  const withDiff = rows.map((r) => {
    const difference = r.expectedAmount === null ? null : r.amount - r.expectedAmount;
    const isMismatch = r.status === 'held' || r.status === 'rejected' || r.expectedAmount === null || difference !== 0;
    return { ...r, difference, isMismatch };
  });
  const sum = (xs: { amount: number }[]) => xs.reduce((a, x) => a + x.amount, 0);
  const held = withDiff.filter((r) => r.status === 'held');
  const refunds = withDiff.flatMap((r) => (r.refund ? [r.refund] : []));
  return {
    date,
    summary: {
      transactions: withDiff.length,
      receivedTotal: sum(withDiff),
      expectedTotal: withDiff.reduce((a, r) => a + (r.expectedAmount ?? 0), 0),
      confirmedTotal: sum(withDiff.filter((r) => r.status === 'confirmed' || r.status === 'accepted')),
      heldCount: held.length,
      heldTotal: sum(held),
      mismatchCount: withDiff.filter((r) => r.isMismatch).length,
      refundsRequested: refunds.length,
      refundedTotal: refunds.filter((x) => x.status === 'completed').reduce((a, x) => a + x.amount, 0),
      refundPendingTotal: refunds.filter((x) => x.status === 'requested' || x.status === 'sent').reduce((a, x) => a + x.amount, 0),
      refundsFailed: refunds.filter((x) => x.status === 'failed').length,
      requestsCreated: Number(req?.created ?? 0),
      requestedTotal: Number(req?.created_total ?? 0),
      paymentsPaid: Number(req?.paid ?? 0),
      paidTotal: Number(req?.paid_total ?? 0),
    },
    rows: withDiff,
    mismatches: withDiff.filter((r) => r.isMismatch),
  };
}

const csvCell = (v: string | number | null | boolean) => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The reconciliation as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Vietnamese). */
export function reconciliationCsv(r: Reconciliation): string {
  const header = [
    'ngay',
    'ma_giao_dich',
    'thoi_diem_nhan',
    'ma_tham_chieu',
    'ma_ho_so',
    'so_tien_phai_thu',
    'so_tien_nhan',
    'chenh_lech',
    'trang_thai',
    'ly_do_giu_lai',
    'lech',
    'hoan_tien',
    'so_tien_hoan',
    'ma_hoan_tien_ngan_hang',
  ];
  const lines = r.rows.map((x) =>
    [
      r.date,
      x.transactionId,
      x.receivedAt,
      x.reference,
      x.dossierCode,
      x.expectedAmount,
      x.amount,
      x.difference,
      x.status,
      x.holdReason,
      x.isMismatch ? 'co' : 'khong',
      x.refund?.status ?? null,
      x.refund?.amount ?? null,
      x.refund?.bankRefundId ?? null,
    ]
      .map(csvCell)
      .join(','),
  );
  return `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// Refunds (refunds.ts sends them; here: who sees them, and trying a failed one again)

/** Refunds of transactions the reviewer may see, newest first, optionally by status. Errors: PAYMENT_REVIEW_FORBIDDEN. */
export async function listRefunds(ctx: Ctx, status?: RefundStatus): Promise<(TransactionView & { refund: RefundView })[]> {
  const actor = requireFinance(ctx);
  const byStatus = status ? sql`AND EXISTS (SELECT 1 FROM payment_refunds r WHERE r.transaction_id = t.id AND r.status = ${status})` : sql``;
  const rows = await queryRows<TxJoinRow>(
    ctx.db,
    sql`${TX_SELECT} WHERE EXISTS (SELECT 1 FROM payment_refunds r WHERE r.transaction_id = t.id) ${byStatus} AND ${reviewScopeSql(actor)} ORDER BY t.received_at DESC, t.id LIMIT 500`,
  );
  return rows.map(txView).filter((v): v is TransactionView & { refund: RefundView } => v.refund !== null);
}

/**
 * Sends a failed refund again (after the bank was unreachable, or its refusal was dealt with),
 * with the same idempotency key. Errors: PAYMENT_REVIEW_FORBIDDEN, PAYMENT_REFUND_NOT_FOUND,
 * PAYMENT_REFUND_NOT_FAILED.
 */
export async function retryRefund(ctx: Ctx, id: string, opts: { refundMaxAttempts: number }): Promise<TransactionView & { refund: RefundView }> {
  const actor = requireFinance(ctx);
  const refundNotFound = () => notFound('PAYMENT_REFUND_NOT_FOUND', 'khoản hoàn tiền');
  if (!UUID_RE.test(id)) throw refundNotFound();
  const txnId = await ctx.db.transaction(async (tx) => {
    // The refund, if the reviewer may see its transaction, locked.
    const [r] = await tx
      .select(getTableColumns(paymentRefunds))
      .from(paymentRefunds)
      .innerJoin(named.t, eq(named.t.id, paymentRefunds.transactionId))
      .leftJoin(named.p, eq(named.p.id, named.t.paymentId))
      .leftJoin(named.d, eq(named.d.id, named.p.dossierId))
      .where(and(eq(paymentRefunds.id, id.toLowerCase()), reviewScopeSql(actor)))
      .for('update', { of: paymentRefunds });
    if (!r) throw refundNotFound();
    if (r.status !== 'failed') {
      throw new AppError('conflict', 'PAYMENT_REFUND_NOT_FAILED', {
        userMessage: 'Chỉ gửi lại được khoản hoàn tiền đã thất bại.',
        details: { refundStatus: r.status },
      });
    }
    await tx
      .update(paymentRefunds)
      .set({ status: 'requested', failedAt: null, failureCode: null, failureMessage: null, updatedAt: ctx.now })
      .where(eq(paymentRefunds.id, r.id));
    await enqueueJob(tx, ctx.now, REFUND_JOB, { refundId: r.id }, { maxAttempts: opts.refundMaxAttempts });
    await writeAudit(
      { ...ctx, db: tx },
      { action: 'payment.refund_retried', targetType: 'payment_refund', targetId: r.id, details: { previousFailure: r.failureCode, amount: r.amount } },
    );
    return r.transactionId;
  });
  const [row] = await queryRows<TxJoinRow>(ctx.db, sql`${TX_SELECT} WHERE t.id = ${txnId}::uuid`);
  return txView(row!) as TransactionView & { refund: RefundView };
}

/** Details printed on a receipt: the payment with its dossier, applicant, procedure and agency. */
export async function receiptDataOf(db: Db, keyring: Keyring, p: PaymentRow) {
  const [row] = await queryRows<{
    id: string;
    applicant_id_number_enc: string | null;
    applicant_phone_enc: string | null;
    code: string | null;
    procedure_code: string;
    procedure_name: string;
    applicant: unknown;
    agency_name: string;
  }>(
    db,
    sql`SELECT d.id, d.applicant_id_number_enc, d.applicant_phone_enc, d.code, d.procedure_code, pr.name AS procedure_name, d.applicant, a.name AS agency_name
        FROM dossiers d JOIN procedures pr ON pr.id = d.procedure_id JOIN agencies a ON a.id = d.receiving_agency_id
        WHERE d.id = ${p.dossierId}::uuid`,
  );
  if (!row) throw new AppError('internal', 'PAYMENT_DOSSIER_MISSING');
  // The ID number is sealed at rest (platform/personal-data.ts).
  const applicant = openApplicantRow<Record<string, unknown>>(keyring, row);
  return {
    dossierCode: row.code ?? '',
    procedureCode: row.procedure_code,
    procedureName: row.procedure_name,
    agencyName: row.agency_name,
    applicantName: typeof applicant.fullName === 'string' ? applicant.fullName : '',
    applicantId: typeof applicant.idNumber === 'string' ? applicant.idNumber : '',
  };
}
