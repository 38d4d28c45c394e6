import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, dayStart } from '../src/modules/reports/period.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { parseCsv } from '../src/platform/csv.ts';
import { toIso, vnDate } from '../src/platform/time.ts';
import { createTestApp, multipart, requiredAnswers, SAMPLE_PDF, submittedDossier, workingDayClosing, type TestApp } from './harness.ts';

let t: TestApp;
const BIRTH = '1.001193'; // hộ tịch; received by the provincial centre, decided by UBND-13669
const RECORD = '2.000488'; // lý lịch tư pháp; decided by STP
const defs = new Map<string, ProcedureDefinition>();
const citizen = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };

// The period: the ten days ending today (Vietnam). Times inside it are set relative to its start.
const TODAY = vnDate(new Date());
const FROM = addDays(TODAY, -9);
const START = dayStart(FROM).getTime();
const H = 3_600_000;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();
const q = (unit: string, extra = '') => `unit=${unit}&from=${FROM}&to=${TODAY}${extra}`;

async function act(code: string, as: string, body: Record<string, unknown>) {
  const r = await t.request({ method: 'POST', url: `/api/v1/dossiers/${code}/actions`, as, payload: body });
  expect(r.status, `${body.action} on ${code}: ${r.body}`).toBe(200);
  return r.json;
}

/** A submitted dossier, filed online by the citizen or at the desk in person. */
async function submitted(proc = BIRTH, channel: 'online' | 'in_person' = 'online'): Promise<string> {
  const as = channel === 'online' ? 'citizen.an' : 'reception.dung';
  const form = requiredAnswers(defs.get(proc)!.form, proc.length);
  return (await submittedDossier(t, as, { procedureCode: proc, applicant: citizen, form, channel })).code;
}

let giangId = '';
async function inProgress(proc = BIRTH, channel: 'online' | 'in_person' = 'online') {
  const code = await submitted(proc, channel);
  await act(code, 'reception.dung', { action: 'receive' });
  await act(code, 'reception.dung', { action: 'assign', assigneeId: giangId });
  return code;
}
async function approve(code: string) {
  let cur = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}`, as: 'leader.hoa' })).json;
  while (cur.currentStep?.role === 'specialist') cur = await act(code, 'specialist.giang', { action: 'forward' });
  cur = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${code}`, as: 'leader.hoa' })).json;
  while (!cur.allowedActions.includes('approve')) cur = await act(code, 'leader.hoa', { action: 'forward' });
  return act(code, 'leader.hoa', { action: 'approve' });
}
async function shift(code: string, set: { received?: number; due?: number; originalDue?: number; finished?: number }) {
  const parts = [];
  if (set.received !== undefined) parts.push(sql`received_at = ${iso(set.received)}::timestamptz`);
  if (set.due !== undefined) parts.push(sql`due_at = ${iso(set.due)}::timestamptz`);
  if (set.originalDue !== undefined) parts.push(sql`original_due_at = ${iso(set.originalDue)}::timestamptz`);
  if (set.finished !== undefined) parts.push(sql`finished_at = ${iso(set.finished)}::timestamptz`);
  await t.database.db.execute(sql`UPDATE dossiers SET ${sql.join(parts, sql`, `)} WHERE code = ${code}`);
}

