import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import { sql, type SQL } from 'drizzle-orm';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
/** A database handle or an open transaction: use cases take either, so they compose. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Runs a multi-statement SQL script outside any transaction. */
  execScript(text: string): Promise<void>;
  /** Runs `fn` in one transaction on one connection, with multi-statement scripts allowed (migrations). */
  scriptTransaction<T>(fn: (s: ScriptSession) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ScriptSession {
  exec(text: string): Promise<void>;
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
}

export interface OpenOptions {
  databaseUrl?: string | undefined;
  /** PGlite data folder; ':memory:' for an in-memory database (tests). */
  dataDir?: string;
  poolSize?: number;
}

/** Opens PostgreSQL when a URL is given, otherwise the embedded PGlite in `dataDir`. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolSize ?? 20);
  return openPglite(opts.dataDir ?? ':memory:');
}

/**
 * The PostgreSQL driver, loaded when a DATABASE_URL is used (the embedded default never needs
 * it: ~0.25 s of CPU and ~20 MB less at start, docs/PERFORMANCE.md).
 */
async function loadPg(): Promise<{ pg: typeof pg; drizzlePg: typeof import('drizzle-orm/node-postgres').drizzle }> {
  const [{ default: driver }, { drizzle }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres')]);
  // Postgres returns bigint/numeric as strings by default; counts we read fit in a JS number.
  driver.types.setTypeParser(20, (v) => Number(v));
  driver.types.setTypeParser(1700, (v) => Number(v));
  return { pg: driver, drizzlePg: drizzle };
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const { pg, drizzlePg } = await loadPg();
  // Every session works in Vietnamese time (set at connection start, so no query races it).
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000, options: '-c TimeZone=Asia/Ho_Chi_Minh' });
  pool.on('error', () => {
    // An idle client died (server restart): the pool replaces it; queries report their own errors.
  });
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  namedRunners.set(db, async (name, text, values) => (await pool.query({ name, text, values: values as unknown[] })).rows);
  return {
    kind: 'postgres',
    db,
    async execScript(text) {
      await pool.query(text);
    },
    async scriptTransaction(fn) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const result = await fn({
          exec: async (text) => {
            await c.query(text);
          },
          query: async <T>(text: string, params?: unknown[]) => (await c.query(text, params)).rows as T[],
        });
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}

/** The PostgreSQL major version of the installed PGlite (its data folders say it in PG_VERSION). */
export const PGLITE_PG_MAJOR = 18;

/**
 * PGlite's start parameters (docs/DATABASE.md, "PGlite settings"): its defaults, less `-F`
 * (fsync off), so that a commit is on disk before it is acknowledged, with the write-ahead log
 * flushed by fsync() (PGlite's file layer implements fsync only, see `durableNodeFs`); and a
 * 16 MB buffer pool instead of 128 MB (the data files stay in the OS page cache anyway; 128 MB
 * cost ~120 MB of RSS and ~0.4 s at every start, docs/PERFORMANCE.md).
 */
export function pgliteStartParams(defaults: readonly string[], opts: { durable: boolean }): string[] {
  const params = opts.durable ? defaults.filter((p) => p !== '-F') : [...defaults];
  if (opts.durable) params.push('-c', 'fsync=on', '-c', 'wal_sync_method=fsync', '-c', 'synchronous_commit=on');
  params.push('-c', 'shared_buffers=16MB');
  return params;
}

interface EmscriptenStream {
  nfd?: number;
}
interface EmscriptenModule {
  NODEFS: { stream_ops: { fsync?: (stream: EmscriptenStream) => number } };
}

type PreRun = NonNullable<Awaited<ReturnType<NodeFS['init']>>['emscriptenOpts']['preRun']>[number];

/**
 * PGlite's Node file system, with fsync made real: the Emscripten layer under PGlite has no fsync
 * for files on the host (a call is accepted and does nothing), so this adds one that calls
 * fsync(2) on the host file. PostgreSQL then flushes the WAL at each commit and the data files at
 * each checkpoint, as on a server; `fdatasync` stays a no-op, hence `wal_sync_method=fsync`.
 */
class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const r = await super.init(pg, opts);
    const addFsync: PreRun = (mod) => {
      (mod as unknown as EmscriptenModule).NODEFS.stream_ops.fsync = (stream) => {
        if (stream.nfd !== undefined) fsSync.fsyncSync(stream.nfd);
        return 0;
      };
    };
    const preRun = r.emscriptenOpts.preRun ?? [];
    return { ...r, emscriptenOpts: { ...r.emscriptenOpts, preRun: [addFsync, ...preRun] } };
  }
}

