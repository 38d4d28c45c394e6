import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { queryRows, sql, type Db } from '../src/db/client.ts';
import { CreateDossierBody } from '../src/modules/dossiers/dossiers.schemas.ts';
import { submitNewDossier } from '../src/modules/dossiers/dossiers.service.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { SessionStore } from '../src/platform/auth.ts';
import { createTestApp, multipartParts, requiredAnswers, SAMPLE_PDF, SAMPLE_PNG, submittedDossier, type TestApp } from './harness.ts';

// POST /api/v1/dossiers/submissions: create, attach and submit in one request, all or nothing.

let t: TestApp;
let def: ProcedureDefinition;
const CODE = '1.001193'; // Đăng ký khai sinh: citizens; received by TTPVHCC
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

beforeAll(async () => {
  t = await createTestApp();
  def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition;
}, 120_000);
afterAll(async () => t?.close());

const pdf = (field: string) => ({ field, name: `${field}.pdf`, type: 'application/pdf', data: SAMPLE_PDF });
const requiredFiles = () => def.components.filter((c) => c.required).map((c) => pdf(c.code));

function send(
  as: string | undefined,
  dossier: unknown,
  files: { field: string; name: string; type: string; data: Buffer }[],
  headers: Record<string, string> = {},
) {
  const body = multipartParts(dossier === undefined ? {} : { dossier: typeof dossier === 'string' ? dossier : JSON.stringify(dossier) }, files);
  return t.request({
    method: 'POST',
    url: '/api/v1/dossiers/submissions',
    ...(as ? { as } : {}),
    payload: body.payload,
    headers: { ...body.headers, ...headers },
  });
}

const complete = () => ({ procedureCode: CODE, applicant, form: requiredAnswers(def.form) });

