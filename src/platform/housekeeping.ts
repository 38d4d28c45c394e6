import type { SQL } from 'drizzle-orm';
import { queryRows, sql, type Db } from '../db/client.ts';
import type { JobHandlers } from './jobs.ts';

/**
 * The platform's hourly housekeeping (`platform.prune`): tables that would otherwise grow with
 * every request keep only what still has a use.
 * - `jobs`: finished jobs after JOB_RETENTION. No dedupe key outlives its use: schedule keys name
 *   a past period, and a delivery's key is also kept, for good, on its `notification_deliveries` row.
 * - `idempotency_keys`: after IDEMPOTENCY_DAYS. A client retrying a request (a lost answer, a
 *   double click, an app resending after a reconnect) does so within minutes or hours; within
 *   the window the retry is answered as the first use was, after it the key is free again.
 */
export const PRUNE_JOB = 'platform.prune';
/** How long finished jobs are kept: the queue's recent history (`/metrics`, investigating a failure). */
export const JOB_RETENTION = { doneDays: 7, failedDays: 90 } as const;
export const IDEMPOTENCY_DAYS = 30;

const DAY_MS = 86_400_000;
export const PRUNE_BATCH = 5_000;
/**
 * Batches one run deletes at most (250,000 rows): a first run on a table that was never pruned
 * stops well inside the job's lease, and the next hourly run goes on from there.
 */
export const PRUNE_MAX_BATCHES = 50;

/**
 * Runs `deleteBatch(limit)`, a DELETE of at most `limit` rows ending in `RETURNING 1`, until it
 * deletes fewer than PRUNE_BATCH rows or PRUNE_MAX_BATCHES statements have run (short locks,
 * bounded work per run); returns how many rows went.
 */
export async function deleteInBatches(db: Db, deleteBatch: (limit: number) => SQL): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < PRUNE_MAX_BATCHES; batch++) {
    const [r] = await queryRows<{ n: number }>(db, sql`WITH gone AS (${deleteBatch(PRUNE_BATCH)}) SELECT count(*)::int AS n FROM gone`);
    const n = Number(r?.n ?? 0);
    total += n;
    if (n < PRUNE_BATCH) break;
  }
  return total;
}

/** Deletes finished jobs older than their retention; returns how many. */
export async function pruneJobs(db: Db, now: Date = new Date(), retention: { doneDays: number; failedDays: number } = JOB_RETENTION): Promise<number> {
  const doneBefore = new Date(now.getTime() - retention.doneDays * DAY_MS);
  const failedBefore = new Date(now.getTime() - retention.failedDays * DAY_MS);
  return deleteInBatches(
    db,
    (limit) => sql`DELETE FROM jobs WHERE id IN (
      SELECT id FROM jobs WHERE (status = 'done' AND finished_at < ${doneBefore}) OR (status = 'failed' AND finished_at < ${failedBefore}) LIMIT ${limit})
      RETURNING 1`,
  );
}

/** Deletes idempotency records older than `days`; returns how many. */
export async function pruneIdempotencyKeys(db: Db, now: Date = new Date(), days: number = IDEMPOTENCY_DAYS): Promise<number> {
  const before = new Date(now.getTime() - days * DAY_MS);
  return deleteInBatches(
    db,
    (limit) => sql`DELETE FROM idempotency_keys WHERE (user_id, scope, key) IN (
      SELECT user_id, scope, key FROM idempotency_keys WHERE created_at < ${before} LIMIT ${limit})
      RETURNING 1`,
  );
}

export const housekeepingHandlers: JobHandlers = {
  [PRUNE_JOB]: async (_job, db) => {
    await pruneJobs(db);
    await pruneIdempotencyKeys(db);
  },
};
export const housekeepingSchedules = [{ type: PRUNE_JOB, everyMs: 3_600_000 }];
