import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { pgliteDatabase, queryNamed, sql } from '../src/db/client.ts';

describe('queryNamed on PGlite', () => {
  it('prepares once and executes with the values intact, quotes and backslashes included', async () => {
    const database = await pgliteDatabase(new PGlite());
    try {
      const tricky = [{ id: '00000000-0000-7000-8000-000000000001', s: "O'Brien \\ '); DROP TABLE x; --", n: 3, at: '2026-11-27T10:00:00+07:00' }];
      const run = (items: unknown, flag: boolean | null) =>
        queryNamed<{ id: string; s: string; n: number; at: Date; flag: boolean | null }>(
          database.db,
          'client_test_items',
          sql`SELECT t.id, t.s, t.n, t.at, ${flag}::boolean AS flag FROM jsonb_to_recordset(${JSON.stringify(items)}::jsonb) AS t(id uuid, s text, n int, at timestamptz)`,
        );
      const first = await run(tricky, true);
      expect(first).toEqual([{ id: tricky[0]!.id, s: tricky[0]!.s, n: 3, at: new Date('2026-11-27T03:00:00Z'), flag: true }]);
      // Again under the same name, other values: the prepared statement is reused.
      expect((await run([{ ...tricky[0], n: 4 }], null))[0]).toMatchObject({ n: 4, flag: null });
      const prepared = (await database.db.execute(sql`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = 'client_test_items'`)) as unknown as {
        rows: { n: number }[];
      };
      expect(prepared.rows[0]!.n).toBe(1);
    } finally {
      await database.close();
    }
  }, 60_000);
});