async function counts() {
  const [r] = await queryRows<{ dossiers: number; files: number; audit: number }>(
    t.database.db,
    sql`SELECT (SELECT count(*)::int FROM dossiers) AS dossiers, (SELECT count(*)::int FROM dossier_files) AS files, (SELECT count(*)::int FROM audit_log WHERE action LIKE 'dossier.%') AS audit`,
  );
  const stored = (await readdir(path.join(t.dataDir, 'files'), { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).length;
  return { ...r!, stored };
}

describe('one-request submission', () => {
  it('creates, attaches and submits: the same dossier, history, audit and job as the three requests', async () => {
    const files = [...requiredFiles(), { field: def.components[0]!.code, name: 'them.png', type: 'image/png', data: SAMPLE_PNG }];
    const res = await send('citizen.an', complete(), files);
    expect(res.status, res.body).toBe(201);
    const v = res.json;
    expect(v).toMatchObject({ status: 'submitted', nationalStatus: 1, channel: 'online', procedureCode: CODE });
    expect(v.code).toMatch(/^[A-Z0-9.]+-\d{6}-\d{4}$/);
    expect(v.version).toBe(2 + files.length);
    expect(v.applicant).toMatchObject({ fullName: applicant.fullName, idNumber: applicant.idNumber, phone: applicant.phone });
    expect(v.files.map((f: { component: string; mediaType: string }) => [f.component, f.mediaType]).sort()).toEqual(files.map((f) => [f.field, f.type]).sort());

    const history = await t.request({ method: 'GET', url: `/api/v1/dossiers/${v.code}/history`, as: 'citizen.an' });
    expect(history.json.map((h: { action: string; fromStatus: string | null; toStatus: string }) => [h.action, h.fromStatus, h.toStatus])).toEqual([
      ['create', null, 'draft'],
      ['submit', 'draft', 'submitted'],
    ]);
    const audit = await queryRows<{ action: string; details: Record<string, unknown> }>(
      t.database.db,
      sql`SELECT action, details FROM audit_log WHERE target_id = ${v.id} ORDER BY seq`,
    );
    expect(audit.map((a) => a.action)).toEqual(['dossier.create', ...files.map(() => 'dossier.file.attach'), 'dossier.submit']);
    expect(audit.at(-1)!.details).toEqual({ from: 'draft', to: 'submitted', code: v.code });
    expect(
      audit
        .slice(1, -1)
        .map((a) => a.details.fileId)
        .sort(),
    ).toEqual(v.files.map((f: { fileId: string }) => f.fileId).sort());
    const jobs = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM jobs WHERE type = 'dossier.status_changed' AND payload->>'dossierId' = ${v.id}`,
    );
    expect(jobs[0]!.n).toBe(1);

    // Each file reads back byte for byte.
    for (const f of v.files as { fileId: string; mediaType: string }[]) {
      const file = await t.app.inject({
        method: 'GET',
        url: `/api/v1/dossiers/${v.id}/files/${f.fileId}`,
        headers: { authorization: `Bearer ${await t.token('citizen.an')}` },
      });
      expect(file.rawPayload.equals(f.mediaType === 'image/png' ? SAMPLE_PNG : SAMPLE_PDF)).toBe(true);
    }
    // The public lookup knows it.
    expect((await t.request({ method: 'GET', url: `/api/v1/public/dossiers/${v.code}` })).json.status).toBe('submitted');
  });

  it('shares the gap-free daily numbering with three-step submissions', async () => {
    const a = await send('citizen.an', complete(), requiredFiles());
    const b = await submittedDossier(t, 'citizen.binh', {
      procedureCode: CODE,
      applicant: { type: 'citizen', fullName: 'Trần Thị Bình', idNumber: '036195004321' },
    });
    const c = await send('citizen.an', complete(), requiredFiles());
    const seqs = [a.json.code, b.code, c.json.code].map((code: string) => Number(code.slice(-4)));
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
  });

  it('answers a repeated Idempotency-Key with the same dossier, also when the repeats race, and refuses the key for another request', async () => {
    const before = await counts();
    const key = { 'idempotency-key': 'one-request-submission-1' };
    const all = await Promise.all(Array.from({ length: 5 }, () => send('citizen.an', complete(), requiredFiles(), key)));
    expect(all.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(all.map((r) => r.json.id)).size).toBe(1);
    const after = await counts();
    expect(after.dossiers - before.dossiers).toBe(1);
    expect(after.files - before.files).toBe(requiredFiles().length);
    // The racing repeats' own copies of the files are not left on disk.
    expect(after.stored - before.stored).toBe(requiredFiles().length);
    const again = await send('citizen.an', complete(), requiredFiles(), key);
    expect([again.status, again.json.id]).toEqual([200, all[0]!.json.id]);
    const other = await send('citizen.an', { ...complete(), form: requiredAnswers(def.form, 99) }, requiredFiles(), key);
    expect([other.status, other.json.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    const otherFile = await send(
      'citizen.an',
      complete(),
      requiredFiles().map((f) => ({ ...f, type: 'image/png', data: SAMPLE_PNG })),
      key,
    );
    expect([otherFile.status, otherFile.json.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
  });

  it('writes nothing at all when anything is wrong, and says what', async () => {
    const before = await counts();
    const missing = await send('citizen.an', { procedureCode: CODE, applicant, form: {} }, []);
    expect([missing.status, missing.json.code]).toEqual([422, 'DOSSIER_INCOMPLETE']);
    const paths = missing.json.errors.map((e: { path: string }) => e.path);
    for (const f of def.form.filter((x) => x.required)) expect(paths).toContain(`form.${f.key}`);
    for (const c of def.components.filter((x) => x.required)) expect(paths).toContain(`components.${c.code}`);

    const badType = await send('citizen.an', complete(), [
      ...requiredFiles(),
      { field: def.components[0]!.code, name: 'x.pdf', type: 'application/pdf', data: Buffer.from('MZ not a pdf') },
    ]);
    expect([badType.status, badType.json.code]).toEqual([415, 'FILE_TYPE_NOT_ALLOWED']);
    const unknown = await send('citizen.an', complete(), [...requiredFiles(), pdf('KHONG_CO')]);
    expect([unknown.status, unknown.json.code]).toEqual([422, 'DOSSIER_COMPONENT_UNKNOWN']);
    const badAnswer = await send('citizen.an', { ...complete(), form: { ...requiredAnswers(def.form), khong_co: 'x' } }, requiredFiles());
    expect([badAnswer.status, badAnswer.json.code]).toEqual([422, 'DOSSIER_FORM_INVALID']);
    const noJson = await send('citizen.an', '{not json', requiredFiles());
    expect([noJson.status, noJson.json.code, noJson.json.errors[0].path]).toEqual([422, 'VALIDATION_FAILED', 'dossier']);
    const noDossier = await send('citizen.an', undefined, requiredFiles());
    expect([noDossier.status, noDossier.json.code]).toEqual([422, 'VALIDATION_FAILED']);
    const badShape = await send('citizen.an', { procedureCode: CODE, applicant: { type: 'robot' } }, requiredFiles());
    expect([badShape.status, badShape.json.code]).toEqual([422, 'VALIDATION_FAILED']);
    expect(badShape.json.errors.some((e: { path: string }) => e.path.startsWith('dossier.applicant'))).toBe(true);
    const json = await t.request({ method: 'POST', url: '/api/v1/dossiers/submissions', as: 'citizen.an', payload: complete() });
    expect([json.status, json.json.code]).toEqual([415, 'MULTIPART_REQUIRED']);
    const staff = await send('specialist.giang', complete(), requiredFiles());
    expect([staff.status, staff.json.code]).toEqual([403, 'ROLE_REQUIRED']);
    const anonymous = await send(undefined, complete(), requiredFiles());
    expect(anonymous.status).toBe(401);
    const tooMany = await send(
      'citizen.an',
      complete(),
      Array.from({ length: 31 }, () => pdf(def.components[0]!.code)),
    );
    expect(tooMany.status).toBeGreaterThanOrEqual(400);
    expect(tooMany.status).toBeLessThan(500);
    expect(tooMany.headers['content-type']).toContain('application/problem+json');

    expect(await counts()).toEqual(before);
  });

  it('answers public lookups made together (one grouped query) each with its own dossier, and 404 for an unknown code among them', async () => {
    const made = [];
    for (let i = 0; i < 4; i++) made.push((await send('citizen.an', complete(), requiredFiles())).json as { code: string; status: string });
    await t.request({ method: 'POST', url: `/api/v1/dossiers/${made[1]!.code}/actions`, as: 'reception.dung', payload: { action: 'receive' } });
    const codes = [...made.map((m) => m.code), 'KHONG-CO-MA-NAY', made[0]!.code];
    const answers = await Promise.all(codes.map((c) => t.request({ method: 'GET', url: `/api/v1/public/dossiers/${encodeURIComponent(c)}` })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 404, 200]);
    expect(answers.map((a) => a.json.code)).toEqual([...made.map((m) => m.code), 'DOSSIER_NOT_FOUND', made[0]!.code]);
    expect(answers.map((a) => a.json.status)).toEqual(['submitted', 'received', 'submitted', 'submitted', 404, 'submitted']);
    expect(answers[1]!.json.receivedAt).toMatch(/\+07:00$/);
    expect(answers[1]!.json.dueAt).toMatch(/\+07:00$/);
    expect(Object.keys(answers[0]!.json)).toEqual(['code', 'procedureName', 'status', 'statusName', 'nationalStatus', 'receivedAt', 'dueAt', 'agencyName']);
  });

  it('lets the desk file a walk-in applicant in one request, as reception', async () => {
    const res = await send(
      'reception.dung',
      { ...complete(), channel: 'in_person', applicant: { type: 'citizen', fullName: 'Lê Văn Tư', idNumber: '036201009999' } },
      requiredFiles(),
    );
    expect(res.status, res.body).toBe(201);
    expect(res.json).toMatchObject({ status: 'submitted', channel: 'in_person' });
    const history = await t.request({ method: 'GET', url: `/api/v1/dossiers/${res.json.code}/history`, as: 'reception.dung' });
    expect(history.json.map((h: { actor: { role: string } }) => h.actor.role)).toEqual(['reception', 'reception']);
    // The desk can receive it at once.
    const received = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${res.json.code}/actions`,
      as: 'reception.dung',
      payload: { action: 'receive' },
    });
    expect([received.status, received.json.status]).toEqual([200, 'received']);
  });
});

