import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { queryRows, sql, type Db } from '../db/client.ts';
import { sessions } from '../db/schema.ts';
import type { Actor, Role, RoleGrant } from './context.ts';
import { AppError } from './errors.ts';
import { newId } from './ids.ts';

/**
 * Sessions are opaque random tokens; the database keeps only an HMAC of each, so a leaked
 * database does not leak usable tokens. A short in-process cache (a few seconds) keeps the
 * lookup off the hot path. Revoking a session, or ending all of a user's (deactivating the account),
 * takes effect on this instance at once; other instances notice within CACHE_MS. Each session
 * records how it was authenticated and, at most once a minute, when it was last seen.
 */
const CACHE_MS = 5_000;
const CACHE_MAX = 10_000;
const LAST_SEEN_EVERY_MS = 60_000;

/**
 * When this process last ended every session of a user (`forgetSessionsOfUser`), on the monotonic
 * clock. A cached actor read before that moment is not used again by any session store of the
 * process, so a use case without a store at hand (deactivating an account) still takes effect on
 * this instance at once. Entries older than CACHE_MS are dropped: no cached actor outlives them.
 */
const sessionsEndedAt = new Map<string, number>();

/**
 * Makes every session store of this process look a user's sessions up again on their next use.
 * Call it after the transaction that ended them commits: a lookup that started before the commit
 * (and so still saw them live) is then not trusted either.
 */
export function forgetSessionsOfUser(userId: string): void {
  const now = performance.now();
  for (const [id, at] of sessionsEndedAt) if (now - at > CACHE_MS) sessionsEndedAt.delete(id);
  sessionsEndedAt.set(userId, now);
}

export type AuthMethod = 'password' | 'password+totp' | 'password+recovery' | 'vneid';

export class SessionStore {
  /** `readAt`: when the lookup that filled the entry started, on the monotonic clock (`performance.now()`). */
  private cache = new Map<string, { actor: Actor; expiresAt: number; readAt: number; seenAt: number }>();

  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
  ) {}

  hashToken(token: string): string {
    return createHmac('sha256', this.secret).update(token).digest('hex');
  }

  async create(db: Db, userId: string, now: Date, meta: { ip?: string | undefined; userAgent?: string | undefined; method?: AuthMethod | undefined }) {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    const id = newId(now.getTime());
    await db.insert(sessions).values({
      id,
      userId,
      tokenHash: this.hashToken(token),
      createdAt: now,
      expiresAt,
      ip: meta.ip ?? null,
      userAgent: meta.userAgent?.slice(0, 300) ?? null,
      authMethod: meta.method ?? 'password',
      lastSeenAt: now,
    });
    return { token, expiresAt, sessionId: id };
  }

  async revoke(db: Db, sessionId: string, now: Date): Promise<void> {
    await db.execute(sql`UPDATE sessions SET revoked_at = ${now} WHERE id = ${sessionId} AND revoked_at IS NULL`);
    this.forget((a) => a.sessionId === sessionId);
  }

  /** Revokes every live session of a user except `keep`; returns the ids revoked. */
  async revokeAllOf(db: Db, userId: string, now: Date, keep?: string | null): Promise<string[]> {
    const ids = await endSessionsOf(db, userId, now, keep);
    const ended = new Set(ids);
    this.forget((a) => !!a.sessionId && ended.has(a.sessionId));
    return ids;
  }

  /** Drops cached actors (after a revocation, or a change to an account's roles). */
  forget(match: (a: Actor) => boolean): void {
    for (const [k, v] of this.cache) if (match(v.actor)) this.cache.delete(k);
  }

  /** The actor behind a bearer token, or null when the token is unknown, expired or revoked. */
  async resolve(db: Db, token: string): Promise<Actor | null> {
    const hash = this.hashToken(token);
    const nowMs = Date.now();
    const readAt = performance.now();
    const hit = this.cache.get(hash);
    if (hit && readAt - hit.readAt < CACHE_MS && hit.expiresAt > nowMs && (sessionsEndedAt.get(hit.actor.userId) ?? -Infinity) < hit.readAt) return hit.actor;
    const row = await loadActor(db, sql`s.token_hash = ${hash} AND s.revoked_at IS NULL AND s.expires_at > now()`);
    if (!row) {
      this.cache.delete(hash);
      return null;
    }
    let seenAt = Math.max(row.lastSeenAt?.getTime() ?? 0, hit?.seenAt ?? 0);
    if (nowMs - seenAt >= LAST_SEEN_EVERY_MS && row.actor.sessionId) {
      await db.execute(sql`UPDATE sessions SET last_seen_at = ${new Date(nowMs)} WHERE id = ${row.actor.sessionId}`);
      seenAt = nowMs;
    }
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { actor: row.actor, expiresAt: row.expiresAt.getTime(), readAt, seenAt });
    return row.actor;
  }
}

