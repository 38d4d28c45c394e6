import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { queryRows, sql, type Db } from '../src/db/client.ts';
import { CreateDossierBody } from '../src/modules/dossiers/dossiers.schemas.ts';
import { attachFile, createDossier } from '../src/modules/dossiers/dossiers.service.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { SessionStore } from '../src/platform/auth.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, type TestApp } from './harness.ts';

// Writes whose outcome the caller cannot see: a refusal, or a group commit that took effect but whose
// answer was lost (GroupRunner then retries the group's items one by one, and each retry finds its own
// rows). Attaching a file: the file is stored before its row commits and is removed again only when the
// row certainly did not commit (removeUnlessCommitted, docs/DOCUMENTS.md).

let t: TestApp;
let def: ProcedureDefinition;
const CODE = '1.001193'; // Đăng ký khai sinh
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
}, 120_000);
afterAll(async () => {
  await t?.database.db.execute(sql.raw(`DROP TRIGGER IF EXISTS test_fail_attach ON dossier_files`));
  await t?.database.db.execute(sql.raw(`DROP FUNCTION IF EXISTS test_fail_attach()`));
  await t?.close();
});

const storedFiles = async () => (await readdir(path.join(t.dataDir, 'files'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
const fileRows = async (dossierId: string) =>
  (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM dossier_files WHERE dossier_id = ${dossierId}`))[0]!.n;

/**
 * A database handle on which the first statement whose SQL contains `marker` commits and is run
 * again, its answer the second run's: what a caller sees when GroupRunner retries, item by item, a
 * group whose commit took effect but whose answer was lost.
 */
function runTwice(marker: string, unless?: string): { db: Db; ran: () => boolean } {
  const dialect = new PgDialect();
  let done = false;
  const db = new Proxy(t.database.db, {
    get(target, prop) {
      if (prop === 'execute') {
        return async (q: SQL) => {
          const text = dialect.sqlToQuery(q).sql;
          if (!done && text.includes(marker) && !(unless && text.includes(unless))) {
            done = true;
            await target.execute(q);
          }
          return target.execute(q);
        };
      }
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Db;
  return { db, ran: () => done };
}

/** A service context of citizen.an on `db`. */
async function ctxOn(db: Db) {
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });
  const actor = await new SessionStore(config.sessionSecret, 3_600_000).resolve(t.database.db, await t.token('citizen.an'));
  return { db, actor, now: new Date(), log: t.app.log, keyring: t.app.keyring, ip: '127.0.0.1' };
}

async function draft(): Promise<string> {
  const r = await t.request({
    method: 'POST',
    url: '/api/v1/dossiers',
    as: 'citizen.an',
    payload: { procedureCode: CODE, applicant, form: requiredAnswers(def.form) },
  });
  expect(r.status, r.body).toBe(201);
  return r.json.id as string;
}

describe('the stored file of an attachment that fails', () => {
  it('is removed when the database refuses the row', async () => {
    await t.database.db.execute(
      sql.raw(`CREATE OR REPLACE FUNCTION test_fail_attach() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'test: attachment refused' USING ERRCODE = '23514'; END $$`),
    );
    await t.database.db.execute(
      sql.raw(`CREATE TRIGGER test_fail_attach BEFORE INSERT ON dossier_files FOR EACH ROW
        WHEN (NEW.file_name = 'bi-tu-choi.pdf') EXECUTE FUNCTION test_fail_attach()`),
    );
    const id = await draft();
    const before = await storedFiles();
    const component = def.components[0]!.code;
    const refused = multipart({ component }, { name: 'bi-tu-choi.pdf', type: 'application/pdf', data: SAMPLE_PDF });
    const failed = await t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/files`, as: 'citizen.an', ...refused });
    expect([failed.status, failed.json.code]).toEqual([500, 'INTERNAL_ERROR']);
    expect(await storedFiles()).toBe(before);
    expect(await fileRows(id)).toBe(0);
    // Another name is attached: only that one was refused.
    const ok = multipart({ component }, { name: 'giay-to.pdf', type: 'application/pdf', data: SAMPLE_PDF });
    const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/files`, as: 'citizen.an', ...ok });
    expect(r.status, r.body).toBe(201);
    expect(await storedFiles()).toBe(before + 1);
  });

  it('is kept, and is the answer, when the row committed but its answer was lost (the retry finds its own row)', async () => {
    // The first attach statement commits and is run again, its answer the second run's (a duplicate
    // key): what GroupRunner's one-by-one retry sees after a group's commit answer was lost.
    const { db, ran } = runTwice('INSERT INTO dossier_files');
    const id = await draft();
    const before = await storedFiles();
    const r = await attachFile(await ctxOn(db), t.files, id, { component: def.components[0]!.code, fileName: 'giay-to.pdf', data: SAMPLE_PDF });
    expect(ran()).toBe(true);
    expect(await fileRows(id)).toBe(1);
    expect(await storedFiles()).toBe(before + 1);
    const download = await t.request({ method: 'GET', url: `/api/v1/dossiers/${id}/files/${r.fileId}`, as: 'citizen.an' });
    expect(download.status).toBe(200);
    expect(download.body).toBe(SAMPLE_PDF.toString('latin1'));
  });
});

describe('a draft whose commit answer was lost', () => {
  const dossiers = async () => (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM dossiers`))[0]!.n;

  it('is the answer when the retry finds its id taken (no Idempotency-Key), and is written once', async () => {
    const before = await dossiers();
    const { db, ran } = runTwice("'dossier.create'", "'dossier.submit_new'");
    const r = await createDossier(await ctxOn(db), CreateDossierBody.parse({ procedureCode: CODE, applicant, form: requiredAnswers(def.form) }));
    expect(ran()).toBe(true);
    expect(r.replayed).toBe(false);
    expect(await dossiers()).toBe(before + 1);
    const view = await t.request({ method: 'GET', url: `/api/v1/dossiers/${r.id}`, as: 'citizen.an' });
    expect(view.json).toMatchObject({ id: r.id, status: 'draft' });
  });

  it('is the answer with an Idempotency-Key too (the retry finds the key taken by its own first attempt)', async () => {
    const before = await dossiers();
    const { db, ran } = runTwice("'dossier.create'", "'dossier.submit_new'");
    const r = await createDossier(
      await ctxOn(db),
      CreateDossierBody.parse({ procedureCode: CODE, applicant, form: requiredAnswers(def.form) }),
      'lost-create-1',
    );
    expect(ran()).toBe(true);
    expect(await dossiers()).toBe(before + 1);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${r.id}`, as: 'citizen.an' })).status).toBe(200);
  });
});
