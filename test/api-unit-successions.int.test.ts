import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { unitCodeProblem } from '../src/modules/reference/reference.service.ts';
import { createTestApp, type TestApp } from './harness.ts';

// Administrative-unit successions (old code → new code from a date): imported from CSV by the
// API and the admin command, read per unit in both directions, and named in the error of a form
// answer whose unit was replaced. Also: procedure definitions sent decomposed (NFD) are stored
// in NFC, so their select options match answers.

let t: TestApp;
const api = (p: string) => `/api/v1${p}`;
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' };

function expectProblem(res: { status: number; json: any; headers: Record<string, unknown> }, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  if (code) expect(res.json.code).toBe(code);
}

const importSuccessions = (csv: string, as = 'admin.lan') => t.request({ method: 'POST', url: api('/units/successions/import'), as, payload: { csv } });
const successions = (code: string) => t.request({ method: 'GET', url: api(`/units/${code}/successions`) });
const auditCount = async () =>
  Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'units.successions.import'`))[0]!.n);

// Test units: three old communes closed at the end of 2025, one that lived through 2025 only,
// and two new communes from 1 January 2026 (in force today).
const UNITS_CSV = [
  'code,name,type,parent_code,valid_from,valid_to',
  '14960,Xã Cũ Một,commune,37,2020-01-01,2025-12-31',
  '14961,Xã Cũ Hai,commune,37,2020-01-01,2025-12-31',
  '14962,Xã Cũ Ba,commune,37,2020-01-01,2025-12-31',
  '14963,Xã Rất Cũ,commune,37,2010-01-01,2024-12-31',
  '14964,Xã Tạm,commune,37,2025-01-01,2025-12-31',
  '14970,Xã Hợp Nhất,commune,37,2026-01-01,',
  '14971,Phường Tách Mới,ward,37,2026-01-01,',
].join('\n');

const GOOD = [
  'from_code,to_code,effective_date,note',
  '14960,14970,2026-01-01,"Sáp nhập xã Cũ Một, xã Cũ Hai"',
  '14961,14970,2026-01-01,"Sáp nhập xã Cũ Một, xã Cũ Hai"',
  // A split: one old commune, two successors.
  '14962,14970,2026-01-01,Chia tách',
  '14962,14971,2026-01-01,Chia tách',
  // A chain: 14963 → 14964 (2025) → 14970 (2026).
  '14963,14964,2025-01-01,',
  '14964,14970,2026-01-01,',
];

beforeAll(async () => {
  t = await createTestApp();
  const r = await t.request({ method: 'POST', url: api('/units/import'), as: 'admin.lan', payload: { csv: UNITS_CSV } });
  expect(r.status, r.body).toBe(200);
});
afterAll(async () => t?.close());

describe('importing successions (POST /units/successions/import)', () => {
  it('imports a good file (BOM, CRLF, quoted commas, NFD note), and importing it again changes nothing', async () => {
    const nfdNote = GOOD.map((l) => l.replace('Chia tách', 'Chia tách'.normalize('NFD')));
    const r = await importSuccessions(`\ufeff${nfdNote.join('\r\n')}\r\n`);
    expect(r.status, r.body).toBe(200);
    expect(r.json).toEqual({ rows: 6, inserted: 6, updated: 0, unchanged: 0 });
    expect(await auditCount()).toBe(1);

    const again = await importSuccessions(GOOD.join('\n'));
    expect(again.json).toEqual({ rows: 6, inserted: 0, updated: 0, unchanged: 6 });
    const rows = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM admin_unit_successions WHERE from_code LIKE '1496_'`);
    expect(Number(rows[0]!.n)).toBe(6);

    // A corrected note is an update; the other rows are unchanged.
    const fixed = await importSuccessions([GOOD[0], '14962,14971,2026-01-01,Chia tách xã Cũ Ba', GOOD[1]].join('\n'));
    expect(fixed.json).toEqual({ rows: 2, inserted: 0, updated: 1, unchanged: 1 });
    expect(await auditCount()).toBe(3);
    const notes = await queryRows<{ note: string }>(t.database.db, sql`SELECT note FROM admin_unit_successions WHERE from_code = '14962' ORDER BY to_code`);
    expect(notes.map((n) => n.note)).toEqual(['Chia tách', 'Chia tách xã Cũ Ba']);
    expect(notes[0]!.note).toBe('Chia tách'.normalize('NFC'));
  });

  it('refuses a file with bad lines, listing each by its line in the file, and imports nothing', async () => {
    const csv = [
      'from_code,to_code,effective_date',
      '14965,14970,2026-01-01', // line 2: fine on its own
      '1496,14970,2026-01-01', // line 3: from_code of 4 digits
      '14970,14970,2026-01-01', // line 4: a unit succeeding itself
      '14966,14970,2026-02-30', // line 5: impossible date
      '',
      '14965,14970,2026-01-01', // line 7: repeats line 2
      '14967,14999,2026-01-01', // line 8: no such successor unit
      '14968,14970,2025-06-01', // line 9: the successor is not in force yet on that date
      '14969,14971,2026-01-01,extra', // line 10: a column more than the header
    ].join('\n');
    const r = await importSuccessions(csv);
    expectProblem(r, 422, 'UNIT_SUCCESSIONS_CSV_INVALID');
    expect(r.json.errors.map((e: { path: string }) => e.path)).toEqual([
      'csv.line3',
      'csv.line4',
      'csv.line5',
      'csv.line7',
      'csv.line8',
      'csv.line9',
      'csv.line10',
    ]);
    const msg = (line: number) => r.json.errors.find((e: { path: string }) => e.path === `csv.line${line}`).message as string;
    expect(msg(3)).toMatch(/mã cũ \(from_code\) phải có 2 chữ số/);
    expect(msg(4)).toMatch(/trùng nhau/);
    expect(msg(5)).toMatch(/effective_date/);
    expect(msg(7)).toBe('trùng với dòng 2');
    expect(msg(8)).toBe('mã mới (to_code) 14999 không phải đơn vị hành chính còn hiệu lực vào ngày 2026-01-01 (hãy nhập đơn vị này trước)');
    expect(msg(9)).toMatch(/14970 không phải đơn vị hành chính còn hiệu lực vào ngày 2025-06-01/);
    expect(msg(10)).toMatch(/quá nhiều cột/);
    expect(r.json.detail ?? r.json.title).toBeTruthy();
    expectProblem(await successions('14965'), 404, 'UNIT_NOT_FOUND');
    expect(await auditCount()).toBe(3);

    const header = await importSuccessions('tu_ma,den_ma,ngay\n14960,14970,2026-01-01');
    expectProblem(header, 422, 'UNIT_SUCCESSIONS_CSV_INVALID');
    expect(header.json.errors).toEqual([{ path: 'csv.header', message: 'dòng đầu của tệp phải là dòng tiêu đề: from_code,to_code,effective_date[,note]' }]);
    const quote = await importSuccessions('from_code,to_code,effective_date,note\n14960,14970,2026-01-01,"Ghi chú mở\n');
    expectProblem(quote, 422, 'UNIT_SUCCESSIONS_CSV_INVALID');
    expect(quote.json.errors).toEqual([{ path: 'csv', message: 'dấu ngoặc kép mở ở dòng 2 không được đóng lại' }]);
    expectProblem(await importSuccessions(''), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'POST', url: api('/units/successions/import'), as: 'admin.lan', payload: {} }), 422, 'VALIDATION_FAILED');
  });

  it('only administrators import successions (403; 401 anonymous)', async () => {
    const csv = 'from_code,to_code,effective_date\n14969,14970,2026-01-01\n';
    expectProblem(await importSuccessions(csv, 'reception.dung'), 403, 'ROLE_REQUIRED');
    expectProblem(await importSuccessions(csv, 'citizen.an'), 403, 'ROLE_REQUIRED');
    expectProblem(await t.request({ method: 'POST', url: api('/units/successions/import'), payload: { csv } }), 401, 'AUTH_REQUIRED');
    expectProblem(await successions('14969'), 404, 'UNIT_NOT_FOUND');
  });
});

