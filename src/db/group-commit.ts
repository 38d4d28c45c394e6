import type { Db } from './client.ts';

/** What the groups of one kind have done in this process since it started (for /metrics). */
export interface GroupStats {
  groups: number;
  items: number;
  seconds: number;
  largest: number;
}
const stats = new Map<string, GroupStats>();

/** Per kind of grouped write or read: groups run, items carried, time spent, largest group. */
export function groupStats(): ReadonlyMap<string, Readonly<GroupStats>> {
  return stats;
}

/**
 * Group commit for hot writes (and grouped queries for hot reads).
 *
 * Every write that records an audit entry queues for the head of the audit chain, and holds it
 * until its commit is on disk (migration 0009). Written one by one, such writes are strictly
 * serial: the database spends most of its time waiting for one commit after another. Written in
 * groups, one statement (one plan, one turn at the chain head, one disk flush) carries many.
 *
 * Requests arriving while a group is being written wait for the next group; a lone request is
 * written at once, so an idle system adds no delay. `run` must write a whole group in ONE
 * statement (atomic without an explicit transaction) and return one result per item, in order.
 * If a group fails as a whole, its items are written one by one, so one bad item cannot fail the
 * others, and each caller gets its own result or error.
 *
 * The same grouping serves the hottest read, the public lookup: lookups arriving while one query
 * runs are answered by the next query together (one round trip, one plan execution, always
 * fresh from the database).
 */
export class GroupRunner<T, R> {
  private pending: { item: T; resolve: (r: R) => void; reject: (err: unknown) => void }[] = [];
  private draining = false;

  private readonly stats: GroupStats;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly maxGroup = 100,
    /** The kind, for groupStats(); runners of one kind (several database handles) add up. */
    name = 'unnamed',
  ) {
    let s = stats.get(name);
    if (!s) stats.set(name, (s = { groups: 0, items: 0, seconds: 0, largest: 0 }));
    this.stats = s;
  }

  /** Writes one item with the next group; resolves to its result. */
  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length) {
        const group = this.pending.splice(0, this.maxGroup);
        const started = performance.now();
        this.stats.groups++;
        this.stats.items += group.length;
        this.stats.largest = Math.max(this.stats.largest, group.length);
        try {
          const results = await this.run(group.map((p) => p.item));
          group.forEach((p, i) => p.resolve(results[i]!));
        } catch (err) {
          if (group.length === 1) group[0]!.reject(err);
          else {
            for (const p of group) {
              try {
                p.resolve((await this.run([p.item]))[0]!);
              } catch (e) {
                p.reject(e);
              }
            }
          }
        }
        // The group's time, its retries one by one included.
        this.stats.seconds += (performance.now() - started) / 1000;
      }
    } finally {
      this.draining = false;
    }
  }
}

const runners = new WeakMap<Db, Map<string, GroupRunner<unknown, unknown>>>();

/**
 * The runner named `name` of a database handle: one per process, database and kind of write (or read).
 * A transaction handle gets its own, so its writes stay inside that transaction.
 */
export function groupRunnerFor<T, R>(db: Db, name: string, run: (db: Db, items: T[]) => Promise<R[]>, maxGroup?: number): GroupRunner<T, R> {
  let byName = runners.get(db);
  if (!byName) runners.set(db, (byName = new Map()));
  let c = byName.get(name) as GroupRunner<T, R> | undefined;
  if (!c) {
    c = new GroupRunner<T, R>((items) => run(db, items), maxGroup, name);
    byName.set(name, c as GroupRunner<unknown, unknown>);
  }
  return c;
}

/**
 * A grouped read's answer: for each key asked, in order, its row (found by `keyOf`) or null.
 * Keys asked twice get the same row.
 */
export function inKeyOrder<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): (R | null)[] {
  const found = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => found.get(k) ?? null);
}
