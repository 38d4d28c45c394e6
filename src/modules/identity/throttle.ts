import { queryRows, sql, type Db } from '../../db/client.ts';
import { authAttempts } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { ACCOUNT_POLICY, ADDRESS_POLICY, lockedUntil, lookback, retryAfterSeconds, type Attempt } from './lockout.ts';

/**
 * Sign-in throttling over the `auth_attempts` table (so it holds across instances): an account
 * locked after repeated failures answers 423, an address blocked after many failures answers
 * 429; both with Retry-After. Pure rules in lockout.ts.
 */
export type Factor = 'password' | 'totp' | 'recovery';

/** A refused sign-in: 423 (account locked) or 429 (address blocked), with Retry-After. */
export class ThrottledError extends AppError {
  constructor(
    readonly scope: 'account' | 'address',
    readonly retryAfter: number,
    readonly until: Date,
  ) {
    const minutes = Math.ceil(retryAfter / 60);
    super('rate_limited', scope === 'account' ? 'AUTH_ACCOUNT_LOCKED' : 'AUTH_ADDRESS_BLOCKED', {
      userMessage:
        scope === 'account'
          ? `Tài khoản tạm khoá do đăng nhập sai nhiều lần. Hãy thử lại sau ${minutes} phút.`
          : `Địa chỉ của bạn tạm bị chặn do đăng nhập sai nhiều lần. Hãy thử lại sau ${minutes} phút.`,
      details: { retryAfter, lockedUntil: until.toISOString() },
    });
  }

  get status(): 423 | 429 {
    return this.scope === 'account' ? 423 : 429;
  }
}

export const accountKeyOf = (username: string): string => username.trim().toLowerCase().slice(0, 200);

async function attemptsOf(db: Db, where: ReturnType<typeof sql>, since: Date): Promise<Attempt[]> {
  const rows = await queryRows<{ at: Date | string; outcome: Attempt['outcome'] }>(
    db,
    sql`SELECT at, outcome FROM auth_attempts WHERE ${where} AND at > ${since} ORDER BY at DESC LIMIT 500`,
  );
  return rows.map((r) => ({ at: new Date(r.at), outcome: r.outcome }));
}

/** The current lock on the account or the address, if any (the address first: it is the wider). */
export async function currentLock(db: Db, accountKey: string, ip: string | undefined, now: Date): Promise<ThrottledError | null> {
  if (ip) {
    const byIp = await attemptsOf(db, sql`ip = ${ip}`, new Date(now.getTime() - lookback(ADDRESS_POLICY)));
    const until = lockedUntil(byIp, now, ADDRESS_POLICY, false);
    if (until) return new ThrottledError('address', retryAfterSeconds(until, now), until);
  }
  const byAccount = await attemptsOf(db, sql`account_key = ${accountKey}`, new Date(now.getTime() - lookback(ACCOUNT_POLICY)));
  const until = lockedUntil(byAccount, now, ACCOUNT_POLICY, true);
  return until ? new ThrottledError('account', retryAfterSeconds(until, now), until) : null;
}

/**
 * Refuses the attempt when the account or the address is locked: records the refusal (attempt
 * and audit `auth.login.refused`) and throws ThrottledError.
 */
export async function assertNotThrottled(ctx: Ctx, accountKey: string, factor: Factor, userId: string | null = null): Promise<void> {
  const lock = await currentLock(ctx.db, accountKey, ctx.ip, ctx.now);
  if (!lock) return;
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(authAttempts)
      .values({ at: ctx.now, accountKey, userId, ip: ctx.ip ?? null, factor, outcome: lock.scope === 'account' ? 'locked' : 'blocked' });
    await writeAudit(
      { ...ctx, db: tx },
      {
        action: 'auth.login.refused',
        targetType: 'user',
        targetId: accountKey,
        outcome: 'denied',
        actorId: userId,
        actorRole: null,
        details: { username: accountKey, factor, scope: lock.scope, retryAfter: lock.retryAfter },
      },
    );
  });
  throw lock;
}

/**
 * Records a failed attempt (audit `auth.login` failure, or `auth.login.second_factor` for a
 * wrong code) and, when this failure starts a lock, `auth.login.locked`.
 */
export async function recordFailure(ctx: Ctx, accountKey: string, factor: Factor, userId: string | null, reason: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx.insert(authAttempts).values({ at: ctx.now, accountKey, userId, ip: ctx.ip ?? null, factor, outcome: 'failure' });
    await writeAudit(
      { ...ctx, db: tx },
      {
        action: factor === 'password' ? 'auth.login' : 'auth.login.second_factor',
        targetType: 'user',
        targetId: accountKey,
        outcome: 'failure',
        actorId: userId,
        actorRole: null,
        details: { username: accountKey, factor, reason },
      },
    );
    const lock = await currentLock(tx, accountKey, ctx.ip, ctx.now);
    if (lock) {
      // Only the failure that starts a lock records it (the lock begins now).
      const startsNow = Math.abs(lock.until.getTime() - ((lock.scope === 'account' ? ACCOUNT_POLICY : ADDRESS_POLICY).lockMs + ctx.now.getTime())) < 1000;
      if (startsNow) {
        await writeAudit(
          { ...ctx, db: tx },
          {
            action: 'auth.login.locked',
            targetType: lock.scope === 'account' ? 'user' : 'address',
            targetId: lock.scope === 'account' ? accountKey : (ctx.ip ?? ''),
            outcome: 'failure',
            actorId: userId,
            actorRole: null,
            details: { username: accountKey, scope: lock.scope, until: lock.until.toISOString(), retryAfter: lock.retryAfter },
          },
        );
      }
    }
  });
}

/** Records a successful factor (clears the account's failure count). */
export async function recordSuccess(db: Db, accountKey: string, factor: Factor, userId: string, ip: string | undefined, now: Date): Promise<void> {
  await db.insert(authAttempts).values({ at: now, accountKey, userId, ip: ip ?? null, factor, outcome: 'success' });
}
