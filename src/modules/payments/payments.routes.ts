import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { IsoDay } from '../../platform/schemas.ts';
import type { PaymentsConfig } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { ctxOf } from '../../platform/http.ts';
import { setPaymentDueHours } from './payment-requests.ts';
import {
  getVisiblePayment,
  listDossierPayments,
  listHeld,
  listRefunds,
  processNotification,
  receiptDataOf,
  reconciliation,
  reconciliationCsv,
  resolveHeld,
  retryRefund,
  vietQrPayloadOf,
} from './payments.service.ts';
import { receiptNumberOf, renderReceipt } from './receipt.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from './signature.ts';

const PaymentView = z.object({
  id: z.string(),
  dossierId: z.string(),
  amount: z.number().int(),
  currency: z.literal('VND'),
  status: z.enum(['pending', 'held', 'paid', 'cancelled', 'settled_at_desk']),
  reference: z.string(),
  dueAt: z.string(),
  paidAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  feeLines: z.array(z.object({ code: z.string(), name: z.string(), unitAmount: z.number(), quantity: z.number(), amount: z.number() })),
  vietqr: z.object({ payload: z.string(), png: z.string(), svg: z.string() }),
  receipt: z.string().nullable(),
});

/**
 * The bank's notification. Unlike the other JSON bodies it is not strict: its shape is the gateway's,
 * which may add members of its own, and refusing a signed notification for a key we do not read would
 * leave money received but never recorded (not even held). Only the members below are read.
 */
export const BankNotificationBody = z.object({
  transactionId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\x21-\x7e]+$/, 'chỉ gồm ký tự ASCII in được, không có dấu cách'),
  amount: z.number().int().positive().max(9_999_999_999_999),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('VND'),
  reference: z.string().max(40).optional(),
  description: z.string().max(500).optional(),
  paidAt: z.string().datetime({ offset: true }).optional(),
  accountNo: z.string().max(40).optional(),
  bankBin: z.string().max(10).optional(),
  payerName: z.string().max(200).optional(),
  payerAccount: z.string().max(40).optional(),
});

const NotificationResult = z.object({
  transactionId: z.string(),
  outcome: z.enum(['confirmed', 'held', 'duplicate']),
  status: z.string(),
  holdReason: z.string().nullable(),
  paymentId: z.string().nullable(),
  dossierCode: z.string().nullable(),
});

const RefundView = z.object({
  id: z.string(),
  amount: z.number().int(),
  status: z.enum(['requested', 'sent', 'completed', 'failed']),
  attempts: z.number().int(),
  bankRefundId: z.string().nullable(),
  failureCode: z.string().nullable(),
  failureMessage: z.string().nullable(),
  reason: z.string(),
  requestedAt: z.string(),
  sentAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  failedAt: z.string().nullable(),
});

const TransactionView = z.object({
  id: z.string(),
  transactionId: z.string(),
  status: z.string(),
  holdReason: z.string().nullable(),
  holdReasonText: z.string().nullable(),
  reference: z.string().nullable(),
  amount: z.number(),
  expectedAmount: z.number().nullable(),
  paymentId: z.string().nullable(),
  dossierCode: z.string().nullable(),
  paidAt: z.string().nullable(),
  receivedAt: z.string(),
  payerName: z.string().nullable(),
  description: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  refund: RefundView.nullable(),
});
const ReconRow = TransactionView.extend({ difference: z.number().nullable(), isMismatch: z.boolean() });

const IdParams = z.object({ id: z.string().min(1).max(80) });

/** A request closed without an online payment (settled at the desk, superseded) offers no QR any more. */
function refuseClosed(p: { status: string }) {
  if (p.status === 'settled_at_desk' || p.status === 'cancelled') {
    throw new AppError('conflict', 'PAYMENT_NOT_PAYABLE', {
      userMessage:
        p.status === 'settled_at_desk'
          ? 'Khoản này đã được nộp tại bộ phận một cửa; không cần chuyển khoản.'
          : 'Yêu cầu thanh toán này đã được thay bằng yêu cầu mới.',
      details: { paymentStatus: p.status },
    });
  }
}
const rawBodies = new WeakMap<FastifyRequest, Buffer>();

const signatureError = (reason: 'missing' | 'malformed' | 'expired' | 'mismatch') =>
  new AppError('unauthenticated', reason === 'expired' ? 'PAYMENT_SIGNATURE_EXPIRED' : 'PAYMENT_SIGNATURE_INVALID', {
    userMessage: reason === 'expired' ? 'Thông báo thanh toán đã quá hạn 5 phút.' : 'Chữ ký thông báo thanh toán không hợp lệ.',
    details: { reason },
    // Not a bearer token: the bank signs each notification (headers X-Tinhso-Timestamp and X-Tinhso-Signature).
    challenge: 'Tinhso-Signature realm="payments"',
  });