const codes: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const p of [BIRTH, RECORD]) defs.set(p, (await t.request({ method: 'GET', url: `/api/v1/procedures/${p}` })).json.definition);
  giangId = (await t.request({ method: 'GET', url: '/api/v1/agencies/TTPVHCC/staff?role=specialist', as: 'reception.dung' })).json.find(
    (s: { username: string }) => s.username === 'specialist.giang',
  ).id;

  // A: online, resolved a day before its due day → before due.
  codes.A = await inProgress();
  await approve(codes.A);
  await shift(codes.A, { received: START + D + 9 * H, due: START + 3 * D + 17 * H, finished: START + 2 * D + 10 * H });
  // B: in person at the desk, in progress, due in the future → in progress within time.
  codes.B = await inProgress(BIRTH, 'in_person');
  // C: received before the period, due before it, still in progress → carried over, overdue.
  codes.C = await inProgress();
  await shift(codes.C, { received: START - 5 * D, due: START - D });
  // D: finished an hour after its due time → late.
  codes.D = await inProgress();
  await approve(codes.D);
  await shift(codes.D, { received: START + D + 9 * H, due: START + 2 * D + 9 * H, finished: START + 2 * D + 10 * H });
  // E: finished on its due day before the due time → on time.
  codes.E = await inProgress();
  await approve(codes.E);
  await shift(codes.E, { received: START + D + 9 * H, due: START + 2 * D + 15 * H, finished: START + 2 * D + 10 * H });
  // F: two supplement requests, then finished early by the clock → late all the same.
  codes.F = await inProgress();
  for (let i = 0; i < 2; i++) {
    await act(codes.F, 'specialist.giang', { action: 'request_supplement', reason: 'Bổ sung giấy chứng sinh' });
    // A supplement must add or change something: a clearer copy of the first required paper.
    const clearer = multipart(
      { component: defs.get(BIRTH)!.components.find((c) => c.required)!.code },
      { name: 'ro-net.pdf', type: 'application/pdf', data: SAMPLE_PDF },
    );
    expect((await t.request({ method: 'POST', url: `/api/v1/dossiers/${codes.F}/files`, as: 'citizen.an', ...clearer })).status).toBe(201);
    await act(codes.F, 'citizen.an', { action: 'supplement' });
    await act(codes.F, 'reception.dung', { action: 'receive' });
  }
  await approve(codes.F);
  await shift(codes.F, { received: START + D + 9 * H, due: START + 3 * D + 17 * H, finished: START + 2 * D + 10 * H });
  // G: refused at the desk (never received).
  codes.G = await submitted();
  await act(codes.G, 'reception.dung', { action: 'refuse', reason: 'Không thuộc thẩm quyền' });
  // H: received, then withdrawn by the applicant.
  codes.H = await submitted();
  await act(codes.H, 'reception.dung', { action: 'receive' });
  await act(codes.H, 'citizen.an', { action: 'withdraw', reason: 'Không còn nhu cầu' });
  // I: received, then stopped by a leader.
  codes.I = await inProgress();
  await act(codes.I, 'leader.hoa', { action: 'stop', reason: 'Người yêu cầu không bổ sung' });
  // J: received and finished before the period → not in it at all.
  codes.J = await inProgress();
  await approve(codes.J);
  await shift(codes.J, { received: START - 10 * D, due: START - 8 * D, finished: START - 9 * D });
  // K: withdrawn before reception → no withdrawal in the handling counts.
  codes.K = await submitted();
  await act(codes.K, 'citizen.an', { action: 'withdraw', reason: 'Nộp nhầm' });
  // L: in person, extended, finished after the receipt's due date but before the extended one → late.
  codes.L = await inProgress(BIRTH, 'in_person');
  const due = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${codes.L}`, as: 'leader.hoa' })).json.dueAt as string;
  await act(codes.L, 'leader.hoa', { action: 'extend', reason: 'Xin lỗi vì chậm trả', newDueAt: toIso(await workingDayClosing(t, Date.parse(due), 7)) }); // a week later: working time
  await approve(codes.L);
  await shift(codes.L, { received: START + D + 9 * H, originalDue: START + D + 12 * H, due: START + 5 * D, finished: START + 2 * D + 10 * H });
  // M: another agency and field (Sở Tư pháp, lý lịch tư pháp), in progress.
  codes.M = await inProgress(RECORD);
}, 240_000);
afterAll(async () => t?.close());

const BIRTH_ROW = {
  agencyCode: 'UBND-13669',
  fieldCode: 'ho_tich',
  receivedTotal: 9,
  receivedOnline: 6, // A D E F H I
  receivedOffline: 2, // B L
  carriedOver: 1, // C
  resolvedTotal: 5,
  resolvedEarly: 1, // A
  resolvedOnTime: 1, // E
  resolvedLate: 3, // D F L
  pendingTotal: 2,
  pendingInTime: 1, // B
  pendingOverdue: 1, // C
  supplements: 1, // F
  refusals: 1, // G
  withdrawals: 1, // H (K was never received)
  stopped: 1, // I
};
const RECORD_ROW = {
  agencyCode: 'STP',
  fieldCode: 'ly_lich_tu_phap',
  receivedTotal: 1,
  receivedOnline: 1,
  pendingTotal: 1,
  pendingInTime: 1,
  resolvedTotal: 0,
};

describe('GET /api/v1/reports/handling', () => {
  it('counts every column by hand for the province, per agency and field', async () => {
    const r = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('37')}`, as: 'admin.lan' });
    expect(r.status, r.body).toBe(200);
    expect(r.json).toMatchObject({ unit: { code: '37', name: 'Tỉnh Ninh Bình' }, from: FROM, to: TODAY });
    expect(r.json.generatedAt).toMatch(/\+07:00$/);
    expect(r.json.rows).toHaveLength(2);
    const birth = r.json.rows.find((x: { fieldCode: string }) => x.fieldCode === 'ho_tich');
    expect(birth).toMatchObject(BIRTH_ROW);
    expect(r.json.rows.find((x: { fieldCode: string }) => x.fieldCode === 'ly_lich_tu_phap')).toMatchObject(RECORD_ROW);
    expect(r.json.total).toMatchObject({ receivedTotal: 10, receivedOnline: 7, resolvedTotal: 5, pendingTotal: 3, refusals: 1 });
  });

  it('narrows to an agency, a commune, and shows nothing for a period without dossiers', async () => {
    const stp = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('STP')}`, as: 'admin.lan' });
    expect(stp.json.rows).toHaveLength(1);
    expect(stp.json.rows[0]).toMatchObject(RECORD_ROW);
    const commune = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('13669')}`, as: 'admin.lan' });
    expect(commune.json.unit.code).toBe('13669');
    expect(commune.json.rows).toHaveLength(1);
    expect(commune.json.rows[0]).toMatchObject(BIRTH_ROW);
    const old = await t.request({ method: 'GET', url: '/api/v1/reports/handling?unit=37&from=2020-01-01&to=2020-01-31', as: 'admin.lan' });
    expect(old.json.rows).toEqual([]);
    expect(old.json.total.receivedTotal).toBe(0);
  });

  it('lets staff read their own units, and refuses others, citizens and anonymous callers', async () => {
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('37')}`, as: 'leader.hoa' })).status).toBe(200);
    const own = await t.request({ method: 'GET', url: `/api/v1/reports/handling?from=${FROM}&to=${TODAY}`, as: 'reception.dung' });
    expect(own.status).toBe(200);
    expect(own.json.unit.code).toBe('37'); // provincial staff: the province by default
    const khanh = await t.request({ method: 'GET', url: `/api/v1/reports/handling?from=${FROM}&to=${TODAY}`, as: 'officer.khanh' });
    expect(khanh.json.unit.code).toBe('TTPVHCC-13669'); // a commune's staff: their own agency
    // Provincial staff answer for every unit; a commune's staff only for their commune and agency.
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('13669')}`, as: 'leader.hoa' })).status).toBe(200);
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('13669')}`, as: 'officer.khanh' })).status).toBe(200);
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('TTPVHCC-13669')}`, as: 'officer.khanh' })).status).toBe(200);
    const other = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('37')}`, as: 'officer.khanh' });
    expect(other.status).toBe(403);
    expect(other.json.code).toBe('REPORT_UNIT_FORBIDDEN');
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('STP')}`, as: 'officer.khanh' })).status).toBe(403);
    const citizenRes = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('37')}`, as: 'citizen.an' });
    expect(citizenRes.status).toBe(403);
    expect(citizenRes.json.code).toBe('ROLE_REQUIRED');
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('37')}` })).status).toBe(401);
  });

  it('answers 422 for a bad period or an unknown unit, naming the field', async () => {
    const bad = await t.request({ method: 'GET', url: '/api/v1/reports/handling?unit=37&from=2026-02-30&to=2026-03-01', as: 'admin.lan' });
    expect(bad.status).toBe(422);
    expect(bad.json.code).toBe('REPORT_PERIOD_INVALID');
    expect(bad.json.errors[0].path).toBe('from');
    const order = await t.request({ method: 'GET', url: '/api/v1/reports/handling?unit=37&from=2026-03-02&to=2026-03-01', as: 'admin.lan' });
    expect(order.json.errors[0].path).toBe('to');
    const unknown = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('NOPE')}`, as: 'admin.lan' });
    expect(unknown.status).toBe(422);
    expect(unknown.json.code).toBe('REPORT_UNIT_NOT_FOUND');
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('37', '&format=pdf')}`, as: 'admin.lan' })).status).toBe(422);
  });

  it('downloads CSV for Excel: BOM, RFC 4180, the same numbers, and an audit record', async () => {
    const r = await t.request({ method: 'GET', url: `/api/v1/reports/handling?${q('37', '&format=csv')}`, as: 'leader.hoa' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toBe(`attachment; filename="bao-cao-giai-quyet-tthc_37_${FROM}_${TODAY}.csv"`);
    expect(r.body.charCodeAt(0)).toBe(0xfeff);
    expect(r.body).toContain('\r\n');
    const rows = parseCsv(r.body);
    expect(rows[0]!.slice(0, 5)).toEqual(['Mã cơ quan', 'Cơ quan giải quyết', 'Mã lĩnh vực', 'Lĩnh vực', 'Số hồ sơ nhận giải quyết: tổng số']);
    const birth = rows.find((x) => x[2] === 'ho_tich')!;
    expect(birth.slice(4).map(Number)).toEqual([9, 6, 2, 1, 5, 1, 1, 3, 2, 1, 1, 1, 1, 1, 1]);
    expect(rows.at(-1)!.slice(1, 5)).toEqual(['Tổng cộng', '', '', '10']);
    const audit = await t.database.db.execute(
      sql`SELECT action, target_id, details FROM audit_log WHERE action = 'report.handling.export' ORDER BY id DESC LIMIT 1`,
    );
    const row = (audit as unknown as { rows: { target_id: string; details: { format: string; rows: number } }[] }).rows[0]!;
    expect(row.target_id).toBe('37');
    expect(row.details).toMatchObject({ format: 'csv', rows: 2 });
  });

  it('downloads xlsx with numbers, dates and SUM formulas for the totals', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/v1/reports/handling?${q('37', '&format=xlsx')}`,
      headers: { authorization: `Bearer ${await t.token('admin.lan')}` },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Báo cáo')!;
    expect(ws.getCell('A1').value).toBe('BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH');
    expect(ws.getCell('B2').value).toBe('Tỉnh Ninh Bình (37)');
    const from = ws.getCell('B3');
    expect(from.type).toBe(ExcelJS.ValueType.Date);
    expect((from.value as Date).toISOString().slice(0, 10)).toBe(FROM);
    expect(ws.getCell('D3').type).toBe(ExcelJS.ValueType.Date);
    expect(ws.getCell('B4').type).toBe(ExcelJS.ValueType.Date);
    // Headers on rows 6–7, data from row 8: the hộ tịch row (UBND…) sorts after Sở Tư pháp.
    expect(ws.getCell('D6').value).toBe('Số hồ sơ nhận giải quyết');
    expect(ws.getCell('D7').value).toBe('Tổng số');
    expect(ws.getCell('B8').value).toBe('Sở Tư pháp');
    expect(ws.getCell('B9').value).toBe('Ủy ban nhân dân phường Nam Định');
    const received = ws.getCell('D9');
    expect(received.type).toBe(ExcelJS.ValueType.Formula);
    expect(received.formula).toBe('SUM(E9,F9,G9)');
    expect(received.result).toBe(9);
    expect(ws.getCell('E9').type).toBe(ExcelJS.ValueType.Number);
    expect(ws.getCell('E9').value).toBe(6);
    expect(ws.getCell('K9').value).toBe(3); // resolved late
    expect(ws.getCell('A10').value).toBe('Tổng cộng');
    expect(ws.getCell('D10').formula).toBe('SUM(D8:D9)');
    expect(ws.getCell('D10').result).toBe(10);
    expect(ws.getCell('R10').formula).toBe('SUM(R8:R9)');
    const audit = await t.database.db.execute(
      sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.handling.export' AND details->>'format' = 'xlsx'`,
    );
    expect((audit as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(1);
  });
});

