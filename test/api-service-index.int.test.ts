import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { DEFAULT_CONFIG } from '../src/modules/service-index/index.ts';
import { toIso, vnDate } from '../src/platform/time.ts';
import { createTestApp, SAMPLE_PDF, multipart, requiredAnswers, workingDayClosing, type TestApp } from './harness.ts';
import { at, ok, workflowSteps } from './workflow-steps.ts';

// The Decision 766 index end to end: a known set of dossiers built through the real API, then
// the numbers of March 2026 checked against hand-computed values.
//
// The API only acts "now", so after each dossier has gone through its real workflow, its legal
// timestamps (received, due, finished, returned, pauses) are moved into March 2026 with direct
// UPDATEs, and the procedures' publication time to 1 January 2026; nothing else is written
// around the API. March 2026 has no public holiday; office hours 07:30–11:30 and 13:30–17:00
// (7.5 working hours a day).

let t: TestApp;
const BIRTH = '1.001193'; // 1 working day, result "both" (electronic), no fee, every channel
const MARRIAGE = '1.000894'; // 5 working days, paper result, fee 8,000 đ per copy, in person or online
const defs: Record<string, ProcedureDefinition> = {};
const an = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };
const api = (p: string) => `/api/v1${p}`;

const MARCH = 'from=2026-03-01&to=2026-03-31';

const { act, inProgress, approve } = workflowSteps(() => t);

/** The specialist seals an electronic result for the dossier (documents module): it was given one. */
const sealResult = (code: string) =>
  ok(
    t.request({
      method: 'POST',
      url: api(`/dossiers/${code}/result`),
      as: 'specialist.giang',
      payload: { title: 'Kết quả giải quyết', content: 'Kết quả giải quyết thủ tục hành chính.' },
    }),
    201,
  );

/** Creates, completes and submits a dossier; returns its code and id. */
async function submitted(procedure: string, opts: { as?: string; reuse?: Record<string, string> } = {}) {
  const as = opts.as ?? 'citizen.an';
  const d = await ok(
    t.request({
      method: 'POST',
      url: api('/dossiers'),
      as,
      payload: {
        procedureCode: procedure,
        applicant: an,
        form: requiredAnswers(defs[procedure]!.form, 7),
        agencyCode: 'TTPVHCC',
        ...(as === 'citizen.an' ? {} : { channel: 'in_person' }),
      },
    }),
    201,
  );
  for (const c of defs[procedure]!.components.filter((x) => x.required)) {
    const reuse = opts.reuse?.[c.code];
    if (reuse) await ok(t.request({ method: 'POST', url: api(`/dossiers/${d.id}/files`), as, payload: { component: c.code, reuseFileId: reuse } }), 201);
    else
      await ok(
        t.request({
          method: 'POST',
          url: api(`/dossiers/${d.id}/files`),
          as,
          ...multipart({ component: c.code }, { name: `${c.code}.pdf`, type: 'application/pdf', data: SAMPLE_PDF }),
        }),
        201,
      );
  }
  const s = await ok(t.request({ method: 'POST', url: api(`/dossiers/${d.id}/submit`), as }));
  return { code: s.code as string, id: d.id as string };
}

/** Moves a dossier's legal timestamps into the past (the API cannot act in the past). */
async function place(
  code: string,
  v: { received: string; due: string; originalDue?: string; finished?: string | null; returned?: string | null; pauses?: [string, string][] },
) {
  const pauses = JSON.stringify((v.pauses ?? []).map(([from, to]) => ({ from: at(from)!.toISOString(), to: at(to)!.toISOString() })));
  await t.database.db.execute(sql`UPDATE dossiers SET received_at = ${at(v.received)}, due_at = ${at(v.due)}, original_due_at = ${at(v.originalDue ?? v.due)},
      finished_at = ${at(v.finished ?? null)}, returned_at = ${at(v.returned ?? null)}, pauses = ${pauses}::jsonb WHERE code = ${code}`);
}

