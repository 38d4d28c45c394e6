import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import { canonicalRecord, chainHash, GENESIS_HASH, readChain, verifyAuditChain, writeAudit } from '../src/platform/audit.ts';
import { createTestApp, type TestApp } from './harness.ts';

// The tamper-evident audit log: the chain the database builds is the chain the verifier
// recomputes (same canonical JSON), concurrent writers never fork it, tampering as the owner is
// found at the first broken record, the API and the admin command report it, and on PostgreSQL
// the application role cannot update or delete records at all.

let t: TestApp;
const api = (p: string) => `/api/v1${p}`;
const now = () => new Date();
const sys = () => ({ db: t.database.db, actor: null, now: now(), ip: '203.0.113.7' });

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('the chain the database builds', () => {
  it('is intact after migrations and the demo data, numbered 1..n without gaps', async () => {
    const v = await verifyAuditChain(t.database.db);
    expect(v.ok).toBe(true);
    const [{ n, max }] = (await queryRows<{ n: number; max: number }>(t.database.db, sql`SELECT count(*)::int AS n, max(seq)::int AS max FROM audit_log`)) as [
      { n: number; max: number },
    ];
    expect(v.records).toBe(n);
    expect(max).toBe(n);
    expect(v.head?.seq).toBe(n);
  });

  it('hashes exactly sha256(prev_hash || canonical JSON), computed by hand for a fresh record', async () => {
    await writeAudit(sys(), {
      action: 'test.canonical',
      targetType: 'thing',
      targetId: 'Nguyễn "Văn" \\ A\n\t\u0001 😀',
      outcome: 'denied',
      actorRole: 'tester',
      details: { z: 1, a: [1.5, 'x', null, true], nested: { 'khóa có dấu': 'giá trị', n: 1e21 }, big: 12345678901234 },
    });
    const rows = await readChain(t.database.db, 0, 100_000);
    const last = rows[rows.length - 1]!;
    const prev = rows[rows.length - 2]!;
    expect(last.action).toBe('test.canonical');
    expect(last.seq).toBe(prev.seq + 1);
    // The canonical text, spelled out: [seq,id,"at",actor_id,actor_role,"action",target_type,target_id,ip,"outcome",details]
    const expectedPrefix = `[${last.seq},${last.id},"${last.at}",null,"tester","test.canonical","thing","Nguyễn \\"Văn\\" \\\\ A\\n\\t\\u0001 😀","203.0.113.7","denied",`;
    expect(canonicalRecord(last).startsWith(expectedPrefix)).toBe(true);
    expect(last.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    const { createHash } = await import('node:crypto');
    expect(last.hash).toBe(
      createHash('sha256')
        .update(prev.hash + canonicalRecord(last), 'utf8')
        .digest('hex'),
    );
    expect(chainHash(prev.hash, last)).toBe(last.hash);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('replaces whatever seq and hash a writer supplies', async () => {
    await t.database.db.execute(sql`INSERT INTO audit_log (at, action, outcome, seq, hash) VALUES (now(), 'test.forged', 'success', 1, ${GENESIS_HASH})`);
    const rows = await readChain(t.database.db, 0, 100_000);
    const last = rows[rows.length - 1]!;
    expect(last.action).toBe('test.forged');
    expect(last.seq).toBe(rows.length);
    expect(last.hash).not.toBe(GENESIS_HASH);
    expect((await verifyAuditChain(t.database.db)).ok).toBe(true);
  });

  it('does not fork under concurrent writers (40 transactions at once); a micro-measure of the cost', async () => {
    const before = (await verifyAuditChain(t.database.db)).records;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.database.db.transaction(async (tx) => {
          await writeAudit({ ...sys(), db: tx }, { action: 'test.concurrent', targetId: String(i) });
          await writeAudit({ ...sys(), db: tx }, { action: 'test.concurrent.second', targetId: String(i) });
        }),
      ),
    );
    const chainedMs = performance.now() - started;
    const v = await verifyAuditChain(t.database.db);
    expect(v).toMatchObject({ ok: true, records: before + 80 });
    const seqs = await queryRows<{ n: number; d: number }>(t.database.db, sql`SELECT count(*)::int AS n, count(DISTINCT seq)::int AS d FROM audit_log`);
    expect(seqs[0]!.n).toBe(seqs[0]!.d);
    // The same 40 two-record transactions into a copy of the table without the chain trigger.
    await t.database.db.execute(sql`CREATE TABLE audit_nochain (LIKE audit_log INCLUDING DEFAULTS)`);
    await t.database.db.execute(sql`ALTER TABLE audit_nochain ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY`);
    const started2 = performance.now();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.database.db.transaction(async (tx) => {
          for (const a of ['x', 'y']) {
            await tx.execute(
              sql`INSERT INTO audit_nochain (at, action, target_id, ip, outcome, details, seq, hash) VALUES (now(), ${a}, ${String(i)}, '203.0.113.7', 'success', '{}', 0, '')`,
            );
          }
        }),
      ),
    );
    const plainMs = performance.now() - started2;
    console.log(
      `[audit-chain micro-measure, ${t.database.kind}] 40 concurrent transactions × 2 records: chained ${chainedMs.toFixed(0)} ms, unchained ${plainMs.toFixed(0)} ms`,
    );
  });
});

