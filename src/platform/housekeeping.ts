import { queryRows, sql, type Db } from '../db/client.ts';
import { PRUNE_BATCH, PRUNE_MAX_BATCHES, pruneJobs, type JobHandlers } from './jobs.ts';

/**
 * The platform's hourly housekeeping (`platform.prune`): tables that would otherwise grow with
 * every request keep only what still has a use.
 * - `jobs`: finished jobs after JOB_RETENTION (done 7 days, failed 90; platform/jobs.ts).
 * - `idempotency_keys`: after IDEMPOTENCY_DAYS. A client retrying a request (a lost answer, a
 *   double click, an app resending after a reconnect) does so within minutes or hours; within
 *   the window the retry is answered as the first use was, after it the key is free again.
 */
export const PRUNE_JOB = 'platform.prune';
export const IDEMPOTENCY_DAYS = 30;

/** Deletes idempotency records older than `days`, a few thousand per statement, at most PRUNE_MAX_BATCHES statements; returns how many. */
export async function pruneIdempotencyKeys(db: Db, now: Date = new Date(), days: number = IDEMPOTENCY_DAYS): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  let total = 0;
  for (let batch = 0; batch < PRUNE_MAX_BATCHES; batch++) {
    const [r] = await queryRows<{ n: number }>(
      db,
      sql`WITH gone AS (
            DELETE FROM idempotency_keys WHERE (user_id, scope, key) IN (
              SELECT user_id, scope, key FROM idempotency_keys WHERE created_at < ${before} LIMIT ${PRUNE_BATCH})
            RETURNING 1)
          SELECT count(*)::int AS n FROM gone`,
    );
    const n = Number(r?.n ?? 0);
    total += n;
    if (n < PRUNE_BATCH) break;
  }
  return total;
}

export const housekeepingHandlers: JobHandlers = {
  [PRUNE_JOB]: async (_job, db) => {
    await pruneJobs(db);
    await pruneIdempotencyKeys(db);
  },
};
export const housekeepingSchedules = [{ type: PRUNE_JOB, everyMs: 3_600_000 }];
