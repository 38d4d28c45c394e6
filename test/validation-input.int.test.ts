import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, type TestApp } from './harness.ts';

// Input validation found wanting by an API review: fee quantities that are not whole numbers,
// invisible characters that pass for text, bidi controls in file names, the calendar's years,
// hexadecimal numbers in query strings and paths, and If-Match lists (RFC 9110 §13.1.1).

let t: TestApp;
const BIRTH = '1.001193'; // Đăng ký khai sinh: required text ho_ten_tre, no fee
const RECORD = '2.000488'; // Phiếu lý lịch tư pháp: 200.000 đ + 5.000 đ per extra copy (so_ban_them)
const defs = new Map<string, ProcedureDefinition>();
const api = (p: string) => `/api/v1${p}`;
const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

function expectProblem(res: { status: number; json: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.json.code).toBe(code);
}

async function createDraft(code: string, body: Record<string, unknown> = {}) {
  const res = await t.request({
    method: 'POST',
    url: api('/dossiers'),
    as: 'citizen.an',
    payload: { procedureCode: code, applicant, form: requiredAnswers(defs.get(code)!.form), ...body },
  });
  expect(res.status, res.body).toBe(201);
  return res.json as { id: string; version: number };
}

async function attachRequired(code: string, id: string) {
  for (const c of defs.get(code)!.components.filter((x) => x.required)) {
    const r = await t.request({
      method: 'POST',
      url: api(`/dossiers/${id}/files`),
      as: 'citizen.an',
      ...multipart({ component: c.code }, { name: `${c.code}.pdf`, type: 'application/pdf', data: SAMPLE_PDF }),
    });
    expect(r.status, r.body).toBe(201);
  }
}

const patch = (id: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.request({ method: 'PATCH', url: api(`/dossiers/${id}`), as: 'citizen.an', payload, headers });
const act = (code: string, as: string, payload: Record<string, unknown>, headers: Record<string, string> = {}) =>
  t.request({ method: 'POST', url: api(`/dossiers/${code}/actions`), as, payload, headers });

async function submitted(code: string) {
  const d = await createDraft(code);
  await attachRequired(code, d.id);
  const s = await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as: 'citizen.an' });
  expect(s.status, s.body).toBe(200);
  return s.json as { id: string; code: string; version: number };
}

async function received(code: string) {
  const s = await submitted(code);
  const r = await act(s.code, 'reception.dung', { action: 'receive' });
  expect(r.status, r.body).toBe(200);
  return r.json as { id: string; code: string; version: number };
}

beforeAll(async () => {
  t = await createTestApp();
  for (const code of [BIRTH, RECORD]) defs.set(code, (await t.request({ method: 'GET', url: api(`/procedures/${code}`) })).json.definition);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('a number a fee counts is a whole number', () => {
  it('refuses 1.5 extra copies when the draft is saved, so the desk can ask for payment later', async () => {
    const d = await createDraft(RECORD);
    for (const bad of [1.5, '1.5', -1]) {
      const r = await patch(d.id, { form: { so_ban_them: bad } });
      expectProblem(r, 422, 'DOSSIER_FORM_INVALID');
      expect(r.json.errors).toEqual([
        { path: 'form.so_ban_them', message: expect.stringMatching(/^Số bản cấp thêm \(ngoài 02 bản\): (phải là số nguyên không âm|không được nhỏ hơn 0)/) },
      ]);
    }
    const created = await t.request({
      method: 'POST',
      url: api('/dossiers'),
      as: 'citizen.an',
      payload: { procedureCode: RECORD, applicant, form: { ...requiredAnswers(defs.get(RECORD)!.form), so_ban_them: 2.5 } },
    });
    expectProblem(created, 422, 'DOSSIER_FORM_INVALID');
    expect(created.json.errors.map((e: { path: string }) => e.path)).toEqual(['form.so_ban_them']);

    // A whole number goes all the way to the payment request: 200.000 + 3 × 5.000 đồng.
    const ok = await patch(d.id, { form: { so_ban_them: '3' } });
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json.form.so_ban_them).toBe(3);
    await attachRequired(RECORD, d.id);
    const s = await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as: 'citizen.an' });
    expect(s.status, s.body).toBe(200);
    expect((await act(s.json.code, 'reception.dung', { action: 'receive' })).status).toBe(200);
    const pay = await act(s.json.code, 'reception.dung', { action: 'request_payment' });
    expect(pay.status, pay.body).toBe(200);
    expect(pay.json.status).toBe('payment_requested');
    const list = await t.request({ method: 'GET', url: api(`/dossiers/${s.json.code}/payments`), as: 'citizen.an' });
    expect(list.json.map((p: { amount: number }) => p.amount)).toEqual([215_000]);
  });

  it('refuses at submission a fraction a draft kept from before the rule', async () => {
    const d = await createDraft(RECORD);
    await attachRequired(RECORD, d.id);
    // A number answer is stored as is (only ID and phone answers are sealed): put back what the old rule let through.
    await t.database.db.execute(sql`UPDATE dossiers SET form = jsonb_set(form, '{so_ban_them}', '1.5'::jsonb) WHERE id = ${d.id}::uuid`);
    const s = await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as: 'citizen.an' });
    expectProblem(s, 422, 'DOSSIER_INCOMPLETE');
    expect(s.json.errors).toEqual([
      { path: 'form.so_ban_them', message: 'Số bản cấp thêm (ngoài 02 bản): phải là số nguyên không âm (số lượng dùng để tính lệ phí)' },
    ]);
  });
});