describe('tampering as the database owner', () => {
  const asOwner = async (q: ReturnType<typeof sql>) => {
    await t.database.db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`);
    try {
      await t.database.db.execute(q);
    } finally {
      await t.database.db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only`);
    }
  };

  it('the API is for administrators only', async () => {
    expect((await t.request({ method: 'GET', url: api('/audit/verification') })).status).toBe(401);
    expect((await t.request({ method: 'GET', url: api('/audit/verification'), as: 'reception.dung' })).status).toBe(403);
    const ok = await t.request({ method: 'GET', url: api('/audit/verification'), as: 'admin.lan' });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ ok: true, records: expect.any(Number) });
    expect(ok.json.firstBrokenId).toBeUndefined();
  });

  it('an edited record is reported as the first broken one, by the API and the verifier', async () => {
    const rows = await readChain(t.database.db, 0, 100_000);
    const victim = rows[Math.floor(rows.length / 2)]!;
    await asOwner(sql`UPDATE audit_log SET outcome = 'success', details = '{"edited": true}' WHERE id = ${victim.id}`);
    const v = await verifyAuditChain(t.database.db);
    expect(v).toMatchObject({ ok: false, firstBrokenId: victim.id, reason: 'hash_mismatch' });
    const res = await t.request({ method: 'GET', url: api('/audit/verification'), as: 'admin.lan' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ ok: false, firstBrokenId: victim.id, reason: 'hash_mismatch' });
    // The failed verification raised a critical security event, once however often it is asked.
    await t.request({ method: 'GET', url: api('/audit/verification'), as: 'admin.lan' });
    const ev = await queryRows<{ severity: string; subject: string }>(
      t.database.db,
      sql`SELECT severity, subject FROM security_events WHERE rule = 'audit.chain_broken'`,
    );
    expect(ev).toEqual([{ severity: 'critical', subject: String(victim.id) }]);
  });

  it('an earlier deleted record moves the first broken id to the record after it', async () => {
    const rows = await readChain(t.database.db, 0, 100_000);
    const victim = rows[5]!;
    await asOwner(sql`DELETE FROM audit_log WHERE id = ${victim.id}`);
    const v = await verifyAuditChain(t.database.db);
    expect(v).toMatchObject({ ok: false, firstBrokenId: rows[6]!.id, reason: 'sequence_gap' });
    expect(v.records).toBe(6);
  });

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'npm run audit:verify (the verify-audit command) exits 1 and names the broken record',
    async () => {
      const rows = await readChain(t.database.db, 0, 100_000);
      const exec = promisify(execFile);
      const run = exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'verify-audit'], {
        cwd: path.resolve(import.meta.dirname, '..'),
        env: { ...process.env, DATABASE_URL: t.databaseUrl, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
      });
      const err = (await run.then(
        () => null,
        (e: { code: number; stdout: string }) => e,
      )) as { code: number; stdout: string } | null;
      expect(err?.code).toBe(1);
      expect(JSON.parse(err!.stdout.trim().split('\n').pop()!)).toMatchObject({ ok: false, firstBrokenId: rows[5]!.id });
    },
    60_000,
  );
});

