import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/client.ts';
import { requireActor, type SessionStore } from '../../platform/auth.ts';
import { writeAudit } from '../../platform/audit.ts';
import { keyringFor } from '../../platform/crypto.ts';
import { ctxOf } from '../../platform/http.ts';
import { toIso } from '../../platform/time.ts';
import { CodeBody, EnrolmentView, LoginBody, LoginResponse, SessionGranted, SessionView, TotpBody, TotpStatusView, UserView } from './identity.schemas.ts';
import {
  confirmTotpEnrolment,
  disableTotp,
  getTotpStatus,
  logIn,
  regenerateRecoveryCodes,
  startTotpEnrolment,
  toUserView,
  verifySecondFactor,
  type IdentityDeps,
  type LoginResult,
} from './identity.service.ts';
import {
  listOwnSessions,
  listUserSessions,
  revokeAllUserSessions,
  revokeOtherSessions,
  revokeOwnSession,
  revokeUserSession,
  type SessionInfo,
} from './sessions.service.ts';
import { ThrottledError } from './throttle.ts';

/** problem+json for a refused sign-in: 423 (account locked) or 429 (address blocked), with Retry-After. */
export function sendThrottled(reply: FastifyReply, e: ThrottledError, instance: string): FastifyReply {
  return reply
    .status(e.status)
    .header('retry-after', String(e.retryAfter))
    .type('application/problem+json; charset=utf-8')
    .send({
      type: `https://tinhso.gov.vn/problems/${e.code.toLowerCase().replace(/_/g, '-')}`,
      title: e.status === 423 ? 'Tài khoản tạm khoá (Locked)' : 'Quá nhiều yêu cầu (Too many requests)',
      status: e.status,
      code: e.code,
      detail: e.userMessage,
      instance,
      retryAfter: e.retryAfter,
      lockedUntil: toIso(e.until),
    });
}

const sessionView = (s: SessionInfo): z.infer<typeof SessionView> => ({
  id: s.id,
  createdAt: toIso(s.createdAt),
  lastSeenAt: s.lastSeenAt ? toIso(s.lastSeenAt) : null,
  expiresAt: toIso(s.expiresAt),
  ip: s.ip,
  userAgent: s.userAgent,
  method: s.method,
  current: s.current,
});

function loginView(r: LoginResult): z.infer<typeof LoginResponse> {
  if (r.mfaRequired) return { mfaRequired: true, challenge: r.challenge, challengeExpiresAt: toIso(r.challengeExpiresAt), enrolment: r.enrolment };
  return {
    mfaRequired: false,
    token: r.token,
    expiresAt: toIso(r.expiresAt),
    method: r.method,
    user: toUserView(r.actor),
    ...(r.recoveryCodes ? { recoveryCodes: r.recoveryCodes } : {}),
  };
}

const Uuid = z.string().uuid();

/**
 * Sign-in (password, then TOTP when required), sign-out, the caller, their second factor and
 * sessions; administrators' view of anyone's sessions. docs/IDENTITY.md.
 */
