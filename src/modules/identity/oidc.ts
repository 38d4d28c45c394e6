import { idNumberHash, sealUserFields } from '../../platform/personal-data.ts';
import { and, eq, inArray, sql } from 'drizzle-orm';
import * as client from 'openid-client';
import type { Config } from '../../config.ts';
import { externalIdentities, userRoles, users } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { SessionStore } from '../../platform/auth.ts';
import type { Actor, Ctx } from '../../platform/context.ts';
import { AppError, type ErrorReasons } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { nfc, normalisePhone } from '../../platform/text.ts';

/**
 * Sign-in with the national electronic identity (VNeID) over OpenID Connect: authorization code
 * with PKCE, through `openid-client`. The provider asserts the person's ID number; the account
 * with that number is linked (and remembered by issuer + subject), or a citizen account is
 * created for a person new to the portal.
 */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The configured callback: OIDC_REDIRECT_URI, else PUBLIC_BASE_URL (or http://localhost:PORT) + /auth/oidc/callback. */
  redirectUri: string;
  /**
   * Development with no configured callback (neither OIDC_REDIRECT_URI nor PUBLIC_BASE_URL): the
   * server's port, on which the callback follows the loopback host the person uses
   * (`callbackUriFor`); null (production, or a configured callback) = always `redirectUri`.
   */
  loopbackPort: number | null;
  scope: string;
  idNumberClaim: string;
  /** Plain http to the provider (the local provider in development and tests). */
  allowHttp: boolean;
}

/** What the login step must keep until the callback (in a sealed cookie). */
export interface OidcPending {
  state: string;
  nonce: string;
  verifier: string;
  /** The redirect URI of the authorization request: the token request must send the same one. */
  redirectUri: string;
  next: string;
  startedAt: number;
}

export interface VerifiedPerson {
  issuer: string;
  subject: string;
  idNumber: string;
  name: string;
  phone: string | null;
  level: number | null;
}

export class OidcError extends AppError {}

export const CALLBACK_PATH = '/auth/oidc/callback';

/**
 * Our configured callback address: OIDC_REDIRECT_URI, else PUBLIC_BASE_URL (or http://localhost:PORT)
 * + /auth/oidc/callback. In the form openid-client sends at the token request (a parsed URL's href),
 * so the authorization request names the same string.
 */
