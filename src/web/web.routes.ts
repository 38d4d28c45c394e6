import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import { publicLookup } from '../modules/dossiers/dossiers.views.ts';
import { logIn } from '../modules/identity/identity.service.ts';
import { listFields } from '../modules/procedures/procedures.repo.ts';
import { ProcedureCode } from '../modules/procedures/procedures.schemas.ts';
import { getProcedure, searchProcedures } from '../modules/procedures/procedures.service.ts';
import { writeAudit } from '../platform/audit.ts';
import type { SessionStore } from '../platform/auth.ts';
import type { Actor } from '../platform/context.ts';
import { AppError, statusOf } from '../platform/errors.ts';
import { ctxOf, sendProblem, toAppError } from '../platform/http.ts';
import { routeMissing } from '../platform/method-not-allowed.ts';
import { viCollator } from '../platform/text.ts';
import { registerAdminRoutes } from './admin.routes.ts';
import { registerAdminSettingsRoutes } from './admin-settings.routes.ts';
import { compressBody, MIN_COMPRESS_BYTES, negotiateEncoding } from './compress.ts';
import { registerApplicationRoutes, type WebHelpers } from './application.routes.ts';
import type { LocalFileStore } from '../platform/files.ts';
import { registerDashboardRoutes } from './dashboard.routes.ts';
import { identityDepsOf, registerAccountRoutes, sendThrottledPage, startSecondStep } from './account.routes.ts';
import { ThrottledError } from '../modules/identity/throttle.ts';
import { registerPaymentRoutes } from './payment.routes.ts';
import { registerNotificationPageRoutes } from './notifications.routes.ts';
import { countUnread } from '../modules/notifications/index.ts';
import { registerStaffRoutes } from './staff.routes.ts';
import { registerFinanceRoutes } from './finance.routes.ts';
import { registerSecurityRoutes } from './security.routes.ts';
import { registerDocumentRoutes } from './documents.routes.ts';
import { procedureSearch, registerEnhanceRoutes, SEARCH_PAGE_SIZE } from './enhance.routes.ts';
import { isLocale, t, type Locale } from './i18n.ts';
import type { PageCtx } from './layout.ts';
import { errorPage, homePage, loginPage, lookupPage, procedurePage, searchPage, type LoginError, type LookupResult } from './pages.ts';
import { deskOf } from './staff-pages.ts';
import { FAVICON_PATH, FAVICON_SVG } from './favicon.ts';
import { redirectToSignIn } from './sign-in.ts';
import { SITE_CSS } from './site-css.ts';
import {
  CSRF_COOKIE,
  csrfToken,
  isCsrfSeed,
  LANG_COOKIE,
  newCsrfSeed,
  parseCookies,
  safeLocalPath,
  serializeCookie,
  SESSION_COOKIE,
  SESSION_TOKEN_RE,
  formFields,
  hasEndedSession,
  signInAfterEndedSession,
  tokensEqual,
} from './web-session.ts';

export interface WebDeps {
  config: Config;
  database: Database;
  sessions: SessionStore;
  files: LocalFileStore;
}

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
const HTML = 'text/html; charset=utf-8';
const YEAR_SECONDS = 365 * 24 * 3600;
const DOSSIER_CODE = /^[0-9A-Za-z._-]{5,80}$/;
/** Paths of the API: always problem+json, whatever the Accept header. */
const API_PATH = /^\/api(?:[/?]|$)/;

interface WebState {
  locale: Locale;
  cookies: Record<string, string>;
  /** Unread notifications of the signed-in person, counted for the pages they open (GET). */
  unread?: number;
  /** The request's session cookie named a session that has ended (hasEndedSession). */
  sessionEnded?: boolean;
}

/** A string from a query or form value (first of repeated keys), trimmed and bounded. */
function str(v: unknown, max: number): string {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.normalize('NFC').trim().slice(0, max) : '';
}

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/**
 * The public web portal: server-rendered pages that work without JavaScript, Vietnamese first
 * with an English switch. Signed-in state is the `tinhso_session` cookie (the same sessions as
 * the API's bearer tokens); every POST form carries a CSRF token bound to the session, or to a
 * pre-session cookie before sign-in.
 */
