import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { DossierView } from '../modules/dossiers/dossiers.schemas.ts';
import { getDossierView } from '../modules/dossiers/dossiers.views.ts';
import { payWithStandInBank } from '../modules/payments/demo-payments.ts';
import { renderPaymentReceipt } from '../modules/payments/payments.routes.ts';
import {
  getVisiblePayment,
  listDossierPayments,
  listDossierTransfers,
  vietQrPayloadOf,
  type PaymentView,
  type TransactionView,
} from '../modules/payments/payments.service.ts';
import { AppError } from '../platform/errors.ts';
import { ctxOf } from '../platform/http.ts';
import { UUID_RE } from '../platform/ids.ts';
import { formatVnDateTime } from '../platform/time.ts';
import type { WebHelpers } from './application.routes.ts';
import { html, type SafeHtml } from './html.ts';
import { formatMoney, t } from './i18n.ts';
import { csrfField, layout, tr, type PageCtx } from './layout.ts';
import { errorPage } from './pages.ts';
import { redirectToSignIn } from './sign-in.ts';
import { feeLinesList, paymentStatusText, transferLine, transferState } from './payment-words.ts';

/** A bank's transaction id as the payment page's `da-thu` flag may name it. */
const TRANSACTION_ID = /^[A-Za-z0-9._-]{1,64}$/;

interface PayPageInput {
  dossier: DossierView;
  payments: PaymentView[];
  /** The bank transfers received for the dossier's requests (listDossierTransfers), oldest first. */
  transfers: TransactionView[];
  bank: { name: string; accountNo: string; accountName: string };
  demoBank: boolean;
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
}

