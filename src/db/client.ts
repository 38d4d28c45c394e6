import fs from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { PgDialect, type PgDatabase, type PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import pg from 'pg';
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

// Postgres returns bigint/numeric as strings by default; counts we read fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

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

async function openPostgres(url: string, max: number): Promise<Database> {
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
          query: async <T,>(text: string, params?: unknown[]) => (await c.query(text, params)).rows as T[],
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

async function openPglite(dataDir: string): Promise<Database> {
  let client: PGlite;
  if (dataDir === ':memory:') {
    client = new PGlite();
  } else {
    await fs.mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
    client = new PGlite(dataDir);
  }
  await client.waitReady;
  await client.exec("SET TIME ZONE 'Asia/Ho_Chi_Minh'");
  const db = drizzlePglite({ client, schema }) as unknown as Db;
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
          query: async <T,>(text: string, params?: unknown[]) => (await tx.query<T>(text, params)).rows,
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

/** Rows of a raw query, on either driver. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown as { rows: T[] };
  return res.rows;
}

type NamedRunner = (name: string, text: string, params: unknown[]) => Promise<unknown[]>;
const namedRunners = new WeakMap<Db, NamedRunner>();
const dialect = new PgDialect();

/**
 * Rows of a raw statement run as a named prepared statement, so PostgreSQL plans it once per
 * connection (for the long write statements of the hot path). The statement's text must not
 * vary between calls with the same name. Inside a transaction handle it runs as a plain query.
 */
export async function queryNamed<T>(db: Db, name: string, query: SQL): Promise<T[]> {
  const run = namedRunners.get(db);
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