describe('invisible characters do not count as text', () => {
  it('refuses an applicant name of only zero-width, bidi or control characters, and stores a cleaned one', async () => {
    for (const fullName of ['\u200b\u200b', '\u202e\u202e', '\u0007\u001b', '\ufeff \u2060']) {
      const r = await t.request({
        method: 'POST',
        url: api('/dossiers'),
        as: 'citizen.an',
        payload: { procedureCode: BIRTH, applicant: { ...applicant, fullName }, form: {} },
      });
      expectProblem(r, 422, 'VALIDATION_FAILED');
      expect(r.json.errors.map((e: { path: string }) => e.path)).toEqual(['applicant.fullName']);
    }
    const d = await createDraft(BIRTH, {
      applicant: { ...applicant, fullName: 'Nguy\u200bễn\u0007 Văn\r\nAn\u202e', address: { unitCode: '13669', detail: 'Số 5\u200b\nđường Trần Hưng Đạo' } },
    });
    const view = await t.request({ method: 'GET', url: api(`/dossiers/${d.id}`), as: 'citizen.an' });
    expect(view.json.applicant).toMatchObject({ fullName: 'Nguyễn Văn An', address: { unitCode: '13669', detail: 'Số 5 đường Trần Hưng Đạo' } });
  });

  it('counts a required form answer of invisible characters as missing at submission, and stores cleaned answers', async () => {
    const d = await createDraft(BIRTH, { form: { ...requiredAnswers(defs.get(BIRTH)!.form), ho_ten_tre: '\u200b\u200b' } });
    await attachRequired(BIRTH, d.id);
    const s = await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as: 'citizen.an' });
    expectProblem(s, 422, 'DOSSIER_INCOMPLETE');
    expect(s.json.errors).toEqual([{ path: 'form.ho_ten_tre', message: 'Chưa nhập Họ, chữ đệm và tên của trẻ' }]);
    const saved = await patch(d.id, { form: { ho_ten_tre: '\u202eNguyễn\u200b Văn Bé\u0007' } });
    expect(saved.status, saved.body).toBe(200);
    expect(saved.json.form.ho_ten_tre).toBe('Nguyễn Văn Bé');
  });

  it('refuses a reason of invisible characters and stores a cleaned note', async () => {
    const d = await received(BIRTH);
    const zw = await act(d.code, 'leader.hoa', { action: 'extend', reason: '\u200b', newDueAt: '2099-01-01T10:00:00+07:00' });
    expectProblem(zw, 422, 'DOSSIER_ACTION_INPUT_MISSING');
    expect(zw.json.errors).toEqual([{ path: 'reason', message: 'Cần nhập lý do gia hạn (thư xin lỗi)' }]);
    expectProblem(await act(d.code, 'leader.hoa', { action: 'stop', reason: '\u202e\u0007\n' }), 422, 'DOSSIER_ACTION_INPUT_MISSING');
    const stop = await act(d.code, 'leader.hoa', { action: 'stop', reason: 'Người nộp\u200b đề nghị\r\ndừng\u0007' });
    expect(stop.status, stop.body).toBe(200);
    const history = await t.request({ method: 'GET', url: api(`/dossiers/${d.code}/history`), as: 'citizen.an' });
    expect(history.json.at(-1)).toMatchObject({ action: 'stop', note: 'Người nộp đề nghị\ndừng' });
  });

  it('finds "khai sinh" when the query carries a zero-width space', async () => {
    const r = await t.request({ method: 'GET', url: api(`/procedures?q=${encodeURIComponent('khai\u200b sinh')}`) });
    expect(r.status).toBe(200);
    expect(r.json.items.map((p: { code: string }) => p.code)).toContain(BIRTH);
    const mine = await t.request({ method: 'GET', url: api(`/dossiers?q=${encodeURIComponent('Nguy\u200bễn Văn\u200b An')}`), as: 'citizen.an' });
    expect(mine.status).toBe(200);
    expect(mine.json.total).toBeGreaterThan(0);
  });
});