describe('reading successions (GET /units/{code}/successions)', () => {
  it('lists a unit’s successors with their names on the effective date, and its predecessors with their names the day before', async () => {
    const split = await successions('14962');
    expect(split.status, split.body).toBe(200);
    expect(split.json).toEqual({
      code: '14962',
      successors: [
        { id: expect.any(Number), code: '14970', name: 'Xã Hợp Nhất', effectiveDate: '2026-01-01', note: 'Chia tách' },
        { id: expect.any(Number), code: '14971', name: 'Phường Tách Mới', effectiveDate: '2026-01-01', note: 'Chia tách xã Cũ Ba' },
      ],
      predecessors: [],
    });
    const merged = (await successions('14970')).json;
    expect(merged.successors).toEqual([]);
    expect(merged.predecessors.map((p: { code: string; name: string }) => [p.code, p.name])).toEqual([
      ['14960', 'Xã Cũ Một'],
      ['14961', 'Xã Cũ Hai'],
      ['14962', 'Xã Cũ Ba'],
      ['14964', 'Xã Tạm'],
    ]);
    const middle = (await successions('14964')).json;
    expect(middle.predecessors).toEqual([{ id: expect.any(Number), code: '14963', name: 'Xã Rất Cũ', effectiveDate: '2025-01-01', note: null }]);
    expect(middle.successors.map((s: { code: string }) => s.code)).toEqual(['14970']);
  });

  it('reads the demo reorganisation of 1 July 2025, including a province', async () => {
    expect((await successions('13645')).json.successors).toEqual([
      { id: expect.any(Number), code: '13669', name: 'Phường Nam Định', effectiveDate: '2025-07-01', note: expect.stringContaining('thành phường Nam Định') },
    ]);
    const nd = (await successions('13669')).json;
    expect(nd.predecessors.map((p: { code: string }) => p.code)).toEqual(['13645', '13648', '13651', '13654', '13657', '356']);
    expect(nd.predecessors.find((p: { code: string }) => p.code === '13645').name).toBe('Phường Vị Xuyên');
    const province = (await successions('37')).json;
    expect(province.predecessors.map((p: { code: string; name: string }) => [p.code, p.name])).toEqual([
      ['35', 'Tỉnh Hà Nam'],
      ['36', 'Tỉnh Nam Định'],
    ]);
    // A unit that exists but was never reorganised: 200 with empty lists.
    const all = (await t.request({ method: 'GET', url: api('/units?parent=37') })).json as { code: string }[];
    const untouched = all.map((u) => u.code).find((c) => c.startsWith('14') && !c.startsWith('149'));
    expect(untouched).toBeDefined();
    expect((await successions(untouched!)).json).toEqual({ code: untouched, successors: [], predecessors: [] });
  });

  it('answers 404 for an unknown code and 422 for a malformed one', async () => {
    expectProblem(await successions('99999'), 404, 'UNIT_NOT_FOUND');
    for (const bad of ['1234', 'abc', '123456']) expectProblem(await successions(bad), 422, 'VALIDATION_FAILED');
  });
});

