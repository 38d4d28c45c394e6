import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProcedure } from '../src/modules/procedures/procedures.repo.ts';
import { vnDate } from '../src/platform/time.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { csrfOf, formValues, webClient } from './web-client.ts';

// Date fields with a rule (dateRange): a birth date cannot be after today, the start of an
// announced suspension cannot be before it. The server decides; the page's min/max only help.
// Dates far from today (1990, 2999) keep these tests independent of the day they run.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());
const { get, postForm, signIn } = webClient(() => t);

const CITIZEN = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

describe('dateRange through the API', () => {
  it('refuses a birth date in the future, even in a draft, and takes one in the past', async () => {
    const future = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: '1.001193', applicant: CITIZEN, form: { ngay_sinh: '2999-01-01' } },
    });
    expect(future.status).toBe(422);
    expect(future.json.errors).toEqual([
      { path: 'form.ngay_sinh', message: expect.stringMatching(/^Ngày, tháng, năm sinh: không được sau ngày hôm nay \(\d{2}\/\d{2}\/\d{4}\)$/) },
    ]);
    const past = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: '1.001193', applicant: CITIZEN, form: { ngay_sinh: '1990-05-17' } },
    });
    expect(past.status, past.body).toBe(201);
    // Changing it to a future day later is refused as well.
    const patch = await t.request({
      method: 'PATCH',
      url: `/api/v1/dossiers/${past.json.id}`,
      as: 'citizen.an',
      headers: { 'if-match': `"${past.json.version}"` },
      payload: { form: { ngay_sinh: '2999-01-01' } },
    });
    expect(patch.status).toBe(422);
    expect(patch.json.errors.map((e: { path: string }) => e.path)).toEqual(['form.ngay_sinh']);
  });

  it('refuses the start of a suspension in the past', async () => {
    const org = {
      type: 'organisation',
      fullName: 'Lê Văn Cường',
      idNumber: '036090003456',
      organisationName: 'Công ty TNHH Hoa Lư',
      taxCode: '0601234567',
      phone: '0912345678',
    };
    const r = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'business.cuong',
      payload: { procedureCode: '2.002014', applicant: org, form: { tu_ngay: '1990-01-01', den_ngay: '2999-12-31' } },
    });
    expect(r.status, r.body).toBe(422);
    expect(r.json.errors).toEqual([{ path: 'form.tu_ngay', message: expect.stringContaining('Từ ngày: không được trước ngày hôm nay') }]);
  });

  it('is published in the procedure’s definition', async () => {
    const p = await t.request({ method: 'GET', url: '/api/v1/procedures/1.001193' });
    expect(p.json.definition.form.find((f: { key: string }) => f.key === 'ngay_sinh')).toMatchObject({ type: 'date', dateRange: 'past' });
  });
});

describe('dateRange on the pages', () => {
  it('puts max=today on a birth date input and says what is wrong with a future one', async () => {
    const { cookie } = await signIn('citizen.an');
    const start = await get('/ho-so/moi?thu-tuc=1.001776', cookie);
    const created = await postForm(
      '/ho-so/moi',
      {
        csrf: csrfOf(start.body),
        nonce: /name="nonce" value="([^"]+)"/.exec(start.body)?.[1] ?? '',
        'thu-tuc': '1.001776',
        'a-fullName': 'Nguyễn Văn An',
        'a-idNumber': '036090001234',
        'a-phone': '',
        'a-email': '',
      },
      cookie,
    );
    expect(created.status).toBe(303);
    const url = String(created.headers.location);
    const page = await get(url, cookie);
    const today = vnDate(new Date());
    expect(page.body).toMatch(
      new RegExp(`<input type="date" id="f-ngay_sinh" name="f-ngay_sinh" value="" max="(${today}|${vnDate(new Date(Date.now() - 60_000))})"`),
    );
    const saved = await postForm(url, { ...formValues(page.body, url), action: 'save', 'f-ngay_sinh': '2999-01-01' }, cookie);
    expect(saved.status).toBe(422);
    expect(saved.body).toContain('<a href="#f-ngay_sinh">Ngày sinh: không được sau ngày hôm nay (');
  });

  it('shows the rule in the procedure editor, refuses it on a text field and lets the administrator clear it', async () => {
    const { cookie: admin } = await signIn('admin.lan');
    const path = '/quan-tri/thu-tuc/1.001193/phien-ban-moi';
    const editor = await get(path, admin);
    expect(editor.status).toBe(200);
    const values = formValues(editor.body, path);
    const row = Object.keys(values)
      .find((k) => values[k] === 'ngay_sinh' && k.endsWith('.key'))!
      .split('.')[1];
    expect(values[`form.${row}.dateRange`]).toBe('past');
    expect(editor.body).toContain(`<label for="p-form-${row}-dateRange">Giới hạn ngày (trường ngày)</label>`);
    expect(editor.body).toContain('<option value="past" selected>Không sau hôm nay (ngày sinh, ngày cấp...)</option>');
    // A limit on the full-name field (text) is refused next to its input.
    const bad = await postForm(path, { ...values, 'form.0.dateRange': 'future', op: 'save' }, admin);
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('href="#p-form-0-dateRange"');
    expect(bad.body).toContain('chỉ dùng cho trường kiểu ngày');
    // Clearing it saves a version without the rule.
    const saved = await postForm(path, { ...values, [`form.${row}.dateRange`]: '', decisionRef: 'QĐ 1/QĐ-UBND', op: 'save' }, admin);
    expect(saved.status).toBe(303);
    const version = Number(/[?&]v=(\d+)/.exec(String(saved.headers.location))?.[1]);
    expect(version).toBeGreaterThan(1);
    const draft = await findProcedure(t.database.db, '1.001193', version, true);
    expect(draft!.definition.form.find((f) => f.key === 'ngay_sinh')).toEqual({
      key: 'ngay_sinh',
      label: 'Ngày, tháng, năm sinh',
      type: 'date',
      required: true,
    });
  });
});
