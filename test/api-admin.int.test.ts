import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { vnDate } from '../src/platform/time.ts';
import { demoProcedures } from '../src/db/demo/catalogue.ts';
import { DEMO_ADMIN_ADDRESS } from '../src/db/demo/seed.ts';
import { createTestApp, type TestApp } from './harness.ts';

// Administration over HTTP: the procedure catalogue (create, version, publish; dossiers keep
// their version) and the reference data (administrative units, agencies, staff pickers).

let t: TestApp;
let base: ProcedureDefinition;

const NEW_CODE = '9.000101';
const NEW_NAME = 'Xác nhận thông tin cư trú thử nghiệm Quỳnh Côi';
const api = (p: string) => `/api/v1${p}`;

function expectProblem(res: { status: number; json: any; headers: Record<string, unknown> }, status: number, code?: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  if (code) expect(res.json.code).toBe(code);
}

/** A full, valid definition derived from the published birth registration. */
function newDefinition(over: Partial<ProcedureDefinition> = {}): ProcedureDefinition {
  return structuredClone({
    ...base,
    name: NEW_NAME,
    fees: [],
    components: [{ code: 'don_de_nghi', name: 'Đơn đề nghị xác nhận (theo mẫu)', form: 'original' as const, copies: 1, required: true }],
    form: [
      { key: 'ho_ten', label: 'Họ, chữ đệm và tên', type: 'text' as const, required: true },
      { key: 'noi_cu_tru', label: 'Xã, phường nơi cư trú', type: 'unit_code' as const, required: false },
    ],
    popularity: 0,
    ...over,
  });
}

const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' };

beforeAll(async () => {
  t = await createTestApp();
  base = (await t.request({ method: 'GET', url: api('/procedures/1.001193') })).json.definition;
});
afterAll(async () => t?.close());