export function webRoutes({ config, database, sessions, files }: WebDeps): FastifyPluginAsync {
  const secure = config.env === 'production';
  const state = new WeakMap<FastifyRequest, WebState>();

  return async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 32 * 1024 }, (_req, body, done) => {
      done(null, formFields(body as string));
    });

    app.addHook('onRequest', async (req, reply) => {
      const cookies = parseCookies(req.headers.cookie);
      const lang = cookies[LANG_COOKIE];
      state.set(req, { locale: isLocale(lang) ? lang : 'vi', cookies });
      const token = cookies[SESSION_COOKIE];
      if (req.actor || !token) return;
      const actor = SESSION_TOKEN_RE.test(token) ? await sessions.resolve(database.db, token) : null;
      if (actor) req.actor = actor;
      else {
        // Carry on signed out; a redirect to sign-in will say that the session ended (onSend below).
        reply.header('set-cookie', serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure }));
        state.get(req)!.sessionEnded = hasEndedSession(req.headers.cookie, false);
      }
    });

    // The header's "Thông báo" link shows the unread count: one small count (on the partial index of
    // unread notifications, migration 0016) per page a signed-in person opens (a browser asking for HTML), none for visitors, the API or assets.
    app.addHook('preHandler', async (req) => {
      if (!req.actor || (req.method !== 'GET' && req.method !== 'HEAD') || API_PATH.test(req.url) || !/\btext\/html\b/.test(req.headers.accept ?? '')) return;
      // The notifications page counts them with its list.
      if (req.url === '/thong-bao' || req.url.startsWith('/thong-bao?')) return;
      const s = state.get(req);
      if (s) s.unread = await countUnread(database.db, req.actor.userId);
    });

    app.addHook('onSend', async (req, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      // Sent to sign in because the session has ended (signed out elsewhere, ended by an administrator,
      // expired): the redirect says so (`het-phien=1`), and the sign-in page tells the person. What
      // they had typed in a form is not kept.
      if (state.get(req)?.sessionEnded && reply.statusCode >= 300 && reply.statusCode < 400) {
        const location = reply.getHeader('location');
        const marked = typeof location === 'string' ? signInAfterEndedSession(location) : null;
        if (marked) reply.header('location', marked);
      }
      reply.header('referrer-policy', 'same-origin');
      const type = String(reply.getHeader('content-type') ?? '');
      if (type.startsWith('text/html')) {
        reply.header('content-security-policy', CSP);
        // Pages vary by cookie (language, user): never in a shared cache; signed-in pages not at all.
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', req.actor ? 'no-store' : 'private, no-cache');
      }
      if (
        (type.startsWith('text/html') || type.startsWith('text/css')) &&
        (typeof payload === 'string' || Buffer.isBuffer(payload)) &&
        !reply.hasHeader('content-encoding')
      ) {
        reply.header('vary', 'Accept-Encoding');
        const encoding = Buffer.byteLength(payload) >= MIN_COMPRESS_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : null;
        if (encoding) {
          reply.header('content-encoding', encoding);
          reply.removeHeader('content-length');
          return compressBody(payload, encoding);
        }
      }
      return payload;
    });

    const stateOf = (req: FastifyRequest): WebState => state.get(req) ?? { locale: 'vi', cookies: parseCookies(req.headers.cookie) };

    /** The CSRF binding of this request: the session, else the pre-session cookie, else none. */
    const csrfExpected = (req: FastifyRequest): string | null => {
      if (req.actor?.sessionId) return csrfToken(config.sessionSecret, { sessionId: req.actor.sessionId });
      const seed = stateOf(req).cookies[CSRF_COOKIE];
      return isCsrfSeed(seed) ? csrfToken(config.sessionSecret, { seed }) : null;
    };

    const pageCtx = (req: FastifyRequest, reply: FastifyReply, opts: { needsCsrf?: boolean } = {}): PageCtx => {
      const { locale } = stateOf(req);
      let csrf = csrfExpected(req);
      if (!csrf && opts.needsCsrf) {
        const seed = newCsrfSeed();
        reply.header('set-cookie', serializeCookie(CSRF_COOKIE, seed, { httpOnly: true, secure }));
        csrf = csrfToken(config.sessionSecret, { seed });
      }
      const path = safeLocalPath(req.url);
      return { locale, userName: req.actor?.displayName ?? null, csrf, path, roles: req.actor?.roles.map((r) => r.role) ?? [], unread: stateOf(req).unread };
    };

    const send = (reply: FastifyReply, status: number, body: string) => reply.status(status).type(HTML).send(body);

    const sendError = (req: FastifyRequest, reply: FastifyReply, status: number, titleKey: Parameters<typeof t>[1], message: string) => {
      const p = pageCtx(req, reply);
      return send(reply, status, errorPage(p, t(p.locale, titleKey), message));
    };

    const csrfValid = (req: FastifyRequest, body: Record<string, unknown>): boolean => {
      const expected = csrfExpected(req);
      const got = str(body.csrf, 200);
      return !!expected && !!got && tokensEqual(expected, got);
    };

    // A form sent from a page whose session has since ended (signed out in another tab, ended by
    // an administrator, expired) carries a token bound to that session: the route's CSRF check
    // would call it a stale form (403). It goes to sign-in instead, with the reason (`het-phien=1`,
    // onSend above) and back to the page the form was on (the same-site Referer, sign-in.ts), before
    // any route runs, so nothing is written. A form of a signed-out page (its token bound to the
    // pre-session cookie) still reaches its route; signing out again just clears the cookie. A
    // multipart form is not read here: those are all signed-in pages but /xac-thuc.
    app.addHook('preHandler', async (req, reply) => {
      if (!state.get(req)?.sessionEnded || req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || API_PATH.test(req.url)) return;
      if (req.routeOptions.url === '/dang-xuat') return;
      if (!req.isMultipart() && csrfValid(req, record(req.body))) return;
      return redirectToSignIn(req, reply);
    });

    app.setErrorHandler((err, req, reply) => {
      const e = toAppError(err, req);
      // An /api/ path no API route matched reaches the catch-all below; an error in a hook before
      // it (e.g. an expired bearer token) must still answer problem+json, never a page.
      if (API_PATH.test(req.url)) {
        if (e.kind === 'internal') req.log.error({ err, reqId: req.id }, 'unhandled error');
        return sendProblem(
          reply,
          e.kind === 'internal' ? new AppError('internal', e.code, { details: { traceId: req.id } }) : e,
          req.url.split('?')[0] ?? req.url,
        );
      }
      const { locale } = stateOf(req);
      const status = statusOf(e.kind);
      if (e.kind === 'not_found') return sendError(req, reply, status, 'error.notFoundTitle', t(locale, 'error.notFound'));
      if (e.kind === 'rate_limited') return sendError(req, reply, status, 'error.title', t(locale, 'error.rateLimited'));
      if (e.kind === 'internal') {
        req.log.error({ err, reqId: req.id }, 'unhandled error in a web page');
        return sendError(req, reply, status, 'error.title', t(locale, 'error.internal', { id: req.id }));
      }
      return sendError(req, reply, status, 'error.title', t(locale, 'error.generic'));
    });

    // Any other GET a browser makes (it asks for HTML) gets a readable page; API clients and
    // everything under /api/ keep the problem+json 404 of platform/http.ts.
    app.get('/*', { schema: { hide: true } }, async (req, reply) => {
      const wantsHtml = /\btext\/html\b/.test(req.headers.accept ?? '') && !API_PATH.test(req.url);
      if (!wantsHtml) {
        // 404, or 405 with Allow for an API path that only takes other methods.
        const missing = routeMissing(req);
        if (missing.allow) reply.header('allow', missing.allow);
        return sendProblem(reply, missing.error, req.url.split('?')[0] ?? req.url);
      }
      return sendError(req, reply, 404, 'error.notFoundTitle', t(stateOf(req).locale, 'error.notFound'));
    });

    app.get('/assets/site.css', { schema: { hide: true } }, async (_req, reply) =>
      reply.header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`).type('text/css; charset=utf-8').send(SITE_CSS),
    );

    app.get(FAVICON_PATH, { schema: { hide: true } }, async (_req, reply) =>
      reply.header('cache-control', `public, max-age=${YEAR_SECONDS}, immutable`).type('image/svg+xml').send(FAVICON_SVG),
    );
    // Asked for by browsers on a first visit without reading the page; a day's cache (the name is not versioned).
    app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) =>
      reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml').send(FAVICON_SVG),
    );

    app.get('/lang', { schema: { hide: true } }, async (req, reply) => {
      const q = record(req.query);
      const to = str(q.to, 5);
      if (isLocale(to)) reply.header('set-cookie', serializeCookie(LANG_COOKIE, to, { maxAgeSeconds: YEAR_SECONDS, httpOnly: true, secure }));
      return reply.redirect(safeLocalPath(str(q.back, 2000)), 303);
    });

    const sortedFields = async () => (await listFields(database.db)).sort((a, b) => viCollator.compare(a.name, b.name));

    app.get('/', { schema: { hide: true } }, async (req, reply) => {
      const [popular, fields] = await Promise.all([searchProcedures(ctxOf(req, database), { page: 1, pageSize: 8 }), sortedFields()]);
      return send(reply, 200, homePage(pageCtx(req, reply), popular.items, fields));
    });

    app.get('/thu-tuc', { schema: { hide: true } }, async (req, reply) => {
      const [{ text, field, level, shown, result }, fields] = await Promise.all([procedureSearch(req, database, SEARCH_PAGE_SIZE), sortedFields()]);
      return send(
        reply,
        200,
        searchPage(pageCtx(req, reply), { q: text, field, level, page: shown, pageSize: SEARCH_PAGE_SIZE, total: result.total, items: result.items, fields }),
      );
    });

    app.get('/thu-tuc/:code', { schema: { hide: true } }, async (req, reply) => {
      const code = str(record(req.params).code, 80);
      const p = pageCtx(req, reply);
      const notFoundPage = () => send(reply, 404, errorPage(p, t(p.locale, 'error.notFoundTitle'), t(p.locale, 'error.procedureNotFound', { code })));
      if (!ProcedureCode.safeParse(code).success) return notFoundPage();
      try {
        const proc = await getProcedure(ctxOf(req, database), code);
        return send(reply, 200, procedurePage(p, proc, req.actor?.kind ?? null, deskOf(req.actor)));
      } catch (err) {
        if (err instanceof AppError && err.kind === 'not_found') return notFoundPage();
        throw err;
      }
    });

    const lookup = async (code: string): Promise<LookupResult | null> => {
      try {
        return await publicLookup(database.db, code);
      } catch (err) {
        if (err instanceof AppError && err.kind === 'not_found') return null;
        throw err;
      }
    };

    app.get(
      '/tra-cuu',
      { schema: { hide: true }, config: { rateLimit: { max: config.publicLookupRateLimit, timeWindow: '1 minute' } } },
      async (req, reply) => {
        const code = str(record(req.query).ma, 100);
        const p = pageCtx(req, reply);
        if (!code) return send(reply, 200, lookupPage(p, '', null));
        if (!DOSSIER_CODE.test(code)) return send(reply, 400, lookupPage(p, code, null, t(p.locale, 'lookup.invalid')));
        // Codes are printed in capitals (…H37-…); accept what people type in lower case too.
        const found = (await lookup(code)) ?? (code.toUpperCase() !== code ? await lookup(code.toUpperCase()) : null);
        if (!found) return send(reply, 404, lookupPage(p, code, null, t(p.locale, 'lookup.notFound', { code })));
        return send(reply, 200, lookupPage(p, code, found));
      },
    );

    app.get('/dang-nhap', { schema: { hide: true } }, async (req, reply) => {
      const next = safeLocalPath(str(record(req.query).next, 2000));
      return send(reply, 200, loginPage(pageCtx(req, reply, { needsCsrf: true }), { username: '', next, errors: [] }));
    });

    app.post('/dang-nhap', { schema: { hide: true }, config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } } }, async (req, reply) => {
      const body = record(req.body);
      if (!csrfValid(req, body)) return sendError(req, reply, 403, 'error.csrfTitle', t(stateOf(req).locale, 'error.csrf'));
      const username = str(body.username, 200);
      const password = typeof body.password === 'string' ? body.password.slice(0, 1024) : '';
      const next = safeLocalPath(str(body.next, 2000));
      const p = pageCtx(req, reply, { needsCsrf: true });
      const errors: LoginError[] = [];
      if (!username) errors.push({ field: 'username', message: t(p.locale, 'login.usernameMissing') });
      if (!password) errors.push({ field: 'password', message: t(p.locale, 'login.passwordMissing') });
      if (errors.length) return send(reply, 422, loginPage(p, { username, next, errors }));
      const ctx = ctxOf(req, database);
      let session: { token: string; actor: Actor };
      try {
        const r = await logIn(ctx, identityDepsOf(config, sessions), { username, password, userAgent: req.headers['user-agent'] });
        if (r.mfaRequired) return startSecondStep(reply, r, next, config);
        session = r;
      } catch (err) {
        if (err instanceof ThrottledError) return sendThrottledPage(reply, p, err);
        if (!(err instanceof AppError && err.code === 'AUTH_INVALID_CREDENTIALS')) throw err;
        return send(reply, 422, loginPage(p, { username, next, errors: [{ field: 'username', message: t(p.locale, 'login.invalid') }] }));
      }
      // Signing in again replaces the old session rather than leaving it alive.
      if (req.actor?.sessionId) await sessions.revoke(database.db, req.actor.sessionId, ctx.now);
      reply.header('set-cookie', serializeCookie(SESSION_COOKIE, session.token, { maxAgeSeconds: config.sessionTtlMs / 1000, httpOnly: true, secure }));
      return reply.redirect(next, 303);
    });

    app.post('/dang-xuat', { schema: { hide: true } }, async (req, reply) => {
      const actor = req.actor;
      if (actor?.sessionId) {
        if (!csrfValid(req, record(req.body))) return sendError(req, reply, 403, 'error.csrfTitle', t(stateOf(req).locale, 'error.csrf'));
        const ctx = ctxOf(req, database);
        const sessionId = actor.sessionId;
        await database.db.transaction(async (tx) => {
          await sessions.revoke(tx, sessionId, ctx.now);
          await writeAudit({ ...ctx, db: tx }, { action: 'auth.logout', targetType: 'session', targetId: sessionId });
        });
      }
      reply.header('set-cookie', serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure }));
      return reply.redirect('/', 303);
    });

    const h: WebHelpers = { config, database, files, pageCtx: (req, reply) => pageCtx(req, reply), csrfValid, send, locale: (req) => stateOf(req).locale };
    registerApplicationRoutes(app, h);
    registerEnhanceRoutes(app, h);
    registerDashboardRoutes(app, h);
    registerAccountRoutes(app, { ...h, sessions, pageCtx: (req, reply) => pageCtx(req, reply, { needsCsrf: true }) });
    registerDocumentRoutes(app, h);
    registerPaymentRoutes(app, h);
    registerStaffRoutes(app, h);
    registerFinanceRoutes(app, h);
    registerSecurityRoutes(app, h);
    registerAdminRoutes(app, h);
    registerAdminSettingsRoutes(app, h);
    registerNotificationPageRoutes(app, h);
  };
}
