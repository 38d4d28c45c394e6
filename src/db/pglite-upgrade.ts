import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Keyring } from '../platform/crypto.ts';
import { fsyncFolder, writeSynced } from '../platform/files.ts';
import { openPgliteClient, pgliteDatabase, pgliteFolderMajor, PGLITE_PG_MAJOR, type PgliteClient } from './client.ts';
import { migrate } from './migrate.ts';

/**
 * Upgrade of an embedded data folder made by an older PGlite (docs/DATABASE.md, "Upgrading the
 * embedded database"). PGlite 0.3 embedded PostgreSQL 17; 0.5 embeds PostgreSQL 18, which cannot
 * open a 17 folder. At start, before the database is opened:
 *
 *  1. the old folder is copied to `<dir>.upgrade-source` (the old folder itself is never written),
 *     the copy is opened with PGlite 0.3 (package `pglite-legacy-v0-3`) and migrated to the latest
 *     migration with our own `migrate()` (data steps included, hence the keyring);
 *  2. a new folder `<dir>.upgrading` is created with the installed PGlite, every migration is
 *     applied, the rows the migrations seeded are removed, and every table's rows are copied from
 *     old to new with COPY (triggers off: `session_replication_role = replica`, so the audit chain,
 *     roll-ups and append-only guards see the rows exactly as they were), all in one transaction;
 *     every sequence and identity is set to its old value and every table's row count compared;
 *  3. the swap: a small marker file `<dir>.upgrade-swap.json` is written, the old folder is renamed
 *     to `<dir>-pg<old>-backup-<timestamp>` (kept), `<dir>.upgrading` to `<dir>`, the marker and the
 *     source copy are removed.
 *
 * A crash before the marker leaves the old folder untouched: the next start removes the leftover
 * `.upgrading` and `.upgrade-source` folders and starts over. A crash after it (the new folder is
 * complete and checked by then) is finished by the next start: the marker says where the backup goes.
 */

export interface UpgradeLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface UpgradeOptions {
  /** The data encryption key: the migrations' data steps encrypt personal data in the old folder. */
  keyring: Keyring;
  log: UpgradeLog;
  /** Time of the backup's name (tests). */
  now?: Date;
  /** Stops after the named phase as if the process died there (tests of the crash paths). */
  crashAfter?: 'source copied' | 'old migrated' | 'rows copied' | 'old moved';
}

export interface UpgradeResult {
  upgraded: boolean;
  fromMajor?: number;
  backupDir?: string;
  tables?: number;
  rows?: number;
  ms?: number;
}

export class PgliteUpgradeError extends Error {}

/** PostgreSQL majors this version can upgrade from, with the PGlite package that reads them. */
const READERS: Record<number, () => Promise<new (dataDir: string) => PgliteClient & { waitReady: Promise<void> }>> = {
  17: async () => (await import('pglite-legacy-v0-3')).PGlite as unknown as new (dataDir: string) => PgliteClient & { waitReady: Promise<void> },
};

interface SwapMarker {
  backupDir: string;
}

const quoteIdent = (s: string) => `"${s.replaceAll('"', '""')}"`;

/** Paths used by an upgrade of `dataDir`. */
export function upgradePaths(dataDir: string) {
  const dir = path.resolve(dataDir);
  return { dir, work: `${dir}.upgrading`, source: `${dir}.upgrade-source`, marker: `${dir}.upgrade-swap.json` };
}

const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );

/**
 * Brings the PGlite folder `dataDir` to the installed PostgreSQL major when it was made by an older
 * one; does nothing for a missing or current folder (after finishing or cleaning up an upgrade a
 * crash interrupted).
 */
