import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import {
  confirmTotpEnrolment,
  disableTotp,
  getTotpStatus,
  regenerateRecoveryCodes,
  startTotpEnrolment,
  verifySecondFactor,
  type Enrolment,
  type IdentityDeps,
  type LoginResult,
} from '../modules/identity/identity.service.ts';
import { callbackUriFor, OidcClient, oidcSettingsOf, signInVerifiedPerson, type OidcPending } from '../modules/identity/oidc.ts';
import { listOwnSessions, revokeOtherSessions, revokeOwnSession } from '../modules/identity/sessions.service.ts';
import { deleteMyData, exportMyData, listMyRequests, requestCorrection } from '../modules/privacy/privacy.service.ts';
import { listConsents, setConsent } from '../modules/notifications/index.ts';
import { ThrottledError } from '../modules/identity/throttle.ts';
import { otpauthUri, qrSvg } from '../modules/identity/totp.ts';
import { queryRows, sql } from '../db/client.ts';
import { writeAudit } from '../platform/audit.ts';
import type { SessionStore } from '../platform/auth.ts';
import { keyringFor, KeyringError } from '../platform/crypto.ts';
import { AppError } from '../platform/errors.ts';
import { ctxOf } from '../platform/http.ts';
import { UUID_RE } from '../platform/ids.ts';
import {
  accountPage,
  CORRECTION_MAX,
  correctionMaxText,
  deletionDonePage,
  lockedPage,
  oidcErrorPage,
  recoveryCodesPage,
  secondStepPage,
  signInErrorPage,
  type AccountView,
} from './account-pages.ts';
import type { WebHelpers } from './application.routes.ts';
import { t } from './i18n.ts';
import type { PageCtx } from './layout.ts';
import { knownServiceText, serviceErrorText } from './service-errors.ts';
import { csrfToken, parseCookies, safeLocalPath, serializeCookie, SESSION_COOKIE } from './web-session.ts';
import { redirectToSignIn } from './sign-in.ts';

/**
 * Web side of identity: the second sign-in step (`/dang-nhap/xac-thuc`), sign-in with the
 * national electronic identity (`/auth/oidc/login`, `/auth/oidc/callback`), and the account page
 * (`/tai-khoan`: sessions, two-step verification). docs/IDENTITY.md.
 */
export interface AccountHelpers extends WebHelpers {
  sessions: SessionStore;
}

export const MFA_COOKIE = 'tinhso_mfa';
export const OIDC_COOKIE = 'tinhso_oidc';
const MFA_COOKIE_SECONDS = 5 * 60;
const OIDC_COOKIE_SECONDS = 10 * 60;
const HTML = 'text/html; charset=utf-8';
const CHALLENGE = /^[A-Za-z0-9_-]{20,200}$/;

const secureOf = (config: Config) => config.env === 'production';

function str(v: unknown, max: number): string {
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s.normalize('NFC').trim().slice(0, max) : '';
}
const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The sign-in dependencies of a configuration (the same for the API and the portal). */
export function identityDepsOf(config: Config, sessions: SessionStore): IdentityDeps {
  return { sessions, keyring: keyringFor(config), env: config.env };
}

/** After a correct password that needs a second factor: keep the challenge in an HttpOnly cookie and go to the second step. */
export function startSecondStep(reply: FastifyReply, r: LoginResult & { mfaRequired: true }, next: string, config: Config): FastifyReply {
  reply.header('set-cookie', serializeCookie(MFA_COOKIE, r.challenge, { maxAgeSeconds: MFA_COOKIE_SECONDS, httpOnly: true, secure: secureOf(config) }));
  return reply.redirect(`/dang-nhap/xac-thuc?next=${encodeURIComponent(next)}`, 303);
}