describe('procedure administration', () => {
  it('only administrators may create, version, publish or list versions (403; 401 anonymous)', async () => {
    const def = newDefinition();
    const calls = [
      { method: 'POST' as const, url: api('/procedures'), payload: { code: '9.000199', definition: def } },
      { method: 'POST' as const, url: api('/procedures/1.001193/versions'), payload: { definition: def } },
      { method: 'POST' as const, url: api('/procedures/1.001193/versions/1/publish') },
      { method: 'GET' as const, url: api('/procedures/1.001193/versions') },
    ];
    for (const c of calls) {
      expectProblem(await t.request(c), 401, 'AUTH_REQUIRED');
      for (const as of ['citizen.an', 'reception.dung', 'leader.hoa']) {
        const r = await t.request({ ...c, as });
        expectProblem(r, 403, 'ROLE_REQUIRED');
        expect(r.json.requiredRoles).toEqual(['admin']);
      }
    }
    expectProblem(await t.request({ method: 'GET', url: api('/procedures/9.000199') }), 404, 'PROCEDURE_NOT_FOUND');
    const versions = await t.request({ method: 'GET', url: api('/procedures/1.001193/versions'), as: 'admin.lan' });
    expect(versions.json).toEqual([expect.objectContaining({ version: 1, status: 'published' })]);
  });

  it('rejects invalid definitions with 422 and a list of errors, creating nothing', async () => {
    const cases: [string, unknown, string, RegExp][] = [
      [
        'shares not summing to 1',
        newDefinition({
          workflow: [
            { key: 'xu_ly', name: 'Xử lý', role: 'specialist', share: 0.5 },
            { key: 'ky', name: 'Ký', role: 'leader', share: 0.3 },
          ],
        }),
        'definition.workflow',
        /phải bằng 1 \(hiện là 0\.8\)/,
      ],
      [
        'last step not a leader',
        newDefinition({
          workflow: [
            { key: 'ky', name: 'Ký', role: 'leader', share: 0.3 },
            { key: 'xu_ly', name: 'Xử lý', role: 'specialist', share: 0.7 },
          ],
        }),
        'definition.workflow',
        /bước cuối cùng phải là lãnh đạo/,
      ],
      [
        'duplicate form keys',
        newDefinition({
          form: [
            { key: 'ho_ten', label: 'A', type: 'text', required: true },
            { key: 'ho_ten', label: 'B', type: 'text', required: false },
          ],
        }),
        'definition.form',
        /trùng mã trường ho_ten/,
      ],
      [
        'duplicate component codes',
        newDefinition({
          components: [
            { code: 'don', name: 'Đơn', form: 'original', copies: 1, required: true },
            { code: 'don', name: 'Đơn 2', form: 'copy', copies: 1, required: false },
          ],
        }),
        'definition.components',
        /trùng mã thành phần don/,
      ],
      [
        'duplicate step keys',
        newDefinition({
          workflow: [
            { key: 'buoc', name: 'A', role: 'specialist', share: 0.5 },
            { key: 'buoc', name: 'B', role: 'leader', share: 0.5 },
          ],
        }),
        'definition.workflow',
        /trùng mã bước buoc/,
      ],
      [
        'a select without options',
        newDefinition({ form: [{ key: 'loai', label: 'Loại', type: 'select', required: true }] }),
        'definition.form.0.options',
        /lựa chọn/,
      ],
      [
        'a fee per a non-number field',
        newDefinition({ fees: [{ code: 'phi', name: 'Phí', amount: 1000, perFormField: 'ho_ten' }] }),
        'definition.fees.0.perFormField',
        /trường kiểu số/,
      ],
      ['a bad field key', newDefinition({ form: [{ key: 'Họ tên', label: 'Họ tên', type: 'text', required: true }] }), 'definition.form.0.key', /snake_case/],
      ['a missing name', { ...newDefinition(), name: undefined }, 'definition.name', /./],
      ['no workflow', newDefinition({ workflow: [] }), 'definition.workflow', /./],
      ['a negative duration', newDefinition({ duration: { value: -1, unit: 'working_days' } }), 'definition.duration.value', /./],
      // Strict at every level: a misspelt key is refused where it is, not dropped.
      [
        'a misspelt key of a form field',
        { ...newDefinition(), form: [{ key: 'ho_ten', label: 'Họ tên', type: 'text', requried: true }] },
        'definition.form.0',
        /^có trường không được phép: requried$/,
      ],
      [
        'a misspelt key of a workflow step',
        newDefinition({ workflow: [{ key: 'ky', name: 'Ký', role: 'leader', share: 1, shareOfTime: 1 } as never] }),
        'definition.workflow.0',
        /^có trường không được phép: shareOfTime$/,
      ],
      ['a key the definition does not know', { ...newDefinition(), legalBasics: ['x'] }, 'definition', /^có trường không được phép: legalBasics$/],
      [
        'a misspelt key of a fee and of the duration',
        {
          ...newDefinition({ fees: [{ code: 'phi', name: 'Phí', amount: 0, perFeild: 'x' } as never] }),
          duration: { value: 5, unit: 'working_days', days: 5 },
        },
        'definition.fees.0',
        /^có trường không được phép: perFeild$/,
      ],
    ];
    for (const [label, definition, path, message] of cases) {
      const r = await t.request({ method: 'POST', url: api('/procedures'), as: 'admin.lan', payload: { code: '9.000102', definition } });
      expectProblem(r, 422, 'PROCEDURE_DEFINITION_INVALID');
      const hit = r.json.errors.find((e: { path: string }) => e.path === path);
      expect(hit, `${label}: ${JSON.stringify(r.json.errors)}`).toBeDefined();
      expect(hit.message, label).toMatch(message);
    }
    // Several problems are reported at once.
    const many = await t.request({
      method: 'POST',
      url: api('/procedures'),
      as: 'admin.lan',
      payload: {
        code: '9.000102',
        definition: newDefinition({
          form: [
            { key: 'a', label: 'A', type: 'text', required: true },
            { key: 'a', label: 'A', type: 'text', required: true },
          ],
          workflow: [{ key: 'x', name: 'X', role: 'specialist', share: 1 }],
        }),
      },
    });
    expect(many.json.errors.length).toBeGreaterThanOrEqual(2);
    // References must exist.
    const ref = await t.request({
      method: 'POST',
      url: api('/procedures'),
      as: 'admin.lan',
      payload: { code: '9.000102', definition: newDefinition({ fieldCode: 'khong_co', competentAgencyCode: 'SO-KHONG-CO' }) },
    });
    expectProblem(ref, 422, 'PROCEDURE_REFERENCE_INVALID');
    expect(ref.json.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['definition.fieldCode', 'definition']));
    expect(ref.json.errors.some((e: { message: string }) => e.message.includes('SO-KHONG-CO'))).toBe(true);
    expectProblem(
      await t.request({ method: 'POST', url: api('/procedures'), as: 'admin.lan', payload: { code: '9.000102', definition: 'not an object' } }),
      422,
      'PROCEDURE_DEFINITION_INVALID',
    );
    expectProblem(
      await t.request({ method: 'POST', url: api('/procedures'), as: 'admin.lan', payload: { code: '9 000/102', definition: newDefinition() } }),
      422,
      'VALIDATION_FAILED',
    );
    expectProblem(
      await t.request({ method: 'POST', url: api('/procedures'), as: 'admin.lan', payload: { definition: newDefinition() } }),
      422,
      'VALIDATION_FAILED',
    );

    // Nothing was created.
    expectProblem(await t.request({ method: 'GET', url: api('/procedures/9.000102/versions'), as: 'admin.lan' }), 404, 'PROCEDURE_NOT_FOUND');
    // A new version is held to the same strict schema, and none is added.
    const misspelt = await t.request({
      method: 'POST',
      url: api('/procedures/1.001193/versions'),
      as: 'admin.lan',
      payload: { definition: { ...base, components: base.components.map((c) => ({ ...c, copy: 1 })) } },
    });
    expectProblem(misspelt, 422, 'PROCEDURE_DEFINITION_INVALID');
    expect(misspelt.json.errors).toEqual(base.components.map((_, i) => ({ path: `definition.components.${i}`, message: 'có trường không được phép: copy' })));
    const versions = await t.request({ method: 'GET', url: api('/procedures/1.001193/versions'), as: 'admin.lan' });
    expect(versions.json.map((v: { version: number }) => v.version)).toEqual([1]);
  });

  it('records the address each catalogue change came from: the administrator’s, as for a dossier action', async () => {
    const code = '9.000111';
    const from = (remoteAddress: string, o: { method: 'POST'; url: string; payload?: Record<string, unknown> }) =>
      t.request({ ...o, as: 'admin.lan', remoteAddress });
    expect(
      (await from('198.51.100.21', { method: 'POST', url: api('/procedures'), payload: { code, definition: newDefinition({ name: 'Thủ tục thử địa chỉ' }) } }))
        .status,
    ).toBe(201);
    expect((await from('198.51.100.22', { method: 'POST', url: api(`/procedures/${code}/versions/1/publish`) })).status).toBe(200);
    expect((await from('198.51.100.23', { method: 'POST', url: api(`/procedures/${code}/versions`), payload: { definition: newDefinition() } })).status).toBe(
      201,
    );
    const records = await queryRows<{ action: string; ip: string | null; actor_id: string | null }>(
      t.database.db,
      sql`SELECT action, ip, actor_id FROM audit_log WHERE target_type = 'procedure' AND target_id = ${code} ORDER BY id`,
    );
    expect(records.map((r) => [r.action, r.ip])).toEqual([
      ['procedure.create', '198.51.100.21'],
      ['procedure.version.publish', '198.51.100.22'],
      ['procedure.version.create', '198.51.100.23'],
    ]);
    // The demo catalogue, published by the seed through the same use cases, names the administrator's workstation.
    const demo = new Set(demoProcedures.map((p) => p.code));
    const seeded = (
      await queryRows<{ target_id: string; action: string; ip: string | null }>(
        t.database.db,
        sql`SELECT target_id, action, ip FROM audit_log WHERE target_type = 'procedure' AND action IN ('procedure.create', 'procedure.version.publish')`,
      )
    ).filter((r) => demo.has(r.target_id));
    expect(seeded).toHaveLength(demoProcedures.length * 2);
    expect(new Set(seeded.map((r) => r.ip))).toEqual(new Set([DEMO_ADMIN_ADDRESS]));
  });

  it('refuses a duplicate procedure code (409) and versions of an unknown procedure (404)', async () => {
    const dup = await t.request({ method: 'POST', url: api('/procedures'), as: 'admin.lan', payload: { code: '1.001193', definition: newDefinition() } });
    expectProblem(dup, 409, 'PROCEDURE_CODE_TAKEN');
    expect((await t.request({ method: 'GET', url: api('/procedures/1.001193') })).json.name).toBe('Đăng ký khai sinh');
    expectProblem(
      await t.request({ method: 'POST', url: api('/procedures/9.999998/versions'), as: 'admin.lan', payload: { definition: newDefinition() } }),
      404,
      'PROCEDURE_NOT_FOUND',
    );
    expectProblem(await t.request({ method: 'POST', url: api('/procedures/9.999998/versions/1/publish'), as: 'admin.lan' }), 404, 'PROCEDURE_NOT_FOUND');
    expectProblem(
      await t.request({ method: 'POST', url: api('/procedures/1.001193/versions'), as: 'admin.lan', payload: { definition: { name: 'x' } } }),
      422,
      'PROCEDURE_DEFINITION_INVALID',
    );
  });

  it('creates a procedure as a draft, publishes version 1 and version 2; dossiers keep the version they were filed under', async () => {
    const search = async () => (await t.request({ method: 'GET', url: api(`/procedures?q=${encodeURIComponent('quynh coi')}`) })).json;
    const createDossier = (extra: Record<string, unknown> = {}) =>
      t.request({ method: 'POST', url: api('/dossiers'), as: 'citizen.an', payload: { procedureCode: NEW_CODE, applicant, form: {}, ...extra } });

    const created = await t.request({
      method: 'POST',
      url: api('/procedures'),
      as: 'admin.lan',
      payload: { code: NEW_CODE, definition: newDefinition(), decisionRef: 'Quyết định số 01/QĐ-UBND' },
    });
    expect(created.status, created.body).toBe(201);
    expect(created.json).toEqual({ code: NEW_CODE, version: 1, status: 'draft' });

    // A draft is not in the catalogue: not searchable, not readable as current, no dossiers.
    expect(await search()).toEqual({ items: [], total: 0 });
    expectProblem(await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}`) }), 404, 'PROCEDURE_NOT_FOUND');
    expectProblem(await createDossier(), 404, 'PROCEDURE_NOT_FOUND');
    const v0 = await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}/versions`), as: 'admin.lan' });
    expect(v0.json).toEqual([
      { version: 1, status: 'draft', createdAt: expect.stringMatching(/\+07:00$/), publishedAt: null, decisionRef: 'Quyết định số 01/QĐ-UBND' },
    ]);
    expectProblem(
      await t.request({ method: 'POST', url: api(`/procedures/${NEW_CODE}/versions/2/publish`), as: 'admin.lan' }),
      404,
      'PROCEDURE_VERSION_NOT_FOUND',
    );

    const pub1 = await t.request({ method: 'POST', url: api(`/procedures/${NEW_CODE}/versions/1/publish`), as: 'admin.lan' });
    expect(pub1.status, pub1.body).toBe(200);
    expect(pub1.json).toEqual({ code: NEW_CODE, version: 1, status: 'published' });
    const again = await t.request({ method: 'POST', url: api(`/procedures/${NEW_CODE}/versions/1/publish`), as: 'admin.lan' });
    expectProblem(again, 409, 'PROCEDURE_VERSION_NOT_DRAFT');

    const found = await search();
    expect(found.total).toBe(1);
    expect(found.items[0]).toMatchObject({ code: NEW_CODE, name: NEW_NAME, version: 1, fieldCode: 'ho_tich', hasFee: false });
    const current = await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}`) });
    expect(current.json).toMatchObject({ code: NEW_CODE, version: 1, name: NEW_NAME });
    expect(current.json.publishedAt).toMatch(/\+07:00$/);
    expect(current.json.receivingAgencies.map((a: { code: string }) => a.code)).toContain('TTPVHCC-13669');

    const d1 = await createDossier({ agencyCode: 'TTPVHCC-13669' });
    expect(d1.status, d1.body).toBe(201);
    expect(d1.json).toMatchObject({ procedureCode: NEW_CODE, procedureVersion: 1, receivingAgency: { code: 'TTPVHCC-13669' } });

    // Version 2: a new form field, a new name, and only the provincial centre receives it.
    const def2 = newDefinition({
      name: `${NEW_NAME} (sửa đổi)`,
      receivingAgencyCodes: ['TTPVHCC'],
      form: [...newDefinition().form, { key: 'so_nha', label: 'Số nhà, đường phố', type: 'text', required: true }],
    });
    const v2 = await t.request({
      method: 'POST',
      url: api(`/procedures/${NEW_CODE}/versions`),
      as: 'admin.lan',
      payload: { definition: def2, decisionRef: 'Quyết định số 02/QĐ-UBND' },
    });
    expect(v2.status, v2.body).toBe(201);
    expect(v2.json).toEqual({ code: NEW_CODE, version: 2, status: 'draft' });
    // Until published, version 1 stays current.
    expect((await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}`) })).json.version).toBe(1);
    const dBetween = await createDossier();
    expect(dBetween.json.procedureVersion).toBe(1);

    const pub2 = await t.request({ method: 'POST', url: api(`/procedures/${NEW_CODE}/versions/2/publish`), as: 'admin.lan' });
    expect(pub2.json).toEqual({ code: NEW_CODE, version: 2, status: 'published' });
    const cur2 = (await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}`) })).json;
    expect(cur2).toMatchObject({ version: 2, name: `${NEW_NAME} (sửa đổi)` });
    expect(cur2.definition.form.map((f: { key: string }) => f.key)).toEqual(['ho_ten', 'noi_cu_tru', 'so_nha']);
    expect(cur2.receivingAgencies.map((a: { code: string }) => a.code)).toEqual(['TTPVHCC']);
    const versions = (await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}/versions`), as: 'admin.lan' })).json;
    expect(versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([
      [1, 'superseded'],
      [2, 'published'],
    ]);
    expectProblem(
      await t.request({ method: 'POST', url: api(`/procedures/${NEW_CODE}/versions/1/publish`), as: 'admin.lan' }),
      409,
      'PROCEDURE_VERSION_NOT_DRAFT',
    );

    // An older version stays readable.
    const old = await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}?version=1`) });
    expect(old.status).toBe(200);
    expect(old.json.version).toBe(1);
    expect(old.json.definition.form.map((f: { key: string }) => f.key)).toEqual(['ho_ten', 'noi_cu_tru']);
    expect(old.json.definition.name).toBe(NEW_NAME);
    expectProblem(await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}?version=7`) }), 404, 'PROCEDURE_NOT_FOUND');
    expectProblem(await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}?version=0`) }), 422, 'VALIDATION_FAILED');

    // Dossiers filed before keep version 1 (and its form); new ones get version 2.
    for (const d of [d1.json, dBetween.json]) {
      const v = await t.request({ method: 'GET', url: api(`/dossiers/${d.id}`), as: 'citizen.an' });
      expect(v.json.procedureVersion).toBe(1);
      const patch = await t.request({ method: 'PATCH', url: api(`/dossiers/${d.id}`), as: 'citizen.an', payload: { form: { so_nha: 'Số 5' } } });
      expectProblem(patch, 422, 'DOSSIER_FORM_INVALID');
      expect(patch.json.errors).toEqual([expect.objectContaining({ path: 'form.so_nha' })]);
    }
    // Submitted now, a draft is filed under the version in force: it moves to version 2 and the
    // applicant is asked to complete it (the new field) and submit again.
    const submit = (id: string) => t.request({ method: 'POST', url: api(`/dossiers/${id}/submit`), as: 'citizen.an' });
    const moved = await submit(dBetween.json.id);
    expectProblem(moved, 409, 'DOSSIER_PROCEDURE_UPDATED');
    expect(moved.json.errors.map((e: { path: string }) => e.path)).toContain('form.so_nha');
    const movedView = (await t.request({ method: 'GET', url: api(`/dossiers/${dBetween.json.id}`), as: 'citizen.an' })).json;
    expect(movedView).toMatchObject({ status: 'draft', procedureVersion: 2, procedureName: `${NEW_NAME} (sửa đổi)` });
    expect(
      (await t.request({ method: 'PATCH', url: api(`/dossiers/${dBetween.json.id}`), as: 'citizen.an', payload: { form: { so_nha: 'Số 5' } } })).status,
    ).toBe(200);
    const moveAudit = await queryRows<{ details: unknown }>(
      t.database.db,
      sql`SELECT details FROM audit_log WHERE action = 'dossier.procedure_version.update' AND target_id = ${dBetween.json.id}`,
    );
    expect(moveAudit.map((r) => r.details)).toEqual([{ from: 1, to: 2 }]);
    // A draft at a centre that no longer receives the procedure stays as it is; the applicant is told to file anew.
    const stuck = await submit(d1.json.id);
    expectProblem(stuck, 409, 'DOSSIER_PROCEDURE_UPDATED');
    expect(stuck.json.receivingAgencies).toEqual(['TTPVHCC']);
    expect((await t.request({ method: 'GET', url: api(`/dossiers/${d1.json.id}`), as: 'citizen.an' })).json.procedureVersion).toBe(1);

    const d2 = await createDossier();
    expect(d2.json).toMatchObject({ procedureVersion: 2, procedureName: `${NEW_NAME} (sửa đổi)` });
    const ok = await t.request({ method: 'PATCH', url: api(`/dossiers/${d2.json.id}`), as: 'citizen.an', payload: { form: { so_nha: 'Số 5' } } });
    expect(ok.status).toBe(200);
    expect(ok.json.form).toEqual({ so_nha: 'Số 5' });
    // Version 2 is received by the provincial centre only.
    expectProblem(await createDossier({ agencyCode: 'TTPVHCC-13669' }), 422, 'DOSSIER_AGENCY_NOT_RECEIVING');
    // Search follows the published name.
    const byNewName = await t.request({ method: 'GET', url: api(`/procedures?q=${encodeURIComponent('sua doi quynh coi')}`) });
    expect(byNewName.json.items.map((i: { code: string }) => i.code)).toEqual([NEW_CODE]);

    const audit = await queryRows<{ action: string }>(
      t.database.db,
      sql`SELECT action FROM audit_log WHERE target_type = 'procedure' AND target_id = ${NEW_CODE} ORDER BY id`,
    );
    expect(audit.map((a) => a.action)).toEqual(['procedure.create', 'procedure.version.publish', 'procedure.version.create', 'procedure.version.publish']);
  });

  // Regression test (fixed): GET /procedures/{code}?version=N (src/modules/procedures/procedures.repo.ts `findProcedure`
  // with a version, mapped by `toSummary` in procedures.service.ts) takes name, field, tier,
  // competent and receiving agencies from the `procedures` row (the current version) and only the
  // definition from version N, so an old version is shown under the current name.
  it('GET ?version=1 of a superseded version describes version 1, not a mix with the current one', async () => {
    const old = (await t.request({ method: 'GET', url: api(`/procedures/${NEW_CODE}?version=1`) })).json;
    expect(old.version).toBe(1);
    expect(old.name).toBe(old.definition.name);
    expect(old.receivingAgencies.map((a: { code: string }) => a.code)).toEqual([...old.definition.receivingAgencyCodes].sort());
  });

  it('validates catalogue queries', async () => {
    expectProblem(await t.request({ method: 'GET', url: api('/procedures?pageSize=0') }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'GET', url: api('/procedures?level=some') }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'GET', url: api('/procedures/bad%20code') }), 422, 'VALIDATION_FAILED');
    const fields = await t.request({ method: 'GET', url: api('/procedure-fields') });
    expect(fields.json).toHaveLength(14);
    expect(fields.json).toContainEqual({ code: 'ho_tich', name: 'Hộ tịch' });
    const tier = await t.request({ method: 'GET', url: api('/procedures?tier=commune&level=full&pageSize=100') });
    expect(tier.json.total).toBeGreaterThan(0);
    expect(tier.json.items.every((p: { tier: string; onlineLevel: string }) => p.tier === 'commune' && p.onlineLevel === 'full')).toBe(true);
  });
});

describe('administrative units', () => {
  const units = async (query = '') =>
    (await t.request({ method: 'GET', url: api(`/units${query}`) })).json as {
      code: string;
      name: string;
      validFrom: string;
      validTo: string | null;
      parentCode: string | null;
    }[];
  const importCsv = (csv: string, as = 'admin.lan') => t.request({ method: 'POST', url: api('/units/import'), as, payload: { csv } });

  it('lists only the units in force today by default; ?at= returns the units of that day', async () => {
    const today = vnDate(new Date());
    const now = await units();
    expect(now.length).toBe(28); // the new province and its 27 demo communes
    expect(now.every((u) => u.validFrom <= today && (u.validTo === null || u.validTo >= today))).toBe(true);
    expect(now.map((u) => u.code)).toEqual([...now.map((u) => u.code)].sort());
    expect(now.find((u) => u.code === '37')).toMatchObject({ name: 'Tỉnh Ninh Bình', type: 'province', validFrom: '2025-07-01', validTo: null });
    expect(now.find((u) => u.code === '13669')).toMatchObject({ name: 'Phường Nam Định', type: 'ward', parentCode: '37' });
    for (const gone of ['35', '36', '356', '13645']) expect(now.some((u) => u.code === gone)).toBe(false);

    const old = await units('?at=2025-01-01');
    expect(old.map((u) => u.code)).toEqual(['13645', '13648', '13651', '13654', '13657', '13660', '13663', '35', '356', '36', '37'].sort());
    expect(old.find((u) => u.code === '37')).toMatchObject({ validFrom: '1992-04-01', validTo: '2025-06-30' });
    expect((await units('?at=2025-06-30')).some((u) => u.code === '13669')).toBe(false);
    expect((await units('?at=2025-07-01')).some((u) => u.code === '13669')).toBe(true);
    expect((await units('?at=2025-01-01&parent=356')).map((u) => u.code)).toEqual(['13645', '13648', '13651', '13654', '13657', '13660', '13663']);
    expect((await units('?parent=37')).length).toBe(27);
    expect(await units('?at=1900-01-01')).toEqual([]);
    for (const q of ['?at=2025-1-1', '?at=yesterday', '?parent=1', '?parent=abc']) {
      expectProblem(await t.request({ method: 'GET', url: api(`/units${q}`) }), 422, 'VALIDATION_FAILED');
    }
  });

  // Regression test (fixed): GET /units?at= (src/modules/reference/reference.routes.ts) only checks the shape
  // \d{4}-\d{2}-\d{2}; an impossible date reaches PostgreSQL, whose cast error becomes a 500.
  it('answers 422, not 500, for an impossible date in ?at=', async () => {
    const r = await t.request({ method: 'GET', url: api('/units?at=2025-13-45') });
    expect(r.status).toBe(422);
  });

  it('imports a valid CSV (admin), updates on re-import, and a newer version closes the one in force', async () => {
    const csv = [
      'code,name,type,parent_code,valid_from,valid_to',
      '14990,Xã Thử Nghiệm,commune,37,2025-07-01,',
      '14991,"Phường Thử, Nghiệm",ward,37,2025-07-01',
    ].join('\r\n');
    const r = await importCsv(`\ufeff${csv}\r\n`);
    expect(r.status, r.body).toBe(200);
    expect(r.json).toEqual({ rows: 2, inserted: 2, updated: 0 });
    const now = await units('?parent=37');
    expect(now.find((u) => u.code === '14990')).toMatchObject({ name: 'Xã Thử Nghiệm', type: 'commune', validFrom: '2025-07-01', validTo: null });
    expect(now.find((u) => u.code === '14991')).toMatchObject({ name: 'Phường Thử, Nghiệm', type: 'ward' });
    expect((await importCsv(csv)).json).toEqual({ rows: 2, inserted: 0, updated: 2 });

    const next = await importCsv('code,name,type,parent_code,valid_from\n14990,Phường Thử Nghiệm,ward,37,2027-01-01\n');
    expect(next.json).toEqual({ rows: 1, inserted: 1, updated: 0 });
    const today = (await units()).filter((u) => u.code === '14990');
    expect(today).toEqual([expect.objectContaining({ name: 'Xã Thử Nghiệm', validTo: '2026-12-31' })]);
    const later = (await units('?at=2027-02-01')).filter((u) => u.code === '14990');
    expect(later).toEqual([expect.objectContaining({ name: 'Phường Thử Nghiệm', type: 'ward', validFrom: '2027-01-01', validTo: null })]);
    // The new unit can be used in forms at once.
    const d = await t.request({
      method: 'POST',
      url: api('/dossiers'),
      as: 'citizen.an',
      payload: { procedureCode: '1.001193', applicant, form: { noi_cu_tru: '14991' } },
    });
    expect(d.status, d.body).toBe(201);
    const audit = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'units.import'`);
    expect(Number(audit[0]!.n)).toBe(3);
  });

  it('refuses a CSV with bad rows (422 listing each line), importing nothing', async () => {
    const csv = [
      'code,name,type,parent_code,valid_from,valid_to',
      '14980,Xã Hợp Lệ,commune,37,2025-07-01,', // line 2: fine
      '1234,Xã Sai Mã,commune,37,2025-07-01,', // line 3: code
      '14981,Xã Sai Loại,village,37,2025-07-01,', // line 4: type
      '14982,Xã Sai Ngày,commune,37,2025-07-01,2025-01-01', // line 5: valid_to before valid_from
      '14983,,commune,37,2025-02-30,', // line 6: empty name, impossible date
    ].join('\n');
    const r = await importCsv(csv);
    expectProblem(r, 422, 'UNITS_CSV_INVALID');
    expect(r.json.errors.map((e: { path: string }) => e.path)).toEqual(['csv.line3', 'csv.line4', 'csv.line5', 'csv.line6']);
    expect(r.json.errors[3].message).toMatch(/thiếu tên.*valid_from/);
    expect((await units()).some((u) => u.code === '14980')).toBe(false);

    const header = await importCsv('ma,ten,loai\n14984,Xã A,commune');
    expectProblem(header, 422, 'UNITS_CSV_INVALID');
    expect(header.json.errors).toEqual([expect.objectContaining({ path: 'csv.header' })]);
    const quote = await importCsv('code,name,type,parent_code,valid_from\n14985,"Xã Mở Ngoặc,commune,37,2025-07-01\n');
    expectProblem(quote, 422, 'UNITS_CSV_INVALID');
    expect(quote.json.errors).toEqual([expect.objectContaining({ path: 'csv', message: expect.stringContaining('dòng 2') })]);
    expectProblem(await importCsv(''), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'POST', url: api('/units/import'), as: 'admin.lan', payload: {} }), 422, 'VALIDATION_FAILED');
  });

  it('only administrators import units (403; 401 anonymous)', async () => {
    const csv = 'code,name,type,parent_code,valid_from\n14986,Xã B,commune,37,2025-07-01\n';
    expectProblem(await importCsv(csv, 'reception.dung'), 403, 'ROLE_REQUIRED');
    expectProblem(await importCsv(csv, 'citizen.an'), 403, 'ROLE_REQUIRED');
    expectProblem(await t.request({ method: 'POST', url: api('/units/import'), payload: { csv } }), 401, 'AUTH_REQUIRED');
    expect((await units()).some((u) => u.code === '14986')).toBe(false);
  });

  // Regression test (fixed): POST /units/import (src/modules/reference/reference.routes.ts) accepts `csv` up to
  // 5,000,000 characters, but the app-wide bodyLimit (src/app.ts, 1 MiB) answers 413 before the
  // route sees it; the route needs its own `bodyLimit` (or the schema the same 1 MiB limit).
  // Shown with a 1.5 MB file whose header is wrong: it should be parsed (422), not refused (413).
  it('accepts CSV bodies up to the size its schema allows', async () => {
    const r = await importCsv(`wrong,header\n${'14999,Xã E,commune,37,2025-07-01\n'.repeat(48_000)}`);
    expect(r.status).toBe(422);
    expect(r.json.code).toBe('UNITS_CSV_INVALID');
  });

  // Regression test (fixed): parseUnitsCsv (src/modules/reference/reference.service.ts) numbers rows after parseCsv
  // has dropped blank lines (and folded quoted line breaks), so `csv.lineN` no longer names the
  // line of the file once the file has an empty line above the bad row.
  it('names the real line of a bad row when the file has a blank line above it', async () => {
    const r = await importCsv('code,name,type,parent_code,valid_from\n14987,Xã C,commune,37,2025-07-01\n\n99,Xã D,village,37,2025-07-01\n');
    expect(r.status).toBe(422);
    expect(r.json.errors.map((e: { path: string }) => e.path)).toEqual(['csv.line4']);
  });

  // Regression test (fixed): upsertUnits (src/modules/reference/reference.service.ts) closes only versions that start
  // *before* the imported one; importing an older version after a newer one (rows in any order,
  // or history loaded late) leaves the older one open-ended, so two versions are in force at once.
  it('keeps one version of a code in force when the versions are imported newest first', async () => {
    const r = await importCsv('code,name,type,parent_code,valid_from\n14988,Phường Mới,ward,37,2030-01-01\n14988,Xã Cũ,commune,37,2025-07-01\n');
    expect(r.status).toBe(200);
    expect((await units('?at=2031-01-01')).filter((u) => u.code === '14988').map((u) => u.name)).toEqual(['Phường Mới']);
  });
});

