import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, type TestApp } from './harness.ts';
import { csrfOf, webClient } from './web-client.ts';

// A draft whose procedure gets a new version before it is submitted is filed under the new one
// (docs/WORKFLOW.md, `submit`): on the portal the applicant sees why and what is now missing.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ dossiers: 0 });
});
afterAll(async () => t?.close());

const CODE = '1.001193';
const versionOf = (body: string) => /name="version" value="(\d+)"/.exec(body)?.[1] ?? '';

describe('a draft when its procedure is updated', () => {
  it('moves to the new version on submission and the page says what to add', async () => {
    const def = (await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` })).json.definition as ProcedureDefinition;
    const created = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: CODE, applicant: { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234' }, form: requiredAnswers(def.form) },
    });
    expect(created.status, created.body).toBe(201);
    const id: string = created.json.id;
    for (const c of def.components.filter((x) => x.required)) {
      const body = multipart({ component: c.code }, { name: `${c.code}.pdf`, type: 'application/pdf', data: SAMPLE_PDF });
      expect((await t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/files`, as: 'citizen.an', ...body })).status).toBe(201);
    }

    // A new decision adds a required question, and renames the options of another (the old answer no longer fits).
    const renamed = def.form.map((f) =>
      f.key === 'gioi_tinh'
        ? {
            ...f,
            options: [
              { value: 'trai', label: 'Trai' },
              { value: 'gai', label: 'Gái' },
            ],
          }
        : f,
    );
    const next = {
      ...def,
      form: [...renamed, { key: 'quan_he_nguoi_khai', label: 'Quan hệ của người đi khai với trẻ', type: 'text' as const, required: true }],
    };
    const v = await t.request({
      method: 'POST',
      url: `/api/v1/procedures/${CODE}/versions`,
      as: 'admin.lan',
      payload: { definition: next, decisionRef: 'Quyết định số 99/QĐ-UBND' },
    });
    expect(v.status, v.body).toBe(201);
    expect((await t.request({ method: 'POST', url: `/api/v1/procedures/${CODE}/versions/${v.json.version}/publish`, as: 'admin.lan' })).status).toBe(200);

    const web = webClient(() => t);
    const { cookie } = await web.signIn('citizen.an');
    const check = await web.get(`/ho-so/${id}/kiem-tra`, cookie);
    expect(check.status).toBe(200);
    const res = await web.postForm(`/ho-so/${id}/nop`, { csrf: csrfOf(check.body), version: versionOf(check.body) }, cookie);
    expect(res.status).toBe(409);
    expect(res.body).toContain('Thủ tục vừa được cập nhật');
    expect(res.body).toContain('Quan hệ của người đi khai với trẻ');
    expect(res.body).toContain('id="f-quan_he_nguoi_khai"');
    const view = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${id}`, as: 'citizen.an' })).json;
    expect(view).toMatchObject({ status: 'draft', procedureVersion: v.json.version });
    // The answer the new options refuse was dropped, so it is asked again; the others were kept.
    expect(view.form.gioi_tinh).toBeUndefined();
    expect(view.form.noi_cu_tru).toBe(requiredAnswers(def.form).noi_cu_tru);
    expect(res.body).toContain('id="f-gioi_tinh"');

    // Answered, it goes through under the new version.
    expect(
      (
        await t.request({
          method: 'PATCH',
          url: `/api/v1/dossiers/${id}`,
          as: 'citizen.an',
          payload: { form: { quan_he_nguoi_khai: 'Cha', gioi_tinh: 'gai' } },
        })
      ).status,
    ).toBe(200);
    const submitted = await t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/submit`, as: 'citizen.an' });
    expect(submitted.status, submitted.body).toBe(200);
    expect(submitted.json).toMatchObject({ status: 'submitted', procedureVersion: v.json.version });
  });
});
