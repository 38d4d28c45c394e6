import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, queryRows, sql, type Database } from '../src/db/client.ts';
import { DataStepError } from '../src/db/data-steps.ts';
import { migrate, MIGRATIONS_DIR } from '../src/db/migrate.ts';
import { Keyring } from '../src/platform/crypto.ts';
import { idNumberHash, openApplicantRow, openForm, openUserFields } from '../src/platform/personal-data.ts';
import { createPostgresDatabase, createTestApp, plainAnswers, type TestApp } from './harness.ts';

// Personal ID numbers and phone numbers are stored only encrypted (docs/PRIVACY.md): what the
// database holds, what people see through the API, the lookups by keyed hash, tampering, and the
// move of values stored in clear by earlier versions.

const AN_ID = '036090001234'; // citizen.an's ID number (demo account)
const WALK_IN_ID = '036187001122';
const PROC = '1.001193'; // Đăng ký khai sinh: citizens, online and at the desk

describe('personal data at rest', () => {
  let t: TestApp;
  let form: Record<string, unknown>;
  beforeAll(async () => {
    t = await createTestApp();
    const proc = await t.request({ method: 'GET', url: `/api/v1/procedures/${PROC}` });
    form = plainAnswers(proc.json.definition.form);
  });
  afterAll(async () => t?.close());

  it('stores no ID number or phone in clear: not in the applicant document, the search text or the account', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: PROC, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: AN_ID, phone: '+84912345678' }, form },
    });
    expect(res.status, res.body).toBe(201);
    const [row] = await queryRows<{ whole: string; applicant_id_number_enc: string; applicant_id_number_hash: string; applicant_phone_enc: string }>(
      t.database.db,
      sql`SELECT d::text AS whole, applicant_id_number_enc, applicant_id_number_hash, applicant_phone_enc FROM dossiers d WHERE id = ${res.json.id}`,
    );
    expect(row!.whole).not.toContain(AN_ID);
    expect(row!.whole).not.toContain('912345678');
    expect(row!.applicant_id_number_enc).toMatch(/^enc:v1:/);
    expect(row!.applicant_phone_enc).toMatch(/^enc:v1:/);
    expect(row!.applicant_id_number_hash).toBe(idNumberHash(t.app.keyring, AN_ID));
    // The applicant's own view has the values back, the phone in its national form.
    const view = await t.request({ method: 'GET', url: `/api/v1/dossiers/${res.json.id}`, as: 'citizen.an' });
    expect(view.json.applicant).toMatchObject({ idNumber: AN_ID, phone: '0912345678', fullName: 'Nguyễn Văn An' });
    // Answers of the types id_number and phone are encrypted inside the form, and read back in clear.
    expect(view.json.form).toEqual(form);
    const patched = await t.request({
      method: 'PATCH',
      url: `/api/v1/dossiers/${res.json.id}`,
      as: 'citizen.an',
      payload: { form: { ho_ten_tre: 'Nguyễn Văn Bình' } },
    });
    expect(patched.status, patched.body).toBe(200);
    const again = await t.request({ method: 'GET', url: `/api/v1/dossiers/${res.json.id}`, as: 'citizen.an' });
    expect(again.json.form).toEqual({ ...form, ho_ten_tre: 'Nguyễn Văn Bình' });

    const [account] = await queryRows<{ whole: string; id: string; id_number_enc: string; phone_enc: string | null }>(
      t.database.db,
      sql`SELECT u::text AS whole, id, id_number_enc, phone_enc FROM users u WHERE username = 'citizen.an'`,
    );
    expect(account!.whole).not.toContain(AN_ID);
    expect(openUserFields(t.app.keyring, { id: account!.id, idNumberEnc: account!.id_number_enc, phoneEnc: account!.phone_enc }).idNumber).toBe(AN_ID);
  });

  it('a dossier the desk files for an ID number is linked to that person’s account through the keyed hash', async () => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'reception.dung',
      payload: { procedureCode: PROC, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: AN_ID }, form, channel: 'in_person' },
    });
    expect(res.status, res.body).toBe(201);
    const mine = await t.request({ method: 'GET', url: `/api/v1/dossiers/${res.json.id}`, as: 'citizen.an' });
    expect(mine.status).toBe(200);
    const other = await t.request({ method: 'GET', url: `/api/v1/dossiers/${res.json.id}`, as: 'citizen.binh' });
    expect(other.status).toBe(404);
  });

  it('staff find a dossier by the whole ID number; a part of it finds nothing', async () => {
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'reception.dung',
      payload: {
        procedureCode: PROC,
        applicant: { type: 'citizen', fullName: 'Lò Thị Mai', idNumber: WALK_IN_ID, phone: '0987654321' },
        form,
        channel: 'in_person',
      },
    });
    expect(created.status, created.body).toBe(201);
    const id = created.json.id as string;
    // The desk's own walk-in draft (staff lists show drafts when asked for them).
    const list = (q: string) => t.request({ method: 'GET', url: `/api/v1/dossiers?status=draft&q=${encodeURIComponent(q)}`, as: 'reception.dung' });
    const whole = await list(WALK_IN_ID);
    expect(whole.status, whole.body).toBe(200);
    expect(whole.json.items.map((d: { id: string }) => d.id)).toEqual([id]);
    const part = await list(WALK_IN_ID.slice(0, 8));
    expect(part.json.items).toEqual([]);
    const byName = await list('lo thi mai');
    expect(byName.json.items.map((d: { id: string }) => d.id)).toContain(id);
  });

  it('a ciphertext moved to another dossier does not decrypt: the read fails loudly instead of showing someone else’s number', async () => {
    const a = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: PROC, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: AN_ID }, form },
    });
    const b = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: PROC, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090009999' }, form },
    });
    await t.database.db.execute(
      sql`UPDATE dossiers SET applicant_id_number_enc = (SELECT applicant_id_number_enc FROM dossiers WHERE id = ${b.json.id}) WHERE id = ${a.json.id}`,
    );
    const read = await t.request({ method: 'GET', url: `/api/v1/dossiers/${a.json.id}`, as: 'citizen.an' });
    expect(read.status).toBe(500);
    expect(read.json.code).toBe('PERSONAL_DATA_UNREADABLE');
    expect(read.body).not.toContain('036090009999');
  });

  it('the data export gives the person their numbers in clear', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/me/data-export', as: 'citizen.binh' });
    expect(res.status).toBe(200);
    expect(res.json.account.id_number).toMatch(/^\d{12}$/);
    expect(JSON.stringify(res.json)).not.toContain('enc:v1:');
  });
});

