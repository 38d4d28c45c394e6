import { sql, type Db } from '../../db/client.ts';
import { deleteInBatches } from '../../platform/housekeeping.ts';
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
  return {
    attempts: await deleteInBatches(
      db,
      (limit) => sql`DELETE FROM auth_attempts WHERE id IN (SELECT id FROM auth_attempts WHERE at < ${before} LIMIT ${limit}) RETURNING 1`,
    ),
    challenges: await deleteInBatches(
      db,
      (limit) => sql`DELETE FROM auth_challenges WHERE id IN (SELECT id FROM auth_challenges WHERE expires_at < ${before} LIMIT ${limit}) RETURNING 1`,
    ),
    sessions: await deleteInBatches(
      db,
      (limit) => sql`DELETE FROM sessions WHERE id IN (
        SELECT id FROM sessions WHERE least(expires_at, coalesce(revoked_at, expires_at)) < ${endedBefore} LIMIT ${limit}) RETURNING 1`,
    ),
  };
}

export const identityJobHandlers: Record<string, JobHandler> = {
  'identity.prune': async (_job, db) => {
    await pruneSignInRecords(db);
  },
};

export const identitySchedules = [{ type: 'identity.prune', everyMs: 3_600_000 }];