describe('agencies and staff', () => {
  it('lists active agencies publicly, ordered by code, with their identity codes', async () => {
    const r = await t.request({ method: 'GET', url: api('/agencies') });
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(16);
    expect(r.json.map((a: { code: string }) => a.code)).toEqual([...r.json.map((a: { code: string }) => a.code)].sort());
    expect(r.json).toContainEqual({
      code: 'TTPVHCC',
      name: 'Trung tâm Phục vụ hành chính công tỉnh Ninh Bình',
      shortName: 'TTPVHCC tỉnh',
      identityCode: '000.00.01.H37',
      unitCode: '37',
      kind: 'service_centre',
    });
    expect(r.json).toContainEqual(expect.objectContaining({ code: 'TTPVHCC-13669', identityCode: '000.01.31.H37', unitCode: '13669', kind: 'service_centre' }));
    expect(r.json).toContainEqual(expect.objectContaining({ code: 'UBND-13669', kind: 'commune_committee' }));
  });

  it('lists staff of one’s own agency by role; another agency is 404', async () => {
    const staff = (code: string, as: string | undefined, role = '') =>
      t.request({ method: 'GET', url: api(`/agencies/${code}/staff${role ? `?role=${role}` : ''}`), ...(as ? { as } : {}) });
    const spec = await staff('TTPVHCC', 'reception.dung');
    expect(spec.json.map((s: { username: string }) => s.username)).toEqual(['specialist.giang']);
    expect((await staff('TTPVHCC', 'reception.dung', 'leader')).json).toEqual([{ id: expect.any(String), displayName: 'Vũ Thị Hoa', username: 'leader.hoa' }]);
    expect((await staff('TTPVHCC', 'leader.hoa', 'reception')).json.map((s: { username: string }) => s.username)).toEqual(['reception.dung']);
    expect((await staff('TTPVHCC-13669', 'officer.khanh')).json.map((s: { username: string }) => s.username)).toEqual(['officer.khanh']);

    expectProblem(await staff('TTPVHCC', 'officer.khanh'), 404, 'AGENCY_NOT_FOUND');
    expectProblem(await staff('TTPVHCC-13669', 'reception.dung'), 404, 'AGENCY_NOT_FOUND');
    // Agencies are public, so a citizen is simply not allowed (the access matrix), not told "not found".
    expectProblem(await staff('TTPVHCC', 'citizen.an'), 403, 'ROLE_REQUIRED');
    expectProblem(await staff('KHONG-CO', 'reception.dung'), 404, 'AGENCY_NOT_FOUND');
    expectProblem(await staff('TTPVHCC', undefined), 401, 'AUTH_REQUIRED');
    expectProblem(await staff('TTPVHCC', 'reception.dung', 'admin'), 422, 'VALIDATION_FAILED');
  });
});