function payPage(p: PageCtx, v: PayPageInput): string {
  const _ = tr(p);
  const d = v.dossier;
  const code = d.code ?? '';
  const base = `/ho-so/${d.id}/thanh-toan`;
  const current = v.payments.find((x) => x.status !== 'cancelled');
  const earlier = v.payments.filter((x) => x !== current);
  // A transfer the payment did not simply take (held, accepted on review, refused and refunded), or one for an earlier request.
  const reported = v.transfers.some((x) => x.status !== 'confirmed' || x.paymentId !== current?.id);
  const transferred = (x: PaymentView) => v.transfers.some((tx) => tx.paymentId === x.id);
  const notice = v.notice
    ? v.notice.kind === 'ok'
      ? html`<div class="notice" role="status"><p>${v.notice.text}</p></div>`
      : html`<div class="error-summary" role="alert" tabindex="-1" autofocus><p>${v.notice.text}</p></div>`
    : null;

  const details = (x: PaymentView): SafeHtml => html`<dl class="summary">
<div><dt>${_('pay.amount')}</dt><dd><span class="pay-amount">${formatMoney(x.amount)}</span></dd></div>
<div><dt>${_('pay.status')}</dt><dd><strong class="tag">${paymentStatusText(p, x.status)}</strong></dd></div>
<div><dt>${_('pay.reference')}</dt><dd><strong>${x.reference}</strong></dd></div>
${x.paidAt ? html`<div><dt>${_('pay.paidAt')}</dt><dd>${formatVnDateTime(new Date(x.paidAt))}</dd></div>` : html`<div><dt>${_('pay.dueAt')}</dt><dd>${formatVnDateTime(new Date(x.dueAt))}</dd></div>`}
${x.feeLines.length ? html`<div><dt>${_('pay.lines')}</dt><dd>${feeLinesList(p, x.feeLines)}</dd></div>` : null}
</dl>`;

  const payable = (x: PaymentView): SafeHtml => html`<div class="pay-grid">
<div class="pay-qr"><h2>${_('pay.qrTitle')}</h2>
<img src="${base}/${x.id}/qr.png" width="240" height="240" alt="${_('pay.qrAlt', { amount: formatMoney(x.amount), code, reference: x.reference })}">
<p class="hint">${_('pay.qrHelp')}</p></div>
<div><h2>${_('pay.bankTitle')}</h2>
<dl class="summary">
<div><dt>${_('pay.bank')}</dt><dd>${v.bank.name}</dd></div>
<div><dt>${_('pay.accountNo')}</dt><dd><strong>${v.bank.accountNo}</strong></dd></div>
<div><dt>${_('pay.accountName')}</dt><dd>${v.bank.accountName}</dd></div>
<div><dt>${_('pay.amount')}</dt><dd>${formatMoney(x.amount)}</dd></div>
<div><dt>${_('pay.reference')}</dt><dd><strong>${x.reference}</strong></dd></div>
</dl>
<p>${_('pay.bankHelp', { reference: x.reference })}</p>
<details><summary>${_('pay.payload')}</summary><p class="pay-payload">${x.vietqr.payload}</p></details>
</div></div>
${
  v.demoBank && x.status === 'pending' && d.status === 'payment_requested'
    ? html`<h2>${_('pay.demoTitle')}</h2><p>${_('pay.demoHelp')}</p>
<form method="post" action="${base}/${x.id}/thu">${csrfField(p)}<button type="submit">${_('pay.demoButton')}</button></form>`
    : null
}`;

  const transfers = reported
    ? html`<h2 id="chuyen-khoan">${_('pay.tx.title')}</h2>
<p>${_('pay.tx.lead')}</p>
<ul class="transfers">${v.transfers.map(
        (x) =>
          html`<li><p><strong>${transferLine(p, x)}</strong>${x.reference && x.reference !== current?.reference ? html` (${_('pay.reference')}: ${x.reference})` : null}</p><p>${transferState(p, x)}</p></li>`,
      )}</ul>`
    : null;

  const body = html`<p><a href="/ho-so/${d.id}">${_('pay.back')}</a></p>
<h1><span class="caption">${_('pay.caption', { code })}</span>${_('pay.title')}</h1>
${notice}
${
  current
    ? html`${details(current)}
${current.status === 'paid' ? html`<div class="notice"><p>${_('pay.paidNotice')}</p><p><a href="${base}/${current.id}/bien-lai.pdf">${_('pay.receipt')}</a></p></div>` : null}
${current.status === 'held' ? html`<div class="notice"><p>${_('pay.heldNotice')}</p></div>` : null}
${
  current.status === 'settled_at_desk'
    ? html`<div class="notice" role="status"><p>${_('pay.deskNotice', { time: current.closedAt ? formatVnDateTime(new Date(current.closedAt)) : '' })}</p>${
        // Once a transfer for it arrived, the list below says what became of it instead of "if you have transferred".
        transferred(current) ? null : html`<p>${_('pay.deskTransfer')}</p>`
      }</div>`
    : null
}
${transfers}
${(current.status === 'pending' || current.status === 'held') && d.status === 'payment_requested' ? payable(current) : null}`
    : html`<p>${_('pay.none')}</p>${transfers}`
}
${
  earlier.length
    ? html`<h2>${_('pay.history')}</h2><ul>${earlier.map((x) => html`<li>${formatMoney(x.amount)} — ${x.reference} — ${paymentStatusText(p, x.status)}</li>`)}</ul>`
    : null
}`;
  return layout(p, `${_('pay.title')} — ${code}`, body);
}

/**
 * The citizen's payment page (docs/PAYMENTS.md): `/ho-so/:id/thanh-toan` with the VietQR image,
 * the bank details as text, the reference and status; the QR PNG and the receipt under it; and,
 * when the stand-in bank runs (demo), a button that pays through it.
 */