export function redirectUriOf(config: Config): string {
  return new URL(config.oidc.redirectUri ?? `${(config.publicBaseUrl ?? `http://localhost:${config.port}`).replace(/\/$/, '')}${CALLBACK_PATH}`).href;
}

/** Development without a configured callback: the port on which the callback follows a loopback host; null otherwise. */
function loopbackPortOf(config: Config): number | null {
  return config.env !== 'production' && !config.oidc.redirectUri && !config.publicBaseUrl ? config.port : null;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'] as const;
/** A Host header naming a loopback address, with an optional port (nothing else: no user part, no other name). */
const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(?::(\d{1,5}))?$/;

const loopbackCallback = (name: string, port: number) => new URL(CALLBACK_PATH, `http://${name}:${port}`).href;

/**
 * Every callback address a sign-in may use: the configured one, and in development without a
 * configured callback its loopback forms (localhost, 127.0.0.1, [::1]) on the server's port. The
 * local provider registers exactly these.
 */
export function callbackUrisOf(config: Config): string[] {
  const port = loopbackPortOf(config);
  return [...new Set([redirectUriOf(config), ...(port === null ? [] : LOOPBACK_NAMES.map((n) => loopbackCallback(n, port)))])];
}

/**
 * The callback address of a sign-in started through `host` (the request's Host): the configured
 * one, except in development without a configured callback, where a loopback host on the server's
 * port is followed, so that the browser comes back to the host its sign-in cookie was set for. Any
 * other host (a foreign Host header, another port) gets the configured address: the authorization
 * code never goes where a request header says.
 */
export function callbackUriFor(settings: OidcSettings, host: string | undefined): string {
  if (settings.loopbackPort === null || !host) return settings.redirectUri;
  const m = LOOPBACK_HOST.exec(host.toLowerCase());
  if (!m) return settings.redirectUri;
  const port = m[2] === undefined ? 80 : Number(m[2]);
  return port === settings.loopbackPort ? loopbackCallback(m[1]!, port) : settings.redirectUri;
}

/** The settings from configuration, or null when national-identity sign-in is not configured. */
export function oidcSettingsOf(config: Config): OidcSettings | null {
  const o = config.oidc;
  if (!o.issuer) return null;
  const redirectUri = redirectUriOf(config);
  return {
    issuer: o.issuer,
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    redirectUri,
    loopbackPort: loopbackPortOf(config),
    scope: o.scope,
    idNumberClaim: o.idNumberClaim,
    allowHttp: config.env !== 'production' && o.issuer.startsWith('http:'),
  };
}

export class OidcClient {
  private discovered: Promise<client.Configuration> | null = null;

  constructor(readonly settings: OidcSettings) {}

  /** Provider metadata, discovered once (retried after a failure). */
  private configuration(): Promise<client.Configuration> {
    if (!this.discovered) {
      const s = this.settings;
      this.discovered = client.discovery(
        new URL(s.issuer),
        s.clientId,
        undefined,
        client.ClientSecretBasic(s.clientSecret),
        s.allowHttp ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      this.discovered.catch(() => (this.discovered = null));
    }
    return this.discovered;
  }

  /** The provider metadata, or OIDC_PROVIDER_UNAVAILABLE when the provider cannot be reached. */
  private async reachable(): Promise<client.Configuration> {
    try {
      return await this.configuration();
    } catch (err) {
      throw new OidcError('unavailable', 'OIDC_PROVIDER_UNAVAILABLE', {
        userMessage: 'Không kết nối được hệ thống định danh điện tử. Hãy thử lại sau.',
        cause: err,
      });
    }
  }

  /**
   * The authorization URL to send the browser to, and what to keep until the callback.
   * `redirectUri`: this sign-in's callback (`callbackUriFor`), the configured one by default.
   */
  async start(next: string, now: Date, redirectUri = this.settings.redirectUri): Promise<{ url: URL; pending: OidcPending }> {
    const config = await this.reachable();
    const pending: OidcPending = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      verifier: client.randomPKCECodeVerifier(),
      redirectUri,
      next,
      startedAt: now.getTime(),
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.settings.scope,
      response_type: 'code',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url, pending };
  }

  /**
   * Finishes at the callback: checks state, exchanges the code with the PKCE verifier and the
   * redirect URI the authorization request named (both kept in `pending`), checks the ID token
   * (signature, issuer, audience, nonce), then reads the person from userinfo.
   * Errors: OIDC_PROVIDER_UNAVAILABLE (its metadata cannot be read: a restart since the login
   * step), OIDC_DENIED (the person cancelled), OIDC_FAILED with its reason (`refused`: the
   * provider answered with another error; `not_verified`: the code exchange or a check failed;
   * `no_subject`), OIDC_ID_NUMBER_MISSING.
   */
  async finish(callbackQuery: string, pending: OidcPending): Promise<VerifiedPerson> {
    const config = await this.reachable();
    // A pending state sealed before redirect URIs were kept in it names none: the configured one was used then.
    const current = new URL(pending.redirectUri || this.settings.redirectUri);
    current.search = callbackQuery;
    const providerError = current.searchParams.get('error');
    if (providerError && current.searchParams.get('state') === pending.state) {
      if (providerError === 'access_denied')
        throw new OidcError('forbidden', 'OIDC_DENIED', { userMessage: 'Bạn đã huỷ đăng nhập bằng định danh điện tử.', details: { providerError } });
      throw failed('refused', 'Hệ thống định danh điện tử từ chối yêu cầu đăng nhập.', `the provider answered ${providerError.slice(0, 100)}`, {
        providerError,
      });
    }
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw failed('not_verified', 'Không xác minh được kết quả đăng nhập bằng định danh điện tử. Hãy thử lại.', whyNotVerified(err));
    }
    const idClaims = tokens.claims();
    if (!idClaims?.sub) throw failed('no_subject', 'Kết quả đăng nhập không có định danh người dùng.', 'the ID token has no subject');
    let info: Awaited<ReturnType<typeof client.fetchUserInfo>>;
    try {
      info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    } catch (err) {
      // The person's details could not be read (the provider down between the two calls, a refused token, a subject that does not match).
      throw failed('not_verified', 'Không xác minh được kết quả đăng nhập bằng định danh điện tử. Hãy thử lại.', `userinfo: ${whyNotVerified(err)}`);
    }
    const claims = { ...idClaims, ...info } as Record<string, unknown>;
    const idNumber = typeof claims[this.settings.idNumberClaim] === 'string' ? (claims[this.settings.idNumberClaim] as string) : '';
    if (!/^\d{12}$/.test(idNumber)) {
      throw new OidcError('invalid', 'OIDC_ID_NUMBER_MISSING', { userMessage: 'Hệ thống định danh không cung cấp số định danh cá nhân hợp lệ.' });
    }
    const level = Number(claims.identity_level);
    return {
      issuer: String(idClaims.iss),
      subject: idClaims.sub,
      idNumber,
      name: typeof claims.name === 'string' && claims.name.trim() ? nfc(claims.name.trim()).slice(0, 200) : `Công dân ${idNumber.slice(-4)}`,
      // E.164 from the national identity (+84…) in the form the rest of the platform stores; a number it cannot read is left out.
      phone: typeof claims.phone_number === 'string' ? normalisePhone(claims.phone_number.slice(0, 30)) : null,
      level: Number.isInteger(level) ? level : null,
    };
  }
}

/** Why OIDC_FAILED: the page words it from `svc.OIDC_FAILED.<reason>` (the API never sends the reason). */
export type OidcFailure = 'refused' | 'not_verified' | 'no_subject';

const failed = (reason: OidcFailure, userMessage: string, message: string, details?: Record<string, unknown>) =>
  new OidcError('invalid', 'OIDC_FAILED', { userMessage, message, cause: { reason } satisfies ErrorReasons, ...(details ? { details } : {}) });

/**
 * What the log keeps of a failed code exchange or ID-token check (the cause carries the reason
 * for the page): openid-client's code (`OAUTH_JWT_CLAIM_COMPARISON_FAILED`...), its message and
 * the token endpoint's `error` when it answered with one.
 */
function whyNotVerified(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; error?: unknown; error_description?: unknown };
  return [e.code, e.message, e.error, e.error_description]
    .filter((x): x is string => typeof x === 'string' && x !== '')
    .join(': ')
    .slice(0, 500);
}

