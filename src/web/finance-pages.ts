import type { Reconciliation, RefundView, TransactionView } from '../modules/payments/payments.service.ts';
import { formatDay, formatVnDateTime } from '../platform/time.ts';
import { errorFor, errorSummary, errorText, type PageError } from './application-pages.ts';
import { html, type SafeHtml } from './html.ts';
import { catalogues, formatMoney, formatNumber, t, type Locale, type MessageKey } from './i18n.ts';
import { csrfField, layout, scrollTable, tr, vi, viAttr, type PageCtx } from './layout.ts';
import { staffHref } from './staff-pages.ts';

/**
 * The payments reviewers' page `/can-bo/thanh-toan` (finance.routes.ts): the bank transfers held
 * for review, each with its two decisions; the refunds, a failed one with "send again"; the
 * reconciliation of a chosen day with its CSV. Every figure comes from the payments service.
 */

export const FINANCE_PATH = '/can-bo/thanh-toan';
export const DAY_FIELD = 'fin-day';

export type Decision = 'accept' | 'reject';
/** What a decision form held when it was refused, to show it again. */
export interface DecisionValues {
  txId: string;
  decision: Decision;
  note: string;
  dossier: string;
}

export interface FinanceView {
  held: TransactionView[];
  refunds: (TransactionView & { refund: RefundView })[];
  /** The day field as typed (YYYY-MM-DD when valid). */
  day: string;
  /** The day's reconciliation; null when the day typed is not valid. */
  recon: Reconciliation | null;
  errors: PageError[];
  /** A decision that could not be taken (decided meanwhile, no longer payable): said at the top, taking the focus. */
  notice?: string | undefined;
  /** What was just done (after the redirect). */
  done?: string | undefined;
  values?: DecisionValues | undefined;
}

/** Hold reasons that may be accepted: for the others the request is paid, settled or closed, and the service refuses. */
const ACCEPTABLE: ReadonlySet<string> = new Set(['amount_mismatch', 'unknown_reference', 'currency']);
export const canAccept = (tx: Pick<TransactionView, 'holdReason'>) => ACCEPTABLE.has(tx.holdReason ?? '');

/** The path segment of each decision: `POST /can-bo/thanh-toan/giao-dich/:id/<slug>`. */
export const DECISION_SLUGS: Record<Decision, string> = { accept: 'chap-nhan', reject: 'tu-choi' };

/** The input ids of a held transaction's forms (unique on the page, for the error summary's links). */
export const decisionField = (txId: string, decision: Decision, field: 'note' | 'dossier') => `gd-${txId}-${decision}-${field}`;

const known = (key: string): MessageKey | null => (key in catalogues.vi ? (key as MessageKey) : null);
const upperFirst = (s: string) => s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);
const at = (iso: string) => formatVnDateTime(new Date(iso));

/** A transaction's status in words (`fin.tx.*`); an unknown one as it is. */
export function txStatusWords(locale: Locale, status: string): string {
  const key = known(`fin.tx.${status}`);
  return key ? t(locale, key) : status;
}

/** A refund's status in words (`fin.r.status.*`); an unknown one as it is. */
export function refundStatusWords(locale: Locale, status: string): string {
  const key = known(`fin.r.status.${status}`);
  return key ? t(locale, key) : status;
}

/** Why a transfer was held, in the page's language; a reason the catalogue does not know in the service's (Vietnamese) words. */
function holdWords(p: PageCtx, tx: TransactionView): SafeHtml | string {
  const key = known(`fin.hold.${tx.holdReason ?? ''}`);
  if (key) return tr(p)(key);
  return tx.holdReasonText ? vi(p, tx.holdReasonText) : tr(p)('fin.f.unknown');
}

function failureWords(p: PageCtx, code: string): string {
  const key = known(`fin.fail.${code}`);
  return key ? tr(p)(key) : tr(p)('fin.fail.other', { code });
}

const dossierLink = (code: string | null, none: string) => (code ? html`<a href="${staffHref({ id: code, code })}">${code}</a>` : html`${none}`);

const row = (label: string, value: SafeHtml | string, lang: SafeHtml | null = null) => html`<div><dt>${label}</dt><dd${lang}>${value}</dd></div>`;