describe('a form answer naming a replaced unit', () => {
  const post = (form: Record<string, unknown>) =>
    t.request({ method: 'POST', url: api('/dossiers'), as: 'citizen.an', payload: { procedureCode: '1.001193', applicant, form } });
  const messageFor = async (unit: string) => {
    const r = await post({ noi_cu_tru: unit });
    expectProblem(r, 422, 'DOSSIER_FORM_INVALID');
    expect(r.json.errors).toHaveLength(1);
    expect(r.json.errors[0].path).toBe('form.noi_cu_tru');
    return r.json.errors[0].message as string;
  };

  it('names the successor and the date it took over', async () => {
    expect(await messageFor('13645')).toBe('Mã đơn vị hành chính 13645 đã được thay bằng 13669 (Phường Nam Định) từ ngày 01/07/2025');
    expect(await messageFor('13660')).toBe('Mã đơn vị hành chính 13660 đã được thay bằng 13684 (Phường Thiên Trường) từ ngày 01/07/2025');
  });

  it('names every successor of a split, and follows a chain to the unit in force today', async () => {
    expect(await messageFor('14962')).toBe('Mã đơn vị hành chính 14962 đã được thay bằng 14970 (Xã Hợp Nhất), 14971 (Phường Tách Mới) từ ngày 01/01/2026');
    expect(await messageFor('14963')).toBe('Mã đơn vị hành chính 14963 đã được thay bằng 14970 (Xã Hợp Nhất) từ ngày 01/01/2026');
  });

  it('keeps the plain message for a code that never existed, and accepts the successor', async () => {
    expect(await messageFor('99999')).toBe('Mã đơn vị hành chính 99999 không tồn tại hoặc đã hết hiệu lực');
    const ok = await post({ noi_cu_tru: '14970' });
    expect(ok.status, ok.body).toBe(201);
  });
});

