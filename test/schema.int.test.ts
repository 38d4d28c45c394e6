import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, sql, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import * as schema from '../src/db/schema.ts';
import { createPostgresDatabase } from './harness.ts';

/** schema.ts is a hand-kept mirror of the migrations: this test fails when they drift apart. */
let database: Database;
let drop: (() => Promise<void>) | undefined;

beforeAll(async () => {
  const pg = process.env.TEST_DATABASE_URL ? await createPostgresDatabase(process.env.TEST_DATABASE_URL) : null;
  drop = pg?.drop;
  database = await openDatabase({ databaseUrl: pg?.url, dataDir: ':memory:' });
  await migrate(database);
});
afterAll(async () => {
  await database?.close();
  await drop?.();
});

const tables = Object.values(schema as Record<string, unknown>).filter(
  (v): v is PgTable => typeof v === 'object' && v !== null && Symbol.for('drizzle:IsDrizzleTable') in v,
);

describe('schema.ts and the migrations', () => {
  it('declares every table the migrations create, with the same columns, nullability and types', async () => {
    const rows = await queryRows<{ table_name: string; column_name: string; is_nullable: 'YES' | 'NO'; udt_name: string }>(
      database.db,
      sql`SELECT table_name, column_name, is_nullable, udt_name FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name, column_name`,
    );
    const db = new Map<string, Map<string, { nullable: boolean; type: string }>>();
    for (const r of rows) {
      if (!db.has(r.table_name)) db.set(r.table_name, new Map());
      db.get(r.table_name)!.set(r.column_name, { nullable: r.is_nullable === 'YES', type: r.udt_name });
    }
    const declared = new Map(tables.map((t) => [getTableConfig(t).name, getTableConfig(t)]));
    expect([...declared.keys()].sort()).toEqual([...db.keys()].sort());
    const typeOf: Record<string, string> = {
      PgUUID: 'uuid',
      PgText: 'text',
      PgTimestamp: 'timestamptz',
      PgDateString: 'date',
      PgInteger: 'int4',
      PgBigInt53: 'int8',
      PgBoolean: 'bool',
      PgJsonb: 'jsonb',
    };
    for (const [name, cfg] of declared) {
      const cols = db.get(name)!;
      expect(cfg.columns.map((c) => c.name).sort(), name).toEqual([...cols.keys()].sort());
      for (const c of cfg.columns) {
        const actual = cols.get(c.name)!;
        expect({ column: `${name}.${c.name}`, nullable: !c.notNull, type: typeOf[c.columnType] ?? c.columnType }).toEqual({
          column: `${name}.${c.name}`,
          nullable: actual.nullable,
          type: actual.type,
        });
      }
    }
  });
});