const codes: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const c of [BIRTH, MARRIAGE]) defs[c] = (await ok(t.request({ method: 'GET', url: api(`/procedures/${c}`) }))).definition;

  // A: birth, online, given a sealed electronic result; approved Mon 2 Mar 15:00 before its due (Tue 3 Mar 08:00), returned; rated satisfied.
  const a = await submitted(BIRTH);
  codes.A = a.code;
  await inProgress(a.code);
  await sealResult(a.code);
  await approve(a.code);
  await act(a.code, 'reception.dung', { action: 'return_result' });
  await ok(t.request({ method: 'POST', url: api(`/dossiers/${a.code}/rating`), as: 'citizen.an', payload: { rating: 'satisfied' } }), 204);
  await place(a.code, { received: '2026-03-02T08:00:00', due: '2026-03-03T08:00:00', finished: '2026-03-02T15:00:00', returned: '2026-03-02T16:00:00' });

  // B: birth, at the counter; due Wed 4 Mar 08:00, approved Thu 5 Mar 10:00: late by 9.5 h = 1.27 working days.
  const b = await submitted(BIRTH, { as: 'reception.dung' });
  codes.B = b.code;
  await inProgress(b.code);
  await approve(b.code);
  await act(b.code, 'reception.dung', { action: 'return_result' });
  await place(b.code, { received: '2026-03-03T08:00:00', due: '2026-03-04T08:00:00', finished: '2026-03-05T10:00:00', returned: '2026-03-05T11:00:00' });

  // C: birth, online, one component reused from A, given a sealed electronic result; on time but rated dissatisfied.
  const aFiles = await ok(t.request({ method: 'GET', url: api(`/dossiers/${a.code}`), as: 'citizen.an' }));
  const reusedComponent = defs[BIRTH]!.components.find((c) => c.required)!.code;
  const source = aFiles.files.find((f: { component: string }) => f.component === reusedComponent).fileId;
  const c = await submitted(BIRTH, { reuse: { [reusedComponent]: source } });
  codes.C = c.code;
  await inProgress(c.code);
  await sealResult(c.code);
  await approve(c.code);
  await act(c.code, 'reception.dung', { action: 'return_result' });
  await ok(t.request({ method: 'POST', url: api(`/dossiers/${c.code}/rating`), as: 'citizen.an', payload: { rating: 'dissatisfied' } }), 204);
  await place(c.code, { received: '2026-03-04T09:00:00', due: '2026-03-05T09:00:00', finished: '2026-03-04T14:00:00', returned: '2026-03-04T15:00:00' });

  // A supplement must add or change something: a clearer copy of the form (removed with the others below).
  const clearerToKhai = (id: string) =>
    ok(
      t.request({
        method: 'POST',
        url: api(`/dossiers/${id}/files`),
        as: 'citizen.an',
        ...multipart({ component: 'to_khai' }, { name: 'to_khai.pdf', type: 'application/pdf', data: SAMPLE_PDF }),
      }),
      201,
    );
  // D: marriage, online; two supplement requests; approved before its due date: late anyway. Its
  // required file is then gone (removed in the database: a supplement can no longer go back
  // without it), so it is not fully digitised.
  const d = await submitted(MARRIAGE);
  codes.D = d.code;
  await inProgress(d.code);
  await act(d.code, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung tờ khai có chữ ký' });
  await clearerToKhai(d.id);
  await act(d.code, 'citizen.an', { action: 'supplement' });
  await act(d.code, 'reception.dung', { action: 'receive' });
  await act(d.code, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung giấy tờ tùy thân bên nữ' });
  await clearerToKhai(d.id);
  await act(d.code, 'citizen.an', { action: 'supplement' });
  await act(d.code, 'reception.dung', { action: 'receive' });
  await approve(d.code);
  await t.database.db.execute(sql`UPDATE dossier_files SET removed_at = now() WHERE dossier_id = ${d.id} AND component_code = 'to_khai'`);
  await place(d.code, {
    received: '2026-03-09T08:00:00',
    due: '2026-03-20T17:00:00',
    finished: '2026-03-12T10:00:00',
    pauses: [
      ['2026-03-09T10:00:00', '2026-03-10T08:00:00'],
      ['2026-03-10T09:00:00', '2026-03-11T08:00:00'],
    ],
  });

  // E: marriage at the counter; asked to pay the fee, paid at the desk; extended by the leader; approved Wed 25 Mar 10:00. Without the
  // extension it was due Mon 23 Mar 08:00 (5 working days from Mon 16 Mar 08:00): late by 17 h = 2.27 days.
  const e = await submitted(MARRIAGE, { as: 'reception.dung' });
  codes.E = e.code;
  await inProgress(e.code);
  await act(e.code, 'reception.dung', { action: 'request_payment' });
  await act(e.code, 'reception.dung', { action: 'confirm_payment' });
  await act(e.code, 'leader.hoa', { action: 'extend', reason: 'Xin lỗi, cần xác minh thêm', newDueAt: toIso(await workingDayClosing(t, Date.now(), 40)) });
  await approve(e.code);
  await place(e.code, { received: '2026-03-16T08:00:00', due: '2026-03-27T17:00:00', originalDue: '2026-03-23T08:00:00', finished: '2026-03-25T10:00:00' });

  // F: birth, online; received Fri 27 Mar 08:00, due Mon 30 Mar 08:00, still open at the end of
  // March: late by 14.5 h = 1.93 working days at the end of the period.
  const f = await submitted(BIRTH);
  codes.F = f.code;
  await inProgress(f.code);
  await place(f.code, { received: '2026-03-27T08:00:00', due: '2026-03-30T08:00:00' });

  // G: birth, online; received Tue 31 Mar 09:00, due 1 Apr: open but within time at the end of March.
  const g = await submitted(BIRTH);
  codes.G = g.code;
  await act(g.code, 'reception.dung', { action: 'receive' });
  await place(g.code, { received: '2026-03-31T09:00:00', due: '2026-04-01T09:00:00' });

  // H: birth, online; submitted, never received: counts nowhere.
  codes.H = (await submitted(BIRTH)).code;

  // I: birth, online; received, then withdrawn by the applicant within time: on time.
  const i = await submitted(BIRTH);
  codes.I = i.code;
  await act(i.code, 'reception.dung', { action: 'receive' });
  await act(i.code, 'citizen.an', { action: 'withdraw', reason: 'Không còn nhu cầu' });
  await place(i.code, { received: '2026-03-02T08:00:00', due: '2026-03-03T08:00:00', finished: '2026-03-02T09:00:00' });

  // J: birth, online; received and resolved in February: outside March.
  const j = await submitted(BIRTH);
  codes.J = j.code;
  await inProgress(j.code);
  await approve(j.code);
  await act(j.code, 'reception.dung', { action: 'return_result' });
  await place(j.code, { received: '2026-02-20T08:00:00', due: '2026-02-23T08:00:00', finished: '2026-02-20T10:00:00', returned: '2026-02-20T11:00:00' });

  // K: marriage (paper result) at the counter, given a sealed electronic result too; received Thu 26 Feb, due Thu 5 Mar 08:00, approved Tue 3 Mar: on time in March.
  const k = await submitted(MARRIAGE, { as: 'reception.dung' });
  codes.K = k.code;
  await inProgress(k.code);
  await sealResult(k.code);
  await approve(k.code);
  await act(k.code, 'reception.dung', { action: 'return_result' });
  await place(k.code, { received: '2026-02-26T08:00:00', due: '2026-03-05T08:00:00', finished: '2026-03-03T10:00:00', returned: '2026-03-03T11:00:00' });

  // Procedures published before the period (the catalogue is loaded "now" by the seed).
  await t.database.db.execute(sql`UPDATE procedure_versions SET published_at = ${at('2026-01-01T08:00:00')} WHERE published_at IS NOT NULL`);
});
afterAll(async () => t?.close());

