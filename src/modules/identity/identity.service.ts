import { eq } from 'drizzle-orm';
import { users } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { SessionStore } from '../../platform/auth.ts';
import type { Actor, Ctx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import type { UserView } from './identity.schemas.ts';

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

/**
 * Signs in with a username and password; returns a new session token. The same answer (and
 * about the same time) for an unknown account and a wrong password, so accounts cannot be
 * enumerated. Errors: AUTH_INVALID_CREDENTIALS.
 */
export async function logIn(ctx: Ctx, sessions: SessionStore, input: { username: string; password: string; userAgent?: string | undefined }) {
  const username = input.username.trim().toLowerCase();
  const [user] = await ctx.db.select().from(users).where(eq(users.username, username)).limit(1);
  const ok = user?.passwordHash && user.isActive ? await verifyPassword(user.passwordHash, input.password) : (await verifyPassword(await dummyHash(), input.password), false);
  if (!user || !ok) {
    await writeAudit(ctx, {
      action: 'auth.login',
      targetType: 'user',
      targetId: username,
      outcome: 'failure',
      actorId: user?.id ?? null,
      actorRole: null,
    });
    throw new AppError('unauthenticated', 'AUTH_INVALID_CREDENTIALS', { userMessage: 'Tên đăng nhập hoặc mật khẩu không đúng.' });
  }
  return ctx.db.transaction(async (tx) => {
    const s = await sessions.create(tx, user.id, ctx.now, { ip: ctx.ip, userAgent: input.userAgent });
    await writeAudit({ ...ctx, db: tx }, { action: 'auth.login', targetType: 'user', targetId: user.id, actorId: user.id, actorRole: null });
    const actor = await sessions.resolve(tx, s.token);
    if (!actor) throw new AppError('internal', 'SESSION_NOT_FOUND_AFTER_CREATE');
    return { token: s.token, expiresAt: s.expiresAt, actor };
  });
}