/**
 * The account of a verified person: the one already linked to this issuer and subject; else
 * the citizen (or, failing that, organisation) account holding the ID number, which is then
 * linked; else a new citizen account. Staff accounts are never linked (they sign in with a
 * password and a second factor). Errors: OIDC_ACCOUNT_INACTIVE.
 */
export async function linkAccount(ctx: Ctx, person: VerifiedPerson): Promise<{ userId: string; created: boolean; linked: boolean }> {
  return ctx.db.transaction(async (tx) => {
    const [known] = await tx
      .select({ userId: externalIdentities.userId, isActive: users.isActive })
      .from(externalIdentities)
      .innerJoin(users, eq(users.id, externalIdentities.userId))
      .where(and(eq(externalIdentities.issuer, person.issuer), eq(externalIdentities.subject, person.subject)));
    if (known) {
      if (!known.isActive) throw inactive();
      await tx
        .update(externalIdentities)
        .set({ lastLoginAt: ctx.now, identityLevel: person.level })
        .where(and(eq(externalIdentities.issuer, person.issuer), eq(externalIdentities.subject, person.subject)));
      return { userId: known.userId, created: false, linked: false };
    }
    const candidates = await tx
      .select({ id: users.id, kind: users.kind, isActive: users.isActive })
      .from(users)
      .where(and(eq(users.idNumberHash, idNumberHash(ctx.keyring, person.idNumber)), inArray(users.kind, ['citizen', 'organisation'])))
      .orderBy(sql`CASE ${users.kind} WHEN 'citizen' THEN 0 ELSE 1 END`, users.createdAt);
    let userId = candidates[0]?.id;
    let created = false;
    if (candidates[0] && !candidates[0].isActive) throw inactive();
    if (!userId) {
      userId = newId(ctx.now.getTime());
      const username = `vneid.${userId.replace(/-/g, '').slice(-10)}`;
      await tx
        .insert(users)
        .values({ id: userId, username, displayName: person.name, passwordHash: null, kind: 'citizen', ...sealUserFields(ctx.keyring, userId, person) });
      await tx.insert(userRoles).values({ userId, role: 'citizen', agencyId: null });
      await writeAudit(
        { ...ctx, db: tx },
        {
          action: 'user.create',
          targetType: 'user',
          targetId: userId,
          actorId: userId,
          actorRole: 'citizen',
          details: { username, via: 'vneid', roles: [{ role: 'citizen' }] },
        },
      );
      created = true;
    }
    await tx
      .insert(externalIdentities)
      .values({ issuer: person.issuer, subject: person.subject, userId, identityLevel: person.level, createdAt: ctx.now, lastLoginAt: ctx.now })
      .onConflictDoNothing();
    // Dossiers the desk filed for this ID number before the person had an account are theirs: the
    // national identity has just proved who they are.
    await tx.execute(sql`UPDATE dossiers SET applicant_user_id = ${userId}
      WHERE applicant_id_number_hash = ${idNumberHash(ctx.keyring, person.idNumber)} AND applicant_type = 'citizen' AND applicant_user_id IS NULL AND status <> 'draft'`);
    await writeAudit(
      { ...ctx, db: tx },
      { action: 'identity.link', targetType: 'user', targetId: userId, actorId: userId, actorRole: null, details: { issuer: person.issuer, created } },
    );
    return { userId, created, linked: true };
  });
}

const inactive = () =>
  new OidcError('forbidden', 'OIDC_ACCOUNT_INACTIVE', { userMessage: 'Tài khoản gắn với số định danh này đang bị khoá. Hãy liên hệ bộ phận một cửa.' });

/** Links (or creates) the account and opens a `vneid` session. */
export async function signInVerifiedPerson(
  ctx: Ctx,
  sessions: SessionStore,
  person: VerifiedPerson,
  userAgent: string | undefined,
): Promise<{ token: string; expiresAt: Date; actor: Actor; created: boolean }> {
  const link = await linkAccount(ctx, person);
  return ctx.db.transaction(async (tx) => {
    const s = await sessions.create(tx, link.userId, ctx.now, { ip: ctx.ip, userAgent, method: 'vneid' });
    await writeAudit(
      { ...ctx, db: tx },
      {
        action: 'auth.login',
        targetType: 'user',
        targetId: link.userId,
        actorId: link.userId,
        actorRole: null,
        details: { method: 'vneid', identityLevel: person.level, created: link.created },
      },
    );
    const actor = await sessions.resolve(tx, s.token);
    if (!actor) throw new AppError('internal', 'SESSION_NOT_FOUND_AFTER_CREATE');
    return { token: s.token, expiresAt: s.expiresAt, actor, created: link.created };
  });
}