/** A readable 423/429 page with Retry-After. */
export function sendThrottledPage(reply: FastifyReply, p: PageCtx, err: ThrottledError): FastifyReply {
  return reply
    .status(err.status)
    .header('retry-after', String(err.retryAfter))
    .type(HTML)
    .send(lockedPage(p, serviceErrorText(p.locale, err, { minutes: Math.ceil(err.retryAfter / 60) })));
}

/** The pending enrolment of a challenge's account (to show the QR code again on the second-step page). */
async function enrolmentOfChallenge(
  h: AccountHelpers,
  deps: IdentityDeps,
  challenge: string,
  now: Date,
): Promise<{ kind: string; enrolment: Enrolment | null } | null> {
  const [row] = await queryRows<{ kind: string; user_id: string; username: string; secret_enc: string | null; confirmed_at: Date | null }>(
    h.database.db,
    sql`SELECT c.kind, c.user_id, u.username, t.secret_enc, t.confirmed_at FROM auth_challenges c JOIN users u ON u.id = c.user_id
        LEFT JOIN user_totp t ON t.user_id = c.user_id
        WHERE c.token_hash = ${deps.sessions.hashToken(`challenge:${challenge}`)} AND c.used_at IS NULL AND c.expires_at > ${now}`,
  );
  if (!row) return null;
  if (row.kind !== 'totp_enrolment' || !row.secret_enc || row.confirmed_at) return { kind: row.kind, enrolment: null };
  const secret = deps.keyring.decrypt(row.secret_enc, `user_totp:${row.user_id}`);
  const uri = otpauthUri(secret, row.username);
  return { kind: row.kind, enrolment: { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) } };
}

