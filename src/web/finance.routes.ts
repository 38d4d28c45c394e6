import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  findHeld,
  listDossierPayments,
  listHeld,
  listRefunds,
  reconciliation,
  reconciliationCsv,
  resolveHeld,
  retryRefund,
} from '../modules/payments/payments.service.ts';
import type { Ctx } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { ctxOf } from '../platform/http.ts';
import { UUID_RE } from '../platform/ids.ts';
import { isRealDay } from '../platform/schemas.ts';
import { cleanText } from '../platform/text.ts';
import { vnDate } from '../platform/time.ts';
import type { PageError } from './application-pages.ts';
import { record, str, type WebHelpers } from './application.routes.ts';
import {
  DAY_FIELD,
  DECISION_SLUGS,
  decisionField,
  FINANCE_PATH,
  financePage,
  refundStatusWords,
  txStatusWords,
  type Decision,
  type DecisionValues,
  type FinanceView,
} from './finance-pages.ts';
import { t } from './i18n.ts';
import { PAYMENT_REVIEW_ROLES, type PageCtx } from './layout.ts';
import { errorPage } from './pages.ts';
import { redirectToSignIn } from './sign-in.ts';

/** A bank transaction id as the webhook takes it (printable ASCII, no spaces). */
const BANK_TXN = /^[\x21-\x7e]{1,64}$/;
const DOSSIER_CODE = /^[0-9A-Za-z._-]{5,80}$/;
/** The API's bounds for a decision's note (payments.routes.ts). */
const NOTE_MIN = 3;
const NOTE_MAX = 2000;

const DONE = ['accept', 'reject', 'retry'] as const;
type Done = (typeof DONE)[number];

/**
 * The payments reviewers' page (docs/WEB.md, docs/PAYMENTS.md): `GET /can-bo/thanh-toan?ngay=`
 * (held transfers, refunds, the day's reconciliation), `POST /can-bo/thanh-toan/giao-dich/:id/chap-nhan`
 * and `…/tu-choi` (accept, or reject and refund, one held transfer), `POST
 * /can-bo/thanh-toan/hoan-tien/:id/gui-lai` (send a failed refund again) and `GET /can-bo/thanh-toan/doi-soat.csv?ngay=`. For the roles the
 * API allows (`PAYMENT_REVIEW_ROLES`); every rule stays in the payments service, which these
 * routes call as the API does. A decision already taken (by someone else, or the same form sent
 * twice) is the service's `PAYMENT_NOT_HELD` under the row lock: the page says so, nothing changes.
 */