describe('GET /api/v1/reports/register (form 07)', () => {
  it('lists the dossiers received in the period with their outcome', async () => {
    const r = await t.request({ method: 'GET', url: `/api/v1/reports/register?${q('37')}`, as: 'leader.hoa' });
    expect(r.status, r.body).toBe(200);
    const byCode = new Map(r.json.rows.map((x: { code: string; outcome: string }) => [x.code, x.outcome]));
    expect(Object.fromEntries(['A', 'B', 'D', 'E', 'F', 'H', 'I', 'L', 'M'].map((k) => [k, byCode.get(codes[k]!)]))).toEqual({
      A: 'early',
      B: 'in_time',
      D: 'late',
      E: 'on_time',
      F: 'late',
      H: 'withdrawn',
      I: 'stopped',
      L: 'late',
      M: 'in_time',
    });
    expect(r.json.rows).toHaveLength(9);
    expect(r.json.rows[0].receivedAt).toMatch(/\+07:00$/);
    const f = r.json.rows.find((x: { code: string }) => x.code === codes.F);
    expect(f).toMatchObject({ supplementCount: 2, applicantName: 'Nguyễn Văn An', channel: 'online', competentAgency: 'Ủy ban nhân dân phường Nam Định' });
  });

  it('downloads the register as xlsx with date cells and a COUNTA total', async () => {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/v1/reports/register?${q('STP', '&format=xlsx')}`,
      headers: { authorization: `Bearer ${await t.token('admin.lan')}` },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-disposition']).toContain('so-theo-doi-ho-so_STP_');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.rawPayload as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('Sổ theo dõi')!;
    expect(ws.getCell('A1').value).toBe('SỔ THEO DÕI HỒ SƠ');
    expect(ws.getCell('B7').value).toBe('Mã hồ sơ');
    expect(ws.getCell('B8').value).toBe(codes.M);
    expect(ws.getCell('A8').type).toBe(ExcelJS.ValueType.Number);
    const received = ws.getCell('J8');
    expect(received.type).toBe(ExcelJS.ValueType.Date);
    const m = (await t.request({ method: 'GET', url: `/api/v1/dossiers/${codes.M}`, as: 'leader.hoa' })).json;
    // Excel shows Vietnam wall time: the stored serial is the +07:00 time written as if UTC.
    expect((received.value as Date).toISOString().slice(0, 16)).toBe(m.receivedAt.slice(0, 16));
    expect(ws.getCell('C9').formula).toBe('COUNTA(B8:B8)');
    expect(ws.getCell('C9').result).toBe(1);
    const audit = await t.database.db.execute(sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'report.register.export'`);
    expect((audit as unknown as { rows: { n: number }[] }).rows[0]!.n).toBeGreaterThanOrEqual(2);
  });

  it('refuses citizens and other units', async () => {
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/register?${q('37')}`, as: 'citizen.an' })).status).toBe(403);
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/register?${q('STP')}`, as: 'officer.khanh' })).status).toBe(403);
    expect((await t.request({ method: 'GET', url: `/api/v1/reports/register?${q('37', '&format=csv')}`, as: 'admin.lan' })).status).toBe(422);
  });
});