export async function upgradePgliteFolder(dataDir: string, opts: UpgradeOptions): Promise<UpgradeResult> {
  const p = upgradePaths(dataDir);
  const { log } = opts;
  await finishSwap(p, log);
  for (const leftover of [p.work, p.source]) {
    if (await exists(leftover)) {
      log.warn({ folder: leftover }, 'pglite upgrade: removing the leftover of an interrupted upgrade');
      await fs.rm(leftover, { recursive: true, force: true });
    }
  }
  const fromMajor = await pgliteFolderMajor(p.dir);
  if (fromMajor === null || fromMajor === PGLITE_PG_MAJOR) return { upgraded: false };
  if (fromMajor > PGLITE_PG_MAJOR) {
    throw new PgliteUpgradeError(
      `The data folder ${p.dir} was made by PostgreSQL ${fromMajor}, newer than this version's ${PGLITE_PG_MAJOR}: use a newer tinhso.`,
    );
  }
  const reader = READERS[fromMajor];
  if (!reader)
    throw new PgliteUpgradeError(
      `The data folder ${p.dir} was made by PostgreSQL ${fromMajor}; this version upgrades only from ${Object.keys(READERS).join(', ')}.`,
    );

  const started = performance.now();
  const phase = (name: string, extra: object = {}) =>
    log.info({ phase: name, ms: Math.round(performance.now() - started), ...extra }, `pglite upgrade: ${name}`);
  const timestamp = (opts.now ?? new Date())
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const backupDir = `${p.dir}-pg${fromMajor}-backup-${timestamp}`;
  log.info(
    { folder: p.dir, fromMajor, toMajor: PGLITE_PG_MAJOR },
    'pglite upgrade: the data folder was made by an older PostgreSQL; upgrading it (the old folder is kept)',
  );

  // 1. A working copy of the old folder, migrated with the old PGlite.
  await fs.cp(p.dir, p.source, { recursive: true, preserveTimestamps: true });
  phase('source copied');
  if (opts.crashAfter === 'source copied') return { upgraded: false };
  const OldPGlite = await reader();
  const oldClient = new OldPGlite(p.source);
  await oldClient.waitReady;
  let newClient: PgliteClient | undefined;
  let tables: TableCount[];
  try {
    const applied = await migrate(await pgliteDatabase(oldClient), undefined, { keyring: opts.keyring });
    phase('old migrated', { applied });
    if (opts.crashAfter === 'old migrated') return { upgraded: false };

    // 2. The new folder: same migrations, then the old rows.
    const opened = await openPgliteClient(p.work);
    newClient = opened as unknown as PgliteClient;
    await migrate(await pgliteDatabase(newClient), undefined, { keyring: opts.keyring });
    phase('new folder created');
    tables = await copyRows(oldClient, newClient);
    await newClient.exec('ANALYZE');
    phase('rows copied', { tables: tables.length, rows: tables.reduce((n, t) => n + t.rows, 0) });
  } finally {
    await newClient?.close();
    await oldClient.close();
  }
  if (opts.crashAfter === 'rows copied') return { upgraded: false };

  // 3. The swap, resumable from the marker.
  const marker: SwapMarker = { backupDir };
  await writeSynced(p.marker, JSON.stringify(marker), 'w');
  await fsyncFolder(path.dirname(p.dir));
  await fs.rename(p.dir, backupDir);
  if (opts.crashAfter === 'old moved') return { upgraded: false };
  await finishSwap(p, log);
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const ms = Math.round(performance.now() - started);
  log.info({ folder: p.dir, backupDir, tables: tables.length, rows, ms }, `pglite upgrade: done; the old folder is kept in ${backupDir}`);
  return { upgraded: true, fromMajor, backupDir, tables: tables.length, rows, ms };
}