export function registerPaymentRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { database, send } = h;
  const cfg = h.config.payments;
  const notFoundPage = (req: FastifyRequest, reply: FastifyReply) => {
    const p = h.pageCtx(req, reply);
    return send(reply, 404, errorPage(p, t(p.locale, 'error.notFoundTitle'), t(p.locale, 'error.notFound')));
  };
  const params = (req: FastifyRequest) => {
    const r = (req.params ?? {}) as Record<string, unknown>;
    const id = typeof r.id === 'string' && UUID_RE.test(r.id) ? r.id.toLowerCase() : null;
    const pid = typeof r.pid === 'string' && UUID_RE.test(r.pid) ? r.pid.toLowerCase() : null;
    return { id, pid };
  };
  /** The payment, if it belongs to this dossier and the viewer may see it; null → 404. */
  const paymentOf = async (req: FastifyRequest, id: string, pid: string) => {
    try {
      const p = await getVisiblePayment(ctxOf(req, database), pid);
      return p.dossierId === id ? p : null;
    } catch (err) {
      if (err instanceof AppError && err.kind === 'not_found') return null;
      throw err;
    }
  };

  const render = async (req: FastifyRequest, reply: FastifyReply, id: string, status: number, notice?: PayPageInput['notice'], paidBy?: string) => {
    const ctx = ctxOf(req, database);
    let dossier: DossierView;
    try {
      dossier = await getDossierView(ctx, id);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'not_found') return notFoundPage(req, reply);
      throw err;
    }
    const [payments, transfers] = await Promise.all([listDossierPayments(ctx, cfg, id), listDossierTransfers(ctx, id)]);
    const p = h.pageCtx(req, reply);
    // After the test payment (post/redirect/get): its outcome, when the transfer named is one of this dossier's.
    const demo = paidBy ? transfers.find((x) => x.transactionId === paidBy) : undefined;
    return send(
      reply,
      status,
      payPage(p, {
        dossier,
        payments,
        transfers,
        bank: { name: cfg.bankName, accountNo: cfg.accountNo, accountName: cfg.accountName },
        demoBank: !!cfg.demoBankUrl,
        notice: notice ?? (demo ? { kind: 'ok', text: t(p.locale, 'pay.demoDone', { transactionId: demo.transactionId }) } : undefined),
      }),
    );
  };

  app.get('/ho-so/:id/thanh-toan', { schema: { hide: true } }, async (req, reply) => {
    if (!req.actor) return redirectToSignIn(req, reply);
    const { id } = params(req);
    if (!id) return notFoundPage(req, reply);
    const paidBy = (req.query as Record<string, unknown> | undefined)?.['da-thu'];
    return render(req, reply, id, 200, undefined, typeof paidBy === 'string' && TRANSACTION_ID.test(paidBy) ? paidBy : undefined);
  });

  app.get('/ho-so/:id/thanh-toan/:pid/qr.png', { schema: { hide: true } }, async (req, reply) => {
    const { id, pid } = params(req);
    if (!req.actor || !id || !pid) return notFoundPage(req, reply);
    const p = await paymentOf(req, id, pid);
    // A request closed without an online payment (settled at the desk, superseded) offers no QR.
    if (!p || p.status === 'settled_at_desk' || p.status === 'cancelled') return notFoundPage(req, reply);
    const png = await QRCode.toBuffer(vietQrPayloadOf(cfg, p), { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
    return reply.type('image/png').header('cache-control', 'private, max-age=300').send(png);
  });

  app.get('/ho-so/:id/thanh-toan/:pid/bien-lai.pdf', { schema: { hide: true } }, async (req, reply) => {
    const { id, pid } = params(req);
    if (!req.actor) return redirectToSignIn(req, reply);
    if (!id || !pid) return notFoundPage(req, reply);
    const p = await paymentOf(req, id, pid);
    if (!p || p.status !== 'paid') return notFoundPage(req, reply);
    const pdf = await renderPaymentReceipt(database, cfg, p, req.server.keyring);
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="bien-lai-${p.reference}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(pdf);
  });

  app.post('/ho-so/:id/thanh-toan/:pid/thu', { schema: { hide: true } }, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!h.csrfValid(req, body)) {
      const p = h.pageCtx(req, reply);
      return send(reply, 403, errorPage(p, t(p.locale, 'error.csrfTitle'), t(p.locale, 'error.csrf')));
    }
    const { id, pid } = params(req);
    if (!req.actor) return redirectToSignIn(req, reply);
    if (!id || !pid || !cfg.demoBankUrl) return notFoundPage(req, reply);
    const p = await paymentOf(req, id, pid);
    if (!p) return notFoundPage(req, reply);
    const locale = h.locale(req);
    // Once per request whatever the number of instances: a press while another is under way (here or
    // in another process) waits for it and gets its outcome (demo-payments.ts, a claim in the database).
    const outcome = await payWithStandInBank(ctxOf(req, database), cfg, p);
    if (outcome.kind === 'failed') return render(req, reply, id, 502, { kind: 'error', text: t(locale, 'pay.demoFailed', { reason: outcome.reason }) });
    // Post/redirect/get: the payment page, with the transfer made (the page shows it when it is this dossier's).
    const query = outcome.kind === 'paid' ? `?da-thu=${encodeURIComponent(outcome.transactionId)}` : '';
    return reply.redirect(`/ho-so/${id}/thanh-toan${query}`, 303);
  });
}
