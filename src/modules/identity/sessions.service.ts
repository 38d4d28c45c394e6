import { queryRows, sql } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor, requireRole, type AuthMethod, type SessionStore } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';

/**
 * Listing and revoking sessions: one's own, or anyone's for administrators. Revocation is in
 * the database at once and drops the session from this instance's cache; other instances stop
 * accepting it within the session cache time (5 s).
 */
export interface SessionInfo {
  id: string;
  createdAt: Date;
  lastSeenAt: Date | null;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
  method: AuthMethod;
  current: boolean;
}

async function liveSessions(ctx: Ctx, userId: string): Promise<SessionInfo[]> {
  const rows = await queryRows<{
    id: string;
    created_at: Date | string;
    last_seen_at: Date | string | null;
    expires_at: Date | string;
    ip: string | null;
    user_agent: string | null;
    auth_method: AuthMethod;
  }>(
    ctx.db,
    sql`SELECT id, created_at, last_seen_at, expires_at, ip, user_agent, auth_method FROM sessions
        WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > ${ctx.now}
        ORDER BY coalesce(last_seen_at, created_at) DESC, id DESC LIMIT 200`,
  );
  return rows.map((r) => ({
    id: r.id,
    createdAt: new Date(r.created_at),
    lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at) : null,
    expiresAt: new Date(r.expires_at),
    ip: r.ip,
    userAgent: r.user_agent,
    method: r.auth_method,
    current: r.id === ctx.actor?.sessionId,
  }));
}

async function userExists(ctx: Ctx, userId: string): Promise<void> {
  const [u] = await queryRows<{ id: string }>(ctx.db, sql`SELECT id FROM users WHERE id = ${userId}`);
  if (!u) throw notFound('USER_NOT_FOUND', 'tài khoản');
}

/** The signed-in user's live sessions, the current one marked. */
export async function listOwnSessions(ctx: Ctx): Promise<SessionInfo[]> {
  return liveSessions(ctx, requireActor(ctx.actor).userId);
}

/** A user's live sessions (administrators). Errors: USER_NOT_FOUND. */
export async function listUserSessions(ctx: Ctx, userId: string): Promise<SessionInfo[]> {
  requireRole(ctx.actor, 'admin');
  await userExists(ctx, userId);
  return liveSessions(ctx, userId);
}

async function revokeOne(ctx: Ctx, sessions: SessionStore, userId: string, sessionId: string, by: 'self' | 'admin') {
  const [s] = await queryRows<{ id: string }>(
    ctx.db,
    sql`SELECT id FROM sessions WHERE id = ${sessionId} AND user_id = ${userId} AND revoked_at IS NULL AND expires_at > ${ctx.now}`,
  );
  if (!s) throw notFound('SESSION_NOT_FOUND', 'phiên đăng nhập');
  await ctx.db.transaction(async (tx) => {
    await sessions.revoke(tx, sessionId, ctx.now);
    await writeAudit({ ...ctx, db: tx }, { action: 'session.revoke', targetType: 'session', targetId: sessionId, details: { userId, by } });
  });
}

/** Ends one of the caller's sessions (the current one included). Errors: SESSION_NOT_FOUND (also for another user's session). */
export async function revokeOwnSession(ctx: Ctx, sessions: SessionStore, sessionId: string): Promise<void> {
  await revokeOne(ctx, sessions, requireActor(ctx.actor).userId, sessionId, 'self');
}

/** Ends every session of the caller except the current one; returns how many. */
export async function revokeOtherSessions(ctx: Ctx, sessions: SessionStore): Promise<number> {
  const actor = requireActor(ctx.actor);
  return ctx.db.transaction(async (tx) => {
    const ids = await sessions.revokeAllOf(tx, actor.userId, ctx.now, actor.sessionId);
    await writeAudit({ ...ctx, db: tx }, { action: 'session.revoke_others', targetType: 'user', targetId: actor.userId, details: { count: ids.length } });
    return ids.length;
  });
}

/** Ends one session of any user (administrators). Errors: USER_NOT_FOUND, SESSION_NOT_FOUND. */
export async function revokeUserSession(ctx: Ctx, sessions: SessionStore, userId: string, sessionId: string): Promise<void> {
  requireRole(ctx.actor, 'admin');
  await userExists(ctx, userId);
  await revokeOne(ctx, sessions, userId, sessionId, 'admin');
}

/** Ends every session of a user (administrators); returns how many. Errors: USER_NOT_FOUND. */
export async function revokeAllUserSessions(ctx: Ctx, sessions: SessionStore, userId: string): Promise<number> {
  requireRole(ctx.actor, 'admin');
  await userExists(ctx, userId);
  return ctx.db.transaction(async (tx) => {
    const ids = await sessions.revokeAllOf(tx, userId, ctx.now, null);
    await writeAudit({ ...ctx, db: tx }, { action: 'session.revoke_all', targetType: 'user', targetId: userId, details: { count: ids.length, by: 'admin' } });
    return ids.length;
  });
}
