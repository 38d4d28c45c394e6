import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareIndex, compareRanking, referenceComputation } from '../bench/index-reference.ts';
import { queryRows, sql } from '../src/db/client.ts';
import type { ProcedureDefinition } from '../src/modules/procedures/procedures.schemas.ts';
import { makePeriod } from '../src/modules/service-index/index-rules.ts';
import { computeServiceIndex, monthlyCounts, rankUnits } from '../src/modules/service-index/index.ts';
import { toIso, vnDate } from '../src/platform/time.ts';
import { createTestApp, SAMPLE_PDF, multipart, requiredAnswers, submittedDossier, workingDayClosing, type TestApp } from './harness.ts';
import { at, ok, workflowSteps } from './workflow-steps.ts';

// The daily roll-up of the service index (migration 0013) stays exact while dossiers move:
// dossiers go through their real workflow (received, supplemented, extended, approved, returned,
// withdrawn, rated) through the API, their legal timestamps are then placed in March 2026 with
// direct UPDATEs (the API acts only "now"), and moved again (another day, another agency, a late
// finish, a later rating). After every change the index and the agency ranking must equal a full
// recomputation by the pure rules (bench/index-reference.ts), and the roll-up must equal one
// rebuilt from scratch; a few roll-up rows are also checked by hand.

let t: TestApp;
const BIRTH = '1.001193'; // 1 working day, result "both" (electronic), no fee, every channel
const MARRIAGE = '1.000894'; // 5 working days, paper result, fee, in person or online
const defs: Record<string, ProcedureDefinition> = {};
const an = { type: 'citizen', fullName: 'Nguyễn Văn An', idNumber: '036090001234', phone: '0912345678' };
const api = (p: string) => `/api/v1${p}`;

const codes: Record<string, string> = {};

const { act, inProgress, approve } = workflowSteps(() => t);

async function submitted(procedure: string, as = 'citizen.an') {
  const channel = as === 'citizen.an' ? {} : { channel: 'in_person' };
  const form = requiredAnswers(defs[procedure]!.form, 7);
  return (await submittedDossier(t, as, { procedureCode: procedure, applicant: an, form, agencyCode: 'TTPVHCC', ...channel })).code;
}

/** Moves a dossier's legal timestamps (the API cannot act in the past); only the fields given. */
async function place(code: string, v: { received?: string; due?: string; finished?: string | null; returned?: string | null; pauses?: [string, string][] }) {
  const sets = [];
  if (v.received !== undefined) sets.push(sql`received_at = ${at(v.received)}`);
  if (v.due !== undefined) sets.push(sql`due_at = ${at(v.due)}, original_due_at = ${at(v.due)}`);
  if (v.finished !== undefined) sets.push(sql`finished_at = ${at(v.finished)}`);
  if (v.returned !== undefined) sets.push(sql`returned_at = ${at(v.returned)}`);
  if (v.pauses !== undefined) {
    const pauses = JSON.stringify(v.pauses.map(([from, to]) => ({ from: at(from)!.toISOString(), to: at(to)!.toISOString() })));
    sets.push(sql`pauses = ${pauses}::jsonb`);
  }
  await t.database.db.execute(sql`UPDATE dossiers SET ${sql.join(sets, sql`, `)} WHERE code = ${code}`);
}

/** Sums of roll-up counters over some days (and optionally one competent agency). */
async function rollup(from: string, to: string, competentAgency?: string) {
  const [r] = await queryRows<Record<string, number>>(
    t.database.db,
    sql`SELECT coalesce(sum(received), 0)::int AS received, coalesce(sum(digitised), 0)::int AS digitised, coalesce(sum(online), 0)::int AS online,
               coalesce(sum(ended), 0)::int AS ended, coalesce(sum(ended_on_time), 0)::int AS ended_on_time, coalesce(sum(resolved), 0)::int AS resolved,
               coalesce(sum(resolved_on_time), 0)::int AS resolved_on_time, coalesce(sum(resolved_e_result), 0)::int AS resolved_e_result,
               coalesce(sum(resolved_satisfied), 0)::int AS resolved_satisfied
        FROM service_index_daily r
        WHERE r.day BETWEEN ${from}::date AND ${to}::date
          AND (${competentAgency ?? null}::text IS NULL OR r.competent_agency_id = (SELECT id FROM agencies WHERE code = ${competentAgency ?? null}::text))`,
  );
  return r!;
}

