import { randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { authChallenges, recoveryCodes, userTotp, users } from '../../db/schema.ts';
import type { Db } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { AuthMethod, SessionStore } from '../../platform/auth.ts';
import type { Actor, Ctx, Role } from '../../platform/context.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { AppError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { getSetting } from '../../platform/settings.ts';
import type { UserView } from './identity.schemas.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { accountKeyOf, assertNotThrottled, recordFailure, recordSuccess } from './throttle.ts';
import { newRecoveryCodes, newTotpSecret, normaliseRecoveryCode, otpauthUri, qrSvg, verifyTotp } from './totp.ts';

export function toUserView(a: Actor): UserView {
  return {
    id: a.userId,
    username: a.username,
    displayName: a.displayName,
    kind: a.kind,
    roles: a.roles.map((r) => r.role),
    agencyCode: a.roles.find((r) => r.agencyCode)?.agencyCode ?? null,
  };
}

/** What sign-in needs beyond the request. */
export interface IdentityDeps {
  sessions: SessionStore;
  keyring: Keyring;
  /** 'production' makes leaders and administrators need a second factor unless the setting says otherwise. */
  env: string;
}

const CHALLENGE_MS = 5 * 60_000;
const CHALLENGE_ATTEMPTS = 5;

/** The roles that must use a second factor when the `mfa_required_roles` setting is null: leaders and administrators in production, none elsewhere. */
export const envMfaRoles = (env: string): Role[] => (env === 'production' ? ['leader', 'admin'] : []);

/** The roles that must use a second factor: the `mfa_required_roles` setting, else the environment's default (`envMfaRoles`). */
export async function mfaRequiredRoles(db: Db, env: string): Promise<Role[]> {
  const stored = await getSetting(db, 'mfa_required_roles');
  return stored ?? envMfaRoles(env);
}

export async function isMfaRequired(db: Db, env: string, roles: readonly Role[]): Promise<boolean> {
  const required = await mfaRequiredRoles(db, env);
  return roles.some((r) => required.includes(r));
}

export interface Enrolment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

export type LoginResult =
  | { mfaRequired: false; token: string; expiresAt: Date; actor: Actor; method: AuthMethod; recoveryCodes?: string[] | undefined }
  | { mfaRequired: true; challenge: string; challengeExpiresAt: Date; enrolment: Enrolment | null };

const totpAad = (userId: string) => `user_totp:${userId}`;
const recoveryPurpose = 'recovery_code';
const recoveryHash = (keyring: Keyring, userId: string, code: string) => keyring.lookupHash(recoveryPurpose, `${userId}:${code}`);

async function createSession(ctx: Ctx, deps: IdentityDeps, userId: string, accountKey: string, method: AuthMethod, userAgent: string | undefined) {
  return ctx.db.transaction(async (tx) => {
    const s = await deps.sessions.create(tx, userId, ctx.now, { ip: ctx.ip, userAgent, method });
    await recordSuccess(tx, accountKey, method === 'password' ? 'password' : method === 'password+recovery' ? 'recovery' : 'totp', userId, ctx.ip, ctx.now);
    await writeAudit(
      { ...ctx, db: tx },
      { action: 'auth.login', targetType: 'user', targetId: userId, actorId: userId, actorRole: null, details: { username: accountKey, method } },
    );
    const actor = await deps.sessions.resolve(tx, s.token);
    if (!actor) throw new AppError('internal', 'SESSION_NOT_FOUND_AFTER_CREATE');
    return { token: s.token, expiresAt: s.expiresAt, actor };
  });
}

/** Starts (or restarts) TOTP enrolment: a new secret, stored encrypted and unconfirmed. */
async function beginEnrolment(db: Db, keyring: Keyring, user: { id: string; username: string }, now: Date): Promise<Enrolment> {
  const secret = newTotpSecret();
  const enc = keyring.encrypt(secret, totpAad(user.id));
  await db
    .insert(userTotp)
    .values({ userId: user.id, secretEnc: enc, createdAt: now, confirmedAt: null, lastStep: null })
    .onConflictDoUpdate({ target: userTotp.userId, set: { secretEnc: enc, createdAt: now, lastStep: null }, where: isNull(userTotp.confirmedAt) });
  const uri = otpauthUri(secret, user.username);
  return { secret, otpauthUri: uri, qrSvg: await qrSvg(uri) };
}

/**
 * Signs in with a username and password. Without a second factor the answer is a session; with
 * one (an enrolled TOTP, or a role that requires it) it is a challenge for `verifySecondFactor`,
 * with a new secret to enrol when the account has none yet. The same answer (and about the same
 * time) for an unknown account and a wrong password. Throttled per account and per address.
 * Errors: AUTH_INVALID_CREDENTIALS, AUTH_ACCOUNT_LOCKED (423), AUTH_ADDRESS_BLOCKED (429).
 */
export async function logIn(ctx: Ctx, deps: IdentityDeps, input: { username: string; password: string; userAgent?: string | undefined }): Promise<LoginResult> {
  const username = accountKeyOf(input.username);
  const [user] = await ctx.db.select().from(users).where(eq(users.username, username)).limit(1);
  await assertNotThrottled(ctx, username, 'password', user?.id ?? null);
  const ok =
    user?.passwordHash && user.isActive
      ? await verifyPassword(user.passwordHash, input.password)
      : (await verifyPassword(await dummyHash(), input.password), false);
  if (!user || !ok) {
    await recordFailure(ctx, username, 'password', user?.id ?? null, !user ? 'unknown_account' : !user.isActive ? 'inactive' : 'wrong_password');
    throw new AppError('unauthenticated', 'AUTH_INVALID_CREDENTIALS', { userMessage: 'Tên đăng nhập hoặc mật khẩu không đúng.' });
  }
  const [totp] = await ctx.db.select().from(userTotp).where(eq(userTotp.userId, user.id));
  const enrolled = !!totp?.confirmedAt;
  const roles = (await ctx.db.execute(sql`SELECT role FROM user_roles WHERE user_id = ${user.id}`)) as unknown as { rows: { role: Role }[] };
  const required =
    enrolled ||
    (await isMfaRequired(
      ctx.db,
      deps.env,
      roles.rows.map((r) => r.role),
    ));
  if (!required) {
    const s = await createSession(ctx, deps, user.id, username, 'password', input.userAgent);
    return { mfaRequired: false, ...s, method: 'password' };
  }
  const token = randomBytes(32).toString('base64url');
  const challengeExpiresAt = new Date(ctx.now.getTime() + CHALLENGE_MS);
  const enrolment = enrolled ? null : await beginEnrolment(ctx.db, deps.keyring, user, ctx.now);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(authChallenges).values({
      id: newId(ctx.now.getTime()),
      userId: user.id,
      tokenHash: deps.sessions.hashToken(`challenge:${token}`),
      kind: enrolled ? 'totp' : 'totp_enrolment',
      createdAt: ctx.now,
      expiresAt: challengeExpiresAt,
      ip: ctx.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
    await writeAudit(
      { ...ctx, db: tx },
      {
        action: 'auth.login.password_ok',
        targetType: 'user',
        targetId: user.id,
        actorId: user.id,
        actorRole: null,
        details: { username, next: enrolled ? 'totp' : 'totp_enrolment' },
      },
    );
  });
  return { mfaRequired: true, challenge: token, challengeExpiresAt, enrolment };
}

const challengeInvalid = () =>
  new AppError('unauthenticated', 'AUTH_CHALLENGE_INVALID', { userMessage: 'Phiên xác thực đã hết hạn hoặc không hợp lệ. Hãy đăng nhập lại.' });

/**
 * The second step: a TOTP code (or, for an enrolled account, a one-time recovery code) for the
 * challenge `logIn` gave. Completing an enrolment confirms the secret and returns ten recovery
 * codes, shown once. Errors: AUTH_CHALLENGE_INVALID, AUTH_CODE_INVALID, AUTH_ACCOUNT_LOCKED,
 * AUTH_ADDRESS_BLOCKED.
 */
export async function verifySecondFactor(
  ctx: Ctx,
  deps: IdentityDeps,
  input: { challenge: string; code: string; userAgent?: string | undefined },
): Promise<LoginResult & { mfaRequired: false }> {
  if (!/^[A-Za-z0-9_-]{20,200}$/.test(input.challenge)) throw challengeInvalid();
  const [ch] = await ctx.db
    .select()
    .from(authChallenges)
    .where(
      and(
        eq(authChallenges.tokenHash, deps.sessions.hashToken(`challenge:${input.challenge}`)),
        isNull(authChallenges.usedAt),
        gt(authChallenges.expiresAt, ctx.now),
      ),
    );
  if (!ch || ch.attempts >= CHALLENGE_ATTEMPTS) throw challengeInvalid();
  const [user] = await ctx.db.select().from(users).where(eq(users.id, ch.userId));
  if (!user?.isActive) throw challengeInvalid();
  const accountKey = user.username;
  await assertNotThrottled(ctx, accountKey, 'totp', user.id);
  const [totp] = await ctx.db.select().from(userTotp).where(eq(userTotp.userId, user.id));
  if (!totp) throw challengeInvalid();
  const code = input.code.replace(/\s/g, '');
  const secret = deps.keyring.decrypt(totp.secretEnc, totpAad(user.id));
  const enrolling = ch.kind === 'totp_enrolment';
  let method: AuthMethod | null = null;
  let step: number | null = null;
  let recoveryUsed: string | null = null;
  if (/^\d{6}$/.test(code)) {
    step = verifyTotp(secret, code, ctx.now, totp.lastStep ?? null);
    if (step !== null) method = 'password+totp';
  } else if (!enrolling) {
    const rc = normaliseRecoveryCode(code);
    if (rc) {
      const h = recoveryHash(deps.keyring, user.id, rc);
      const used = await ctx.db
        .update(recoveryCodes)
        .set({ usedAt: ctx.now })
        .where(and(eq(recoveryCodes.userId, user.id), eq(recoveryCodes.codeHash, h), isNull(recoveryCodes.usedAt)))
        .returning({ h: recoveryCodes.codeHash });
      if (used.length) {
        method = 'password+recovery';
        recoveryUsed = h;
      }
    }
  }
  if (!method) {
    await ctx.db
      .update(authChallenges)
      .set({ attempts: sql`${authChallenges.attempts} + 1` })
      .where(eq(authChallenges.id, ch.id));
    await recordFailure(ctx, accountKey, /^\d{6}$/.test(code) ? 'totp' : 'recovery', user.id, 'wrong_code');
    throw new AppError('unauthenticated', 'AUTH_CODE_INVALID', {
      userMessage: enrolling ? 'Mã xác thực không đúng. Hãy nhập mã 6 số đang hiện trong ứng dụng.' : 'Mã xác thực hoặc mã khôi phục không đúng.',
    });
  }
  // Claim the challenge (single use, even against a concurrent request with the same code).
  const claimed = await ctx.db
    .update(authChallenges)
    .set({ usedAt: ctx.now })
    .where(and(eq(authChallenges.id, ch.id), isNull(authChallenges.usedAt)))
    .returning({ id: authChallenges.id });
  if (!claimed.length) throw challengeInvalid();
  if (step !== null) {
    await ctx.db
      .update(userTotp)
      .set({ lastStep: step, ...(enrolling ? { confirmedAt: ctx.now } : {}) })
      .where(eq(userTotp.userId, user.id));
  }
  let codes: string[] | undefined;
  if (enrolling) {
    codes = await replaceRecoveryCodes(ctx.db, deps.keyring, user.id, ctx.now);
    await writeAudit(ctx, {
      action: 'mfa.totp.enrol',
      targetType: 'user',
      targetId: user.id,
      actorId: user.id,
      actorRole: null,
      details: { during: 'sign-in' },
    });
  }
  const s = await createSession(ctx, deps, user.id, accountKey, method, input.userAgent);
  if (recoveryUsed) {
    const left = await recoveryCodesLeft(ctx.db, user.id);
    await writeAudit(ctx, { action: 'mfa.recovery_code.use', targetType: 'user', targetId: user.id, actorId: user.id, actorRole: null, details: { left } });
  }
  return { mfaRequired: false, ...s, method, recoveryCodes: codes };
}

async function replaceRecoveryCodes(db: Db, keyring: Keyring, userId: string, now: Date): Promise<string[]> {
  const codes = newRecoveryCodes();
  await db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  await db.insert(recoveryCodes).values(codes.map((c) => ({ userId, codeHash: recoveryHash(keyring, userId, c), createdAt: now })));
  return codes;
}

export async function recoveryCodesLeft(db: Db, userId: string): Promise<number> {
  const r = (await db.execute(sql`SELECT count(*)::int AS n FROM recovery_codes WHERE user_id = ${userId} AND used_at IS NULL`)) as unknown as {
    rows: { n: number }[];
  };
  return Number(r.rows[0]?.n ?? 0);
}

// ---- The signed-in user's own second factor ----

export interface TotpStatus {
  enrolled: boolean;
  pending: boolean;
  confirmedAt: Date | null;
  recoveryCodesLeft: number;
  required: boolean;
}

export async function getTotpStatus(ctx: Ctx, env: string, actor: Actor): Promise<TotpStatus> {
  const [t] = await ctx.db.select().from(userTotp).where(eq(userTotp.userId, actor.userId));
  return {
    enrolled: !!t?.confirmedAt,
    pending: !!t && !t.confirmedAt,
    confirmedAt: t?.confirmedAt ?? null,
    recoveryCodesLeft: t?.confirmedAt ? await recoveryCodesLeft(ctx.db, actor.userId) : 0,
    required: await isMfaRequired(
      ctx.db,
      env,
      actor.roles.map((r) => r.role),
    ),
  };
}

/** Starts enrolment for the signed-in user. Errors: MFA_ALREADY_ENROLLED. */
export async function startTotpEnrolment(ctx: Ctx, keyring: Keyring, actor: Actor): Promise<Enrolment> {
  const [t] = await ctx.db.select().from(userTotp).where(eq(userTotp.userId, actor.userId));
  if (t?.confirmedAt) throw new AppError('conflict', 'MFA_ALREADY_ENROLLED', { userMessage: 'Tài khoản đã bật xác thực hai bước.' });
  return beginEnrolment(ctx.db, keyring, { id: actor.userId, username: actor.username }, ctx.now);
}

async function checkOwnCode(ctx: Ctx, keyring: Keyring, actor: Actor, code: string, wantConfirmed: boolean): Promise<number> {
  const [t] = await ctx.db.select().from(userTotp).where(eq(userTotp.userId, actor.userId));
  if (!t || !!t.confirmedAt !== wantConfirmed) {
    throw wantConfirmed
      ? new AppError('conflict', 'MFA_NOT_ENROLLED', { userMessage: 'Tài khoản chưa bật xác thực hai bước.' })
      : new AppError('conflict', t ? 'MFA_ALREADY_ENROLLED' : 'MFA_ENROLMENT_NOT_STARTED', {
          userMessage: t ? 'Tài khoản đã bật xác thực hai bước.' : 'Hãy bắt đầu đăng ký xác thực hai bước trước.',
        });
  }
  await assertNotThrottled(ctx, actor.username, 'totp', actor.userId);
  const step = verifyTotp(keyring.decrypt(t.secretEnc, totpAad(actor.userId)), code.replace(/\s/g, ''), ctx.now, t.lastStep ?? null);
  if (step === null) {
    await recordFailure(ctx, actor.username, 'totp', actor.userId, 'wrong_code');
    throw new AppError('invalid', 'AUTH_CODE_INVALID', {
      userMessage: 'Mã xác thực không đúng.',
      errors: [{ path: 'code', message: 'Mã xác thực không đúng' }],
    });
  }
  return step;
}

/** Confirms enrolment with a first code; returns the recovery codes (shown once). Errors: AUTH_CODE_INVALID, MFA_ENROLMENT_NOT_STARTED, MFA_ALREADY_ENROLLED. */
export async function confirmTotpEnrolment(ctx: Ctx, keyring: Keyring, actor: Actor, code: string): Promise<string[]> {
  const step = await checkOwnCode(ctx, keyring, actor, code, false);
  return ctx.db.transaction(async (tx) => {
    await tx.update(userTotp).set({ confirmedAt: ctx.now, lastStep: step }).where(eq(userTotp.userId, actor.userId));
    const codes = await replaceRecoveryCodes(tx, keyring, actor.userId, ctx.now);
    await writeAudit({ ...ctx, db: tx }, { action: 'mfa.totp.enrol', targetType: 'user', targetId: actor.userId });
    return codes;
  });
}

/** New recovery codes (the old ones stop working); needs a current code. */
export async function regenerateRecoveryCodes(ctx: Ctx, keyring: Keyring, actor: Actor, code: string): Promise<string[]> {
  const step = await checkOwnCode(ctx, keyring, actor, code, true);
  return ctx.db.transaction(async (tx) => {
    await tx.update(userTotp).set({ lastStep: step }).where(eq(userTotp.userId, actor.userId));
    const codes = await replaceRecoveryCodes(tx, keyring, actor.userId, ctx.now);
    await writeAudit({ ...ctx, db: tx }, { action: 'mfa.recovery_codes.regenerate', targetType: 'user', targetId: actor.userId });
    return codes;
  });
}

/** Turns the second factor off (needs a current code; refused when the user's role requires it). Errors: MFA_REQUIRED_FOR_ROLE, MFA_NOT_ENROLLED, AUTH_CODE_INVALID. */
export async function disableTotp(ctx: Ctx, keyring: Keyring, env: string, actor: Actor, code: string): Promise<void> {
  if (
    await isMfaRequired(
      ctx.db,
      env,
      actor.roles.map((r) => r.role),
    )
  ) {
    throw new AppError('conflict', 'MFA_REQUIRED_FOR_ROLE', { userMessage: 'Vai trò của bạn bắt buộc xác thực hai bước, không tắt được.' });
  }
  await checkOwnCode(ctx, keyring, actor, code, true);
  await ctx.db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, actor.userId));
    await tx.delete(userTotp).where(eq(userTotp.userId, actor.userId));
    await writeAudit({ ...ctx, db: tx }, { action: 'mfa.totp.disable', targetType: 'user', targetId: actor.userId });
  });
}