export function registerFinanceRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { database, send } = h;
  /** Pages answering a POST show the page's own address (the language switch, the navigation). */
  const pageOf = (req: FastifyRequest, reply: FastifyReply): PageCtx => ({ ...h.pageCtx(req, reply), path: req.method === 'GET' ? req.url : FINANCE_PATH });
  const message = (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    titleKey: 'error.title' | 'error.notFoundTitle' | 'error.csrfTitle',
    text: string,
  ) => {
    const p = pageOf(req, reply);
    return send(reply, status, errorPage(p, t(p.locale, titleKey), text));
  };
  const notFound = (req: FastifyRequest, reply: FastifyReply) => message(req, reply, 404, 'error.notFoundTitle', t(h.locale(req), 'error.notFound'));

  /** Signed in with a reviewing role? Otherwise the sign-in page (coming back here), or the 403 page. */
  const reviewer = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (!req.actor) {
      await redirectToSignIn(req, reply, req.method === 'GET' ? req.url : FINANCE_PATH);
      return false;
    }
    if (!req.actor.roles.some((r) => PAYMENT_REVIEW_ROLES.includes(r.role))) {
      await message(req, reply, 403, 'error.title', t(h.locale(req), 'fin.forbidden'));
      return false;
    }
    return true;
  };

  /** The whole page: the held transfers, the refunds and the reconciliation of `dayIn` (an invalid day: 422, the error at its field). */
  const render = async (
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    dayIn: string,
    extra: Pick<FinanceView, 'notice' | 'done' | 'values'> & { errors?: PageError[] } = {},
  ) => {
    const ctx = ctxOf(req, database);
    const locale = h.locale(req);
    const errors = [...(extra.errors ?? [])];
    const day = dayIn || vnDate(ctx.now);
    const dayOk = isRealDay(day);
    if (!dayOk) errors.push({ anchor: DAY_FIELD, message: t(locale, 'fin.recon.errDay') });
    const [held, refunds, recon] = await Promise.all([listHeld(ctx), listRefunds(ctx), dayOk ? reconciliation(ctx, day) : null]);
    const view: FinanceView = { held, refunds, recon, day, errors, notice: extra.notice, done: extra.done, values: extra.values };
    return send(reply, status === 200 && !dayOk ? 422 : status, financePage(pageOf(req, reply), view));
  };

  /** The day a form carried (hidden `ngay`), kept on the page it leads to; '' when none or not valid. */
  const dayOf = (body: Record<string, unknown>) => {
    const d = str(body.ngay, 10);
    return isRealDay(d) ? d : '';
  };
  const backTo = (done: Done, txn: string, day: string) =>
    `${FINANCE_PATH}?xong=${done}${txn ? `&gd=${encodeURIComponent(txn)}` : ''}${day ? `&ngay=${day}` : ''}`;

  app.get(FINANCE_PATH, { schema: { hide: true } }, async (req, reply) => {
    if (!(await reviewer(req, reply))) return reply;
    const q = record(req.query);
    const locale = h.locale(req);
    const doneIn = str(q.xong, 10);
    const txn = str(q.gd, 64);
    const done = (DONE as readonly string[]).includes(doneIn) && BANK_TXN.test(txn) ? t(locale, `fin.done.${doneIn as Done}`, { txn }) : undefined;
    return render(req, reply, 200, str(q.ngay, 20), { done });
  });

  app.post(`${FINANCE_PATH}/giao-dich/:id/:decision`, { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return message(req, reply, 403, 'error.csrfTitle', t(h.locale(req), 'error.csrf'));
    if (!(await reviewer(req, reply))) return reply;
    const params = record(req.params);
    const id = str(params.id, 80).toLowerCase();
    const decision = (Object.keys(DECISION_SLUGS) as Decision[]).find((d) => DECISION_SLUGS[d] === str(params.decision, 20));
    if (!UUID_RE.test(id) || !decision) return notFound(req, reply);
    const locale = h.locale(req);
    const ctx = ctxOf(req, database);
    const day = dayOf(body);
    const txnIn = str(body.gd, 64);
    const txn = BANK_TXN.test(txnIn) ? txnIn : '';
    const note = cleanText(typeof body.note === 'string' ? body.note : '', { multiline: true }).slice(0, NOTE_MAX);
    const values: DecisionValues = { txId: id, decision, note, dossier: str(body['ma-ho-so'], 80) };
    const noteField = decisionField(id, decision, 'note');
    const dossierField = decisionField(id, decision, 'dossier');
    const refuse = (status: number, extra: { errors?: PageError[]; notice?: string }) => render(req, reply, status, day, { ...extra, values });

    const errors: PageError[] = [];
    if (note.length < NOTE_MIN) errors.push({ anchor: noteField, message: t(locale, decision === 'accept' ? 'fin.err.acceptNote' : 'fin.err.rejectNote') });
    // A transfer whose reference matched no request is accepted for the request of a dossier the reviewer names.
    let paymentId: string | undefined;
    const held = decision === 'accept' ? await findHeld(ctx, id) : null;
    if (held && !held.paymentId) {
      const code = values.dossier;
      if (!code) errors.push({ anchor: dossierField, message: t(locale, 'fin.err.dossierMissing') });
      else {
        const payments = DOSSIER_CODE.test(code) ? await dossierPayments(ctx, code) : null;
        const payable = payments?.find((x) => x.status === 'pending' || x.status === 'held');
        if (!payments) errors.push({ anchor: dossierField, message: t(locale, 'fin.err.dossierNotFound', { code }) });
        else if (!payable) errors.push({ anchor: dossierField, message: t(locale, 'fin.err.dossierNoPayment', { code }) });
        else paymentId = payable.id;
      }
    }
    if (errors.length) return refuse(422, { errors });

    try {
      await resolveHeld(ctx, id, { decision, note, ...(paymentId ? { paymentId } : {}) }, { refundMaxAttempts: h.config.payments.refundMaxAttempts });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'PAYMENT_NOT_HELD') {
        const status = txStatusWords(locale, String(err.details?.status ?? ''));
        return refuse(409, { notice: txn ? t(locale, 'fin.err.decided', { txn, status }) : t(locale, 'fin.err.decidedAny', { status }) });
      }
      if (err.code === 'PAYMENT_NOT_PAYABLE') return refuse(409, { notice: t(locale, 'fin.err.notPayable') });
      // The dossier named is not one whose payments this reviewer decides (or none was named).
      if (err.code === 'PAYMENT_NOT_FOUND') {
        const text = paymentId ? t(locale, 'fin.err.dossierNotFound', { code: values.dossier }) : t(locale, 'fin.err.dossierMissing');
        return refuse(422, { errors: [{ anchor: dossierField, message: text }] });
      }
      if (err.kind === 'not_found') return notFound(req, reply);
      if (err.kind === 'forbidden') return message(req, reply, 403, 'error.title', t(locale, 'fin.forbidden'));
      throw err;
    }
    return reply.redirect(backTo(decision, txn, day), 303);
  });

  app.post(`${FINANCE_PATH}/hoan-tien/:id/gui-lai`, { schema: { hide: true } }, async (req, reply) => {
    const body = record(req.body);
    if (!h.csrfValid(req, body)) return message(req, reply, 403, 'error.csrfTitle', t(h.locale(req), 'error.csrf'));
    if (!(await reviewer(req, reply))) return reply;
    const id = str(record(req.params).id, 80).toLowerCase();
    if (!UUID_RE.test(id)) return notFound(req, reply);
    const locale = h.locale(req);
    const day = dayOf(body);
    let txn: string;
    try {
      txn = (await retryRefund(ctxOf(req, database), id, { refundMaxAttempts: h.config.payments.refundMaxAttempts })).transactionId;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.code === 'PAYMENT_REFUND_NOT_FAILED') {
        const status = refundStatusWords(locale, String(err.details?.refundStatus ?? ''));
        return render(req, reply, 409, day, { notice: t(locale, 'fin.err.refundNotFailed', { status }) });
      }
      if (err.kind === 'not_found') return notFound(req, reply);
      if (err.kind === 'forbidden') return message(req, reply, 403, 'error.title', t(locale, 'fin.forbidden'));
      throw err;
    }
    return reply.redirect(backTo('retry', BANK_TXN.test(txn) ? txn : '', day), 303);
  });

  app.get(`${FINANCE_PATH}/doi-soat.csv`, { schema: { hide: true } }, async (req, reply) => {
    if (!(await reviewer(req, reply))) return reply;
    const day = str(record(req.query).ngay, 20);
    if (!isRealDay(day)) return message(req, reply, 422, 'error.title', t(h.locale(req), 'fin.recon.errDay'));
    const r = await reconciliation(ctxOf(req, database), day);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="doi-soat-${r.date}.csv"`)
      .header('cache-control', 'private, no-store')
      .send(reconciliationCsv(r));
  });

  /** The payment requests of a dossier the reviewer may see, by code (as typed, then in capitals); null when there is none. */
  async function dossierPayments(ctx: Ctx, code: string) {
    for (const c of code.toUpperCase() === code ? [code] : [code, code.toUpperCase()]) {
      try {
        return await listDossierPayments(ctx, h.config.payments, c);
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'DOSSIER_NOT_FOUND')) throw err;
      }
    }
    return null;
  }
}