const COUNTERS = sql.raw(
  'received, digitised, reused, offered_online, online_e_result, fee_bearing, fee_paid_online, online, paid_online, ended, ended_on_time, resolved, resolved_on_time, resolved_e_result, resolved_satisfied',
);
type Row = Record<string, unknown>;
const rowsOf = async (db: Parameters<typeof queryRows>[0]) => [
  ...(await queryRows<Row>(
    db,
    sql`SELECT 'day' AS kind, day::text AS day, procedure_id, receiving_agency_id, competent_agency_id, ${COUNTERS} FROM service_index_daily
        WHERE greatest(${COUNTERS}) <> 0 OR least(${COUNTERS}) <> 0 ORDER BY 2, 3, 4, 5`,
  )),
  ...(await queryRows<Row>(
    db,
    sql`SELECT 'month' AS kind, month::text AS day, procedure_id, receiving_agency_id, competent_agency_id, ${COUNTERS} FROM service_index_monthly
        WHERE greatest(${COUNTERS}) <> 0 OR least(${COUNTERS}) <> 0 ORDER BY 2, 3, 4, 5`,
  )),
];

/** The roll-up (days and months) as maintained, and as rebuilt from the facts from scratch (in a transaction rolled back). */
async function rollupAndRebuilt(): Promise<[Row[], Row[]]> {
  const kept = await rowsOf(t.database.db);
  let rebuilt: Row[] = [];
  await t.database.db
    .transaction(async (tx) => {
      await tx.execute(sql`SELECT service_index_daily_rebuild()`);
      rebuilt = await rowsOf(tx);
      throw new Error('rollback');
    })
    .catch((e: unknown) => {
      if ((e as Error).message !== 'rollback') throw e;
    });
  return [kept, rebuilt];
}

const PERIODS: [string, string][] = [
  ['2026-03-01', '2026-03-31'],
  ['2026-02-01', '2026-02-28'],
  ['2026-01-01', '2026-03-31'],
  ['2026-03-04', '2026-03-16'],
  ['2026-04-01', '2026-04-30'],
];

/** The province index and the agency ranking equal the full recomputation, for every period above and one ending today. */
async function expectEqualToReference() {
  const now = new Date();
  const today = vnDate(now);
  for (const [from, to] of [...PERIODS, ['2026-03-01', today] as [string, string]]) {
    const p = makePeriod(from, to, now);
    const ref = await referenceComputation(t.database.db, p);
    const province = await computeServiceIndex(t.database.db, { unit: '37', from, to, now });
    const ranking = await rankUnits(t.database.db, { level: 'agency', from, to, now });
    expect([...compareIndex(province, ref.province), ...compareRanking(ranking, ref.agencies)], `${from} → ${to}`).toEqual([]);
  }
  const [kept, rebuilt] = await rollupAndRebuilt();
  expect(kept).toEqual(rebuilt);
}

const progress = async (from: string, to: string, unit = '37') => {
  const r = await computeServiceIndex(t.database.db, { unit, from, to });
  const i = r.groups.flatMap((g) => g.indicators).find((x) => x.key === 'progress.on_time')!;
  const s = r.groups.flatMap((g) => g.indicators).find((x) => x.key === 'satisfaction.dossier_satisfaction')!;
  return { num: i.numerator, den: i.denominator, satNum: s.numerator, satDen: s.denominator };
};