/** The payments API (docs/PAYMENTS.md): payment requests of a dossier, QR images, receipts, the bank's webhook, review and reconciliation. */
export function paymentRoutes(database: Database, cfg: PaymentsConfig): FastifyPluginAsyncZod {
  setPaymentDueHours(cfg.dueHours);
  return async (app) => {
    app.get(
      '/dossiers/:id/payments',
      {
        schema: {
          tags: ['payments'],
          summary: 'Payment requests of a dossier with their VietQR (applicant and the agency’s staff)',
          params: IdParams,
          response: { 200: z.array(PaymentView) },
        },
      },
      async (req) => listDossierPayments(ctxOf(req, database), cfg, req.params.id),
    );

    app.get(
      '/payments/:id/qr.png',
      { schema: { tags: ['payments'], summary: 'The VietQR of a payment request as a PNG image', params: IdParams } },
      async (req, reply) => {
        const p = await getVisiblePayment(ctxOf(req, database), req.params.id);
        refuseClosed(p);
        const png = await QRCode.toBuffer(vietQrPayloadOf(cfg, p), { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
        return reply.type('image/png').header('cache-control', 'private, max-age=300').send(png);
      },
    );

    app.get(
      '/payments/:id/qr.svg',
      { schema: { tags: ['payments'], summary: 'The VietQR of a payment request as an SVG image', params: IdParams } },
      async (req, reply) => {
        const p = await getVisiblePayment(ctxOf(req, database), req.params.id);
        refuseClosed(p);
        const svg = await QRCode.toString(vietQrPayloadOf(cfg, p), { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
        return reply
          .type('image/svg+xml; charset=utf-8')
          .header('cache-control', 'private, max-age=300')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .send(svg);
      },
    );

    app.get(
      '/payments/:id/receipt.pdf',
      { schema: { tags: ['payments'], summary: 'The electronic receipt (biên lai) of a paid payment request, as PDF', params: IdParams } },
      async (req, reply) => {
        const ctx = ctxOf(req, database);
        const p = await getVisiblePayment(ctx, req.params.id);
        if (p.status !== 'paid' || !p.paidAt)
          throw new AppError('conflict', 'PAYMENT_NOT_PAID', {
            userMessage: 'Khoản này chưa được thanh toán nên chưa có biên lai.',
            details: { paymentStatus: p.status },
          });
        const pdf = await renderPaymentReceipt(database, cfg, p, req.server.keyring);
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="bien-lai-${p.reference}.pdf"`)
          .header('cache-control', 'private, no-store')
          .send(pdf);
      },
    );

    // The bank's webhook: its own scope, so the JSON body reaches us as raw bytes for the signature.
    await app.register(async (scope) => {
      const hook = scope.withTypeProvider<ZodTypeProvider>();
      hook.removeContentTypeParser(['application/json']);
      hook.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (req, body, done) => {
        rawBodies.set(req, body as Buffer);
        done(null, {});
      });
      hook.post(
        '/payments/notifications',
        {
          schema: {
            tags: ['payments'],
            summary:
              'The bank’s signed payment notification (headers X-Tinhso-Timestamp: Unix seconds; X-Tinhso-Signature: sha256=HMAC-SHA256(secret, timestamp + "." + raw body))',
            security: [],
            headers: z.object({ [TIMESTAMP_HEADER]: z.string().max(20).optional(), [SIGNATURE_HEADER]: z.string().max(80).optional() }).passthrough(),
            body: BankNotificationBody,
            response: { 200: NotificationResult },
          },
          preValidation: async (req) => {
            if (!cfg.webhookSecret)
              throw new AppError('unavailable', 'PAYMENTS_NOT_CONFIGURED', { userMessage: 'Chưa cấu hình khóa bí mật của cổng thanh toán.' });
            const raw = rawBodies.get(req) ?? Buffer.alloc(0);
            const h = (k: string) => (typeof req.headers[k] === 'string' ? (req.headers[k] as string) : undefined);
            const check = verifySignature(cfg.webhookSecret, { timestamp: h(TIMESTAMP_HEADER), signature: h(SIGNATURE_HEADER) }, raw, Date.now());
            if (!check.ok) {
              req.log.warn({ reason: check.reason }, 'payment notification refused');
              throw signatureError(check.reason);
            }
            try {
              req.body = JSON.parse(raw.toString('utf8')) as typeof req.body;
            } catch {
              throw new AppError('invalid', 'VALIDATION_FAILED', { userMessage: 'Nội dung thông báo không phải JSON hợp lệ.' });
            }
          },
        },
        async (req) => processNotification({ ...ctxOf(req, database), actor: null }, req.body),
      );
    });

    app.get(
      '/payments/held',
      {
        schema: {
          tags: ['payments'],
          summary: 'Bank transactions held for review (finance officers and leaders)',
          response: { 200: z.array(TransactionView) },
        },
      },
      async (req) => listHeld(ctxOf(req, database)),
    );

    app.post(
      '/payments/transactions/:id/resolution',
      {
        schema: {
          tags: ['payments'],
          summary:
            'Accept (pay the request, move the dossier on) or reject a held transaction; a rejection sends the money back through the bank’s refund API unless `refund` is false',
          params: IdParams,
          body: z.strictObject({
            decision: z.enum(['accept', 'reject']),
            note: z.string().trim().min(3).max(2000),
            paymentId: z.string().uuid().optional(),
            refund: z.boolean().optional(),
          }),
          response: { 200: TransactionView },
        },
      },
      async (req) => resolveHeld(ctxOf(req, database), req.params.id, req.body, { refundMaxAttempts: cfg.refundMaxAttempts }),
    );

    app.get(
      '/payments/refunds',
      {
        schema: {
          tags: ['payments'],
          summary: 'Refunds (requested → sent → completed | failed) with their transactions (finance officers and leaders)',
          querystring: z.object({ status: z.enum(['requested', 'sent', 'completed', 'failed']).optional() }),
          response: { 200: z.array(TransactionView.extend({ refund: RefundView })) },
        },
      },
      async (req) => listRefunds(ctxOf(req, database), req.query.status),
    );

    app.post(
      '/payments/refunds/:id/retry',
      {
        schema: {
          tags: ['payments'],
          summary: 'Send a failed refund to the bank again, with the same idempotency key (finance officers and leaders)',
          params: IdParams,
          response: { 200: TransactionView.extend({ refund: RefundView }) },
        },
      },
      async (req) => retryRefund(ctxOf(req, database), req.params.id, { refundMaxAttempts: cfg.refundMaxAttempts }),
    );

    const DateQuery = z.object({
      date: IsoDay,
    });
    const Summary = z.object({
      transactions: z.number(),
      receivedTotal: z.number(),
      expectedTotal: z.number(),
      confirmedTotal: z.number(),
      heldCount: z.number(),
      heldTotal: z.number(),
      mismatchCount: z.number(),
      refundsRequested: z.number(),
      refundedTotal: z.number(),
      refundPendingTotal: z.number(),
      refundsFailed: z.number(),
      requestsCreated: z.number(),
      requestedTotal: z.number(),
      paymentsPaid: z.number(),
      paidTotal: z.number(),
    });

    app.get(
      '/payments/reconciliation',
      {
        schema: {
          tags: ['payments'],
          summary: 'Daily reconciliation: the bank transactions of a day (Vietnamese time) against what their requests expected (finance officers and leaders)',
          querystring: DateQuery,
          response: { 200: z.object({ date: z.string(), summary: Summary, rows: z.array(ReconRow), mismatches: z.array(ReconRow) }) },
        },
      },
      async (req) => reconciliation(ctxOf(req, database), req.query.date),
    );

    app.get(
      '/payments/reconciliation.csv',
      { schema: { tags: ['payments'], summary: 'The daily reconciliation as CSV (UTF-8 with BOM)', querystring: DateQuery } },
      async (req, reply) => {
        const r = await reconciliation(ctxOf(req, database), req.query.date);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="doi-soat-${r.date}.csv"`)
          .header('cache-control', 'private, no-store')
          .send(reconciliationCsv(r));
      },
    );
  };
}

/** Renders the receipt of a paid payment (used by the API and the citizen's page). */
export async function renderPaymentReceipt(
  database: Database,
  cfg: PaymentsConfig,
  p: Awaited<ReturnType<typeof getVisiblePayment>>,
  keyring: Keyring,
): Promise<Buffer> {
  const info = await receiptDataOf(database.db, keyring, p);
  return renderReceipt({
    receiptNo: receiptNumberOf(p.reference),
    reference: p.reference,
    transactionId: p.transactionId,
    amount: p.paidAmount ?? p.amount,
    paidAt: p.paidAt!,
    lines: (p.feeLines as { name: string; quantity: number; unitAmount: number; amount: number }[]) ?? [],
    ...info,
    accountName: cfg.accountName,
    accountNo: cfg.accountNo,
    bankName: cfg.bankName,
  });
}
