import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, submittedDossier, type TestApp } from './harness.ts';

let t: TestApp;
const CODE = '1.001193'; // Đăng ký khai sinh: received by the provincial centre, decided by a commune
let def: ProcedureDefinition;

const applicant = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

async function upload(id: string, component: string, as = 'citizen.an') {
  const body = multipart({ component }, { name: `${component}.pdf`, type: 'application/pdf', data: SAMPLE_PDF });
  return t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/files`, as, ...body });
}

const createSubmitted = () => submittedDossier(t, 'citizen.an', { procedureCode: CODE, applicant, form: requiredAnswers(def.form, 7) });

async function act(code: string, as: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: body, headers });
}

beforeAll(async () => {
  t = await createTestApp();
  const p = await t.request({ method: 'GET', url: `/api/v1/procedures/${CODE}` });
  def = p.json.definition;
});
afterAll(async () => t?.close());

describe('the dossier lifecycle over HTTP', () => {
  it('runs from draft to returned and rated, with a supplement, and records every step', async () => {
    // Draft, saved and completed later.
    const draft = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload: { procedureCode: CODE, applicant, form: {} } });
    expect(draft.status).toBe(201);
    expect(draft.json).toMatchObject({ status: 'draft', code: null, nationalStatus: null, channel: 'online', procedureVersion: 1 });
    const early = await t.request({ method: 'POST', url: `/api/v1/dossiers/${draft.json.id}/submit`, as: 'citizen.an' });
    expect(early.status).toBe(422);
    expect(early.json.code).toBe('DOSSIER_INCOMPLETE');
    expect(early.json.errors.length).toBeGreaterThan(0);
    expect(early.headers['content-type']).toMatch(/application\/problem\+json/);

    const saved = await t.request({
      method: 'PATCH',
      url: `/api/v1/dossiers/${draft.json.id}`,
      as: 'citizen.an',
      payload: { form: requiredAnswers(def.form, 7) },
    });
    expect(saved.status).toBe(200);
    for (const c of def.components.filter((c) => c.required)) expect((await upload(draft.json.id, c.code)).status).toBe(201);

    const sub = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${draft.json.id}/submit`,
      as: 'citizen.an',
      headers: { 'idempotency-key': 'submit-key-0001' },
    });
    expect(sub.status).toBe(200);
    expect(sub.json).toMatchObject({ status: 'submitted', nationalStatus: 1 });
    expect(sub.json.code).toMatch(/^000\.00\.01\.H37-\d{6}-\d{4}$/);
    const code: string = sub.json.code;
    const again = await t.request({
      method: 'POST',
      url: `/api/v1/dossiers/${draft.json.id}/submit`,
      as: 'citizen.an',
      headers: { 'idempotency-key': 'submit-key-0001' },
    });
    expect(again.status).toBe(200);
    expect(again.json.code).toBe(code);

    // The desk receives: the legal clock starts and the due date is set.
    const rec = await act(code, 'reception.dung', { action: 'receive' });
    expect(rec.status).toBe(200);
    expect(rec.json).toMatchObject({ status: 'received', nationalStatus: 2 });
    expect(rec.json.dueAt).toMatch(/\+07:00$/);
    const giang = (await t.request({ method: 'GET', url: '/api/v1/agencies/TTPVHCC/staff?role=specialist', as: 'reception.dung' })).json.find(
      (s: { username: string }) => s.username === 'specialist.giang',
    );
    const asg = await act(code, 'reception.dung', { action: 'assign', assigneeId: giang.id });
    expect(asg.json).toMatchObject({ status: 'in_progress', nationalStatus: 4, assigneeId: giang.id });

    // Supplement: the clock pauses, the applicant adds a file, the desk accepts it.
    const rs = await act(code, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung giấy chứng sinh bản rõ nét' });
    expect(rs.json).toMatchObject({ status: 'supplement_requested', nationalStatus: 5, supplementCount: 1 });
    expect((await upload(code, def.components[0]!.code)).status).toBe(201);
    expect((await act(code, 'citizen.an', { action: 'supplement' })).json.status).toBe('submitted');
    const resumed = await act(code, 'reception.dung', { action: 'receive' });
    expect(resumed.json).toMatchObject({ status: 'in_progress', assigneeId: giang.id });

    // Specialist → leader → done → returned.
    let cur = resumed.json;
    while (cur.currentStep.role === 'specialist') cur = (await act(code, 'specialist.giang', { action: 'forward', note: 'Đủ điều kiện' })).json;
    expect(cur.currentStep.role).toBe('leader');
    while (!cur.allowedActions.includes('approve')) cur = (await act(code, 'leader.hoa', { action: 'forward' })).json;
    const done = await act(code, 'leader.hoa', { action: 'approve' });
    expect(done.json).toMatchObject({ status: 'done', nationalStatus: 9 });
    expect(done.json.finishedAt).not.toBeNull();
    const ret = await act(code, 'reception.dung', { action: 'return_result' });
    expect(ret.json).toMatchObject({ status: 'returned', nationalStatus: 10 });

    // The applicant rates once.
    expect(
      (await t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/rating`, as: 'citizen.an', payload: { rating: 'very_satisfied', comment: 'Nhanh' } }))
        .status,
    ).toBe(204);
    const twice = await t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/rating`, as: 'citizen.an', payload: { rating: 'satisfied' } });
    expect(twice.status).toBe(409);
    expect(twice.json.code).toBe('DOSSIER_ALREADY_RATED');

    // The history has every step, in order, the file added for the supplement included.
    const h = await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}/history`, as: 'citizen.an' });
    expect(h.json.map((e: { action: string }) => e.action).slice(0, 9)).toEqual([
      'create',
      'submit',
      'receive',
      'assign',
      'request_supplement',
      'attach_file',
      'supplement',
      'receive',
      'forward',
    ]);
    expect(h.json[5]).toMatchObject({ actor: { role: 'applicant' }, fromStatus: 'supplement_requested', toStatus: 'supplement_requested' });
    expect(h.json.at(-1).action).toBe('rate');

    // The public lookup shows status and dates, nothing personal.
    const pub = await t.request({ method: 'GET', url: `/api/v1/public/dossiers/${code}` });
    expect(pub.status).toBe(200);
    expect(pub.json).toMatchObject({ code, status: 'returned', nationalStatus: 10 });
    expect(JSON.stringify(pub.json)).not.toContain('036090001234');
    expect(JSON.stringify(pub.json)).not.toContain('Nguyễn Văn An');
  });

  it('answers 409 with the allowed actions in the wrong state, 403 for the wrong role, 412 on a stale version', async () => {
    const d = await createSubmitted();
    const wrongState = await act(d.code, 'leader.hoa', { action: 'approve' });
    expect(wrongState.status).toBe(409);
    expect(wrongState.json.code).toBe('DOSSIER_TRANSITION_NOT_ALLOWED');
    expect(wrongState.json.allowedActions).toEqual(expect.any(Array));
    const wrongRole = await act(d.code, 'citizen.an', { action: 'receive' });
    expect(wrongRole.status).toBe(403);
    const stale = await act(d.code, 'reception.dung', { action: 'receive' }, { 'if-match': `"${d.version - 1}"` });
    expect(stale.status).toBe(412);
    expect(stale.json.code).toBe('DOSSIER_VERSION_STALE');
    const ok = await act(d.code, 'reception.dung', { action: 'receive' }, { 'if-match': `"${d.version}"` });
    expect(ok.status).toBe(200);
    // The same click again, on the old version: refused, nothing happens twice.
    const dbl = await act(d.code, 'reception.dung', { action: 'receive' }, { 'if-match': `"${d.version}"` });
    expect(dbl.status).toBe(412);
  });

  it('hides dossiers from other citizens and other agencies (404), and from anonymous callers (401)', async () => {
    const d = await createSubmitted();
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'citizen.binh' })).status).toBe(404);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'officer.khanh' })).status).toBe(404);
    expect((await act(d.code, 'officer.khanh', { action: 'receive' })).status).toBe(404);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}` })).status).toBe(401);
    expect((await t.request({ method: 'GET', url: `/api/v1/dossiers/${d.code}`, as: 'specialist.giang' })).status).toBe(200);
    const list = await t.request({ method: 'GET', url: '/api/v1/dossiers?pageSize=100', as: 'citizen.binh' });
    expect(list.json.items.some((i: { code: string }) => i.code === d.code)).toBe(false);
  });

  it('issues unique, gap-free codes under concurrent submissions', async () => {
    const drafts = [];
    for (let i = 0; i < 12; i++) {
      const c = await t.request({
        method: 'POST',
        url: '/api/v1/dossiers',
        as: 'citizen.an',
        payload: { procedureCode: CODE, applicant, form: requiredAnswers(def.form, 7) },
      });
      for (const comp of def.components.filter((x) => x.required)) await upload(c.json.id, comp.code);
      drafts.push(c.json.id as string);
    }
    const results = await Promise.all(drafts.map((id) => t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/submit`, as: 'citizen.an' })));
    const codes = results.map((r) => r.json.code as string);
    expect(new Set(codes).size).toBe(12);
    const seqs = codes.map((c) => Number(c.slice(-4))).sort((a, b) => a - b);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
  });

  it('writes concurrent creates and uploads in groups without losing or doubling any (same key twice in one group, files racing on one draft)', async () => {
    const payload = { procedureCode: CODE, applicant, form: requiredAnswers(def.form, 7) };
    const key = (i: number) => ({ 'idempotency-key': `group-create-${i % 8}` });
    // 20 requests at once, 8 distinct keys: 8 drafts, and each repeat answers its first's id.
    const creates = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload, headers: key(i) })),
    );
    expect(creates.filter((r) => r.status === 201)).toHaveLength(8);
    expect(creates.filter((r) => r.status === 200)).toHaveLength(12);
    creates.forEach((r, i) => expect(r.json.id).toBe(creates[i % 8]!.json.id));
    const ids = creates.slice(0, 8).map((r) => r.json.id as string);
    const rows = await queryRows<{ id: string; h: number; a: number }>(
      t.database.db,
      sql`SELECT d.id, (SELECT count(*)::int FROM dossier_history h WHERE h.dossier_id = d.id) AS h,
            (SELECT count(*)::int FROM audit_log a WHERE a.target_id = d.id::text AND a.action = 'dossier.create') AS a
          FROM dossiers d WHERE d.id IN (${sql.join(
            ids.map((id) => sql`${id}::uuid`),
            sql`, `,
          )})`,
    );
    expect(rows.map((r) => [r.h, r.a])).toEqual(ids.map(() => [1, 1]));

    // Six uploads racing on one draft: all six land, each one version step.
    const comp = def.components.find((x) => x.required)!.code;
    const uploads = (await Promise.all(Array.from({ length: 6 }, () => upload(ids[0]!, comp)))).map((u) => {
      expect(u.status, u.body).toBe(201);
      return u.json as { fileId: string };
    });
    expect(new Set(uploads.map((u) => u.fileId)).size).toBe(6);
    const view = await t.request({ method: 'GET', url: `/api/v1/dossiers/${ids[0]}`, as: 'citizen.an' });
    expect(view.json.files.map((f: { fileId: string }) => f.fileId).sort()).toEqual(uploads.map((u) => u.fileId).sort());
    expect(view.json.version).toBe(1 + 6);
    const attachAudits = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE target_id = ${ids[0]} AND action = 'dossier.file.attach'`,
    );
    expect(attachAudits[0]!.n).toBe(6);
  });

  it('creates one dossier for a repeated Idempotency-Key, and refuses the key for a different request', async () => {
    const payload = { procedureCode: CODE, applicant, form: {} };
    const a = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload, headers: { 'idempotency-key': 'create-abc-123' } });
    const b = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload, headers: { 'idempotency-key': 'create-abc-123' } });
    expect(a.status).toBe(201);
    expect(b.status).toBe(200);
    expect(b.json.id).toBe(a.json.id);
    const c = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { ...payload, form: { ho_ten_tre: 'Khác' } },
      headers: { 'idempotency-key': 'create-abc-123' },
    });
    expect(c.status).toBe(409);
    expect(c.json.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('one Idempotency-Key sent at once to submit two different drafts submits one of them only', async () => {
    const drafts: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await t.request({
        method: 'POST',
        url: '/api/v1/dossiers',
        as: 'citizen.an',
        payload: { procedureCode: CODE, applicant, form: requiredAnswers(def.form, 7) },
      });
      for (const comp of def.components.filter((x) => x.required)) expect((await upload(c.json.id, comp.code)).status).toBe(201);
      drafts.push(c.json.id);
    }
    const headers = { 'idempotency-key': 'submit-race-0001' };
    const answers = await Promise.all(drafts.map((id) => t.request({ method: 'POST', url: `/api/v1/dossiers/${id}/submit`, as: 'citizen.an', headers })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)!.json.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const statuses = await queryRows<{ status: string }>(
      t.database.db,
      sql`SELECT status FROM dossiers WHERE id IN (${drafts[0]}::uuid, ${drafts[1]}::uuid) ORDER BY status`,
    );
    expect(statuses.map((r) => r.status)).toEqual(['draft', 'submitted']);
  });

  it('checks uploads by content and size, and validates bodies with field errors', async () => {
    const c = await t.request({ method: 'POST', url: '/api/v1/dossiers', as: 'citizen.an', payload: { procedureCode: CODE, applicant, form: {} } });
    const fake = multipart({ component: def.components[0]!.code }, { name: 'virus.pdf', type: 'application/pdf', data: Buffer.from('MZ not a pdf') });
    const r1 = await t.request({ method: 'POST', url: `/api/v1/dossiers/${c.json.id}/files`, as: 'citizen.an', ...fake });
    expect(r1.status).toBe(415);
    expect(r1.json.code).toBe('FILE_TYPE_NOT_ALLOWED');
    const big = multipart(
      { component: def.components[0]!.code },
      { name: 'big.pdf', type: 'application/pdf', data: Buffer.concat([SAMPLE_PDF, Buffer.alloc(11 * 1024 * 1024)]) },
    );
    const r2 = await t.request({ method: 'POST', url: `/api/v1/dossiers/${c.json.id}/files`, as: 'citizen.an', ...big });
    expect(r2.status).toBe(413);
    const bad = await t.request({
      method: 'POST',
      url: '/api/v1/dossiers',
      as: 'citizen.an',
      payload: { procedureCode: CODE, applicant: { ...applicant, idNumber: '123' } },
    });
    expect(bad.status).toBe(422);
    expect(bad.json.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'applicant.idNumber' })]));
  });
});