describe('PostgreSQL roles (scripts/db-roles.sql)', () => {
  /** A connection that may create roles: the test server's superuser socket (scripts/pg-temp.sh) or the test URL itself. */
  async function privileged(): Promise<pg.Client | null> {
    if (!t.databaseUrl) return null;
    const dbName = new URL(t.databaseUrl).pathname.slice(1);
    const socket =
      process.env.PG_TEMP_DIR && process.env.PG_TEMP_PORT
        ? { host: process.env.PG_TEMP_DIR, port: Number(process.env.PG_TEMP_PORT), user: 'postgres', database: dbName }
        : null;
    const candidates: pg.ClientConfig[] = [...(socket ? [socket] : []), { connectionString: t.databaseUrl }];
    for (const config of candidates) {
      const c = new pg.Client(config);
      try {
        await c.connect();
        const [r] = (await c.query<{ ok: boolean }>('SELECT rolsuper OR rolcreaterole AS ok FROM pg_roles WHERE rolname = current_user')).rows;
        if (r?.ok) return c;
        await c.end();
      } catch {
        await c.end().catch(() => {});
      }
    }
    return null;
  }

  it('the application role may insert and read audit records but not update or delete them', async (ctx) => {
    const admin = await privileged();
    // On scripts/pg-temp.sh's server (npm test, CI) the superuser socket must work: this test may not skip there.
    if (process.env.PG_TEMP_DIR && t.databaseUrl) expect(admin, 'superuser socket of scripts/pg-temp.sh').not.toBeNull();
    if (!admin) {
      ctx.skip(); // PGlite, or a PostgreSQL server of one's own without a role allowed to create roles
      return;
    }
    const app = `tinhso_app_${process.pid}_${Date.now().toString(36)}`;
    const owner = (await admin.query<{ o: string }>(`SELECT tableowner AS o FROM pg_tables WHERE tablename = 'audit_log'`)).rows[0]!.o;
    try {
      await admin.query(`CREATE ROLE ${app} NOLOGIN`);
      await admin.query(`GRANT ${app} TO current_user`).catch(() => {});
      await admin.query(`GRANT ${app} TO ${owner}`).catch(() => {});
      const script = (await readFile(path.resolve(import.meta.dirname, '../scripts/db-roles.sql'), 'utf8')).replaceAll(':owner', owner).replaceAll(':app', app);
      await admin.query(script);
      const c = new pg.Client({ connectionString: t.databaseUrl });
      await c.connect();
      try {
        await c.query(`SET ROLE ${app}`);
        await c.query(`INSERT INTO audit_log (at, action, outcome) VALUES (now(), 'test.app_role', 'success')`);
        expect((await c.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'test.app_role'`)).rows[0].n).toBe(1);
        await c.query(`UPDATE settings SET value = value WHERE false`); // ordinary tables stay writable
        for (const q of [
          `UPDATE audit_log SET outcome = 'failure'`,
          `DELETE FROM audit_log`,
          `TRUNCATE audit_log`,
          `ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`,
          `UPDATE dossier_history SET note = 'x'`,
          `UPDATE security_events SET severity = 'low'`,
          `CREATE TABLE audit_copy (x int)`,
        ]) {
          await expect(c.query(q), q).rejects.toThrow(/permission denied|must be owner/);
        }
      } finally {
        await c.end();
      }
    } finally {
      await admin.query(`REASSIGN OWNED BY ${app} TO ${owner}`).catch(() => {});
      await admin.query(`DROP OWNED BY ${app}`).catch(() => {});
      await admin.query(`DROP ROLE IF EXISTS ${app}`).catch(() => {});
      await admin.end();
    }
  });
});