describe('the stored files of a submission whose commit answer was lost', () => {
  /**
   * A database handle on which the first whole-submission statement commits and is then run again,
   * its answer the second run's: what a caller sees when GroupRunner retries a group that failed as
   * a whole item by item, after the group's commit took effect but its answer was lost. The retry
   * finds its own rows written: with an Idempotency-Key no row comes back (the key is taken), without
   * one the dossier's id is a duplicate (23505).
   */
  function retriedAfterLostCommit(): Db {
    const dialect = new PgDialect();
    let done = false;
    return new Proxy(t.database.db, {
      get(target, prop) {
        if (prop === 'execute') {
          return async (q: SQL) => {
            if (!done && dialect.sqlToQuery(q).sql.includes("'dossier.submit_new'")) {
              done = true;
              await target.execute(q);
            }
            return target.execute(q);
          };
        }
        const v = Reflect.get(target, prop, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  }
  async function submitThroughLostCommit(idempotencyKey?: string) {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: t.dataDir, LOG_LEVEL: 'silent' });
    const actor = await new SessionStore(config.sessionSecret, 3_600_000).resolve(t.database.db, await t.token('citizen.an'));
    const ctx = { db: retriedAfterLostCommit(), actor, now: new Date(), log: t.app.log, keyring: t.app.keyring, ip: '127.0.0.1' };
    const uploads = requiredFiles().map((f) => ({ component: f.field, fileName: f.name, data: f.data }));
    return submitNewDossier(ctx, t.files, CreateDossierBody.parse(complete()), uploads, idempotencyKey);
  }
  /** Every file of a dossier downloads (its stored file is on disk). */
  async function expectFilesDownload(id: string) {
    const view = await t.request({ method: 'GET', url: `/api/v1/dossiers/${id}`, as: 'citizen.an' });
    expect(view.json.files).toHaveLength(requiredFiles().length);
    for (const f of view.json.files as { fileId: string }[]) {
      expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${id}/files/${f.fileId}`, as: 'citizen.an' })).status).toBe(200);
    }
  }

  it('keeps them when the retry finds the Idempotency-Key taken by its own first attempt, and answers with that dossier', async () => {
    const before = await counts();
    const r = await submitThroughLostCommit('lost-commit-answer-1');
    expect(r.replayed).toBe(false);
    const after = await counts();
    expect(after.dossiers - before.dossiers).toBe(1);
    expect(after.stored - before.stored).toBe(requiredFiles().length);
    await expectFilesDownload(r.id);
  });

  it('keeps them when the retry fails (a duplicate id), and answers with the dossier written', async () => {
    const before = await counts();
    const r = await submitThroughLostCommit();
    expect(r.replayed).toBe(false);
    const after = await counts();
    expect(after.dossiers - before.dossiers).toBe(1);
    expect(after.stored - before.stored).toBe(requiredFiles().length);
    await expectFilesDownload(r.id);
  });
});
