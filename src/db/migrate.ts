import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { queryRows, sql, type Database } from './client.ts';
import { DATA_STEPS, type DataStepDeps } from './data-steps.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const MIGRATION_LOCK = 7310001;

interface Migration {
  id: string;
  checksum: string;
  text: string;
}

const onDisk = new Map<string, Promise<Migration[]>>();

/** The migration files (read once per process: they do not change while it runs). */
export function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  let m = onDisk.get(dir);
  if (!m) {
    m = loadMigrations(dir);
    onDisk.set(dir, m);
    m.catch(() => onDisk.delete(dir));
  }
  return m;
}

async function loadMigrations(dir: string): Promise<Migration[]> {
  const names = (await fs.readdir(dir)).filter((n) => /^\d{4}_[a-z0-9_]+\.sql$/.test(n)).sort();
  return Promise.all(
    names.map(async (name) => {
      const text = await fs.readFile(path.join(dir, name), 'utf8');
      return { id: name.replace(/\.sql$/, ''), checksum: createHash('sha256').update(text).digest('hex'), text };
    }),
  );
}

export class MigrationError extends Error {}

/**
 * Applies pending forward-only migrations, each in its own transaction under an advisory lock so
 * that several instances starting together apply each file once. Refuses to run when an applied
 * migration was edited afterwards (its checksum changed): migrations are never edited once landed.
 * A migration's data step (src/db/data-steps.ts) runs in its transaction, after its script; `deps`
 * gives the steps what they need (the data encryption key).
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR, deps: DataStepDeps = {}): Promise<string[]> {
  const migrations = await readMigrations(dir);
  // The usual start: everything applied and unchanged. One read, no lock, no transaction.
  const known = await appliedChecksums(database);
  const edited = migrations.find((m) => known.has(m.id) && known.get(m.id) !== m.checksum);
  if (edited) throw new MigrationError(`Migration ${edited.id} was edited after it was applied (checksum differs). Add a new migration instead.`);
  if (migrations.every((m) => known.has(m.id))) return [];

  await database.execScript(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: string[] = [];
  for (const m of migrations) {
    if (known.get(m.id) === m.checksum) continue;
    const didApply = await database.scriptTransaction(async (s) => {
      await s.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const [row] = await s.query<{ checksum: string }>('SELECT checksum FROM schema_migrations WHERE id = $1', [m.id]);
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new MigrationError(`Migration ${m.id} was edited after it was applied (checksum differs). Add a new migration instead.`);
        }
        return false;
      }
      await s.exec(m.text);
      await DATA_STEPS[m.id]?.(s, deps);
      await s.query('INSERT INTO schema_migrations (id, checksum) VALUES ($1, $2)', [m.id, m.checksum]);
      return true;
    });
    if (didApply) applied.push(m.id);
  }
  return applied;
}

/** Applied migration ids and their checksums (empty before the first migration). */
async function appliedChecksums(database: Database): Promise<Map<string, string>> {
  const rows = await queryRows<{ id: string; checksum: string }>(database.db, sql`SELECT id, checksum FROM schema_migrations`).catch(
    () => [] as { id: string; checksum: string }[],
  ); // no table yet: nothing applied
  return new Map(rows.map((r) => [r.id, r.checksum]));
}

/** Migration ids on disk that the database has not applied (readiness check). */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const have = await appliedChecksums(database);
  return (await readMigrations()).map((m) => m.id).filter((id) => !have.has(id));
}