/** The PostgreSQL major version of a PGlite data folder, or null when there is none yet. */
export async function pgliteFolderMajor(dataDir: string): Promise<number | null> {
  try {
    return Number((await fs.readFile(path.join(dataDir, 'PG_VERSION'), 'utf8')).trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export class PgliteVersionError extends Error {}

async function openPglite(dataDir: string): Promise<Database> {
  return pgliteDatabase(await openPgliteClient(dataDir));
}

/**
 * Opens the installed PGlite on a data folder (created when missing; ':memory:' for none), with
 * the start parameters above. A folder made by an older PostgreSQL major is refused with a clear
 * message: src/db/pglite-upgrade.ts upgrades it first (the server and the CLI do that at start).
 */
export async function openPgliteClient(dataDir: string): Promise<PGlite> {
  let client: PGlite;
  if (dataDir === ':memory:') {
    client = new PGlite({ startParams: pgliteStartParams(PGlite.defaultStartParams, { durable: false }) });
  } else {
    const major = await pgliteFolderMajor(dataDir);
    if (major !== null && major !== PGLITE_PG_MAJOR) {
      throw new PgliteVersionError(
        `The data folder ${dataDir} was made by PostgreSQL ${major}; this version embeds PostgreSQL ${PGLITE_PG_MAJOR}. ` +
          'Start the server (or run `npm run admin -- upgrade-data`) to upgrade it (docs/DATABASE.md).',
      );
    }
    await fs.mkdir(path.resolve(dataDir), { recursive: true });
    client = new PGlite({ fs: new DurableNodeFS(dataDir), startParams: pgliteStartParams(PGlite.defaultStartParams, { durable: true }) });
  }
  await client.waitReady;
  return client;
}

/** The subset of a PGlite client we use (the same in PGlite 0.3, used only to upgrade old folders). */
export interface PgliteClient {
  exec(text: string): Promise<unknown>;
  query<T>(text: string, params?: unknown[], opts?: { blob?: Blob | File }): Promise<{ rows: T[]; blob?: Blob | File | undefined }>;
  transaction<T>(
    fn: (tx: { exec(text: string): Promise<unknown>; query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }> }) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
}

/** A `Database` around an open PGlite client (of either PGlite version). */
export async function pgliteDatabase(client: PgliteClient): Promise<Database> {
  await client.exec("SET TIME ZONE 'Asia/Ho_Chi_Minh'");
  const db = drizzlePglite({ client: client as unknown as PGlite, schema }) as unknown as Db;
  // PGlite is one session: each named statement is prepared once (PREPARE) and then executed.
  const preparedNames = new Set<string>();
  pgliteRunners.set(db, async (name, text, params) => {
    const args = params.map(sqlLiteral);
    if (args.includes(null)) return (await client.query(text, params)).rows;
    if (!preparedNames.has(name)) {
      await client.exec(`PREPARE ${name} AS ${text}`);
      preparedNames.add(name);
    }
    return (await client.query(`EXECUTE ${name}(${args.join(', ')})`)).rows;
  });
  return {
    kind: 'pglite',
    db,
    async execScript(text) {
      await client.exec(text);
    },
    scriptTransaction(fn) {
      return client.transaction((tx) =>
        fn({
          exec: async (text) => {
            await tx.exec(text);
          },
          query: async <T>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)).rows,
        }),
      );
    },
    async ping() {
      await client.query('SELECT 1');
    },
    async close() {
      await client.close();
    },
  };
}

/**
 * A parameter as an SQL literal for EXECUTE (whose arguments cannot be bound parameters), or null
 * when it has no safe literal form (the caller then runs the statement unprepared). Strings are
 * quoted by doubling their quotes, which is exact with standard_conforming_strings (always on in
 * PostgreSQL 9.1+); the prepared statement's parameter types give the literals their types.
 */
export function sqlLiteral(p: unknown): string | null {
  if (p === null || p === undefined) return 'NULL';
  if (typeof p === 'number') return Number.isFinite(p) ? String(p) : null;
  if (typeof p === 'bigint') return String(p);
  if (typeof p === 'boolean') return p ? 'TRUE' : 'FALSE';
  const s = p instanceof Date ? (Number.isNaN(p.getTime()) ? null : p.toISOString()) : typeof p === 'string' ? p : null;
  return s === null || s.includes('\0') ? null : `'${s.replaceAll("'", "''")}'`;
}

/** Rows of a raw query, on either driver. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

type NamedRunner = (name: string, text: string, params: unknown[]) => Promise<unknown[]>;
const namedRunners = new WeakMap<Db, NamedRunner>();
const pgliteRunners = new WeakMap<Db, NamedRunner>();

/**
 * Whether `db` is a PostgreSQL server's pool (not PGlite, not a transaction): where reads made
 * together are worth grouping, since each query on its own wakes a server backend.
 */
export function isServerPool(db: Db): boolean {
  return namedRunners.has(db);
}
const dialect = new PgDialect();

/**
 * Rows of a raw statement run as a named prepared statement, so PostgreSQL plans it once per
 * connection (for the long write statements of the hot path). The statement's text must not
 * vary between calls with the same name. Inside a transaction handle it runs as a plain query.
 */
export async function queryNamed<T>(db: Db, name: string, query: SQL): Promise<T[]> {
  const run = namedRunners.get(db) ?? pgliteRunners.get(db);
  if (!run) return queryRows<T>(db, query);
  const { sql: text, params } = dialect.sqlToQuery(query);
  return (await run(name, text, params)) as T[];
}

export { sql };

const preparedCache = new WeakMap<Db, Map<string, unknown>>();

/**
 * A named prepared statement for this database handle, built once: PostgreSQL plans it once per
 * connection instead of on every request (planning dominates short queries on small machines).
 */
export function prepared<T>(db: Db, name: string, build: (db: Db, name: string) => T): T {
  let byName = preparedCache.get(db);
  if (!byName) preparedCache.set(db, (byName = new Map()));
  let p = byName.get(name) as T | undefined;
  if (p === undefined) {
    p = build(db, name);
    byName.set(name, p);
  }
  return p;
}

/** A named parameter of a prepared statement (Drizzle's `sql.placeholder`), bound at execute(). */
export const param = (name: string) => sql.placeholder(name);