describe('the admin command import-successions', () => {
  it('imports a file, refuses bad lines with exit code 1, and re-imports without changes', async () => {
    const exec = promisify(execFile);
    const dir = path.join(t.dataDir, 'cli');
    // On PostgreSQL the command works on the test database (codes not used elsewhere in this file);
    // on PGlite on a data folder of its own.
    const { DATABASE_URL: _ignored, ...rest } = process.env;
    const env = t.databaseUrl
      ? { ...rest, DATABASE_URL: t.databaseUrl, NODE_ENV: 'test', LOG_LEVEL: 'silent' }
      : { ...rest, DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    const run = (...args: string[]) =>
      exec(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: path.resolve(import.meta.dirname, '..'), env }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    await writeFile(
      path.join(t.dataDir, 'units.csv'),
      'code,name,type,parent_code,valid_from,valid_to\n14950,Xã Cũ Bốn,commune,37,2020-01-01,2025-12-31\n14951,Xã Mới Bốn,commune,37,2026-01-01,\n',
    );
    await writeFile(path.join(t.dataDir, 'good.csv'), 'from_code,to_code,effective_date,note\n14950,14951,2026-01-01,"Đổi tên, đổi mã"\n');
    await writeFile(
      path.join(t.dataDir, 'bad.csv'),
      'from_code,to_code,effective_date\n14952,14951,2026-01-01\n\n14953,14998,2026-01-01\n1,14951,2026-01-01\n',
    );
    const units = await run('import-units', path.join(t.dataDir, 'units.csv'));
    expect(units.code, units.stderr).toBe(0);

    const bad = await run('import-successions', path.join(t.dataDir, 'bad.csv'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('csv.line4: mã mới (to_code) 14998 không phải đơn vị hành chính còn hiệu lực vào ngày 2026-01-01');
    expect(bad.stderr).toContain('csv.line5: mã cũ (from_code) phải có 2 chữ số');
    expect(bad.stderr).toContain('2 bad row(s); nothing imported.');

    const good = await run('import-successions', path.join(t.dataDir, 'good.csv'));
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout.trim()).toBe('1 row(s): 1 new, 0 updated, 0 unchanged');
    const again = await run('import-successions', path.join(t.dataDir, 'good.csv'));
    expect(again.stdout.trim()).toBe('1 row(s): 0 new, 0 updated, 1 unchanged');
  }, 120_000);
});

describe('procedure definitions sent in NFD', () => {
  it('are stored in NFC throughout, so a select option matches an answer in either form', async () => {
    const base = (await t.request({ method: 'GET', url: api('/procedures/1.001193') })).json.definition as ProcedureDefinition;
    const nfd = (s: string) => s.normalize('NFD');
    const def: ProcedureDefinition = {
      ...structuredClone(base),
      name: nfd('Xác nhận quan hệ thử nghiệm'),
      steps: nfd('Bước 1: nộp hồ sơ'),
      fees: [],
      components: [{ code: 'don', name: nfd('Đơn đề nghị'), form: 'original', copies: 1, required: true, note: nfd('Bản chính') }],
      form: [
        {
          key: 'quan_he',
          label: nfd('Quan hệ với người được xác nhận'),
          type: 'select',
          required: true,
          help: nfd('Chọn một'),
          options: [
            { value: nfd('bố'), label: nfd('Bố') },
            { value: nfd('mẹ'), label: nfd('Mẹ') },
          ],
        },
        { key: 'ten', label: nfd('Họ tên'), type: 'text', required: false, pattern: nfd('[A-ZÀ-Ỹa-zà-ỹĐđ ]+') },
      ],
      workflow: [
        { key: 'xem_xet', name: nfd('Xem xét hồ sơ'), role: 'specialist', share: 0.6 },
        { key: 'phe_duyet', name: nfd('Phê duyệt'), role: 'leader', share: 0.4 },
      ],
      legalBasis: [nfd('Luật Hộ tịch 2014')],
      popularity: 0,
    };
    const code = '9.000777';
    const created = await t.request({
      method: 'POST',
      url: api('/procedures'),
      as: 'admin.lan',
      payload: { code, definition: def, decisionRef: nfd('Quyết định số 7/QĐ-UBND') },
    });
    expect(created.status, created.body).toBe(201);
    expect((await t.request({ method: 'POST', url: api(`/procedures/${code}/versions/1/publish`), as: 'admin.lan' })).status).toBe(200);

    const stored = (await t.request({ method: 'GET', url: api(`/procedures/${code}`) })).json.definition as ProcedureDefinition;
    const strings = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : [];
    const notNfc = strings(stored).filter((s) => s !== s.normalize('NFC'));
    expect(notNfc).toEqual([]);
    expect(stored.form[0]!.options!.map((o) => o.value)).toEqual(['bố', 'mẹ']);
    expect(stored.workflow.map((w) => w.name)).toEqual(['Xem xét hồ sơ', 'Phê duyệt']);
    const [v] = await queryRows<{ decision_ref: string }>(
      t.database.db,
      sql`SELECT decision_ref FROM procedure_versions v JOIN procedures p ON p.id = v.procedure_id WHERE p.code = ${code}`,
    );
    expect(v!.decision_ref).toBe('Quyết định số 7/QĐ-UBND');

    for (const answer of ['mẹ', nfd('mẹ')]) {
      const d = await t.request({
        method: 'POST',
        url: api('/dossiers'),
        as: 'citizen.an',
        payload: { procedureCode: code, applicant, form: { quan_he: answer, ten: nfd('Nguyễn Thị Hằng') } },
      });
      expect(d.status, d.body).toBe(201);
      expect(d.json.form).toEqual({ quan_he: 'mẹ', ten: 'Nguyễn Thị Hằng' });
    }
  });

  it('refuses two options that are the same once normalised', async () => {
    const base = (await t.request({ method: 'GET', url: api('/procedures/1.001193') })).json.definition as ProcedureDefinition;
    const def = {
      ...structuredClone(base),
      form: [
        {
          key: 'quan_he',
          label: 'Quan hệ',
          type: 'select',
          required: true,
          options: [
            { value: 'bố', label: 'Bố' },
            { value: 'bố'.normalize('NFD'), label: 'Bố (NFD)' },
          ],
        },
      ],
    };
    const r = await t.request({ method: 'POST', url: api('/procedures'), as: 'admin.lan', payload: { code: '9.000778', definition: def } });
    expectProblem(r, 422, 'PROCEDURE_DEFINITION_INVALID');
    expect(r.json.errors).toContainEqual({ path: 'definition.form.0.options', message: 'có hai lựa chọn trùng giá trị' });
  });
});

describe('deleting a succession (DELETE /units/successions/{id})', () => {
  const remove = (id: string | number, as?: string) => t.request({ method: 'DELETE', url: api(`/units/successions/${id}`), ...(as ? { as } : {}) });
  const deleteAudits = () =>
    queryRows<{ target_id: string; details: Record<string, unknown> }>(
      t.database.db,
      sql`SELECT target_id, details FROM audit_log WHERE action = 'units.successions.delete' ORDER BY id`,
    );

  it('lets an administrator delete a row imported by mistake: 204, gone from both lists and from form errors, audited', async () => {
    // 14960 was merged into 14970; a line wrongly says it also went to 14971.
    expect((await importSuccessions('from_code,to_code,effective_date,note\n14960,14971,2026-01-01,Nhập nhầm\n')).status).toBe(200);
    const before = (await successions('14960')).json;
    const wrong = before.successors.find((x: { code: string }) => x.code === '14971');
    expect(wrong).toEqual({ id: expect.any(Number), code: '14971', name: 'Phường Tách Mới', effectiveDate: '2026-01-01', note: 'Nhập nhầm' });
    expect((await successions('14971')).json.predecessors.map((p: { id: number }) => p.id)).toContain(wrong.id);
    const today = new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
    expect(await unitCodeProblem(t.database.db, '14960', today)).toBe(
      'Mã đơn vị hành chính 14960 đã được thay bằng 14970 (Xã Hợp Nhất), 14971 (Phường Tách Mới) từ ngày 01/01/2026',
    );

    // Others may not (and the row stays).
    expectProblem(await remove(wrong.id), 401, 'AUTH_REQUIRED');
    for (const who of ['reception.dung', 'leader.hoa', 'citizen.an']) expectProblem(await remove(wrong.id, who), 403, 'ROLE_REQUIRED');
    expect((await successions('14960')).json.successors).toHaveLength(2);

    const res = await remove(wrong.id, 'admin.lan');
    expect(res.status, res.body).toBe(204);
    expect(res.body).toBe('');
    const after = (await successions('14960')).json;
    expect(after.successors).toEqual([
      { id: expect.any(Number), code: '14970', name: 'Xã Hợp Nhất', effectiveDate: '2026-01-01', note: 'Sáp nhập xã Cũ Một, xã Cũ Hai' },
    ]);
    expect((await successions('14971')).json.predecessors.map((p: { id: number }) => p.id)).not.toContain(wrong.id);
    // Nothing cached: the next form answer names only the real successor.
    expect(await unitCodeProblem(t.database.db, '14960', today)).toBe('Mã đơn vị hành chính 14960 đã được thay bằng 14970 (Xã Hợp Nhất) từ ngày 01/01/2026');
    expect(await deleteAudits()).toEqual([
      { target_id: String(wrong.id), details: { fromCode: '14960', toCode: '14971', effectiveDate: '2026-01-01', note: 'Nhập nhầm' } },
    ]);

    // Deleting it again: 404, and no second audit record.
    expectProblem(await remove(wrong.id, 'admin.lan'), 404, 'SUCCESSION_NOT_FOUND');
    expect(await deleteAudits()).toHaveLength(1);
  });

  it('answers 404 problem+json for an unknown id and 422 for a malformed one', async () => {
    const unknown = await remove(999_999_999, 'admin.lan');
    expectProblem(unknown, 404, 'SUCCESSION_NOT_FOUND');
    expect(unknown.json.detail).toBe('Không tìm thấy liên kết kế thừa đơn vị hành chính.');
    for (const bad of ['abc', '0', '-1', '1.5', '01', '1e3', '1234567890123456']) {
      const r = await remove(bad, 'admin.lan');
      expectProblem(r, 422, 'VALIDATION_FAILED');
      expect(r.json.errors, bad).toEqual([expect.objectContaining({ path: 'id' })]);
    }
    expect(await deleteAudits()).toHaveLength(1);
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.request({ method: 'GET', url: '/api/openapi.json' })).json as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(Object.keys(doc.paths['/api/v1/units/successions/{id}'] ?? {})).toEqual(['delete']);
    expect(Object.keys(doc.paths['/api/v1/units/successions/{id}']!.delete!.responses)).toContain('204');
  });
});
