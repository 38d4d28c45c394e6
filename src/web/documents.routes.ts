/**
 * Web routes of the documents module: official forms downloaded with a cookie session
 * (`/ho-so/:id/giay-to/:form`) and the public verification pages (`/xac-thuc`).
 */
import type {} from '@fastify/multipart';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { dossierFormPdf, isDossierForm, keyRingFor, sendPdf, verifyById, verifyContent } from '../modules/documents/index.ts';
import { AppError } from '../platform/errors.ts';
import { ctxOf } from '../platform/http.ts';
import { UUID_RE } from '../platform/ids.ts';
import { getSetting } from '../platform/settings.ts';
import type { WebHelpers } from './application.routes.ts';
import { t } from './i18n.ts';
import type { PageCtx } from './layout.ts';
import { errorPage } from './pages.ts';
import { redirectToSignIn } from './sign-in.ts';
import { verifyPage } from './verify-pages.ts';
import { CSRF_COOKIE, csrfToken, newCsrfSeed, serializeCookie } from './web-session.ts';

const DOSSIER_KEY = /^[0-9A-Za-z._-]{5,80}$/;

export function registerDocumentRoutes(app: FastifyInstance, h: WebHelpers): void {
  const { config, database, files } = h;

  /** A page context whose CSRF token exists even before sign-in (the verification form is public). */
  const formCtx = (req: FastifyRequest, reply: FastifyReply): PageCtx => {
    const p = h.pageCtx(req, reply);
    if (p.csrf) return p;
    const seed = newCsrfSeed();
    reply.header('set-cookie', serializeCookie(CSRF_COOKIE, seed, { httpOnly: true, secure: config.env === 'production' }));
    return { ...p, csrf: csrfToken(config.sessionSecret, { seed }) };
  };

  const errorAt = (req: FastifyRequest, reply: FastifyReply, status: number, message: string) => {
    const p = h.pageCtx(req, reply);
    const title = t(p.locale, status === 404 ? 'error.notFoundTitle' : 'error.title');
    return h.send(reply, status, errorPage(p, title, message));
  };

  app.get('/ho-so/:id/giay-to/:form', { schema: { hide: true } }, async (req, reply) => {
    const { id, form: raw } = req.params as { id: string; form: string };
    if (!req.actor) return redirectToSignIn(req, reply);
    const locale = h.locale(req);
    const form = raw.replace(/\.pdf$/, '');
    if (!DOSSIER_KEY.test(id) || !isDossierForm(form)) return errorAt(req, reply, 404, t(locale, 'doc.form.unknown'));
    try {
      const { pdf, fileName } = await dossierFormPdf(ctxOf(req, database), id, form);
      return sendPdf(reply, pdf, fileName);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'not_found') return errorAt(req, reply, 404, t(locale, 'error.notFound'));
      if (err instanceof AppError && err.code === 'DOCUMENT_FORM_NOT_AVAILABLE') return errorAt(req, reply, 409, t(locale, 'doc.form.notAvailable'));
      throw err;
    }
  });

  app.get('/xac-thuc', { schema: { hide: true }, config: { rateLimit: { max: config.publicLookupRateLimit, timeWindow: '1 minute' } } }, async (req, reply) => {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const code = String(query.ma ?? '')
      .trim()
      .slice(0, 80);
    const p = formCtx(req, reply);
    // The look-up form sent with the field empty: say so at the field, as an upload without a file does.
    if (!code && Object.hasOwn(query, 'ma'))
      return h.send(reply, 422, verifyPage(p, { code: '', errors: [{ field: 'ma', message: t(p.locale, 'doc.verify.idMissing') }] }));
    if (!code) return h.send(reply, 200, verifyPage(p, {}));
    if (!UUID_RE.test(code)) return h.send(reply, 422, verifyPage(p, { code, errors: [{ field: 'ma', message: t(p.locale, 'doc.verify.badId') }] }));
    return reply.redirect(`/xac-thuc/${code.toLowerCase()}`, 303);
  });

  app.get(
    '/xac-thuc/:id',
    { schema: { hide: true }, config: { rateLimit: { max: config.publicLookupRateLimit, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const p = formCtx(req, reply);
      if (!UUID_RE.test(id))
        return h.send(reply, 404, verifyPage(p, { code: id.slice(0, 80), errors: [{ field: 'ma', message: t(p.locale, 'doc.verify.notFound') }] }));
      try {
        const result = await verifyById(database.db, files, await keyRingFor(config), id.toLowerCase());
        return h.send(reply, 200, verifyPage(p, { result }));
      } catch (err) {
        if (err instanceof AppError && err.kind === 'not_found')
          return h.send(reply, 404, verifyPage(p, { code: id, errors: [{ field: 'ma', message: t(p.locale, 'doc.verify.notFound') }] }));
        throw err;
      }
    },
  );

  app.post(
    '/xac-thuc',
    { schema: { hide: true }, config: { rateLimit: { max: config.publicLookupRateLimit, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const locale = h.locale(req);
      if (!req.isMultipart()) return errorAt(req, reply, 415, t(locale, 'error.generic'));
      const maxBytes = await getSetting(database.db, 'upload_max_bytes');
      const fields: Record<string, unknown> = {};
      let data: Buffer | null = null;
      let truncated = false;
      for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fields: 3, fieldSize: 500 } })) {
        if (part.type === 'file') {
          data = await part.toBuffer();
          truncated = part.file.truncated;
        } else fields[part.fieldname] = part.value;
      }
      if (!h.csrfValid(req, fields)) return errorAt(req, reply, 403, t(locale, 'error.csrf'));
      const p = formCtx(req, reply);
      if (truncated) return h.send(reply, 413, verifyPage(p, { errors: [{ field: 'file', message: t(locale, 'doc.verify.tooLarge') }] }));
      if (!data || data.length === 0) return h.send(reply, 422, verifyPage(p, { errors: [{ field: 'file', message: t(locale, 'doc.verify.noFile') }] }));
      const result = await verifyContent(database.db, await keyRingFor(config), data);
      req.log.info({ sha256: createHash('sha256').update(data).digest('hex'), authentic: result.authentic }, 'document verification by upload');
      return h.send(reply, 200, verifyPage(p, { result }));
    },
  );
}