describe('working calendar', () => {
  const due = (q: string) => t.request({ method: 'GET', url: api(`/calendar/due-date?${q}`) });
  const put = (year: string | number, payload: Record<string, unknown>, as?: string) =>
    t.request({ method: 'PUT', url: api(`/calendar/${year}/overrides`), payload, ...(as ? { as } : {}) });

  it('validates due-date queries and years', async () => {
    for (const q of [
      'start=2026-11-26T09:00:00&value=1&unit=working_days', // no offset: ambiguous
      'start=2026-11-26T09:00:00%2B07:00&value=0&unit=working_days',
      'start=2026-11-26T09:00:00%2B07:00&value=1&unit=weeks',
      'value=1&unit=working_days',
      'start=2026-11-26T09:00:00%2B07:00&value=abc&unit=days',
    ]) {
      expectProblem(await due(q), 422, 'VALIDATION_FAILED');
    }
    for (const y of ['1989', '2101', 'abc']) expectProblem(await t.request({ method: 'GET', url: api(`/calendar/${y}`) }), 422, 'VALIDATION_FAILED');
  });

  it('only administrators replace overrides; bad overrides are 422 with the offending entries', async () => {
    const body = { daysOff: [], workingDays: [{ date: '2027-01-09', name: 'Làm bù' }] };
    expectProblem(await put(2027, body), 401, 'AUTH_REQUIRED');
    expectProblem(await put(2027, body, 'reception.dung'), 403, 'ROLE_REQUIRED');
    expectProblem(await put(2027, body, 'citizen.an'), 403, 'ROLE_REQUIRED');
    const wrongYear = await put(2027, { daysOff: [{ date: '2026-12-31', name: 'Nghỉ' }], workingDays: [] }, 'admin.lan');
    expectProblem(wrongYear, 422, 'CALENDAR_OVERRIDES_INVALID');
    expect(wrongYear.json.errors).toEqual([expect.objectContaining({ path: 'daysOff[0]' })]);
    const twice = await put(2027, { daysOff: [{ date: '2027-05-03', name: 'Nghỉ' }], workingDays: [{ date: '2027-05-03', name: 'Làm' }] }, 'admin.lan');
    expectProblem(twice, 422, 'CALENDAR_OVERRIDES_INVALID');
    expect(twice.json.errors).toEqual([expect.objectContaining({ path: 'workingDays[0]' })]);
    const impossible = await put(2027, { daysOff: [{ date: '2027-02-30', name: 'Nghỉ' }], workingDays: [] }, 'admin.lan');
    expectProblem(impossible, 422, 'CALENDAR_OVERRIDES_INVALID');
    expectProblem(await put(2027, { daysOff: [{ date: '9 Jan', name: 'x' }], workingDays: [] }, 'admin.lan'), 422, 'VALIDATION_FAILED');
    expectProblem(await put(2027, { daysOff: [] }, 'admin.lan'), 422, 'VALIDATION_FAILED');
    expect((await t.request({ method: 'GET', url: api('/calendar/2027') })).json.workingDays).toEqual([]);
  });

  it('a year with an official schedule follows it instead of the rule (2025), and names are stored NFC', async () => {
    const dayOff = (date: string, name: string) => ({ date, name });
    const official2025 = {
      daysOff: [
        dayOff('2025-01-01', 'Tết Dương lịch'),
        ...['27', '28', '29', '30', '31'].map((d) => dayOff(`2025-01-${d}`, 'Nghỉ Tết Nguyên đán Ất Tỵ'.normalize('NFD'))),
        dayOff('2025-04-07', 'Giỗ Tổ Hùng Vương'),
        dayOff('2025-04-30', 'Ngày Chiến thắng'),
        dayOff('2025-05-01', 'Ngày Quốc tế Lao động'),
        dayOff('2025-09-01', 'Quốc khánh'),
        dayOff('2025-09-02', 'Quốc khánh'),
      ],
      workingDays: [],
    };
    const q = (start: string, value: number, unit: string) => `start=${encodeURIComponent(start)}&value=${value}&unit=${unit}`;
    // By the rule: Tết 28 Jan – Sat 1 Feb 2025 and its substitute Mon 3 Feb.
    const byRule = (await t.request({ method: 'GET', url: api('/calendar/2025') })).json;
    expect(byRule.daysOff.map((d: { date: string }) => d.date)).toEqual(expect.arrayContaining(['2025-01-28', '2025-02-01', '2025-02-03']));
    expect(byRule.daysOff.every((d: { source: string }) => d.source === 'rule')).toBe(true);
    expect((await due(q('2025-01-24T10:00:00+07:00', 3, 'days'))).json.dueAt).toBe('2025-01-27T17:00:00.000+07:00');
    expect((await due(q('2025-01-31T10:00:00+07:00', 1, 'working_days'))).json.dueAt).toBe('2025-02-04T17:00:00.000+07:00');

    const ok = await put(2025, official2025, 'admin.lan');
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json.daysOff).toEqual(official2025.daysOff.map((d) => ({ date: d.date, name: d.name.normalize('NFC'), source: 'official' })));
    const [row] = await queryRows<{ name: string }>(t.database.db, sql`SELECT name FROM calendar_overrides WHERE date = '2025-01-27'`);
    expect(row!.name).toBe('Nghỉ Tết Nguyên đán Ất Tỵ'.normalize('NFC'));
    // Mon 3 Feb is a working day now; Mon 27 Jan is not.
    expect((await due(q('2025-01-24T10:00:00+07:00', 3, 'days'))).json.dueAt).toBe('2025-02-03T17:00:00.000+07:00');
    expect((await due(q('2025-01-31T10:00:00+07:00', 1, 'working_days'))).json.dueAt).toBe('2025-02-03T17:00:00.000+07:00');
    expect((await put(2025, { daysOff: [], workingDays: [] }, 'admin.lan')).json.daysOff).toEqual(byRule.daysOff);
  });

  it('an official schedule replaces the rule only for the holiday groups it speaks to (2026), and the audit names them', async () => {
    const q = (start: string, value: number) => `start=${encodeURIComponent(start)}&value=${value}&unit=working_days`;
    const byRule = (await t.request({ method: 'GET', url: api('/calendar/2026') })).json;
    const culture = { date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam' };
    try {
      // A one-off day off far from any holiday only adds itself: the rule's Tết 16–20 Feb stays.
      const isolated = await put(2026, { daysOff: [culture], workingDays: [] }, 'admin.lan');
      expect(isolated.status, isolated.body).toBe(200);
      expect(isolated.json.daysOff).toEqual([...byRule.daysOff, { ...culture, source: 'official' }]);
      expect((await due(q('2026-02-13T16:00:00+07:00', 1))).json.dueAt).toBe('2026-02-23T16:00:00.000+07:00');
      expect((await due(q('2026-11-23T16:00:00+07:00', 1))).json.dueAt).toBe('2026-11-25T16:00:00.000+07:00');

      // The Tết schedule alone replaces Tết only: the rule's 1 Sep (National Day adjacent day) stays.
      const tet = ['16', '17', '18', '19', '20'].map((d) => ({ date: `2026-02-${d}`, name: 'Nghỉ Tết Nguyên đán Bính Ngọ' }));
      const tetOnly = await put(2026, { daysOff: tet, workingDays: [] }, 'admin.lan');
      expect(tetOnly.status, tetOnly.body).toBe(200);
      const sources = Object.fromEntries(tetOnly.json.daysOff.map((d: { date: string; source: string }) => [d.date, d.source]));
      expect(sources).toMatchObject({ '2026-02-16': 'official', '2026-02-20': 'official', '2026-04-27': 'rule', '2026-09-01': 'rule', '2026-09-02': 'rule' });
      expect((await due(q('2026-08-31T10:00:00+07:00', 1))).json.dueAt).toBe('2026-09-03T10:00:00.000+07:00');

      const audit = await queryRows<{ details: { replacedRuleGroups: string[] } }>(
        t.database.db,
        sql`SELECT details FROM audit_log WHERE action = 'calendar.overrides.replace' AND target_id = '2026' ORDER BY id`,
      );
      expect(audit.map((a) => a.details.replacedRuleGroups)).toEqual([[], ['tet']]);
    } finally {
      expect((await put(2026, { daysOff: [], workingDays: [] }, 'admin.lan')).json.daysOff).toEqual(byRule.daysOff);
    }
  });

  it('counts days and months by the Civil Code: from the next day (the next working period after hours) to the close of office', async () => {
    const q = (start: string, value: number | string, unit: string) => `start=${encodeURIComponent(start)}&value=${value}&unit=${unit}`;
    expect((await due(q('2026-03-02T18:00:00+07:00', 1, 'days'))).json).toEqual({
      start: '2026-03-02T18:00:00.000+07:00',
      dueAt: '2026-03-04T17:00:00.000+07:00',
    });
    expect((await due(q('2026-03-04T10:00:00+07:00', 3, 'days'))).json.dueAt).toBe('2026-03-09T17:00:00.000+07:00'); // Sat → Mon
    expect((await due(q('2023-01-31T10:00:00+07:00', 1, 'months'))).json.dueAt).toBe('2023-02-28T17:00:00.000+07:00');
    expectProblem(await due(q('2026-03-02T09:00:00+07:00', 1.5, 'days')), 422, 'DUE_DATE_INPUT_INVALID');
    expectProblem(await due(q('2026-03-02T09:00:00+07:00', 1.5, 'months')), 422, 'DUE_DATE_INPUT_INVALID');
  });

  it('an official make-up working day moves due dates at once, and replacing the year removes it', async () => {
    const q = `start=${encodeURIComponent('2027-01-08T16:00:00+07:00')}&value=1&unit=working_days`; // a Friday
    expect((await due(q)).json.dueAt).toBe('2027-01-11T16:00:00.000+07:00');
    const ok = await put(2027, { daysOff: [], workingDays: [{ date: '2027-01-09', name: 'Làm bù' }] }, 'admin.lan');
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json.workingDays).toEqual([{ date: '2027-01-09', name: 'Làm bù' }]);
    expect((await due(q)).json.dueAt).toBe('2027-01-09T16:00:00.000+07:00');
    expect((await put(2027, { daysOff: [], workingDays: [] }, 'admin.lan')).json.workingDays).toEqual([]);
    expect((await due(q)).json.dueAt).toBe('2027-01-11T16:00:00.000+07:00');
  });
});