/** A labelled text box of a decision form, with its hint and errors. */
function textField(p: PageCtx, v: FinanceView, id: string, label: string, hint: string, control: (aria: SafeHtml) => SafeHtml): SafeHtml {
  const errs = errorFor(v.errors, id);
  const ids = [`${id}-hint`, errs.length ? `${id}-error` : null].filter(Boolean).join(' ');
  return html`<div class="field${errs.length ? ' field-error' : ''}"><label for="${id}">${label}</label>
<p class="hint" id="${id}-hint">${hint}</p>
${errs.map((e) => html`<p class="error-message" id="${id}-error">${errorText(p, e)}</p>`)}
${control(html` aria-describedby="${ids}"${errs.length ? html` aria-invalid="true"` : null}`)}</div>`;
}

function decisionForm(p: PageCtx, v: FinanceView, tx: TransactionView, decision: Decision, day: string): SafeHtml {
  const _ = tr(p);
  const mine = v.values?.txId === tx.id && v.values.decision === decision ? v.values : undefined;
  const amount = formatMoney(tx.amount);
  const noteId = decisionField(tx.id, decision, 'note');
  const dossierId = decisionField(tx.id, decision, 'dossier');
  // A transfer whose reference matched no request is accepted for a dossier the reviewer names.
  const needsDossier = decision === 'accept' && !tx.paymentId;
  return html`<form method="post" action="${FINANCE_PATH}/giao-dich/${tx.id}/${DECISION_SLUGS[decision]}" novalidate>
${csrfField(p)}
<input type="hidden" name="gd" value="${tx.transactionId}">
${day ? html`<input type="hidden" name="ngay" value="${day}">` : null}
${
  needsDossier
    ? textField(
        p,
        v,
        dossierId,
        _('fin.accept.dossier'),
        _('fin.accept.dossierHint'),
        (a) => html`<input type="text" id="${dossierId}" name="ma-ho-so" value="${mine?.dossier ?? ''}" maxlength="80" autocomplete="off"${a}>`,
      )
    : null
}
${textField(
  p,
  v,
  noteId,
  _(decision === 'accept' ? 'fin.accept.note' : 'fin.reject.note'),
  _(decision === 'accept' ? 'fin.accept.noteHint' : 'fin.reject.noteHint'),
  (a) => html`<textarea id="${noteId}" name="note" rows="2" maxlength="2000"${viAttr(p)}${a}>${mine?.note ?? ''}</textarea>`,
)}
<button type="submit"${decision === 'reject' ? html` class="warning"` : null}>${_(decision === 'accept' ? 'fin.accept.button' : 'fin.reject.button', { amount })}</button>
</form>`;
}

function heldItem(p: PageCtx, v: FinanceView, tx: TransactionView, day: string): SafeHtml {
  const _ = tr(p);
  const unknown = _('fin.f.unknown');
  const diff = tx.expectedAmount === null ? null : tx.amount - tx.expectedAmount;
  return html`<section class="action" id="gd-${tx.id}" aria-labelledby="gd-${tx.id}-h">
<h3 id="gd-${tx.id}-h">${_('fin.held.heading', { amount: formatMoney(tx.amount), txn: tx.transactionId })}</h3>
<dl class="summary">
${row(_('fin.f.reason'), html`<strong>${holdWords(p, tx)}</strong>`)}
${row(_('fin.f.amount'), formatMoney(tx.amount))}
${row(_('fin.f.expected'), tx.expectedAmount === null ? unknown : formatMoney(tx.expectedAmount))}
${diff ? row(_('fin.f.difference'), formatMoney(diff)) : null}
${row(_('fin.f.payer'), tx.payerName ?? unknown, tx.payerName ? viAttr(p) : null)}
${row(_('fin.f.receivedAt'), at(tx.receivedAt))}
${tx.paidAt ? row(_('fin.f.paidAt'), at(tx.paidAt)) : null}
${row(_('fin.f.txn'), tx.transactionId)}
${row(_('fin.f.reference'), tx.reference ?? unknown)}
${tx.description ? row(_('fin.f.description'), tx.description, viAttr(p)) : null}
${row(_('fin.f.dossier'), dossierLink(tx.dossierCode, unknown))}
</dl>
<h4>${_('fin.accept.title')}</h4>
${canAccept(tx) ? html`<p>${_('fin.accept.lead')}</p>${decisionForm(p, v, tx, 'accept', day)}` : html`<p>${_('fin.accept.notOffered')}</p>`}
<h4>${_('fin.reject.title')}</h4>
<p>${_('fin.reject.lead', { amount: formatMoney(tx.amount) })}</p>
${decisionForm(p, v, tx, 'reject', day)}
</section>`;
}