export function identityRoutes(database: Database, sessions: SessionStore, config: Config): FastifyPluginAsyncZod {
  return async (app) => {
    const deps: IdentityDeps = { sessions, keyring: keyringFor(config), env: config.env };
    const limit = { rateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' } };

    // Refused sign-ins carry their own status (423/429) and Retry-After; everything else goes to the app's handler.
    app.setErrorHandler((err, req, reply) => {
      if (err instanceof ThrottledError) return sendThrottled(reply, err, req.url.split('?')[0] ?? req.url);
      throw err;
    });

    app.post(
      '/auth/login',
      {
        config: limit,
        schema: {
          tags: ['auth'],
          summary: 'Sign in with a username and password',
          description:
            'Answers a session, or `{mfaRequired: true, challenge}` when a second factor is needed (then POST /auth/totp). 401 AUTH_INVALID_CREDENTIALS; 423 AUTH_ACCOUNT_LOCKED and 429 AUTH_ADDRESS_BLOCKED with Retry-After.',
          body: LoginBody,
          response: { 200: LoginResponse },
        },
      },
      async (req) => loginView(await logIn(ctxOf(req, database), deps, { ...req.body, userAgent: req.headers['user-agent'] })),
    );

    app.post(
      '/auth/totp',
      {
        config: limit,
        schema: {
          tags: ['auth'],
          summary: 'Second sign-in step: the TOTP code (or a recovery code) for a challenge',
          body: TotpBody,
          response: { 200: SessionGranted },
        },
      },
      async (req) => {
        const r = await verifySecondFactor(ctxOf(req, database), deps, { ...req.body, userAgent: req.headers['user-agent'] });
        return loginView(r) as z.infer<typeof SessionGranted>;
      },
    );

    app.post('/auth/logout', { schema: { tags: ['auth'], summary: 'End the current session', response: { 204: z.null() } } }, async (req, reply) => {
      const actor = requireActor(req.actor);
      const ctx = ctxOf(req, database);
      await database.db.transaction(async (tx) => {
        if (actor.sessionId) await sessions.revoke(tx, actor.sessionId, ctx.now);
        await writeAudit({ ...ctx, db: tx }, { action: 'auth.logout', targetType: 'session', targetId: actor.sessionId ?? '' });
      });
      return reply.status(204).send(null);
    });

    app.get('/me', { schema: { tags: ['auth'], summary: 'The signed-in user', response: { 200: UserView } } }, async (req) =>
      toUserView(requireActor(req.actor)),
    );

    // ---- Second factor of the signed-in user ----
    app.get(
      '/me/totp',
      { schema: { tags: ['auth'], summary: 'Whether two-factor sign-in is on, and recovery codes left', response: { 200: TotpStatusView } } },
      async (req) => {
        const s = await getTotpStatus(ctxOf(req, database), config.env, requireActor(req.actor));
        return { ...s, confirmedAt: s.confirmedAt ? toIso(s.confirmedAt) : null };
      },
    );

    app.post(
      '/me/totp/enrolment',
      { schema: { tags: ['auth'], summary: 'Start TOTP enrolment: a new secret as otpauth URI and QR code', response: { 200: EnrolmentView } } },
      async (req) => startTotpEnrolment(ctxOf(req, database), deps.keyring, requireActor(req.actor)),
    );

    app.post(
      '/me/totp/confirmation',
      {
        schema: {
          tags: ['auth'],
          summary: 'Confirm enrolment with a first code; answers ten recovery codes (shown once)',
          body: CodeBody,
          response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) },
        },
      },
      async (req) => ({ recoveryCodes: await confirmTotpEnrolment(ctxOf(req, database), deps.keyring, requireActor(req.actor), req.body.code) }),
    );

    app.post(
      '/me/totp/recovery-codes',
      {
        schema: {
          tags: ['auth'],
          summary: 'New recovery codes (the old ones stop working); needs a current code',
          body: CodeBody,
          response: { 200: z.object({ recoveryCodes: z.array(z.string()) }) },
        },
      },
      async (req) => ({ recoveryCodes: await regenerateRecoveryCodes(ctxOf(req, database), deps.keyring, requireActor(req.actor), req.body.code) }),
    );

    app.delete(
      '/me/totp',
      {
        schema: {
          tags: ['auth'],
          summary: 'Turn two-factor sign-in off (needs a current code; refused when the role requires it)',
          body: CodeBody,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await disableTotp(ctxOf(req, database), deps.keyring, config.env, requireActor(req.actor), req.body.code);
        return reply.status(204).send(null);
      },
    );

    // ---- Sessions ----
    app.get(
      '/me/sessions',
      { schema: { tags: ['auth'], summary: "The caller's live sessions (the current one marked)", response: { 200: z.array(SessionView) } } },
      async (req) => (await listOwnSessions(ctxOf(req, database))).map(sessionView),
    );

    app.delete(
      '/me/sessions/:id',
      { schema: { tags: ['auth'], summary: 'End one of your sessions', params: z.object({ id: Uuid }), response: { 204: z.null() } } },
      async (req, reply) => {
        await revokeOwnSession(ctxOf(req, database), sessions, req.params.id);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/me/sessions',
      {
        schema: { tags: ['auth'], summary: 'End all your other sessions (keeps the current one)', response: { 200: z.object({ revoked: z.number().int() }) } },
      },
      async (req) => ({ revoked: await revokeOtherSessions(ctxOf(req, database), sessions) }),
    );

    app.get(
      '/users/:id/sessions',
      {
        schema: {
          tags: ['users'],
          summary: "A user's live sessions (administrators)",
          params: z.object({ id: Uuid }),
          response: { 200: z.array(SessionView) },
        },
      },
      async (req) => (await listUserSessions(ctxOf(req, database), req.params.id)).map(sessionView),
    );

    app.delete(
      '/users/:id/sessions/:sessionId',
      {
        schema: {
          tags: ['users'],
          summary: "End one of a user's sessions (administrators)",
          params: z.object({ id: Uuid, sessionId: Uuid }),
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        await revokeUserSession(ctxOf(req, database), sessions, req.params.id, req.params.sessionId);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/users/:id/sessions',
      {
        schema: {
          tags: ['users'],
          summary: 'End every session of a user (administrators)',
          params: z.object({ id: Uuid }),
          response: { 200: z.object({ revoked: z.number().int() }) },
        },
      },
      async (req) => ({ revoked: await revokeAllUserSessions(ctxOf(req, database), sessions, req.params.id) }),
    );
  };
}