describe('file names', () => {
  it('removes bidi controls and other invisible characters from an uploaded file name', async () => {
    const d = await createDraft(BIRTH);
    const component = defs.get(BIRTH)!.components[0]!.code;
    const r = await t.request({
      method: 'POST',
      url: api(`/dossiers/${d.id}/files`),
      as: 'citizen.an',
      ...multipart({ component }, { name: 'abc\u202Efdp.exe', type: 'application/pdf', data: SAMPLE_PDF }),
    });
    expect(r.status, r.body).toBe(201);
    const view = await t.request({ method: 'GET', url: api(`/dossiers/${d.id}`), as: 'citizen.an' });
    expect(view.json.files.map((f: { fileName: string }) => f.fileName)).toEqual(['abcfdp.exe']);
    const rows = await queryRows<{ file_name: string }>(t.database.db, sql`SELECT file_name FROM dossier_files WHERE dossier_id = ${d.id}::uuid`);
    expect(rows.map((x) => x.file_name)).toEqual(['abcfdp.exe']);
  });
});

describe('keys the API does not know', () => {
  it('refuses a misspelt key in a dossier body (and in its applicant) instead of dropping it, and writes nothing', async () => {
    const count = async () => (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM dossiers`))[0]!.n;
    const before = await count();
    const base = { procedureCode: BIRTH, applicant, form: requiredAnswers(defs.get(BIRTH)!.form) };
    for (const [payload, path] of [
      [{ ...base, receivingAgencyCode: 'TTPVHCC' }, '(body)'],
      [{ ...base, applicant: { ...applicant, fullname: 'Nguyễn Văn An' } }, 'applicant'],
      [{ ...base, applicant: { ...applicant, address: { unitCode: '13669', detail: 'Số 1', ward: 'x' } } }, 'applicant.address'],
    ] as const) {
      const r = await t.request({ method: 'POST', url: api('/dossiers'), as: 'citizen.an', payload });
      expectProblem(r, 422, 'VALIDATION_FAILED');
      expect(r.json.errors, r.body).toContainEqual({
        path,
        message: expect.stringMatching(/^có trường không được phép: (receivingAgencyCode|fullname|ward)$/),
      });
    }
    expect(await count()).toBe(before);
    const d = await createDraft(BIRTH);
    const action = await t.request({ method: 'POST', url: api(`/dossiers/${d.id}/actions`), as: 'citizen.an', payload: { action: 'withdraw', reasn: 'x' } });
    expectProblem(action, 422, 'VALIDATION_FAILED');
    expect(action.json.errors, action.body).toContainEqual({ path: '(body)', message: 'có trường không được phép: reasn' });
  });

  it('refuses a key the API does not know in every other JSON body, nested objects and list items included', async () => {
    const uuid = '0190a0b0-0000-7000-8000-000000000001';
    const named = [{ date: '2031-05-02', name: 'Nghỉ bù' }];
    const weights = { groups: [{ key: 'transparency', max: 10 }], indicators: [{ key: 'x', points: 1, target: 1 }] };
    const cases: [
      method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
      url: string,
      as: string | undefined,
      payload: Record<string, unknown>,
      path: string,
      key: string,
    ][] = [
      ['POST', '/auth/login', undefined, { username: 'citizen.an', password: 'x', remember: true }, '(body)', 'remember'],
      ['POST', '/auth/totp', undefined, { challenge: 'c'.repeat(20), code: '123456', trust: true }, '(body)', 'trust'],
      ['POST', '/me/totp/confirmation', 'citizen.an', { code: '123456', cdoe: '1' }, '(body)', 'cdoe'],
      ['POST', '/me/totp/recovery-codes', 'citizen.an', { code: '123456', all: true }, '(body)', 'all'],
      ['DELETE', '/me/totp', 'citizen.an', { code: '123456', force: true }, '(body)', 'force'],
      [
        'POST',
        '/users',
        'admin.lan',
        { username: 'nv.moi', displayName: 'Nhân viên', password: 'mat-khau-dai-1', kind: 'staff', roles: [], agency: 'x' },
        '(body)',
        'agency',
      ],
      [
        'POST',
        '/users',
        'admin.lan',
        { username: 'nv.moi', displayName: 'Nhân viên', password: 'mat-khau-dai-1', kind: 'staff', roles: [{ role: 'reception', agency: 'x' }] },
        'roles.0',
        'agency',
      ],
      ['PUT', '/users/citizen.an/roles', 'admin.lan', { roles: [], replace: true }, '(body)', 'replace'],
      ['PATCH', '/users/citizen.an', 'admin.lan', { isActive: true, active: false }, '(body)', 'active'],
      ['POST', '/units/import', 'admin.lan', { csv: 'x', dryRun: true }, '(body)', 'dryRun'],
      ['POST', '/units/successions/import', 'admin.lan', { csv: 'x', dryRun: true }, '(body)', 'dryRun'],
      [
        'PUT',
        '/agencies/TTPVHCC',
        'admin.lan',
        { name: 'Trung tâm', shortName: 'TT', identityCode: '000.00.12.H37', unitCode: '37', kind: 'other', parent: 'x' },
        '(body)',
        'parent',
      ],
      ['POST', '/procedures', 'admin.lan', { code: '9.000999', definition: {}, decision: 'x' }, '(body)', 'decision'],
      ['POST', `/procedures/${BIRTH}/versions`, 'admin.lan', { definition: {}, decision: 'x' }, '(body)', 'decision'],
      ['PUT', '/calendar/2031/overrides', 'admin.lan', { daysOff: named, workingDays: [], note: 'x' }, '(body)', 'note'],
      ['PUT', '/calendar/2031/overrides', 'admin.lan', { daysOff: [{ ...named[0], kind: 'official' }], workingDays: [] }, 'daysOff.0', 'kind'],
      ['PUT', '/settings/worklist_soon_days', 'admin.lan', { value: 3, note: 'x' }, '(body)', 'note'],
      ['PUT', '/service-index/config', 'admin.lan', { validFrom: '2031-01-01', config: weights, reason: 'x' }, '(body)', 'reason'],
      ['PUT', '/service-index/config', 'admin.lan', { validFrom: '2031-01-01', config: { ...weights, extra: 1 } }, 'config', 'extra'],
      [
        'PUT',
        '/service-index/config',
        'admin.lan',
        { validFrom: '2031-01-01', config: { ...weights, groups: [{ key: 'transparency', max: 10, min: 0 }] } },
        'config.groups.0',
        'min',
      ],
      ['PUT', '/me/consents/sms', 'citizen.an', { granted: true, channel: 'sms' }, '(body)', 'channel'],
      ['POST', '/me/data-requests', 'citizen.an', { kind: 'correction', details: 'Sai ngày sinh', field: 'x' }, '(body)', 'field'],
      ['POST', '/me/data-requests', 'citizen.an', { kind: 'deletion', confirm: true, reason: 'x' }, '(body)', 'reason'],
      ['POST', `/data-requests/${uuid}/resolution`, 'admin.lan', { status: 'done', resolution: 'Đã sửa', note: 'x' }, '(body)', 'note'],
      ['POST', `/dossiers/${uuid}/rating`, 'citizen.an', { rating: 'dissatisfied', comemnt: 'Chờ lâu quá' }, '(body)', 'comemnt'],
      ['POST', `/dossiers/${uuid}/files`, 'citizen.an', { component: 'to_khai', reuseFileId: uuid, fileName: 'x' }, '(body)', 'fileName'],
      ['POST', `/payments/transactions/${uuid}/resolution`, 'leader.hoa', { decision: 'reject', note: 'Sai số tiền', refnud: false }, '(body)', 'refnud'],
    ];
    for (const [method, url, as, payload, path, key] of cases) {
      const r = await t.request({ method, url: api(url), as, payload });
      const where = `${method} ${url} ${JSON.stringify(payload)}`;
      expect(r.status, `${where} → ${r.body}`).toBe(422);
      expect(r.json.errors, where).toContainEqual({ path, message: `có trường không được phép: ${key}` });
    }
    // The generated result (staff) answers its own code, with the same message.
    const result = await t.request({
      method: 'POST',
      url: api(`/dossiers/${uuid}/result`),
      as: 'reception.dung',
      payload: { title: 'Kết quả', content: 'Nội dung', body: 'x' },
    });
    expectProblem(result, 422, 'DOCUMENT_RESULT_INPUT');
    expect(result.json.errors).toContainEqual({ path: '(body)', message: 'có trường không được phép: body' });
    // Validation comes before any write: 2031 has no official day off.
    const year = await t.request({ method: 'GET', url: api('/calendar/2031') });
    expect(year.json.daysOff.filter((d: { source: string }) => d.source === 'official')).toEqual([]);
  });
});

describe('calendar years and decimal numbers', () => {
  const due = (query: string) => t.request({ method: 'GET', url: api(`/calendar/due-date?${query}`) });

  it('refuses a start or a due date outside 1990–2100 with VALIDATION_FAILED naming start', async () => {
    for (const start of ['1985-02-18T08:00:00+07:00', '0050-06-06T08:00:00+07:00', '9999-12-31T23:59:59Z', '1989-12-31T16:59:59Z', '2100-12-31T17:00:00Z']) {
      const r = await due(`start=${encodeURIComponent(start)}&value=5&unit=working_days`);
      expectProblem(r, 422, 'VALIDATION_FAILED');
      expect(r.json.errors, start).toEqual([{ path: 'start', message: expect.stringContaining('1990–2100') }]);
      expect(JSON.stringify(r.json)).not.toMatch(/YYYY-MM-DD date/);
    }
    // 28 Dec 2100 + 10 working days ends in January 2101, outside the calendar.
    const late = await due(`start=${encodeURIComponent('2100-12-28T08:00:00+07:00')}&value=10&unit=working_days`);
    expectProblem(late, 422, 'VALIDATION_FAILED');
    expect(late.json.errors).toEqual([{ path: 'start', message: expect.stringContaining('1990–2100') }]);
    // The edges are in: 1990-01-01 00:00 in Vietnam is 1989-12-31T17:00Z.
    const first = await due(`start=${encodeURIComponent('1989-12-31T17:00:00Z')}&value=1&unit=days`);
    expect(first.status, first.body).toBe(200);
    // Inside the range Tết still counts: one working day from Friday 13 Feb 2026 08:00 skips the
    // days off around lunar new year (17 Feb 2026) and the weekends.
    const tet = await due(`start=${encodeURIComponent('2026-02-13T08:00:00+07:00')}&value=1&unit=working_days`);
    expect(tet.status, tet.body).toBe(200);
    expect(tet.json.dueAt).toBe('2026-02-23T08:00:00.000+07:00');
  });

  it('takes numbers only in decimal digits: no hexadecimal, exponent or blank', async () => {
    expectProblem(await t.request({ method: 'GET', url: api('/calendar/0x7ea') }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'GET', url: api('/calendar/2026.0') }), 422, 'VALIDATION_FAILED');
    expect((await t.request({ method: 'GET', url: api('/calendar/2026') })).json.year).toBe(2026);
    expectProblem(await t.request({ method: 'GET', url: api('/procedures?page=0x10') }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'GET', url: api('/procedures?pageSize=1e1') }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'GET', url: api('/procedures?page=') }), 422, 'VALIDATION_FAILED');
    expect((await t.request({ method: 'GET', url: api('/procedures?page=1&pageSize=5') })).json.items).toHaveLength(5);
    expectProblem(await t.request({ method: 'GET', url: api('/dossiers?page=0x2'), as: 'citizen.an' }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'GET', url: api(`/procedures/${BIRTH}?version=0x1`) }), 422, 'VALIDATION_FAILED');
    expectProblem(await t.request({ method: 'GET', url: api('/me/notifications?limit=0x10'), as: 'citizen.an' }), 422, 'VALIDATION_FAILED');
    const start = encodeURIComponent('2026-11-23T08:00:00+07:00');
    const hex = await due(`start=${start}&value=0x10&unit=working_days`);
    expectProblem(hex, 422, 'VALIDATION_FAILED');
    expect(hex.json.errors.map((e: { path: string }) => e.path)).toEqual(['value']);
    // 16 working days of office time from Monday 23 Nov 2026 08:00 (23 Nov – 14 Dec holds 16 working days): Tuesday 15 Dec 08:00.
    const dec = await due(`start=${start}&value=16&unit=working_days`);
    expect(dec.status, dec.body).toBe(200);
    expect(dec.json.dueAt).toBe('2026-12-15T08:00:00.000+07:00');
  });
});

describe('If-Match lists (RFC 9110 §13.1.1)', () => {
  it('answers 412 with the current version to a valid entity-tag list that does not match', async () => {
    const d = await createDraft(BIRTH);
    const v = d.version;
    for (const h of [`"${v + 1}", "${v + 2}"`, '9999999999', '"9999999999"', '"abc"', `W/"${v}"`, `W/"${v}", "${v + 3}"`, `"0${v}"`, ',']) {
      const r = await patch(d.id, { form: { gioi_tinh: 'nam' } }, { 'if-match': h });
      expectProblem(r, 412, 'DOSSIER_VERSION_STALE');
      expect(r.json.currentVersion, h).toBe(v);
    }
    // Any member may match; the bare number is the API's older form and still works.
    const listed = await patch(d.id, { form: { gioi_tinh: 'nam' } }, { 'if-match': `"${v + 7}", W/"x", "${v}"` });
    expect(listed.status, listed.body).toBe(200);
    expect(listed.json.version).toBe(v + 1);
    const bare = await patch(d.id, { form: { gioi_tinh: 'nu' } }, { 'if-match': `${v + 1}` });
    expect(bare.status, bare.body).toBe(200);
    const star = await patch(d.id, { form: { gioi_tinh: 'nam' } }, { 'if-match': '*' });
    expect(star.status, star.body).toBe(200);
    expect(star.json.version).toBe(v + 3);
  });

  it('answers 422 only to a value that is not entity-tag syntax', async () => {
    const d = await createDraft(BIRTH);
    for (const h of ['abc', 'latest', '"1" "2"', '"1", *', '"unterminated', 'W/7', '"a"b"']) {
      expectProblem(await patch(d.id, { form: { gioi_tinh: 'nam' } }, { 'if-match': h }), 422, 'IF_MATCH_INVALID');
    }
    expect((await t.request({ method: 'GET', url: api(`/dossiers/${d.id}`), as: 'citizen.an' })).json.version).toBe(d.version);
  });

  it('applies the same rule to actions and to submit', async () => {
    const d = await submitted(BIRTH);
    const stale = await act(d.code, 'reception.dung', { action: 'receive' }, { 'if-match': `"${d.version - 1}", "${d.version + 1}"` });
    expectProblem(stale, 412, 'DOSSIER_VERSION_STALE');
    expect(stale.json.currentVersion).toBe(d.version);
    const ok = await act(d.code, 'reception.dung', { action: 'receive' }, { 'if-match': `"${d.version - 1}", "${d.version}"` });
    expect(ok.status, ok.body).toBe(200);
    expect(ok.json.status).toBe('received');
    const draft = await createDraft(BIRTH);
    await attachRequired(BIRTH, draft.id);
    const current = (await t.request({ method: 'GET', url: api(`/dossiers/${draft.id}`), as: 'citizen.an' })).json.version as number;
    const submit = (h: string) => t.request({ method: 'POST', url: api(`/dossiers/${draft.id}/submit`), as: 'citizen.an', headers: { 'if-match': h } });
    expectProblem(await submit(`W/"${current}"`), 412, 'DOSSIER_VERSION_STALE');
    expect((await submit(`"1", "${current}"`)).status).toBe(200);
  });
});

describe('error answers that name what is wrong (QA session 12)', () => {
  const due = (query: string) => t.request({ method: 'GET', url: api(`/calendar/due-date?${query}`) });
  const start = encodeURIComponent('2026-11-23T08:00:00+07:00');

  it('answers 415 to a text/plain body, as to any type the API does not read', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/xml']) {
      const r = await t.request({
        method: 'POST',
        url: api('/dossiers'),
        as: 'citizen.an',
        payload: '{"procedureCode":"1.001193"}',
        headers: { 'content-type': type },
      });
      expectProblem(r, 415, 'UNSUPPORTED_MEDIA_TYPE');
      expect(r.json.detail).toMatch(/application\/json/);
    }
  });

  it('sends WWW-Authenticate with every 401 of the API: Bearer, with error="invalid_token" for a token that is not a session', async () => {
    const none = await t.request({ method: 'GET', url: api('/me') });
    expectProblem(none, 401, 'AUTH_REQUIRED');
    expect(none.headers['www-authenticate']).toBe('Bearer');
    for (const [authorization, code] of [
      ['Bearer ' + 'a'.repeat(40), 'AUTH_SESSION_INVALID'],
      ['Basic Zm9vOmJhcg==', 'AUTH_TOKEN_MALFORMED'],
    ] as const) {
      const r = await t.request({ method: 'GET', url: api('/me'), headers: { authorization } });
      expectProblem(r, 401, code);
      expect(r.headers['www-authenticate'], authorization).toBe('Bearer error="invalid_token"');
    }
    const login = await t.request({ method: 'POST', url: api('/auth/login'), payload: { username: 'citizen.an', password: 'sai-mat-khau' } });
    expectProblem(login, 401, 'AUTH_INVALID_CREDENTIALS');
    expect(login.headers['www-authenticate']).toBe('Bearer');
    // Pages redirect to sign-in instead: no challenge there.
    const page = await t.request({ method: 'GET', url: '/tai-khoan' });
    expect(page.status).not.toBe(401);
    expect(page.headers['www-authenticate']).toBeUndefined();
    // A 200 carries none.
    expect((await t.request({ method: 'GET', url: api('/me'), as: 'citizen.an' })).headers['www-authenticate']).toBeUndefined();
  });

  it('answers a path parameter over 100 characters like a shorter bad one: 422 naming it, for every method the route has', async () => {
    for (const length of [81, 101, 500, 3000]) {
      const id = 'x'.repeat(length);
      for (const [method, url, payload] of [
        ['GET', `/dossiers/${id}`, undefined],
        ['GET', `/dossiers/${id}/history`, undefined],
        ['PATCH', `/dossiers/${id}`, { form: {} }],
        ['POST', `/dossiers/${id}/actions`, { action: 'withdraw' }],
      ] as const) {
        const r = await t.request({ method, url: api(url), as: 'citizen.an', ...(payload ? { payload } : {}) });
        expectProblem(r, 422, 'VALIDATION_FAILED');
        expect(r.json.errors, `${method} ${length}`).toEqual([{ path: 'id', message: 'không được quá 80 ký tự' }]);
      }
      // 405 stays for the methods the path does not have, and lists every one it has.
      const put = await t.request({ method: 'PUT', url: api(`/dossiers/${id}`), as: 'citizen.an', payload: {} });
      expectProblem(put, 405, 'METHOD_NOT_ALLOWED');
      expect(put.headers.allow).toBe('GET, HEAD, PATCH');
    }
  });

  it('names the field of a due-date value that must be whole, and says only once that a start is not a time', async () => {
    const half = await due(`start=${start}&value=1.5&unit=days`);
    expectProblem(half, 422, 'DUE_DATE_INPUT_INVALID');
    expect(half.json.errors).toEqual([{ path: 'value', message: 'phải là số nguyên khi tính theo ngày' }]);
    expect((await due(`start=${start}&value=1.5&unit=months`)).json.errors).toEqual([{ path: 'value', message: 'phải là số nguyên khi tính theo tháng' }]);
    for (const bad of ['yesterday', '2026-11-23', '1985-02-18']) {
      const r = await due(`start=${bad}&value=1&unit=days`);
      expectProblem(r, 422, 'VALIDATION_FAILED');
      expect(r.json.errors, bad).toEqual([{ path: 'start', message: expect.stringContaining('thời điểm ISO 8601') }]);
    }
  });

  it('names where a NUL character is: the path parameter, the query key or the body field', async () => {
    const param = await t.request({ method: 'GET', url: api('/dossiers/abc%00def'), as: 'citizen.an' });
    expectProblem(param, 422, 'INPUT_NUL_CHARACTER');
    expect(param.json.errors).toEqual([{ path: 'id', message: 'chứa ký tự NUL (U+0000)' }]);
    const query = await t.request({ method: 'GET', url: api('/procedures?q=a%00b') });
    expectProblem(query, 422, 'INPUT_NUL_CHARACTER');
    expect(query.json.errors).toEqual([{ path: 'q', message: 'chứa ký tự NUL (U+0000)' }]);
    const body = await t.request({
      method: 'PUT',
      url: api('/calendar/2031/overrides'),
      as: 'admin.lan',
      payload: { daysOff: [{ date: '2031-05-02', name: 'Nghỉ\u0000bù' }], workingDays: [] },
    });
    expectProblem(body, 422, 'INPUT_NUL_CHARACTER');
    expect(body.json.errors).toEqual([{ path: 'daysOff.0.name', message: 'chứa ký tự NUL (U+0000)' }]);
    const surrogate = await t.request({
      method: 'POST',
      url: api('/dossiers'),
      as: 'citizen.an',
      payload: '{"procedureCode":"1.001193","applicant":{"fullName":"An\\ud800"}}',
      headers: { 'content-type': 'application/json' },
    });
    expectProblem(surrogate, 422, 'INPUT_CHARACTER_INVALID');
    expect(surrogate.json.errors).toEqual([{ path: 'applicant.fullName', message: expect.stringContaining('UTF-16') }]);
  });

  it('names the If-Match header of a value that is not entity-tag syntax', async () => {
    const d = await createDraft(BIRTH);
    const r = await patch(d.id, { form: { gioi_tinh: 'nam' } }, { 'if-match': 'latest' });
    expectProblem(r, 422, 'IF_MATCH_INVALID');
    expect(r.json.errors).toEqual([{ path: 'if-match', message: expect.stringContaining('entity-tag') }]);
  });

  it('takes the security events limit in decimal digits only, with the message of the other routes', async () => {
    for (const limit of ['1e1', '0x10', 'abc', ' 5', '']) {
      const r = await t.request({ method: 'GET', url: api(`/security/events?limit=${encodeURIComponent(limit)}`), as: 'security.minh' });
      expectProblem(r, 422, 'VALIDATION_FAILED');
      expect(r.json.errors, limit).toEqual([{ path: 'limit', message: 'phải là số nguyên viết bằng chữ số thập phân' }]);
    }
    expect((await t.request({ method: 'GET', url: api('/security/events?limit=501'), as: 'security.minh' })).json.errors).toEqual([
      { path: 'limit', message: 'không được lớn hơn 500' },
    ]);
    const ok = await t.request({ method: 'GET', url: api('/security/events?limit=10'), as: 'security.minh' });
    expect(ok.status, ok.body).toBe(200);
  });
});