function refundsTable(p: PageCtx, v: FinanceView, day: string): SafeHtml {
  const _ = tr(p);
  const rows = v.refunds.map(({ refund: r, ...tx }) => {
    const dates = [
      _('fin.r.requestedAt', { at: at(r.requestedAt) }),
      r.sentAt ? _('fin.r.sentAt', { at: at(r.sentAt) }) : null,
      r.completedAt ? _('fin.r.completedAt', { at: at(r.completedAt) }) : null,
      r.failedAt ? _('fin.r.failedAt', { at: at(r.failedAt) }) : null,
      _('fin.r.attempts', { n: formatNumber(p.locale, r.attempts) }),
      r.bankRefundId ? _('fin.r.bankRefundId', { id: r.bankRefundId }) : null,
    ].filter((x): x is string => x !== null);
    const amount = formatMoney(r.amount);
    return html`<tr>
<td>${tx.transactionId}<br>${dossierLink(tx.dossierCode, '')}</td>
<td class="num">${amount}</td>
<td><strong>${refundStatusWords(p.locale, r.status)}</strong>${
      r.status === 'failed' && r.failureCode ? html`<br>${_('fin.r.failure', { why: failureWords(p, r.failureCode) })}` : null
    }</td>
<td>${dates.map((d, i) => html`${i ? html`<br>` : null}${d}`)}</td>
<td${viAttr(p)}>${r.reason}</td>
<td>${
      r.status === 'failed'
        ? html`<form method="post" action="${FINANCE_PATH}/hoan-tien/${r.id}/gui-lai">${csrfField(p)}${
            day ? html`<input type="hidden" name="ngay" value="${day}">` : null
          }<button type="submit" aria-label="${_('fin.r.retryName', { amount, txn: tx.transactionId })}">${_('fin.r.retry', { amount })}</button></form>`
        : null
    }</td>
</tr>`;
  });
  return scrollTable(
    _('fin.refunds.table'),
    html`<table><thead><tr><th scope="col">${_('fin.r.txn')}</th><th scope="col" class="num">${_('fin.r.amount')}</th><th scope="col">${_('fin.r.status')}</th><th scope="col">${_('fin.r.dates')}</th><th scope="col">${_('fin.r.reason')}</th><th scope="col">${_('fin.r.action')}</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  );
}

function reconSection(p: PageCtx, v: FinanceView): SafeHtml {
  const _ = tr(p);
  const dayErrs = errorFor(v.errors, DAY_FIELD);
  const r = v.recon;
  const s = r?.summary;
  const countAmount = (n: number, amount: number) => _('fin.s.countAmount', { n: formatNumber(p.locale, n), amount: formatMoney(amount) });
  const diffText = (d: number | null) => (d === null ? '—' : formatMoney(d));
  return html`<section aria-labelledby="doi-soat">
<h2 id="doi-soat">${_('fin.recon.title')}</h2>
<form method="get" action="${FINANCE_PATH}#doi-soat" novalidate>
<div class="field${dayErrs.length ? ' field-error' : ''}"><label for="${DAY_FIELD}">${_('fin.recon.day')}</label>
<p class="hint" id="${DAY_FIELD}-hint">${_('fin.recon.dayHint')}</p>
${dayErrs.map((e) => html`<p class="error-message" id="${DAY_FIELD}-error">${errorText(p, e)}</p>`)}
<input type="date" class="short" id="${DAY_FIELD}" name="ngay" value="${v.day}" aria-describedby="${DAY_FIELD}-hint${dayErrs.length ? ` ${DAY_FIELD}-error` : ''}"${dayErrs.length ? html` aria-invalid="true"` : null}></div>
<button type="submit" class="secondary">${_('fin.recon.show')}</button>
</form>
${
  r && s
    ? html`<h3>${_('fin.recon.heading', { day: formatDay(r.date) })}</h3>
<p><a href="${FINANCE_PATH}/doi-soat.csv?ngay=${r.date}">${_('fin.recon.csv', { day: formatDay(r.date) })}</a></p>
<h4>${_('fin.recon.figures')}</h4>
<dl class="summary">
${row(_('fin.s.transactions'), formatNumber(p.locale, s.transactions))}
${row(_('fin.s.receivedTotal'), formatMoney(s.receivedTotal))}
${row(_('fin.s.expectedTotal'), formatMoney(s.expectedTotal))}
${row(_('fin.s.confirmedTotal'), formatMoney(s.confirmedTotal))}
${row(_('fin.s.held'), countAmount(s.heldCount, s.heldTotal))}
${row(_('fin.s.mismatchCount'), formatNumber(p.locale, s.mismatchCount))}
${row(_('fin.s.refundsRequested'), formatNumber(p.locale, s.refundsRequested))}
${row(_('fin.s.refundedTotal'), formatMoney(s.refundedTotal))}
${row(_('fin.s.refundPendingTotal'), formatMoney(s.refundPendingTotal))}
${row(_('fin.s.refundsFailed'), formatNumber(p.locale, s.refundsFailed))}
${row(_('fin.s.requestsCreated'), countAmount(s.requestsCreated, s.requestedTotal))}
${row(_('fin.s.paymentsPaid'), countAmount(s.paymentsPaid, s.paidTotal))}
</dl>
<h4>${_('fin.recon.rows')}</h4>
${
  r.rows.length
    ? scrollTable(
        _('fin.recon.rows'),
        html`<table><thead><tr><th scope="col">${_('fin.recon.time')}</th><th scope="col">${_('fin.f.txn')}</th><th scope="col">${_('fin.f.dossier')}</th><th scope="col" class="num">${_('fin.f.expected')}</th><th scope="col" class="num">${_('fin.f.amount')}</th><th scope="col" class="num">${_('fin.f.difference')}</th><th scope="col">${_('fin.r.status')}</th><th scope="col">${_('fin.recon.refund')}</th><th scope="col">${_('fin.recon.mismatch')}</th></tr></thead>
<tbody>${r.rows.map(
          (x) => html`<tr><td>${at(x.receivedAt)}</td><td>${x.transactionId}</td><td>${dossierLink(x.dossierCode, '—')}</td>
<td class="num">${x.expectedAmount === null ? '—' : formatMoney(x.expectedAmount)}</td><td class="num">${formatMoney(x.amount)}</td><td class="num">${diffText(x.difference)}</td>
<td>${upperFirst(txStatusWords(p.locale, x.status))}</td><td>${x.refund ? `${refundStatusWords(p.locale, x.refund.status)} (${formatMoney(x.refund.amount)})` : '—'}</td>
<td>${x.isMismatch ? html`<strong>${_('fin.recon.yes')}</strong>` : _('fin.recon.no')}</td></tr>`,
        )}</tbody></table>`,
      )
    : html`<p>${_('fin.recon.none')}</p>`
}`
    : null
}
</section>`;
}

export function financePage(p: PageCtx, v: FinanceView): string {
  const _ = tr(p);
  // Decisions and retries keep the reconciliation day shown, when it is a valid one.
  const day = v.recon ? v.recon.date : '';
  const failed = v.refunds.filter((x) => x.refund.status === 'failed').length;
  return layout(
    p,
    _('fin.title'),
    html`${v.notice ? html`<div class="error-summary" role="alert" tabindex="-1" autofocus><p>${v.notice}</p></div>` : null}
${errorSummary(p, v.errors)}
${v.done ? html`<div class="notice" role="status"><p>${v.done}</p></div>` : null}
<h1>${_('fin.title')}</h1>
<p>${_('fin.lead')}</p>
<nav aria-label="${_('fin.contents')}"><ul>
<li><a href="#giu-lai">${_('fin.held.title', { n: formatNumber(p.locale, v.held.length) })}</a></li>
<li><a href="#hoan-tien">${_('fin.refunds.title', { n: formatNumber(p.locale, v.refunds.length) })}</a></li>
<li><a href="#doi-soat">${_('fin.recon.title')}</a></li>
</ul></nav>
<section aria-labelledby="giu-lai">
<h2 id="giu-lai">${_('fin.held.title', { n: formatNumber(p.locale, v.held.length) })}</h2>
${v.held.length ? v.held.map((tx) => heldItem(p, v, tx, day)) : html`<p>${_('fin.held.none')}</p>`}
</section>
<section aria-labelledby="hoan-tien">
<h2 id="hoan-tien">${_('fin.refunds.title', { n: formatNumber(p.locale, v.refunds.length) })}</h2>
${failed ? html`<p><strong>${_('fin.refunds.failed', { n: formatNumber(p.locale, failed) })}</strong></p>` : null}
${v.refunds.length ? refundsTable(p, v, day) : html`<p>${_('fin.refunds.none')}</p>`}
</section>
${reconSection(p, v)}`,
  );
}