describe('upgrading a database that holds ID and phone numbers in clear (migration 0011 and its data step)', () => {
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  let oldDir: string;
  const keyring = Keyring.parse(Keyring.generateSpec('k1'));
  const ids = {
    agency: '00000000-0000-7000-8000-000000000001',
    user: '00000000-0000-7000-8000-000000000002',
    proc: '00000000-0000-7000-8000-000000000003',
    version: '00000000-0000-7000-8000-000000000004',
    dossier: '00000000-0000-7000-8000-000000000005',
    doc: '00000000-0000-7000-8000-000000000006',
  };

  beforeAll(async () => {
    oldDir = await mkdtemp(path.join(os.tmpdir(), 'tinhso-old-migrations-'));
    for (const name of await readdir(MIGRATIONS_DIR)) {
      if (/^00(0\d|10)_/.test(name)) await cp(path.join(MIGRATIONS_DIR, name), path.join(oldDir, name));
    }
    const pg = process.env.TEST_DATABASE_URL ? await createPostgresDatabase(process.env.TEST_DATABASE_URL) : null;
    drop = pg?.drop;
    database = await openDatabase({ databaseUrl: pg?.url, dataDir: ':memory:' });
    await migrate(database, oldDir);
    // Rows as version 0010 wrote them.
    const db = database.db;
    await db.execute(
      sql`INSERT INTO agencies (id, code, name, short_name, identity_code, unit_code, kind) VALUES (${ids.agency}, 'TT', 'Trung tâm', 'TT', 'TT.37', '37', 'service_centre')`,
    );
    await db.execute(
      sql`INSERT INTO users (id, username, display_name, kind, id_number, phone) VALUES (${ids.user}, 'cu', 'Người cũ', 'citizen', '036080001111', '0911222333')`,
    );
    await db.execute(sql`INSERT INTO procedure_fields (code, name) VALUES ('ho_tich', 'Hộ tịch')`);
    await db.execute(
      sql`INSERT INTO procedures (id, code, name, search_text, field_code, tier, online_level, competent_agency_id) VALUES (${ids.proc}, 'P1', 'Thủ tục', 'thu tuc', 'ho_tich', 'province', 'full', ${ids.agency})`,
    );
    const definition = {
      form: [
        { key: 'so_dinh_danh_me', type: 'id_number' },
        { key: 'dien_thoai', type: 'phone' },
        { key: 'ho_ten', type: 'text' },
      ],
    };
    await db.execute(
      sql`INSERT INTO procedure_versions (id, procedure_id, version, status, definition) VALUES (${ids.version}, ${ids.proc}, 1, 'published', ${JSON.stringify(definition)}::jsonb)`,
    );
    await db.execute(sql`INSERT INTO dossiers (id, code, procedure_id, procedure_version_id, procedure_code, procedure_version, receiving_agency_id, competent_agency_id, status, channel,
        applicant_type, applicant, applicant_user_id, created_by, form, search_text, created_at, updated_at)
      VALUES (${ids.dossier}, 'TT.37-261126-0001', ${ids.proc}, ${ids.version}, 'P1', 1, ${ids.agency}, ${ids.agency}, 'submitted', 'online', 'citizen',
        ${JSON.stringify({ type: 'citizen', fullName: 'Người Cũ', idNumber: '036080001111', phone: '0911222333' })}::jsonb, ${ids.user}, ${ids.user},
        ${JSON.stringify({ so_dinh_danh_me: '036180002222', dien_thoai: '0933444555', ho_ten: 'Mẹ' })}::jsonb, 'tt.37-261126-0001 nguoi cu 036080001111', now(), now())`);
    await db.execute(sql`INSERT INTO sealed_documents (id, dossier_id, kind, title, file_name, media_type, size, sha256, key_id, signature, issuer_agency_id, issued_at, storage_key, applicant_id_number)
      VALUES (${ids.doc}, ${ids.dossier}, 'generated', 'Kết quả', 'kq.pdf', 'application/pdf', 10, ${'a'.repeat(64)}, 'k', 'sig', ${ids.agency}, now(), 'key', '036080001111')`);
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
    await rm(oldDir, { recursive: true, force: true });
  });

  it('without the key it stops, changes nothing and says why', async () => {
    await expect(migrate(database)).rejects.toThrow(DataStepError);
    const [u] = await queryRows<{ id_number: string; applied: boolean }>(
      database.db,
      sql`SELECT id_number, EXISTS (SELECT 1 FROM schema_migrations WHERE id = '0011_personal_data_sealed') AS applied FROM users WHERE id = ${ids.user}`,
    );
    expect(u).toEqual({ id_number: '036080001111', applied: false });
  });

  it('with the key it encrypts every value, drops the clear columns, and the values read back', async () => {
    const applied = await migrate(database, MIGRATIONS_DIR, { keyring });
    expect(applied).toContain('0011_personal_data_sealed');
    expect(applied).toContain('0014_personal_data_clear_dropped');

    const [u] = await queryRows<{ whole: string; id_number_enc: string; phone_enc: string; id_number_hash: string }>(
      database.db,
      sql`SELECT u::text AS whole, id_number_enc, phone_enc, id_number_hash FROM users u WHERE id = ${ids.user}`,
    );
    expect(u!.whole).not.toContain('036080001111');
    expect(u!.whole).not.toContain('0911222333');
    expect(openUserFields(keyring, { id: ids.user, idNumberEnc: u!.id_number_enc, phoneEnc: u!.phone_enc })).toEqual({
      idNumber: '036080001111',
      phone: '0911222333',
    });
    expect(u!.id_number_hash).toBe(idNumberHash(keyring, '036080001111'));

    const [d] = await queryRows<{
      whole: string;
      id: string;
      applicant: unknown;
      form: unknown;
      applicant_id_number_enc: string;
      applicant_phone_enc: string;
      search_text: string;
    }>(
      database.db,
      sql`SELECT d::text AS whole, id, applicant, form, applicant_id_number_enc, applicant_phone_enc, search_text FROM dossiers d WHERE id = ${ids.dossier}`,
    );
    for (const clear of ['036080001111', '0911222333', '036180002222', '0933444555']) expect(d!.whole).not.toContain(clear);
    expect(d!.whole).toContain('Mẹ');
    expect(openForm(keyring, ids.dossier, d!.form)).toEqual({ so_dinh_danh_me: '036180002222', dien_thoai: '0933444555', ho_ten: 'Mẹ' });
    expect(d!.search_text).toBe('tt.37-261126-0001 nguoi cu');
    expect(openApplicantRow(keyring, d!)).toEqual({ type: 'citizen', fullName: 'Người Cũ', idNumber: '036080001111', phone: '0911222333' });

    const [doc] = await queryRows<{ whole: string; applicant_id_hash: string }>(
      database.db,
      sql`SELECT s::text AS whole, applicant_id_hash FROM sealed_documents s WHERE id = ${ids.doc}`,
    );
    expect(doc!.whole).not.toContain('036080001111');
    expect(doc!.applicant_id_hash).toBe(idNumberHash(keyring, '036080001111'));

    // The clear columns are gone, a clear value cannot come back through the applicant document,
    // and sealed results are append-only again.
    const cols = await queryRows<{ column_name: string }>(
      database.db,
      sql`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND ((table_name = 'users' AND column_name IN ('id_number', 'phone')) OR (table_name = 'sealed_documents' AND column_name = 'applicant_id_number'))`,
    );
    expect(cols).toEqual([]);
    await expect(
      database.db.execute(sql`UPDATE dossiers SET applicant = applicant || '{"idNumber":"036080001111"}'::jsonb WHERE id = ${ids.dossier}`),
    ).rejects.toThrow();
    const appendOnly = await database.db.execute(sql`UPDATE sealed_documents SET title = 'x' WHERE id = ${ids.doc}`).then(
      () => 'updated',
      (err: Error) => String((err.cause as Error | undefined)?.message ?? err.message),
    );
    expect(appendOnly).toMatch(/append-only/);
  });
});