beforeAll(async () => {
  t = await createTestApp();
  for (const c of [BIRTH, MARRIAGE]) defs[c] = (await ok(t.request({ method: 'GET', url: api(`/procedures/${c}`) }))).definition;
  // The catalogue was published "now" by the seed: publish it before the periods.
  await t.database.db.execute(sql`UPDATE procedure_versions SET published_at = ${at('2026-01-01T08:00:00')} WHERE published_at IS NOT NULL`);
}, 120_000);
afterAll(async () => t?.close());

describe('the daily roll-up of the service index', () => {
  it('counts dossiers received and finished on their days, and equals the full recomputation', async () => {
    // A: birth, online, given a sealed electronic result (the seal's trigger refreshes its facts); approved on time on Mon 2 Mar, returned.
    codes.A = await submitted(BIRTH);
    await inProgress(codes.A);
    await ok(
      t.request({
        method: 'POST',
        url: api(`/dossiers/${codes.A}/result`),
        as: 'specialist.giang',
        payload: { title: 'Trích lục khai sinh', content: 'Kết quả đăng ký khai sinh.' },
      }),
      201,
    );
    await approve(codes.A);
    await act(codes.A, 'reception.dung', { action: 'return_result' });
    await place(codes.A, { received: '2026-03-02T08:00:00', due: '2026-03-03T08:00:00', finished: '2026-03-02T15:00:00', returned: '2026-03-02T16:00:00' });
    // B: birth ("both" result), online, no electronic result given; approved Thu 5 Mar 10:00, after its due date (Wed 4 Mar 08:00).
    codes.B = await submitted(BIRTH);
    await inProgress(codes.B);
    await approve(codes.B);
    await act(codes.B, 'reception.dung', { action: 'return_result' });
    await place(codes.B, { received: '2026-03-03T08:00:00', due: '2026-03-04T08:00:00', finished: '2026-03-05T10:00:00', returned: '2026-03-05T11:00:00' });

    expect(await rollup('2026-03-02', '2026-03-02')).toMatchObject({
      received: 1,
      digitised: 1,
      online: 1,
      ended: 1,
      ended_on_time: 1,
      resolved: 1,
      resolved_on_time: 1,
      resolved_e_result: 1,
      resolved_satisfied: 1,
    });
    expect(await rollup('2026-03-03', '2026-03-03')).toMatchObject({ received: 1, online: 1, ended: 0 });
    expect(await rollup('2026-03-05', '2026-03-05')).toMatchObject({
      received: 0,
      ended: 1,
      ended_on_time: 0,
      resolved: 1,
      resolved_on_time: 0,
      resolved_e_result: 0,
      resolved_satisfied: 0,
    });
    expect(await progress('2026-03-01', '2026-03-31')).toEqual({ num: 1, den: 2, satNum: 1, satDen: 2 });
    await expectEqualToReference();
  });

  it('subtracts the old contribution when a finished dossier moves to another day, finishes late, or is rated later', async () => {
    // B's approval moved back to Tue 3 Mar 17:00 (before its due date): on time, on the 3rd.
    await place(codes.B!, { finished: '2026-03-03T17:00:00', returned: '2026-03-03T17:30:00' });
    expect(await rollup('2026-03-05', '2026-03-05')).toMatchObject({ ended: 0, resolved: 0 });
    expect(await rollup('2026-03-03', '2026-03-03')).toMatchObject({ received: 1, ended: 1, ended_on_time: 1, resolved: 1, resolved_satisfied: 1 });
    expect(await progress('2026-03-01', '2026-03-31')).toEqual({ num: 2, den: 2, satNum: 2, satDen: 2 });
    // A finished late after all: Fri 6 Mar 23:30 +07:00 is the 6th in Vietnam (16:30 UTC); days are Vietnamese calendar days.
    await place(codes.A!, { finished: '2026-03-06T23:30:00', returned: '2026-03-06T23:45:00' });
    expect(await rollup('2026-03-02', '2026-03-02')).toMatchObject({ received: 1, ended: 0 });
    expect(await rollup('2026-03-06', '2026-03-06')).toMatchObject({ ended: 1, ended_on_time: 0, resolved_satisfied: 0 });
    // B rated dissatisfied later: no longer satisfied, still on time.
    await ok(t.request({ method: 'POST', url: api(`/dossiers/${codes.B}/rating`), as: 'citizen.an', payload: { rating: 'dissatisfied' } }), 204);
    expect(await rollup('2026-03-03', '2026-03-03')).toMatchObject({ ended: 1, ended_on_time: 1, resolved_satisfied: 0 });
    expect(await progress('2026-03-01', '2026-03-31')).toEqual({ num: 1, den: 2, satNum: 0, satDen: 2 });
    await expectEqualToReference();
  });

  it('follows supplements, withdrawal and a change of agency', async () => {
    // C: marriage, online; two supplement requests through the workflow, approved before its due date: late anyway.
    codes.C = await submitted(MARRIAGE);
    await inProgress(codes.C);
    for (const reason of ['Bổ sung tờ khai có chữ ký', 'Bổ sung giấy tờ tùy thân bên nữ']) {
      await act(codes.C, 'specialist.giang', { action: 'request_supplement', reason });
      // A supplement must add or change something: a clearer copy of the first required paper.
      const clearer = multipart(
        { component: defs[MARRIAGE]!.components.find((c) => c.required)!.code },
        { name: 'ro-net.pdf', type: 'application/pdf', data: SAMPLE_PDF },
      );
      await ok(t.request({ method: 'POST', url: api(`/dossiers/${codes.C}/files`), as: 'citizen.an', ...clearer }), 201);
      await act(codes.C, 'citizen.an', { action: 'supplement' });
      await act(codes.C, 'reception.dung', { action: 'receive' });
    }
    await approve(codes.C);
    await place(codes.C, {
      received: '2026-03-09T08:00:00',
      due: '2026-03-20T17:00:00',
      finished: '2026-03-12T10:00:00',
      pauses: [
        ['2026-03-09T10:00:00', '2026-03-10T08:00:00'],
        ['2026-03-10T09:00:00', '2026-03-11T08:00:00'],
      ],
    });
    expect(await rollup('2026-03-12', '2026-03-12')).toMatchObject({ ended: 1, ended_on_time: 0, resolved: 1, resolved_e_result: 0 });
    // W: birth, received then withdrawn by the applicant within time: ended on time, not resolved.
    codes.W = await submitted(BIRTH);
    await act(codes.W, 'reception.dung', { action: 'receive' });
    await act(codes.W, 'citizen.an', { action: 'withdraw', reason: 'Không còn nhu cầu' });
    await place(codes.W, { received: '2026-03-10T08:00:00', due: '2026-03-11T08:00:00', finished: '2026-03-10T09:00:00' });
    expect(await rollup('2026-03-10', '2026-03-10')).toMatchObject({ received: 1, ended: 1, ended_on_time: 1, resolved: 0 });
    await expectEqualToReference();

    // C moves to another competent agency (a data correction): its roll-up row moves with it.
    const [before] = await queryRows<{ code: string }>(
      t.database.db,
      sql`SELECT a.code FROM dossiers d JOIN agencies a ON a.id = d.competent_agency_id WHERE d.code = ${codes.C}`,
    );
    const other = { code: before!.code === 'STP' ? 'SYT' : 'STP' };
    expect(await rollup('2026-03-12', '2026-03-12', before!.code)).toMatchObject({ ended: 1 });
    await t.database.db.execute(sql`UPDATE dossiers SET competent_agency_id = (SELECT id FROM agencies WHERE code = ${other.code}) WHERE code = ${codes.C}`);
    expect(await rollup('2026-03-12', '2026-03-12', before!.code)).toMatchObject({ ended: 0 });
    expect(await rollup('2026-03-12', '2026-03-12', other.code)).toMatchObject({ ended: 1, ended_on_time: 0 });
    expect(await rollup('2026-03-09', '2026-03-09', other.code)).toMatchObject({ received: 1 });
    expect((await progress('2026-03-01', '2026-03-31', other.code)).den).toBe(1);
    await expectEqualToReference();
  });

  it('leaves extended dossiers to the facts and judges them without the extension', async () => {
    // E: marriage at the counter; extended by the leader, approved Wed 25 Mar 10:00. Without the
    // extension it was due 5 working days after Mon 16 Mar 08:00: late.
    codes.E = await submitted(MARRIAGE, 'reception.dung');
    await inProgress(codes.E);
    const before = await progress('2026-03-01', '2026-03-31');
    await act(codes.E, 'leader.hoa', { action: 'extend', reason: 'Xin lỗi, cần xác minh thêm', newDueAt: toIso(await workingDayClosing(t, Date.now(), 40)) });
    await approve(codes.E);
    await place(codes.E, { received: '2026-03-16T08:00:00', due: '2026-03-27T17:00:00', finished: '2026-03-25T10:00:00' });
    // Received on the 16th (received counters are in the roll-up); its end is not (read from the facts).
    expect(await rollup('2026-03-16', '2026-03-16')).toMatchObject({ received: 1 });
    expect(await rollup('2026-03-25', '2026-03-25')).toMatchObject({ ended: 0, resolved: 0 });
    expect(await progress('2026-03-01', '2026-03-31')).toEqual({ num: before.num, den: before.den + 1, satNum: before.satNum, satDen: before.satDen + 1 });
    // The monthly trend counts it resolved in March, late.
    const trend = await monthlyCounts(t.database.db, { agencyIds: null, from: '2026-03-01', to: '2026-03-31' });
    const [direct] = await queryRows<{ received: number; resolved: number }>(
      t.database.db,
      sql`SELECT count(*) FILTER (WHERE received_at >= ${at('2026-03-01T00:00:00')} AND received_at < ${at('2026-04-01T00:00:00')})::int AS received,
                 count(*) FILTER (WHERE status IN ('done', 'returned') AND finished_at >= ${at('2026-03-01T00:00:00')} AND finished_at < ${at('2026-04-01T00:00:00')})::int AS resolved
          FROM dossiers`,
    );
    expect(trend).toEqual([{ month: '2026-03', received: direct!.received, resolved: direct!.resolved, resolvedOnTime: 1 }]);
    await expectEqualToReference();
  });

  it('judges dossiers open at the end of a period there, including those received before it and finished after it', async () => {
    // F: birth, received Wed 25 Feb, due Thu 26 Feb, finished only on 10 April: open and late
    // throughout March, so it counts (late) in February, in March and in the first quarter, and
    // as finished late in April.
    codes.F = await submitted(BIRTH);
    await inProgress(codes.F);
    const march = await progress('2026-03-01', '2026-03-31');
    await place(codes.F, { received: '2026-02-25T08:00:00', due: '2026-02-26T08:00:00' });
    expect(await progress('2026-03-01', '2026-03-31')).toMatchObject({ num: march.num, den: march.den + 1 });
    await approve(codes.F);
    await place(codes.F, { finished: '2026-04-10T10:00:00' });
    expect(await progress('2026-03-01', '2026-03-31')).toMatchObject({ num: march.num, den: march.den + 1 });
    expect(await progress('2026-02-01', '2026-02-28')).toMatchObject({ num: 0, den: 1 });
    expect(await progress('2026-04-01', '2026-04-30')).toMatchObject({ num: 0, den: 1, satNum: 0, satDen: 1 });
    // G: birth, received Tue 31 Mar 09:00, due 1 April: open within time at the end of March (not counted).
    codes.G = await submitted(BIRTH);
    await act(codes.G, 'reception.dung', { action: 'receive' });
    await place(codes.G, { received: '2026-03-31T09:00:00', due: '2026-04-01T09:00:00' });
    expect(await progress('2026-03-01', '2026-03-31')).toMatchObject({ num: march.num, den: march.den + 1 });
    await expectEqualToReference();
  });
});
