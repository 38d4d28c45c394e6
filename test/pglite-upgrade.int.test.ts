import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite as LegacyPGlite } from 'pglite-legacy-v0-3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, pgliteDatabase, queryRows, sql, type Database, type PgliteClient } from '../src/db/client.ts';
import { seedDemo } from '../src/db/demo/seed.ts';
import { migrate } from '../src/db/migrate.ts';
import { upgradePgliteFolder, upgradePaths, type UpgradeOptions } from '../src/db/pglite-upgrade.ts';
import { verifyAuditChain, writeAudit } from '../src/platform/audit.ts';
import { keyringFor } from '../src/platform/crypto.ts';
import { LocalFileStore } from '../src/platform/files.ts';
import { submittedDossier, testAppOn } from './harness.ts';

/**
 * The upgrade of an embedded data folder made by PGlite 0.3 (PostgreSQL 17) to the installed
 * PGlite (PostgreSQL 18), src/db/pglite-upgrade.ts: a real 0.3 folder (all migrations, demo data
 * with a few dossiers, extra audit records, one dossier submitted today) is upgraded; every row,
 * sequence, the audit chain, the encrypted personal data and the code counters carry over. Then
 * the crash paths: leftovers of an interrupted upgrade are removed, an interrupted swap is finished.
 * (PGlite only: this test does not use TEST_DATABASE_URL.)
 */
const PROC = '1.001193'; // Đăng ký khai sinh: citizens, online
const AN_ID = '036090001234'; // citizen.an's ID number (demo account)
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: AN_ID, phone: '0912345678' };

const logs: { msg: string; obj: Record<string, unknown> }[] = [];
const log: UpgradeOptions['log'] = {
  info: (obj, msg) => logs.push({ msg, obj: obj as Record<string, unknown> }),
  warn: (obj, msg) => logs.push({ msg, obj: obj as Record<string, unknown> }),
};
const silent = pino({ level: 'silent' });

/** An app on `database` with the data folder `root` (its encryption key). */
const appOn = (database: Database, root: string) => testAppOn(database, root);

interface Snapshot {
  counts: Record<string, number>;
  sequences: Record<string, { last_value: string; is_called: boolean }>;
}

async function snapshot(database: Database): Promise<Snapshot> {
  const tables = await queryRows<{ t: string }>(
    database.db,
    sql`SELECT format('%I.%I', schemaname, tablename) AS t FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
  );
  const counts: Snapshot['counts'] = {};
  for (const { t } of tables) counts[t] = (await queryRows<{ n: number }>(database.db, sql.raw(`SELECT count(*)::int AS n FROM ${t}`)))[0]!.n;
  const seqs = await queryRows<{ s: string }>(database.db, sql`SELECT format('%I.%I', schemaname, sequencename) AS s FROM pg_sequences ORDER BY 1`);
  const sequences: Snapshot['sequences'] = {};
  for (const { s } of seqs)
    sequences[s] = (await queryRows<{ last_value: string; is_called: boolean }>(database.db, sql.raw(`SELECT last_value::text, is_called FROM ${s}`)))[0]!;
  return { counts, sequences };
}

let root: string;
let pristine: string; // a copy of the 0.3 folder, for the crash cases
let before: Snapshot;
let beforeAudit: { records: number };
let viewBefore: Record<string, unknown>;
let codeBefore: string;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'tinhso-upgrade-'));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const folder = path.join(root, 'pglite');
  await mkdir(folder, { recursive: true });
  const keyring = keyringFor({ env: 'test', dataDir: root });
  // A data folder as tinhso made it with PGlite 0.3.
  const legacy = new LegacyPGlite(folder);
  await legacy.waitReady;
  const old = await pgliteDatabase(legacy as unknown as PgliteClient);
  await migrate(old, undefined, { keyring });
  const files = new LocalFileStore(path.join(root, 'files'));
  await files.init();
  await seedDemo(old.db, files, silent, { dossiers: 12, keyring });
  for (let i = 0; i < 3; i++)
    await writeAudit(
      { db: old.db, actor: null, now: new Date(), ip: '203.0.113.9' },
      { action: 'test.before_upgrade', targetType: 'thing', targetId: String(i), details: { i } },
    );
  const t = await appOn(old, root);
  const submitted = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant });
  codeBefore = submitted.code;
  viewBefore = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${submitted.id}`, as: 'citizen.an' })).json;
  await t.close();
  before = await snapshot(old);
  beforeAudit = await verifyAuditChain(old.db);
  expect(beforeAudit).toMatchObject({ ok: true });
  await old.close();
  expect((await readFile(path.join(folder, 'PG_VERSION'), 'utf8')).trim()).toBe('17');
  pristine = path.join(root, 'pristine');
  await cp(folder, pristine, { recursive: true });
}, 300_000);