/** Completes a swap whose marker is on disk (the new folder was complete when it was written). */
async function finishSwap(p: ReturnType<typeof upgradePaths>, log: UpgradeLog): Promise<void> {
  let marker: SwapMarker;
  try {
    marker = JSON.parse(await fs.readFile(p.marker, 'utf8')) as SwapMarker;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (await exists(p.work)) {
    const major = await pgliteFolderMajor(p.dir);
    if (major !== null && major !== PGLITE_PG_MAJOR) await fs.rename(p.dir, marker.backupDir);
    else if (major !== null) throw new PgliteUpgradeError(`Both ${p.dir} and ${p.work} hold a current data folder; move one of them away (docs/DATABASE.md).`);
    await fs.rename(p.work, p.dir);
    await fsyncFolder(path.dirname(p.dir));
    log.info({ folder: p.dir, backupDir: marker.backupDir }, 'pglite upgrade: swapped the folders');
  } else if ((await pgliteFolderMajor(p.dir)) === null) {
    // Never start on an empty folder when the data is elsewhere (someone moved folders by hand).
    throw new PgliteUpgradeError(
      `${p.marker} says an upgrade was being finished, but neither ${p.dir} nor ${p.work} holds a data folder; the old one is ${marker.backupDir} (docs/DATABASE.md).`,
    );
  }
  await fs.rm(p.source, { recursive: true, force: true });
  fsSync.rmSync(p.marker, { force: true });
}

interface TableCount {
  table: string;
  rows: number;
}

/** Tables (all schemas but the system ones) with their columns to copy (no generated ones). */
async function tablesOf(client: PgliteClient): Promise<Map<string, string[]>> {
  const { rows } = await client.query<{ table: string; columns: string[] }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS table,
            array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
      GROUP BY n.nspname, c.relname
      ORDER BY 1`,
  );
  return new Map(rows.map((r) => [r.table, r.columns]));
}

async function countRows(client: PgliteClient, table: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return rows[0]!.n;
}

/**
 * Copies every table's rows from the old database to the new one (whose schema the same migrations
 * made) in one transaction with triggers off, then the sequences, then compares the row counts.
 */
async function copyRows(oldClient: PgliteClient, newClient: PgliteClient): Promise<TableCount[]> {
  const oldTables = await tablesOf(oldClient);
  const newTables = await tablesOf(newClient);
  const missing = [...oldTables.keys()].filter((t) => !newTables.has(t));
  const extra = [...newTables.keys()].filter((t) => !oldTables.has(t));
  if (missing.length || extra.length) {
    throw new PgliteUpgradeError(
      `The migrated old and new databases differ in tables: only old ${missing.join(', ') || '-'}; only new ${extra.join(', ') || '-'}`,
    );
  }
  for (const [t, cols] of oldTables) {
    const absent = cols.filter((c) => !newTables.get(t)!.includes(c));
    if (absent.length) throw new PgliteUpgradeError(`Table ${t}: columns ${absent.join(', ')} are missing in the new database`);
  }
  const counts: TableCount[] = [];
  const names = [...oldTables.keys()];
  await newClient.transaction(async (tx) => {
    await tx.exec('SET LOCAL session_replication_role = replica');
    // Rows the migrations seeded (reference data, the migration journal) come back from the old database.
    await tx.exec(`TRUNCATE ${names.join(', ')}`);
    for (const [table, cols] of oldTables) {
      const list = cols.map(quoteIdent).join(', ');
      const out = await oldClient.query(`COPY ${table} (${list}) TO '/dev/blob'`);
      if (!out.blob || out.blob.size === 0) continue; // an empty table (the counts below check it)
      await (tx as unknown as { query(q: string, params: unknown[], o: { blob: Blob }): Promise<unknown> }).query(
        `COPY ${table} (${list}) FROM '/dev/blob'`,
        [],
        { blob: out.blob },
      );
    }
    const { rows: seqs } = await oldClient.query<{ seq: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS seq FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
    );
    for (const { seq } of seqs) {
      const { rows } = await oldClient.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${seq}`);
      await tx.query('SELECT setval($1::regclass, $2::bigint, $3)', [seq, rows[0]!.last_value, rows[0]!.is_called]);
    }
  });
  for (const table of names) {
    const [before, after] = [await countRows(oldClient, table), await countRows(newClient, table)];
    if (before !== after) throw new PgliteUpgradeError(`Table ${table}: ${before} rows in the old database, ${after} in the new one`);
    counts.push({ table, rows: after });
  }
  return counts;
}
