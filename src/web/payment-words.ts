import type { PaymentView, TransactionView } from '../modules/payments/payments.service.ts';
import { formatVnDateTime } from '../platform/time.ts';
import { html, type SafeHtml } from './html.ts';
import { formatMoney, formatNumber, type MessageKey } from './i18n.ts';
import { messageHtml, tr, vi, type PageCtx } from './layout.ts';

/** Payment words shared by the citizen's payment page (payment.routes.ts) and the officers' dossier page (staff-pages.ts). */

export const paymentStatusText = (p: PageCtx, s: PaymentView['status']): string => tr(p)(`pay.status.${s}` as MessageKey);

/** The fee lines; a fee's name is catalogue data (Vietnamese), marked `lang="vi"` on an English page. */
export function feeLinesList(p: PageCtx, lines: PaymentView['feeLines']): SafeHtml {
  return html`<ul>${lines.map(
    (l) =>
      html`<li>${messageHtml(p, 'pay.line', { name: vi(p, l.name), quantity: formatNumber(p.locale, l.quantity), unit: formatMoney(l.unitAmount), amount: formatMoney(l.amount) })}</li>`,
  )}</ul>`;
}

const HOLD_REASONS = new Set(['amount_mismatch', 'already_paid', 'paid_at_desk', 'not_awaiting_payment', 'currency', 'unknown_reference']);

/** A transfer in one line: amount, when it arrived, the bank's transaction id. */
export const transferLine = (p: PageCtx, x: TransactionView): string =>
  tr(p)('pay.tx.item', { amount: formatMoney(x.amount), time: formatVnDateTime(new Date(x.receivedAt)), transactionId: x.transactionId });

/**
 * What became of a transfer, in plain words: used for the fee, being checked (and why), or not
 * used and refunded (the amount, when, and the bank's refund reference), being refunded, or not
 * refunded yet (to the applicant: an officer will contact them; to staff: a reviewer must act).
 */
export function transferState(p: PageCtx, x: TransactionView, audience: 'applicant' | 'staff' = 'applicant'): string {
  const _ = tr(p);
  if (x.status === 'confirmed') return _('pay.tx.confirmed');
  if (x.status === 'accepted') return _('pay.tx.accepted');
  if (x.status === 'held')
    return _('pay.tx.held', { why: x.holdReason && HOLD_REASONS.has(x.holdReason) ? _(`pay.tx.why.${x.holdReason}` as MessageKey) : '' });
  // Rejected by the reviewer: the money goes back.
  const r = x.refund;
  if (!r) return _('pay.tx.returnedOtherwise');
  const amount = formatMoney(r.amount);
  if (r.status === 'completed')
    return _('pay.tx.refunded', { amount, time: r.completedAt ? formatVnDateTime(new Date(r.completedAt)) : '—', refundId: r.bankRefundId ?? '—' });
  if (r.status === 'failed') return _(audience === 'staff' ? 'staff.pay.refundFailed' : 'pay.tx.refundFailed', { amount });
  return _('pay.tx.refunding', { amount });
}