describe('upgrading a PGlite 0.3 (PostgreSQL 17) data folder', () => {
  let database: Database;
  afterAll(async () => database?.close());

  it('moves every row to PostgreSQL 18 and keeps the old folder as a backup', async () => {
    const folder = path.join(root, 'pglite');
    logs.length = 0;
    const r = await upgradePgliteFolder(folder, { keyring: keyringFor({ env: 'test', dataDir: root }), log, now: new Date('2026-11-27T01:02:03.456Z') });
    const backupDir = `${folder}-pg17-backup-20261127T010203Z`;
    expect(r).toMatchObject({ upgraded: true, fromMajor: 17, backupDir, tables: Object.keys(before.counts).length });
    expect(r.rows).toBe(Object.values(before.counts).reduce((a, b) => a + b, 0));
    expect((await readFile(path.join(folder, 'PG_VERSION'), 'utf8')).trim()).toBe('18');
    expect((await readFile(path.join(backupDir, 'PG_VERSION'), 'utf8')).trim()).toBe('17');
    // No leftovers: the new folder and the backup only.
    expect((await readdir(root)).filter((n) => n.startsWith('pglite')).sort()).toEqual(['pglite', 'pglite-pg17-backup-20261127T010203Z']);
    expect(logs.map((l) => l.obj.phase).filter(Boolean)).toEqual(['source copied', 'old migrated', 'new folder created', 'rows copied']);
    expect(logs.at(-1)!.obj).toMatchObject({ backupDir, rows: r.rows });

    // A second start has nothing to do.
    expect(await upgradePgliteFolder(folder, { keyring: keyringFor({ env: 'test', dataDir: root }), log })).toEqual({ upgraded: false });
    database = await openDatabase({ dataDir: folder });
    const after = await snapshot(database);
    expect(after.counts).toEqual(before.counts);
    expect(after.sequences).toEqual(before.sequences);
    expect(before.counts['public.dossiers']).toBeGreaterThanOrEqual(13);
    expect(before.counts['public.schema_migrations']).toBe((await readdir('src/db/migrations')).filter((n) => n.endsWith('.sql')).length);
  }, 300_000);

  it('keeps the audit chain whole, and it goes on from the old head', async () => {
    const v = await verifyAuditChain(database.db);
    expect(v).toMatchObject({ ok: true, records: beforeAudit.records });
    await writeAudit(
      { db: database.db, actor: null, now: new Date(), ip: '203.0.113.9' },
      { action: 'test.after_upgrade', targetType: 'thing', targetId: 'x' },
    );
    const [last] = await queryRows<{ seq: number; id: number }>(
      database.db,
      sql`SELECT seq::int AS seq, id::int AS id FROM audit_log ORDER BY seq DESC LIMIT 1`,
    );
    expect(last!.seq).toBe(beforeAudit.records + 1);
    // The identity column continues after the old values (no clash with a copied id).
    const [maxOld] = await queryRows<{ n: number }>(database.db, sql`SELECT max(id)::int AS n FROM audit_log WHERE action <> 'test.after_upgrade'`);
    expect(last!.id).toBeGreaterThan(maxOld!.n);
    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: true, records: beforeAudit.records + 1 });
  });

  it('reads a dossier back with its decrypted personal data, and a new submission gets the next code', async () => {
    const t = await appOn(database, root);
    try {
      const view = await t.request({ method: 'GET', url: `/api/v1/dossiers/${viewBefore.id as string}`, as: 'citizen.an' });
      expect(view.status).toBe(200);
      expect(view.json).toEqual(viewBefore);
      expect(view.json.applicant).toMatchObject({ idNumber: AN_ID, phone: '0912345678', fullName: 'Nguyễn Văn An' });
      // Staff find it by the ID number (its keyed hash was copied as stored).
      const found = await t.request({ method: 'GET', url: `/api/v1/dossiers?q=${AN_ID}&pageSize=100`, as: 'reception.dung' });
      expect(found.status).toBe(200);
      expect(found.json.items.map((d: { id: string }) => d.id)).toContain(viewBefore.id);
      const next = await submittedDossier(t, 'citizen.an', { procedureCode: PROC, applicant });
      // Same agency and day: the counter goes on from the copied one (…0001 → …0002).
      expect(next.code.slice(0, -4)).toBe(codeBefore.slice(0, -4));
      expect(Number(next.code.slice(-4))).toBe(Number(codeBefore.slice(-4)) + 1);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('an interrupted upgrade', () => {
  const keyring = () => keyringFor({ env: 'test', dataDir: root });

  it('starts over after a crash before the swap, with the old folder untouched', async () => {
    const folder = path.join(root, 'again', 'pglite');
    await mkdir(path.dirname(folder), { recursive: true });
    await cp(pristine, folder, { recursive: true });
    const p = upgradePaths(folder);
    // The process "died" with the new folder complete but not swapped: leftovers on disk.
    expect(await upgradePgliteFolder(folder, { keyring: keyring(), log, crashAfter: 'rows copied' })).toEqual({ upgraded: false });
    expect((await readdir(path.dirname(folder))).sort()).toEqual(['pglite', 'pglite.upgrade-source', 'pglite.upgrading']);
    expect((await readFile(path.join(folder, 'PG_VERSION'), 'utf8')).trim()).toBe('17');
    await writeFile(path.join(p.work, 'junk'), 'from the crashed attempt');
    logs.length = 0;
    const r = await upgradePgliteFolder(folder, { keyring: keyring(), log, now: new Date('2026-11-27T02:00:00Z') });
    expect(r.upgraded).toBe(true);
    expect(logs.filter((l) => l.msg.includes('leftover')).map((l) => path.basename(l.obj.folder as string))).toEqual([
      'pglite.upgrading',
      'pglite.upgrade-source',
    ]);
    expect((await readdir(path.dirname(folder))).sort()).toEqual(['pglite', 'pglite-pg17-backup-20261127T020000Z']);
    const db = await openDatabase({ dataDir: folder });
    try {
      expect((await snapshot(db)).counts).toEqual(before.counts);
    } finally {
      await db.close();
    }
  }, 300_000);

  it('finishes the swap after a crash between the two renames', async () => {
    const folder = path.join(root, 'swap', 'pglite');
    await mkdir(path.dirname(folder), { recursive: true });
    await cp(pristine, folder, { recursive: true });
    expect(await upgradePgliteFolder(folder, { keyring: keyring(), log, now: new Date('2026-11-27T03:00:00Z'), crashAfter: 'old moved' })).toEqual({
      upgraded: false,
    });
    // The old folder is in the backup, the new one not yet in place: no data folder at all.
    expect((await readdir(path.dirname(folder))).sort()).toEqual([
      'pglite-pg17-backup-20261127T030000Z',
      'pglite.upgrade-source',
      'pglite.upgrade-swap.json',
      'pglite.upgrading',
    ]);
    const r = await upgradePgliteFolder(folder, { keyring: keyring(), log });
    expect(r).toEqual({ upgraded: false });
    expect((await readdir(path.dirname(folder))).sort()).toEqual(['pglite', 'pglite-pg17-backup-20261127T030000Z']);
    const db = await openDatabase({ dataDir: folder });
    try {
      expect((await snapshot(db)).counts).toEqual(before.counts);
      expect(await verifyAuditChain(db.db)).toMatchObject({ ok: true, records: beforeAudit.records });
    } finally {
      await db.close();
    }
  }, 300_000);

  it('refuses to open an old folder without upgrading it', async () => {
    await expect(openDatabase({ dataDir: pristine })).rejects.toThrow(/made by PostgreSQL 17.*embeds PostgreSQL 18/);
  });
});
