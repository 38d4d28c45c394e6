import { sql, type Db } from '../../db/client.ts';
import type { JobHandler } from '../../platform/jobs.ts';

/**
 * Housekeeping: sign-in attempts matter for 30 minutes (lockout.ts) and challenges for 5; both
 * are pruned after a day (the audit log keeps the history). A session that ended (expired or
 * signed out) is kept 30 days, for the account's own view and export, then deleted: its address
 * and browser are personal data with no further use (the audit log keeps the sign-ins).
 */
export const KEEP_MS = 86_400_000;
export const ENDED_SESSION_KEEP_MS = 30 * 86_400_000;

export async function pruneSignInRecords(db: Db, now = new Date()): Promise<{ attempts: number; challenges: number; sessions: number }> {
  const before = new Date(now.getTime() - KEEP_MS);
  const endedBefore = new Date(now.getTime() - ENDED_SESSION_KEEP_MS);
  const a = (await db.execute(sql`WITH d AS (DELETE FROM auth_attempts WHERE at < ${before} RETURNING 1) SELECT count(*)::int AS n FROM d`)) as unknown as { rows: { n: number }[] };
  const c = (await db.execute(sql`WITH d AS (DELETE FROM auth_challenges WHERE expires_at < ${before} RETURNING 1) SELECT count(*)::int AS n FROM d`)) as unknown as { rows: { n: number }[] };
  const s = (await db.execute(
    sql`WITH d AS (DELETE FROM sessions WHERE least(expires_at, coalesce(revoked_at, expires_at)) < ${endedBefore} RETURNING 1) SELECT count(*)::int AS n FROM d`,
  )) as unknown as { rows: { n: number }[] };
  return { attempts: Number(a.rows[0]?.n ?? 0), challenges: Number(c.rows[0]?.n ?? 0), sessions: Number(s.rows[0]?.n ?? 0) };
}

export const identityJobHandlers: Record<string, JobHandler> = {
  'identity.prune': async (_job, db) => {
    await pruneSignInRecords(db);
  },
};

export const identitySchedules = [{ type: 'identity.prune', everyMs: 3_600_000 }];