type Indicator = {
  key: string;
  numerator: number;
  denominator: number;
  ratio: number | null;
  score: number | null;
  applicable: boolean;
  target: number;
  max: number;
};
const indicator = (body: { groups: { indicators: Indicator[] }[] }, key: string) => body.groups.flatMap((g) => g.indicators).find((i) => i.key === key)!;

function expectProblem(res: { status: number; json: any; headers: Record<string, unknown> }, status: number, code: string) {
  expect(res.status, JSON.stringify(res.json)).toBe(status);
  expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(res.json.code).toBe(code);
}

describe('the index of March 2026 for the province', () => {
  let body: any;
  beforeAll(async () => {
    body = await ok(t.request({ method: 'GET', url: api(`/service-index?unit=37&${MARCH}`), as: 'leader.hoa' }));
  });

  it('names the unit, the period and the configuration version', () => {
    expect(body).toMatchObject({ unit: '37', unitKind: 'province', unitName: 'Tỉnh Ninh Bình', from: '2026-03-01', to: '2026-03-31', version: 1 });
    expect(body.groups.map((g: { key: string; max: number }) => [g.key, g.max])).toEqual([
      ['transparency', 18],
      ['progress', 20],
      ['digitisation', 22],
      ['online', 22],
      ['satisfaction', 18],
    ]);
  });

  it('progress: A, C, I, K on time; B late, D two supplements, E late despite its extension, F open and late at the end; G, H, J not counted', () => {
    // 4 / 8 = 0.5 → 0.5 × 20 ÷ 0.8 = 12.5
    expect(indicator(body, 'progress.on_time')).toMatchObject({
      numerator: 4,
      denominator: 8,
      ratio: 0.5,
      target: 0.8,
      max: 20,
      score: 12.5,
      applicable: true,
    });
  });

  it('digitisation: electronic result 3/6 (A, C, K were given one; B, D, E not, whatever the procedure); digitised 7/8 (D lost a file); reused 1/8 (C)', () => {
    expect(indicator(body, 'digitisation.electronic_result')).toMatchObject({ numerator: 3, denominator: 6, ratio: 0.5, score: 3.75 });
    expect(indicator(body, 'digitisation.digitised')).toMatchObject({ numerator: 7, denominator: 8, ratio: 0.875, score: 6 });
    expect(indicator(body, 'digitisation.reused')).toMatchObject({ numerator: 1, denominator: 8, ratio: 0.125, score: 0.63 });
    expect(indicator(body, 'digitisation.vneid')).toMatchObject({ numerator: 0, denominator: 0, ratio: null, score: null, applicable: false });
  });

  it('online: online dossiers given an electronic result 2/8 (A, C; not F, G, I, whose "both" result was not given electronically, nor the paper D); paid online 0/1 (E asked and paid at the desk; D never asked)', () => {
    // 2/8 = 0.25 → 0.25 × 6 ÷ 0.5 = 3
    expect(indicator(body, 'online.online_dossiers')).toMatchObject({ numerator: 2, denominator: 8, ratio: 0.25, target: 0.5, score: 3 });
    expect(indicator(body, 'online.paid_online')).toMatchObject({ numerator: 0, denominator: 1, ratio: 0, score: 0, applicable: true });
  });

  it('procedures: complete, offered online, used (birth and marriage had online dossiers), payment integration', async () => {
    const list = await ok(t.request({ method: 'GET', url: api('/procedures?pageSize=100') }));
    const all: ProcedureDefinition[] = await Promise.all(
      list.items.map(
        async (p: { code: string }) => (await ok(t.request({ method: 'GET', url: api(`/procedures/${p.code}`) }))).definition as ProcedureDefinition,
      ),
    );
    const online = all.filter((d) => d.channels.includes('online')).length;
    const feeBearing = all.filter((d) => d.fees.some((f) => f.amount > 0)).length;
    expect(indicator(body, 'transparency.complete_content')).toMatchObject({ numerator: all.length, denominator: all.length, score: 4 });
    expect(indicator(body, 'online.offered')).toMatchObject({ numerator: online, denominator: all.length });
    expect(indicator(body, 'online.used')).toMatchObject({ numerator: 2, denominator: online });
    expect(indicator(body, 'online.payment_integrated')).toMatchObject({ numerator: 0, denominator: feeBearing, score: 0 });
    expect(indicator(body, 'transparency.synced')).toMatchObject({ applicable: false, score: null });
  });

  it('satisfaction: 2/6 (A and K; B, D, E late, C rated dissatisfied); feedback not applicable', () => {
    // 2/6 = 0.3333 → 0.3333 × 6 ÷ 0.9 = 2.22
    expect(indicator(body, 'satisfaction.dossier_satisfaction')).toMatchObject({ numerator: 2, denominator: 6, ratio: 0.3333, target: 0.9, score: 2.22 });
    expect(indicator(body, 'satisfaction.feedback_on_time')).toMatchObject({ applicable: false, score: null });
  });

  it('totals what applies', () => {
    const sum = body.groups.reduce((a: number, g: { score: number | null }) => a + (g.score ?? 0), 0);
    expect(body.total).toBeCloseTo(sum, 2);
    const applicable = body.groups.flatMap((g: { indicators: Indicator[] }) => g.indicators).filter((i: Indicator) => i.applicable);
    expect(body.max).toBeCloseTo(
      applicable.reduce((a: number, i: Indicator) => a + i.max, 0),
      2,
    );
    expect(body.groups.find((g: { key: string }) => g.key === 'progress')).toMatchObject({ score: 12.5, applicableMax: 20 });
  });
});