describe('catalogue and calendar over HTTP', () => {
  it('finds procedures without diacritics, in any case', async () => {
    for (const q of ['dang ky khai sinh', 'KHAI SINH', 'đăng ký khai sinh']) {
      const r = await t.request({ method: 'GET', url: `/api/v1/procedures?q=${encodeURIComponent(q)}` });
      expect(r.json.items[0].name).toBe('Đăng ký khai sinh');
    }
  });

  it('computes due dates and the year calendar, and lets administrators set overrides', async () => {
    const due = await t.request({
      method: 'GET',
      url: `/api/v1/calendar/due-date?start=${encodeURIComponent('2026-02-13T16:00:00+07:00')}&value=1&unit=working_days`,
    });
    expect(due.status).toBe(200);
    // Friday 13 Feb 2026, then Tết (16–20 Feb): one working day later is Monday 23 Feb 16:00.
    expect(due.json.dueAt).toBe('2026-02-23T16:00:00.000+07:00');
    const bad = await t.request({ method: 'GET', url: '/api/v1/calendar/due-date?start=2026-02-30&value=1&unit=working_days' });
    expect(bad.status).toBe(422);
    const cal = await t.request({ method: 'GET', url: '/api/v1/calendar/2026' });
    expect(cal.json.daysOff.some((d: { date: string }) => d.date === '2026-04-26')).toBe(true);
    const put = { daysOff: [{ date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam' }], workingDays: [] };
    expect((await t.request({ method: 'PUT', url: '/api/v1/calendar/2026/overrides', as: 'citizen.an', payload: put })).status).toBe(403);
    const ok = await t.request({ method: 'PUT', url: '/api/v1/calendar/2026/overrides', as: 'admin.lan', payload: put });
    expect(ok.status).toBe(200);
    expect(ok.json.daysOff).toEqual(expect.arrayContaining([{ date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam', source: 'official' }]));
  });
});