/**
 * Ends every live session of a user except `keep` in the database (`revoked_at`), the way a
 * sign-out does; returns the ids ended. Run it in the transaction that writes the audit record,
 * then drop the sessions from the cache: `SessionStore.revokeAllOf` does both for its own store;
 * without a store, `forgetSessionsOfUser` after the commit.
 */
export async function endSessionsOf(db: Db, userId: string, now: Date, keep?: string | null): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`UPDATE sessions SET revoked_at = ${now}
        WHERE user_id = ${userId} AND revoked_at IS NULL AND expires_at > ${now} AND (${keep ?? null}::uuid IS NULL OR id <> ${keep ?? null}::uuid)
        RETURNING id`,
  );
  return rows.map((r) => r.id);
}

/**
 * SQL for the agency ids one grant `r` (a user_roles row) covers: its agency and, when it
 * includes children, every agency below it.
 */
const grantScopeSql = sql.raw(`coalesce((WITH RECURSIVE sc(id) AS (
                        SELECT r.agency_id WHERE r.agency_id IS NOT NULL
                        UNION
                        SELECT c.id FROM agencies c JOIN sc ON c.parent_id = sc.id WHERE r.include_children)
                      SELECT json_agg(id) FROM sc), '[]'::json)`);

interface ActorRow {
  session_id: string | null;
  expires_at: Date | string | null;
  last_seen_at: Date | string | null;
  id: string;
  username: string;
  display_name: string;
  kind: Actor['kind'];
  roles: RoleGrant[] | string;
}

const parseJson = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

async function loadActor(db: Db, where: ReturnType<typeof sql>): Promise<{ actor: Actor; expiresAt: Date; lastSeenAt: Date | null } | null> {
  const [row] = await queryRows<ActorRow>(
    db,
    sql`SELECT s.id AS session_id, s.expires_at, s.last_seen_at, u.id, u.username, u.display_name, u.kind,
          coalesce((SELECT json_agg(json_build_object('role', r.role, 'agencyId', r.agency_id, 'agencyCode', a.code,
                      'includeChildren', r.include_children, 'scope', ${grantScopeSql}) ORDER BY r.role)
                    FROM user_roles r LEFT JOIN agencies a ON a.id = r.agency_id WHERE r.user_id = u.id), '[]'::json) AS roles
        FROM sessions s JOIN users u ON u.id = s.user_id
        WHERE ${where} AND u.is_active`,
  );
  if (!row) return null;
  const roles = parseJson(row.roles);
  return {
    actor: {
      userId: row.id,
      username: row.username,
      displayName: row.display_name,
      kind: row.kind,
      roles,
      agencyScope: [...new Set(roles.flatMap((g) => g.scope))],
      sessionId: row.session_id,
    },
    expiresAt: new Date(row.expires_at ?? 0),
    lastSeenAt: row.last_seen_at ? new Date(row.last_seen_at) : null,
  };
}

/**
 * `Authorization: Bearer <token>` as RFC 9110 §11 and RFC 6750 §2.1 write it: the scheme name is
 * case-insensitive (`Bearer`, `bearer`, `BEARER`), one or more spaces (`1*SP`, not tabs) separate
 * it from the token, and whitespace around the whole value is not part of it (§5.5). The token must
 * have the shape of ours (base64url, 20–200 characters).
 */
const BEARER = /^bearer +([A-Za-z0-9_-]{20,200})$/i;

/** The token of an Authorization header value, or null when it is not a bearer token of ours. */
export function parseBearer(value: string): string | null {
  return BEARER.exec(value.replace(/^[ \t]+|[ \t]+$/g, ''))?.[1] ?? null;
}

/**
 * Reads `Authorization: Bearer <token>` (see `parseBearer`); null when the header is absent. Any
 * other value is a 401 AUTH_TOKEN_MALFORMED rather than being ignored, so a client with a broken
 * header learns it instead of being served as a visitor.
 */
export function bearerToken(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (!h) return null;
  const token = parseBearer(h);
  if (token === null) throw new AppError('unauthenticated', 'AUTH_TOKEN_MALFORMED', { userMessage: 'Mã phiên đăng nhập không hợp lệ.' });
  return token;
}

export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw new AppError('unauthenticated', 'AUTH_REQUIRED', { userMessage: 'Bạn cần đăng nhập để tiếp tục.' });
  return actor;
}

export function requireRole(actor: Actor | null, ...roles: Role[]): Actor {
  const a = requireActor(actor);
  if (!a.roles.some((r) => roles.includes(r.role))) {
    throw new AppError('forbidden', 'ROLE_REQUIRED', {
      userMessage: 'Tài khoản của bạn không có quyền thực hiện việc này.',
      details: { requiredRoles: roles },
    });
  }
  return a;
}