describe('other units', () => {
  it('the competent committee, its commune and the civil-status field see the same dossiers; a department with none has no progress', async () => {
    for (const unit of ['UBND-13669', '13669', 'ho_tich', 'field:ho_tich']) {
      const b = await ok(t.request({ method: 'GET', url: api(`/service-index?unit=${unit}&${MARCH}`), as: 'admin.lan' }));
      expect(indicator(b, 'progress.on_time'), unit).toMatchObject({ numerator: 4, denominator: 8 });
      expect(indicator(b, 'digitisation.reused'), unit).toMatchObject({ numerator: 1, denominator: 8 });
    }
    const stp = await ok(t.request({ method: 'GET', url: api(`/service-index?unit=STP&${MARCH}`), as: 'admin.lan' }));
    expect(stp).toMatchObject({ unitKind: 'agency', unitName: 'Sở Tư pháp' });
    expect(indicator(stp, 'progress.on_time')).toMatchObject({ numerator: 0, denominator: 0, applicable: false, score: null });
  });

  it('February: only J and K were received; J is on time', async () => {
    const b = await ok(t.request({ method: 'GET', url: api('/service-index?unit=37&from=2026-02-01&to=2026-02-28'), as: 'admin.lan' }));
    // J ended in February (on time); K is open at the end of February but within time.
    expect(indicator(b, 'progress.on_time')).toMatchObject({ numerator: 1, denominator: 1 });
    expect(indicator(b, 'digitisation.digitised')).toMatchObject({ numerator: 2, denominator: 2 });
  });

  it('ranks top-level agencies and communes with their group scores', async () => {
    const r = await ok(t.request({ method: 'GET', url: api(`/service-index/ranking?level=agency&${MARCH}`), as: 'leader.hoa' }));
    expect(r).toMatchObject({ level: 'agency', version: 1 });
    expect(r.units).toHaveLength(12);
    expect(r.units.map((u: { rank: number }) => u.rank)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const percents = r.units.map((u: { percent: number | null }) => u.percent ?? -1);
    expect([...percents].sort((x: number, y: number) => y - x)).toEqual(percents);
    const ttp = r.units.find((u: { unit: string }) => u.unit === 'TTPVHCC');
    expect(ttp.groups.find((g: { key: string }) => g.key === 'progress')).toMatchObject({ score: 12.5, max: 20 });
    const stp = r.units.find((u: { unit: string }) => u.unit === 'STP');
    expect(stp.groups.find((g: { key: string }) => g.key === 'progress')).toMatchObject({ score: null });
    const communes = await ok(t.request({ method: 'GET', url: api(`/service-index/ranking?level=commune&${MARCH}`), as: 'admin.lan' }));
    expect(communes.units.map((u: { unit: string }) => u.unit).sort()).toEqual(['13285', '13669', '14215', '14329']);
    const nd = communes.units.find((u: { unit: string }) => u.unit === '13669');
    expect(nd).toMatchObject({ name: 'Phường Nam Định' });
    expect(nd.groups.find((g: { key: string }) => g.key === 'progress')).toMatchObject({ score: 12.5 });
  });
});

describe('the dossiers behind a number', () => {
  const url = (key: string, extra = '') => api(`/service-index/indicators/${key}/dossiers?unit=37&${MARCH}${extra}`);

  it('lists the late ones with why: late by N working days, two supplements, open and late at the end', async () => {
    const r = await ok(t.request({ method: 'GET', url: url('progress.on_time', '&counted=false'), as: 'leader.hoa' }));
    expect(r).toMatchObject({ key: 'progress.on_time', counted: false, total: 4, page: 1 });
    expect(r.items.map((i: { code: string }) => i.code)).toEqual([codes.F, codes.E, codes.D, codes.B]);
    const by = Object.fromEntries(r.items.map((i: { code: string }) => [i.code, i]));
    expect(by[codes.B!]).toMatchObject({
      counted: false,
      reason: 'late',
      lateWorkingDays: 1.27,
      reasonText: 'Trễ hạn 1,27 ngày làm việc',
      competentAgency: 'UBND-13669',
    });
    expect(by[codes.D!]).toMatchObject({ reason: 'too_many_supplements', supplements: 2, reasonText: 'Yêu cầu bổ sung 2 lần (quá 1 lần tính là trễ hạn)' });
    expect(by[codes.E!]).toMatchObject({
      reason: 'late',
      lateWorkingDays: 2.27,
      extensionCount: 1,
      indexDueAt: '2026-03-23T08:00:00.000+07:00',
      dueAt: '2026-03-27T17:00:00.000+07:00',
    });
    expect(by[codes.F!]).toMatchObject({ reason: 'unfinished_late', lateWorkingDays: 1.93, endAt: null, status: 'in_progress' });
  });

  it('lists the ones that counted, paged', async () => {
    const r = await ok(t.request({ method: 'GET', url: url('progress.on_time', '&counted=true'), as: 'leader.hoa' }));
    expect(r.items.map((i: { code: string }) => i.code).sort()).toEqual([codes.A, codes.C, codes.I, codes.K].sort());
    expect(r.items.every((i: { reason: string; counted: boolean }) => i.counted && i.reason === 'on_time')).toBe(true);
    const p2 = await ok(t.request({ method: 'GET', url: url('progress.on_time', '&pageSize=3&page=3'), as: 'leader.hoa' }));
    expect(p2).toMatchObject({ total: 8, page: 3, pageSize: 3 });
    expect(p2.items).toHaveLength(2);
    const past = await ok(t.request({ method: 'GET', url: url('progress.on_time', '&pageSize=3&page=9'), as: 'leader.hoa' }));
    expect(past).toMatchObject({ total: 8, items: [] });
  });

  it('explains other indicators: no electronic result, missing components, dissatisfied', async () => {
    const e = await ok(t.request({ method: 'GET', url: url('digitisation.electronic_result', '&counted=false'), as: 'leader.hoa' }));
    expect(e.items.map((i: { code: string }) => i.code).sort()).toEqual([codes.B, codes.D, codes.E].sort());
    expect(e.items[0].reasonText).toBe('Không được cấp kết quả điện tử (không có kết quả được ký số)');
    const o = await ok(t.request({ method: 'GET', url: url('online.online_dossiers', '&counted=false'), as: 'leader.hoa' }));
    const why = Object.fromEntries(o.items.map((i: { code: string; reason: string }) => [i.code, i.reason]));
    expect(why).toEqual({
      [codes.B!]: 'not_online',
      [codes.D!]: 'online_paper_result',
      [codes.E!]: 'not_online',
      [codes.F!]: 'online_paper_result',
      [codes.G!]: 'online_paper_result',
      [codes.I!]: 'online_paper_result',
    });
    const dg = await ok(t.request({ method: 'GET', url: url('digitisation.digitised', '&counted=false'), as: 'leader.hoa' }));
    expect(dg.items).toEqual([expect.objectContaining({ code: codes.D, reason: 'components_missing' })]);
    const s = await ok(t.request({ method: 'GET', url: url('satisfaction.dossier_satisfaction', '&counted=false'), as: 'leader.hoa' }));
    const reasons = Object.fromEntries(s.items.map((i: { code: string; reason: string }) => [i.code, i.reason]));
    expect(reasons).toEqual({ [codes.B!]: 'late', [codes.C!]: 'rated_dissatisfied', [codes.D!]: 'too_many_supplements', [codes.E!]: 'late' });
  });

  it('lists procedures for procedure-based indicators and nothing for unavailable sources', async () => {
    const used = await ok(t.request({ method: 'GET', url: url('online.used', '&counted=true'), as: 'leader.hoa' }));
    expect(used).toMatchObject({ basis: 'procedures', total: 2 });
    expect(used.items.map((i: { code: string }) => i.code).sort()).toEqual([BIRTH, MARRIAGE].sort());
    expect(used.items[0]).toMatchObject({ kind: 'procedure', reason: 'online_used' });
    const synced = await ok(t.request({ method: 'GET', url: url('transparency.synced'), as: 'leader.hoa' }));
    expect(synced).toMatchObject({ basis: 'unavailable', total: 0, items: [] });
  });
});

describe('configuration versions', () => {
  const today = vnDate(new Date());

  it('GET names the version in force; an administrator adds one from today; March keeps version 1', async () => {
    const cur = await ok(t.request({ method: 'GET', url: api('/service-index/config'), as: 'leader.hoa' }));
    expect(cur).toMatchObject({ version: 1, validFrom: '2022-06-23' });
    expect(cur.config).toEqual(DEFAULT_CONFIG);

    const next = structuredClone(DEFAULT_CONFIG);
    next.indicators.find((i) => i.key === 'progress.on_time')!.target = 0.5;
    const put = await ok(
      t.request({
        method: 'PUT',
        url: api('/service-index/config'),
        as: 'admin.lan',
        payload: { validFrom: today, note: 'Chỉ tiêu tiến độ 50 %', config: next },
      }),
    );
    expect(put).toMatchObject({ version: 2, validFrom: today, note: 'Chỉ tiêu tiến độ 50 %' });
    const after = await ok(t.request({ method: 'GET', url: api('/service-index/config'), as: 'admin.lan' }));
    expect(after).toMatchObject({ version: 2 });
    expect(after.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const old = await ok(t.request({ method: 'GET', url: api('/service-index/config?at=2026-03-31'), as: 'admin.lan' }));
    expect(old).toMatchObject({ version: 1 });

    const march = await ok(t.request({ method: 'GET', url: api(`/service-index?unit=37&${MARCH}`), as: 'admin.lan' }));
    expect(march.version).toBe(1);
    expect(indicator(march, 'progress.on_time')).toMatchObject({ target: 0.8, score: 12.5 });
    const now = await ok(t.request({ method: 'GET', url: api(`/service-index?unit=37&from=2026-03-01&to=${today}`), as: 'admin.lan' }));
    expect(now.version).toBe(2);
    expect(indicator(now, 'progress.on_time').target).toBe(0.5);

    const audit = await t.database.db.execute(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'service_index.config.create'`);
    expect((audit as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(1);
  });

  it('refuses a change dated in the past, points that do not add up, non-administrators and anonymous callers', async () => {
    const put = (as: string | undefined, payload: unknown) =>
      t.request({ method: 'PUT', url: api('/service-index/config'), ...(as ? { as } : {}), payload: payload as Record<string, unknown> });
    expectProblem(await put('admin.lan', { validFrom: '2026-01-01', config: DEFAULT_CONFIG }), 422, 'SERVICE_INDEX_CONFIG_RETROACTIVE');
    const bad = structuredClone(DEFAULT_CONFIG);
    bad.indicators.find((i) => i.key === 'progress.on_time')!.points = 25;
    const r = await put('admin.lan', { validFrom: today, config: bad });
    expectProblem(r, 422, 'SERVICE_INDEX_CONFIG_INVALID');
    expect(r.json.errors[0].message).toContain('progress');
    expectProblem(await put('admin.lan', { validFrom: today, config: { groups: [], indicators: [] } }), 422, 'VALIDATION_FAILED');
    expectProblem(await put('leader.hoa', { validFrom: today, config: DEFAULT_CONFIG }), 403, 'ROLE_REQUIRED');
    expectProblem(await put(undefined, { validFrom: today, config: DEFAULT_CONFIG }), 401, 'AUTH_REQUIRED');
    expectProblem(await t.request({ method: 'GET', url: api('/service-index/config'), as: 'citizen.an' }), 403, 'ROLE_REQUIRED');
  });
});

describe('who may read, and bad input', () => {
  const get = (url: string, as?: string) => t.request({ method: 'GET', url: api(url), ...(as ? { as } : {}) });

  it('401 without a session; 403 for citizens', async () => {
    expectProblem(await get(`/service-index?unit=37&${MARCH}`), 401, 'AUTH_REQUIRED');
    expectProblem(await get(`/service-index/ranking?level=agency&${MARCH}`), 401, 'AUTH_REQUIRED');
    expectProblem(await get(`/service-index/indicators/progress.on_time/dossiers?unit=37&${MARCH}`), 401, 'AUTH_REQUIRED');
    expectProblem(await get(`/service-index?unit=37&${MARCH}`, 'citizen.an'), 403, 'ROLE_REQUIRED');
    expectProblem(await get(`/service-index/indicators/progress.on_time/dossiers?unit=37&${MARCH}`, 'business.cuong'), 403, 'ROLE_REQUIRED');
  });

  it('staff of a commune centre read their own agency and commune only', async () => {
    await ok(get(`/service-index?unit=TTPVHCC-13669&${MARCH}`, 'officer.khanh'));
    await ok(get(`/service-index?unit=13669&${MARCH}`, 'officer.khanh'));
    expectProblem(await get(`/service-index?unit=37&${MARCH}`, 'officer.khanh'), 403, 'SERVICE_INDEX_UNIT_FORBIDDEN');
    expectProblem(await get(`/service-index?unit=STP&${MARCH}`, 'officer.khanh'), 403, 'SERVICE_INDEX_UNIT_FORBIDDEN');
    expectProblem(await get(`/service-index?unit=14329&${MARCH}`, 'officer.khanh'), 403, 'SERVICE_INDEX_UNIT_FORBIDDEN');
    expectProblem(await get(`/service-index/indicators/progress.on_time/dossiers?unit=37&${MARCH}`, 'officer.khanh'), 403, 'SERVICE_INDEX_UNIT_FORBIDDEN');
    expectProblem(await get(`/service-index/ranking?level=commune&${MARCH}`, 'officer.khanh'), 403, 'SERVICE_INDEX_UNIT_FORBIDDEN');
    // Provincial staff read any unit.
    await ok(get(`/service-index?unit=14329&${MARCH}`, 'specialist.giang'));
  });

  it('422 for bad periods, unknown units and indicators, and bad levels', async () => {
    expectProblem(await get('/service-index?unit=37&from=2026-03-31&to=2026-03-01', 'admin.lan'), 422, 'SERVICE_INDEX_PERIOD_INVALID');
    // A day that does not exist is refused by the schema (naming the field), before the service's period rules.
    expectProblem(await get('/service-index?unit=37&from=2026-02-30&to=2026-03-01', 'admin.lan'), 422, 'VALIDATION_FAILED');
    expectProblem(await get('/service-index?unit=37&from=2010-01-01&to=2026-03-01', 'admin.lan'), 422, 'SERVICE_INDEX_PERIOD_INVALID');
    expectProblem(await get('/service-index?unit=37&from=2026-3-1&to=2026-03-31', 'admin.lan'), 422, 'VALIDATION_FAILED');
    expectProblem(await get(`/service-index?${MARCH}`, 'admin.lan'), 422, 'VALIDATION_FAILED');
    expectProblem(await get(`/service-index?unit=NOPE&${MARCH}`, 'admin.lan'), 422, 'SERVICE_INDEX_UNIT_UNKNOWN');
    expectProblem(await get(`/service-index?unit=99999&${MARCH}`, 'admin.lan'), 422, 'SERVICE_INDEX_UNIT_UNKNOWN');
    expectProblem(await get(`/service-index/ranking?level=district&${MARCH}`, 'admin.lan'), 422, 'VALIDATION_FAILED');
    expectProblem(await get(`/service-index/indicators/progress.bogus/dossiers?unit=37&${MARCH}`, 'admin.lan'), 422, 'SERVICE_INDEX_INDICATOR_UNKNOWN');
    expectProblem(await get(`/service-index/indicators/progress.on_time/dossiers?unit=37&${MARCH}&counted=maybe`, 'admin.lan'), 422, 'VALIDATION_FAILED');
  });
});

describe('units and procedures as they were in the period (QA 13b findings 2 and 6)', () => {
  const get = (url: string) => ok(t.request({ method: 'GET', url: api(url), as: 'admin.lan' }));

  it('a province dissolved before the period (Nam Định, 36 → 37 on 2025-07-01) is not applicable, not its successor under the old name', async () => {
    const old = await get(`/service-index?unit=36&${MARCH}`);
    expect(old).toMatchObject({ unit: '36', unitKind: 'province', unitName: 'Tỉnh Nam Định', total: 0, max: 0, percent: null });
    expect(indicator(old, 'progress.on_time')).toMatchObject({ numerator: 0, denominator: 0, applicable: false });
    expect(indicator(old, 'transparency.complete_content')).toMatchObject({ denominator: 0, applicable: false });
    expect((await get(`/service-index/indicators/progress.on_time/dossiers?unit=36&${MARCH}`)).total).toBe(0);
    // The province in force keeps every dossier.
    expect(indicator(await get(`/service-index?unit=37&${MARCH}`), 'progress.on_time')).toMatchObject({ numerator: 4, denominator: 8 });
  });

  it('a period before the catalogue was published has no procedures; a version published later does not rewrite March', async () => {
    const before = await get('/service-index?unit=37&from=2025-12-01&to=2025-12-31');
    expect(indicator(before, 'transparency.complete_content')).toMatchObject({ denominator: 0, applicable: false });
    const march = await get(`/service-index?unit=37&${MARCH}`);
    // Version 2 of birth registration, published now: in person only.
    const v2 = { ...defs[BIRTH]!, channels: ['in_person'], onlineLevel: 'partial' };
    const created = await t.request({ method: 'POST', url: api(`/procedures/${BIRTH}/versions`), as: 'admin.lan', payload: { definition: v2 } });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    await ok(t.request({ method: 'POST', url: api(`/procedures/${BIRTH}/versions/${created.json.version}/publish`), as: 'admin.lan' }));
    const again = await get(`/service-index?unit=37&${MARCH}`);
    for (const key of ['transparency.complete_content', 'online.offered', 'online.used', 'online.payment_integrated']) {
      expect(indicator(again, key), key).toEqual(indicator(march, key));
    }
    expect(indicator(again, 'online.used')).toMatchObject({ numerator: 2 });
    const used = await get(`/service-index/indicators/online.used/dossiers?unit=37&${MARCH}&counted=true`);
    expect(used.items.map((i: { code: string }) => i.code).sort()).toEqual([BIRTH, MARRIAGE].sort());
    // A period ending after the new publication judges birth registration by version 2: not offered online.
    const today = vnDate(new Date());
    const now = await get(`/service-index/indicators/online.offered/dossiers?unit=37&from=${today}&to=${today}&counted=false`);
    expect(now.items.map((i: { code: string }) => i.code)).toContain(BIRTH);
  });
});
