import type { Db } from './client.ts';

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

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly maxGroup = 100,
  ) {}

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
    c = new GroupRunner<T, R>((items) => run(db, items), maxGroup);
    byName.set(name, c as GroupRunner<unknown, unknown>);
  }
  return c;
}