export function registerAccountRoutes(app: FastifyInstance, h: AccountHelpers): void {
  const { config, database, sessions } = h;
  const secure = secureOf(config);
  const deps = identityDepsOf(config, sessions);
  const oidcSettings = oidcSettingsOf(config);
  const oidc = oidcSettings ? new OidcClient(oidcSettings) : null;
  const cookiesOf = (req: FastifyRequest) => parseCookies(req.headers.cookie);
  const clear = (name: string) => serializeCookie(name, '', { maxAgeSeconds: 0, httpOnly: true, secure });
  const setSessionCookie = (reply: FastifyReply, token: string) =>
    serializeCookie(SESSION_COOKIE, token, { maxAgeSeconds: config.sessionTtlMs / 1000, httpOnly: true, secure });

  // ---- Second sign-in step ----
  app.get('/dang-nhap/xac-thuc', { schema: { hide: true } }, async (req, reply) => {
    const next = safeLocalPath(str(record(req.query).next, 2000));
    const p = h.pageCtx(req, reply);
    const challenge = cookiesOf(req)[MFA_COOKIE] ?? '';
    const info = CHALLENGE.test(challenge) ? await enrolmentOfChallenge(h, deps, challenge, new Date()) : null;
    if (!info) return h.send(reply, 401, signInErrorPage(p, t(p.locale, 'acct.challengeExpired'), next));
    return h.send(reply, 200, secondStepPage(p, { next, enrolment: info.enrolment }));
  });

  app.post(
    '/dang-nhap/xac-thuc',
    { schema: { hide: true }, config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const body = record(req.body);
      const p = h.pageCtx(req, reply);
      if (!h.csrfValid(req, body)) return h.send(reply, 403, signInErrorPage(p, t(p.locale, 'error.csrf'), '/', 'error.csrfTitle'));
      const next = safeLocalPath(str(body.next, 2000));
      const code = str(body.code, 40);
      const challenge = cookiesOf(req)[MFA_COOKIE] ?? '';
      if (!CHALLENGE.test(challenge)) return h.send(reply, 401, signInErrorPage(p, t(p.locale, 'acct.challengeExpired'), next));
      const again = async (status: number, error: string) => {
        const info = await enrolmentOfChallenge(h, deps, challenge, new Date());
        if (!info) return h.send(reply, 401, signInErrorPage(p, t(p.locale, 'acct.challengeExpired'), next));
        return h.send(reply, status, secondStepPage(p, { next, enrolment: info.enrolment, error }));
      };
      if (!code) return again(422, t(p.locale, 'acct.codeMissing'));
      let r: Awaited<ReturnType<typeof verifySecondFactor>>;
      try {
        r = await verifySecondFactor(ctxOf(req, database), deps, { challenge, code, userAgent: req.headers['user-agent'] });
      } catch (err) {
        if (err instanceof ThrottledError) return sendThrottledPage(reply, p, err);
        if (err instanceof AppError && err.code === 'AUTH_CODE_INVALID') return again(422, t(p.locale, 'acct.codeInvalid'));
        if (err instanceof AppError && err.code === 'AUTH_CHALLENGE_INVALID') {
          reply.header('set-cookie', clear(MFA_COOKIE));
          return h.send(reply, 401, signInErrorPage(p, t(p.locale, 'acct.challengeExpired'), next));
        }
        throw err;
      }
      if (req.actor?.sessionId) await sessions.revoke(database.db, req.actor.sessionId, new Date());
      reply.header('set-cookie', [clear(MFA_COOKIE), setSessionCookie(reply, r.token)]);
      if (r.recoveryCodes) {
        const signedIn: PageCtx = {
          ...p,
          userName: r.actor.displayName,
          csrf: r.actor.sessionId ? csrfToken(config.sessionSecret, { sessionId: r.actor.sessionId }) : null,
        };
        return h.send(reply, 200, recoveryCodesPage(signedIn, { codes: r.recoveryCodes, next }));
      }
      return reply.redirect(next, 303);
    },
  );

  // ---- National electronic identity (VNeID) ----
  app.get('/auth/oidc/login', { schema: { hide: true }, config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } } }, async (req, reply) => {
    const next = safeLocalPath(str(record(req.query).next, 2000));
    const p = h.pageCtx(req, reply);
    if (!oidc) return h.send(reply, 503, oidcErrorPage(p, t(p.locale, 'acct.vneidUnavailable'), next));
    let started: Awaited<ReturnType<OidcClient['start']>>;
    try {
      // The callback comes back to the host the sign-in started at when it is a loopback one in development (callbackUriFor).
      started = await oidc.start(next, new Date(), callbackUriFor(oidc.settings, req.host));
    } catch (err) {
      if (err instanceof AppError)
        return h.send(reply, 503, oidcErrorPage(p, knownServiceText(p.locale, err) ?? err.userMessage ?? t(p.locale, 'acct.vneidUnavailable'), next));
      throw err;
    }
    const sealed = deps.keyring.encrypt(JSON.stringify(started.pending), 'oidc_pending');
    reply.header('set-cookie', serializeCookie(OIDC_COOKIE, sealed, { maxAgeSeconds: OIDC_COOKIE_SECONDS, httpOnly: true, secure }));
    return reply.redirect(started.url.href, 303);
  });

  app.get(
    '/auth/oidc/callback',
    { schema: { hide: true }, config: { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const p = h.pageCtx(req, reply);
      if (!oidc) return h.send(reply, 503, oidcErrorPage(p, t(p.locale, 'acct.vneidUnavailable'), '/'));
      const now = new Date();
      let pending: OidcPending | null = null;
      try {
        const raw = cookiesOf(req)[OIDC_COOKIE];
        pending = raw ? (JSON.parse(deps.keyring.decrypt(raw, 'oidc_pending')) as OidcPending) : null;
      } catch (err) {
        if (!(err instanceof KeyringError || err instanceof SyntaxError)) throw err;
      }
      // One attempt per started sign-in: the cookie goes whatever happens next.
      reply.header('set-cookie', clear(OIDC_COOKIE));
      if (!pending || now.getTime() - pending.startedAt > OIDC_COOKIE_SECONDS * 1000) {
        return h.send(reply, 400, oidcErrorPage(p, t(p.locale, 'acct.vneidExpired'), pending?.next ?? '/'));
      }
      const next = safeLocalPath(pending.next);
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      const ctx = ctxOf(req, database);
      try {
        const person = await oidc.finish(query, pending);
        const s = await signInVerifiedPerson(ctx, sessions, person, req.headers['user-agent']);
        if (req.actor?.sessionId) await sessions.revoke(database.db, req.actor.sessionId, ctx.now);
        reply.header('set-cookie', [clear(OIDC_COOKIE), setSessionCookie(reply, s.token)]);
        return reply.redirect(next, 303);
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        req.log.warn({ code: err.code, reason: err.message }, 'national identity sign-in failed');
        await ctx.db.transaction(async (tx) => {
          await writeAudit(
            { ...ctx, db: tx },
            {
              action: 'auth.login.vneid',
              targetType: 'oidc',
              targetId: oidcSettings!.issuer,
              outcome: 'failure',
              actorId: null,
              actorRole: null,
              details: { code: err.code },
            },
          );
        });
        const words = knownServiceText(p.locale, err) ?? err.userMessage ?? t(p.locale, 'acct.vneidExpired');
        return h.send(reply, err.kind === 'unavailable' ? 503 : 400, oidcErrorPage(p, words, next));
      }
    },
  );

  // ---- Account page ----
  const requireSignedIn = (req: FastifyRequest, reply: FastifyReply) => {
    if (req.actor) return req.actor;
    void redirectToSignIn(req, reply, '/tai-khoan');
    return null;
  };

  const renderAccount = async (req: FastifyRequest, reply: FastifyReply, status: number, extra: Partial<AccountView> = {}) => {
    const actor = req.actor!;
    const ctx = ctxOf(req, database);
    const [list, totp, method, dataRequests, consents] = await Promise.all([
      listOwnSessions(ctx),
      getTotpStatus(ctx, config.env, actor),
      actor.sessionId
        ? queryRows<{ auth_method: string }>(database.db, sql`SELECT auth_method FROM sessions WHERE id = ${actor.sessionId}`)
        : Promise.resolve([]),
      listMyRequests(ctx),
      listConsents(database.db, actor.userId),
    ]);
    const sms = consents.find((c) => c.purpose === 'sms_notifications');
    let enrolment = extra.enrolment;
    if (!enrolment && totp.pending && extra.error?.form === 'confirm') {
      const [row] = await queryRows<{ secret_enc: string }>(
        database.db,
        sql`SELECT secret_enc FROM user_totp WHERE user_id = ${actor.userId} AND confirmed_at IS NULL`,
      );
      if (row) {
        const secret = deps.keyring.decrypt(row.secret_enc, `user_totp:${actor.userId}`);
        const uri = otpauthUri(secret, actor.username);
        enrolment = { secret, qrSvg: await qrSvg(uri) };
      }
    }
    return h.send(
      reply,
      status,
      accountPage(h.pageCtx(req, reply), {
        sessions: list,
        totp,
        currentMethod: method[0]?.auth_method ?? null,
        dataRequests,
        isStaff: actor.kind === 'staff',
        smsConsent: sms && actor.kind !== 'staff' ? { granted: sms.granted, at: sms.at } : undefined,
        ...extra,
        enrolment,
      }),
    );
  };

  app.get('/tai-khoan', { schema: { hide: true } }, async (req, reply) => {
    if (!requireSignedIn(req, reply)) return reply;
    const q = record(req.query);
    const done = str(q.xong, 40);
    const n = Number.parseInt(str(q.n, 6), 10);
    const locale = h.locale(req);
    const notices: Record<string, string> = {
      phien: t(locale, 'acct.sessionRevoked'),
      'phien-khac': t(locale, 'acct.sessionsRevoked', { n: Number.isFinite(n) ? n : 0 }),
      tat: t(locale, 'acct.mfaDisabled'),
      'dinh-chinh': t(locale, 'acct.correctionSent'),
      sms: t(locale, 'notif.smsSaved'),
    };
    const notice = Object.hasOwn(notices, done) ? notices[done] : undefined;
    return renderAccount(req, reply, 200, { notice });
  });

  /** Every POST here: signed in, CSRF valid; else the matching answer. */
  const guardPost = (req: FastifyRequest, reply: FastifyReply): Record<string, unknown> | null => {
    if (!requireSignedIn(req, reply)) return null;
    const body = record(req.body);
    if (!h.csrfValid(req, body)) {
      const p = h.pageCtx(req, reply);
      void h.send(reply, 403, signInErrorPage(p, t(p.locale, 'error.csrf'), '/tai-khoan', 'error.csrfTitle'));
      return null;
    }
    return body;
  };

  app.post('/tai-khoan/phien/:id/dang-xuat', { schema: { hide: true } }, async (req, reply) => {
    const body = guardPost(req, reply);
    if (!body) return reply;
    const id = str(record(req.params).id, 40);
    if (!UUID_RE.test(id)) return renderAccount(req, reply, 404);
    const current = req.actor!.sessionId === id;
    try {
      await revokeOwnSession(ctxOf(req, database), sessions, id);
    } catch (err) {
      if (err instanceof AppError && err.code === 'SESSION_NOT_FOUND') return renderAccount(req, reply, 404);
      throw err;
    }
    if (current) {
      reply.header('set-cookie', serializeCookie(SESSION_COOKIE, '', { maxAgeSeconds: 0, httpOnly: true, secure }));
      return reply.redirect('/', 303);
    }
    return reply.redirect('/tai-khoan?xong=phien', 303);
  });

  app.post('/tai-khoan/phien/dang-xuat-khac', { schema: { hide: true } }, async (req, reply) => {
    if (!guardPost(req, reply)) return reply;
    const n = await revokeOtherSessions(ctxOf(req, database), sessions);
    return reply.redirect(`/tai-khoan?xong=phien-khac&n=${n}`, 303);
  });

  app.post('/tai-khoan/xac-thuc-hai-buoc', { schema: { hide: true } }, async (req, reply) => {
    if (!guardPost(req, reply)) return reply;
    try {
      const enrolment = await startTotpEnrolment(ctxOf(req, database), deps.keyring, req.actor!);
      return renderAccount(req, reply, 200, { enrolment });
    } catch (err) {
      if (err instanceof AppError && err.code === 'MFA_ALREADY_ENROLLED') return reply.redirect('/tai-khoan', 303);
      throw err;
    }
  });

  // ---- Personal data (docs/PRIVACY.md): the export as a download, and correction requests ----
  app.get('/tai-khoan/du-lieu-ca-nhan', { schema: { hide: true } }, async (req, reply) => {
    if (!requireSignedIn(req, reply)) return reply;
    const data = await exportMyData(ctxOf(req, database));
    return reply
      .header('content-disposition', `attachment; filename="tinhso-du-lieu-ca-nhan-${data.exportedAt.slice(0, 10)}.json"`)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(data, null, 2));
  });

  app.post('/tai-khoan/xoa-du-lieu', { schema: { hide: true } }, async (req, reply) => {
    const body = guardPost(req, reply);
    if (!body) return reply;
    const locale = h.locale(req);
    if (req.actor!.kind === 'staff') return renderAccount(req, reply, 409, { notice: t(locale, 'acct.deleteStaff') });
    if (body.confirm !== 'on') return renderAccount(req, reply, 422, { error: { form: 'deletion', message: t(locale, 'acct.deleteConfirmMissing') } });
    const details = typeof body.details === 'string' ? body.details.normalize('NFC').replace(/\r\n?/g, '\n').trim().slice(0, CORRECTION_MAX) : '';
    const p = h.pageCtx(req, reply);
    const done = await deleteMyData(ctxOf(req, database), { files: h.files, sessions }, details);
    // Signed out everywhere: the page is shown as to a visitor.
    reply.header('set-cookie', clear(SESSION_COOKIE));
    return h.send(reply, 200, deletionDonePage({ ...p, userName: null, csrf: null }, done.categories));
  });

  // Consent to SMS notifications: the box ticked grants it, unticked withdraws it (audited by setConsent).
  app.post('/tai-khoan/dong-y-sms', { schema: { hide: true } }, async (req, reply) => {
    const body = guardPost(req, reply);
    if (!body) return reply;
    await setConsent(ctxOf(req, database), 'sms_notifications', body.granted === 'on', 'web');
    return reply.redirect('/tai-khoan?xong=sms#thong-bao-sms', 303);
  });

  app.post('/tai-khoan/yeu-cau-dinh-chinh', { schema: { hide: true } }, async (req, reply) => {
    const body = guardPost(req, reply);
    if (!body) return reply;
    const locale = h.locale(req);
    const raw = typeof body.details === 'string' ? body.details.normalize('NFC').replace(/\r\n?/g, '\n').trim() : '';
    const invalid = !raw
      ? t(locale, 'acct.correctionMissing')
      : raw.length > CORRECTION_MAX
        ? t(locale, 'acct.correctionTooLong', { max: correctionMaxText(locale) })
        : null;
    if (invalid) return renderAccount(req, reply, 422, { error: { form: 'correction', message: invalid }, correction: raw.slice(0, CORRECTION_MAX * 2) });
    await requestCorrection(ctxOf(req, database), raw);
    return reply.redirect('/tai-khoan?xong=dinh-chinh', 303);
  });

  /** Runs a code-confirmed change; a wrong code or a lock re-renders the page with the error. */
  const withCode = async (req: FastifyRequest, reply: FastifyReply, form: 'confirm' | 'codes' | 'disable', run: (code: string) => Promise<FastifyReply>) => {
    const body = guardPost(req, reply);
    if (!body) return reply;
    const locale = h.locale(req);
    const code = str(body.code, 20);
    if (!code) return renderAccount(req, reply, 422, { error: { form, message: t(locale, 'acct.codeMissing') } });
    try {
      return await run(code);
    } catch (err) {
      if (err instanceof ThrottledError) return sendThrottledPage(reply, h.pageCtx(req, reply), err);
      if (err instanceof AppError && err.code === 'AUTH_CODE_INVALID')
        return renderAccount(req, reply, 422, { error: { form, message: t(locale, 'acct.codeInvalid') } });
      if (err instanceof AppError && err.kind === 'conflict') return renderAccount(req, reply, 409, { notice: serviceErrorText(locale, err) });
      throw err;
    }
  };

  app.post('/tai-khoan/xac-thuc-hai-buoc/xac-nhan', { schema: { hide: true } }, async (req, reply) =>
    withCode(req, reply, 'confirm', async (code) => {
      const codes = await confirmTotpEnrolment(ctxOf(req, database), deps.keyring, req.actor!, code);
      return h.send(reply, 200, recoveryCodesPage(h.pageCtx(req, reply), { codes, next: '/tai-khoan' }));
    }),
  );

  app.post('/tai-khoan/xac-thuc-hai-buoc/ma-khoi-phuc', { schema: { hide: true } }, async (req, reply) =>
    withCode(req, reply, 'codes', async (code) => {
      const codes = await regenerateRecoveryCodes(ctxOf(req, database), deps.keyring, req.actor!, code);
      return h.send(reply, 200, recoveryCodesPage(h.pageCtx(req, reply), { codes, next: '/tai-khoan' }));
    }),
  );

  app.post('/tai-khoan/xac-thuc-hai-buoc/tat', { schema: { hide: true } }, async (req, reply) =>
    withCode(req, reply, 'disable', async (code) => {
      await disableTotp(ctxOf(req, database), deps.keyring, config.env, req.actor!, code);
      return reply.redirect('/tai-khoan?xong=tat', 303);
    }),
  );
}
