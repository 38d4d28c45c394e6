import type { FastifyBaseLogger } from 'fastify';
import { queryRows, sql, type Db } from '../db/client.ts';
import { jobs } from '../db/schema.ts';

/**
 * A job queue in PostgreSQL. Jobs are enqueued with the transaction of the change that caused
 * them (pass that transaction as `db`), so a rolled-back change never sends anything and a
 * committed one is never forgotten. Workers claim jobs with FOR UPDATE SKIP LOCKED, so any
 * number of instances can run them; a crashed worker's job is taken again when its lease ends.
 */
export interface EnqueueOptions {
  runAt?: Date;
  /** At most one job with this key ever exists (e.g. one reminder per dossier and day). */
  dedupeKey?: string;
  maxAttempts?: number;
}

export async function enqueueJob(db: Db, now: Date, type: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}): Promise<void> {
  const q = db.insert(jobs).values({
    type,
    payload,
    runAt: opts.runAt ?? now,
    createdAt: now,
    dedupeKey: opts.dedupeKey ?? null,
    maxAttempts: opts.maxAttempts ?? 8,
  });
  await (opts.dedupeKey ? q.onConflictDoNothing({ target: jobs.dedupeKey }) : q);
}

export interface JobRow {
  id: number;
  type: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

/**
 * A job handler. Jobs are delivered at least once (a worker may crash after the work and before
 * marking it done), so handlers must be idempotent: dedupe keys on what they write. A handler
 * opens its own transaction when it writes more than one statement that must go together.
 */
export type JobHandler = (job: JobRow, db: Db) => Promise<void>;

/**
 * A handler that can also run many jobs of its type in a few statements (e.g. one read and one
 * insert for twenty notifications instead of four round trips each). `many` must be idempotent
 * like a JobHandler and all-or-nothing: when it throws, the worker runs those jobs one by one
 * through `one`, so a bad job fails alone and is retried alone. `many` gets the jobs in the
 * order they were queued and must keep that order in what it writes.
 */
export interface BatchJobHandler {
  one: JobHandler;
  many: (jobs: JobRow[], db: Db) => Promise<void>;
}

export type JobHandlers = Record<string, JobHandler | BatchJobHandler>;

const runOne = (h: JobHandler | BatchJobHandler): JobHandler => (typeof h === 'function' ? h : h.one);

const LEASE_SECONDS = 300;

/** Retry delay after the n-th failed attempt: 10 s, 20 s, 40 s ... capped at one hour. */
export function backoffSeconds(attempts: number): number {
  return Math.min(3600, 10 * 2 ** Math.max(0, attempts - 1));
}

export class JobWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  private scheduler: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: Db,
    private readonly handlers: JobHandlers,
    private readonly log: FastifyBaseLogger,
    private readonly opts: {
      pollMs?: number;
      batch?: number;
      /** Jobs of a batch run at once (default 8): their commits then share disk flushes. */
      concurrency?: number;
      schedules?: { type: string; everyMs: number }[];
    } = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
    if (this.opts.schedules?.length) {
      void this.enqueueScheduled();
      this.scheduler = setInterval(() => void this.enqueueScheduled(), 60_000);
      this.scheduler.unref();
    }
  }

  /**
   * Periodic jobs: every instance offers the job for the current period, and the dedupe key
   * (type and period number) lets exactly one through, however many instances run.
   */
  async enqueueScheduled(now = new Date()): Promise<void> {
    for (const s of this.opts.schedules ?? []) {
      const period = Math.floor(now.getTime() / s.everyMs);
      await enqueueJob(this.db, now, s.type, { period }, { dedupeKey: `schedule:${s.type}:${period}`, maxAttempts: 3 }).catch((err: unknown) =>
        this.log.warn({ err, type: s.type }, 'could not schedule a periodic job'),
      );
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.scheduler) clearInterval(this.scheduler);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then((n) => this.schedule(n > 0 ? 0 : (this.opts.pollMs ?? 1000)))
        .catch((err: unknown) => {
          this.log.error({ err }, 'job worker loop failed');
          this.schedule(this.opts.pollMs ?? 1000);
        });
    }, ms);
    this.timer.unref();
  }

  /**
   * Claims and runs one batch of due jobs, oldest first (ties in the order they were inserted);
   * returns how many it ran. The jobs of a type with a batch handler go to it together, in queue
   * order. Of the others, jobs about one dossier run one after another in the order they were
   * queued (its messages go out in order), and the rest side by side, up to `concurrency` at a time.
   */
  async runOnce(): Promise<number> {
    const claimed = await queryRows<JobRow & { run_at: Date | string }>(
      this.db,
      sql`UPDATE jobs SET status = 'running', attempts = attempts + 1,
            locked_until = now() + make_interval(secs => ${LEASE_SECONDS})
          WHERE id IN (
            SELECT id FROM jobs
            WHERE (status = 'pending' AND run_at <= now()) OR (status = 'running' AND locked_until < now())
            ORDER BY run_at, id LIMIT ${this.opts.batch ?? 20}
            FOR UPDATE SKIP LOCKED)
          RETURNING id, type, payload, attempts, max_attempts, run_at`,
    );
    const queuedAt = (j: { run_at: Date | string }) => new Date(j.run_at).getTime();
    claimed.sort((a, b) => queuedAt(a) - queuedAt(b) || a.id - b.id);
    // Jobs of a type with a batch handler run together, in queue order (one dossier's too); the
    // others in lanes: one dossier's jobs one after another, other lanes side by side.
    const batches = new Map<string, JobRow[]>();
    const lanes = new Map<string, JobRow[]>();
    for (const { run_at: _runAt, ...job } of claimed) {
      const handler = this.handlers[job.type];
      const dossierId = job.payload?.dossierId;
      const [groups, key] =
        handler && typeof handler !== 'function' ? [batches, job.type] : [lanes, typeof dossierId === 'string' ? `dossier:${dossierId}` : `job:${job.id}`];
      const queue = groups.get(key);
      if (queue) queue.push(job);
      else groups.set(key, [job]);
    }
    const done: number[] = [];
    const waiting = [...lanes.values()];
    const runLanes = async () => {
      for (let lane = waiting.shift(); lane; lane = waiting.shift()) {
        for (const job of lane) if (await this.runJob(job)) done.push(job.id);
      }
    };
    const runBatch = async (type: string, batch: JobRow[]) => {
      const handler = this.handlers[type] as BatchJobHandler;
      if (batch.length > 1) {
        try {
          await handler.many(batch, this.db);
          done.push(...batch.map((j) => j.id));
          return;
        } catch (err) {
          this.log.warn({ type, jobs: batch.length, err: err instanceof Error ? err.message : String(err) }, 'job batch failed, running its jobs one by one');
        }
      }
      for (const job of batch) if (await this.runJob(job)) done.push(job.id);
    };
    await Promise.all([
      ...[...batches].map(([type, batch]) => runBatch(type, batch)),
      ...Array.from({ length: Math.min(this.opts.concurrency ?? 8, waiting.length) }, runLanes),
    ]);
    if (done.length) {
      await this.db.execute(
        sql`UPDATE jobs SET status = 'done', finished_at = now(), locked_until = NULL, last_error = NULL
            WHERE id IN (${sql.join(
              done.map((id) => sql`${id}`),
              sql`, `,
            )})`,
      );
    }
    return claimed.length;
  }

  /** Runs one job; true when it succeeded (the caller marks successes done together). */
  private async runJob(job: JobRow): Promise<boolean> {
    const handler = this.handlers[job.type];
    try {
      if (!handler) throw new Error(`no handler for job type ${job.type}`);
      await runOne(handler)(job, this.db);
      return true;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const final = job.attempts >= job.max_attempts;
      this.log.warn({ jobId: job.id, type: job.type, attempts: job.attempts, err: message }, final ? 'job failed for good' : 'job failed, will retry');
      await this.db.execute(
        final
          ? sql`UPDATE jobs SET status = 'failed', finished_at = now(), locked_until = NULL, last_error = ${message} WHERE id = ${job.id}`
          : sql`UPDATE jobs SET status = 'pending', locked_until = NULL, last_error = ${message},
                  run_at = now() + make_interval(secs => ${backoffSeconds(job.attempts)}) WHERE id = ${job.id}`,
      );
      return false;
    }
  }
}
