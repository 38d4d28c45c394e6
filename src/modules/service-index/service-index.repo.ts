/**
 * All SQL of the service index. The per-dossier rules of index-rules.ts, set-based, over two
 * tables kept exact by triggers in the same transaction as every change: the per-dossier facts
 * (service_index_facts) and their daily roll-up (service_index_daily, migration 0013).
 * Counting a period sums the roll-up rows of its days and reads from the facts only what cannot
 * be summed: dossiers open at the end of the period (judged at that instant) and extended
 * dossiers that ended in it (their deadline is recomputed on the working calendar here).
 * Explanations list dossiers from the facts.
 */
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.ts';
import type { DossierFacts, IndicatorKey, Period } from './index-rules.ts';

/** Which dossiers belong to a unit. */
export type DossierScope = { kind: 'all' } | { kind: 'agencies'; agencyIds: string[] } | { kind: 'field'; fieldCode: string };

const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;

/** The scope as a condition on a row with procedure and agency columns (facts `s` or roll-up `r`). */
function scopeSql(scope: DossierScope, alias = 's'): SQL {
  const a = sql.raw(alias);
  switch (scope.kind) {
    case 'all':
      return sql`TRUE`;
    case 'agencies': {
      const arr = uuidArray(scope.agencyIds);
      return sql`(${a}.receiving_agency_id = ANY(${arr}::uuid[]) OR ${a}.competent_agency_id = ANY(${arr}::uuid[]))`;
    }
    case 'field':
      return sql`${a}.procedure_id IN (SELECT p.id FROM procedures p WHERE p.field_code = ${scope.fieldCode})`;
    default: {
      const never: never = scope;
      return never;
    }
  }
}

/**
 * Open at the end of the period: received before the instant it is judged at and not ended before
 * the period's end, i.e. its open span (received_at, end_at] contains the end (the expression of
 * the GiST index service_index_facts_open_span_idx, so the few such dossiers are found directly).
 */
function openAtEnd(p: Period): SQL {
  return sql`(tstzrange(s.received_at, CASE WHEN s.end_at IS NULL THEN NULL ELSE GREATEST(s.end_at, s.received_at) END, '(]') @> ${p.end}::timestamptz
      AND s.received_at < ${p.judgeAt}::timestamptz)`;
}

const endedIn = (p: Period) => sql`(s.end_at >= ${p.start}::timestamptz AND s.end_at < ${p.end}::timestamptz)`;

/** Dossiers a period touches (facts exist for received dossiers only): received in it, ended in it, or open at its end. */
function touchesPeriod(p: Period): SQL {
  return sql`((s.received_at >= ${p.start}::timestamptz AND s.received_at < ${p.end}::timestamptz) OR ${endedIn(p)} OR ${openAtEnd(p)})`;
}

/** What counting reads from the facts: extended dossiers that ended in the period, and dossiers open at its end. */
function notSummable(p: Period): SQL {
  return sql`((s.extension_count > 0 AND ${endedIn(p)}) OR ${openAtEnd(p)})`;
}

export interface ExtendedDossierRow {
  id: string;
  version: number;
  received_at: Date | string;
  pauses: { from: string; to: string }[] | string;
  duration: { value: number; unit: string } | string | null;
}

/**
 * The processing time of every procedure version, read once per statement: the definitions are
 * large (forms, components), and reading one per extended dossier cost more than the count itself.
 */
const VERSION_DURATIONS = sql`pv AS MATERIALIZED (SELECT v.id, v.definition->'duration' AS duration FROM procedure_versions v)`;

/**
 * Extended dossiers whose index deadline is needed (recomputed without extensions): for counting,
 * those read from the facts (ended in the period or open at its end); for explanations, every
 * one the period touches.
 */
export async function findExtendedDossiers(db: Db, scope: DossierScope, p: Period, purpose: 'count' | 'explain' = 'explain'): Promise<ExtendedDossierRow[]> {
  const select = sql`SELECT s.dossier_id AS id, s.version, s.received_at, s.pauses, pv.duration FROM service_index_facts s JOIN pv ON pv.id = s.procedure_version_id`;
  if (purpose === 'count') {
    // Ended in the period or after it while open at its end; or still open. Two disjoint parts, so
    // that each uses its partial index on extended dossiers (by end; open ones by reception).
    return queryRows<ExtendedDossierRow>(
      db,
      sql`WITH ${VERSION_DURATIONS}
          ${select} WHERE s.extension_count > 0 AND s.end_at >= ${p.start}::timestamptz
            AND (s.end_at < ${p.end}::timestamptz OR s.received_at < ${p.judgeAt}::timestamptz) AND ${scopeSql(scope)}
          UNION ALL
          ${select} WHERE s.extension_count > 0 AND s.end_at IS NULL AND s.received_at < ${p.judgeAt}::timestamptz AND ${scopeSql(scope)}`,
    );
  }
  return queryRows<ExtendedDossierRow>(
    db,
    sql`WITH ${VERSION_DURATIONS}
        ${select} WHERE s.extension_count > 0 AND ${touchesPeriod(p)} AND ${scopeSql(scope)}`,
  );
}

/**
 * The per-dossier facts and verdicts as a CTE named `f`: one row per dossier the period touches
 * within the scope (or, with `rows`, per dossier of the facts `s` meeting that condition).
 * `extra.select` adds columns; `extra.join` joins more tables on `s`.
 */
function factsCte(scope: DossierScope, p: Period, extendedDues: Map<string, Date>, extra: { select?: SQL; join?: SQL; rows?: SQL } = {}): SQL {
  const dues = JSON.stringify([...extendedDues].map(([id, due]) => ({ id, due: due.toISOString() })));
  return sql`xd AS MATERIALIZED (
      SELECT x.id, x.due FROM jsonb_to_recordset(${dues}::jsonb) AS x(id uuid, due timestamptz)
    ), f AS (
      SELECT s.dossier_id AS id, s.procedure_id, s.receiving_agency_id, s.competent_agency_id, s.status, s.channel, s.received_at, s.is_paid_online,
             s.end_at, k.received_in, k.ended_in, k.open_at_end, k.index_due, c.clock_end, c.supplements,
             s.result_kind, s.offered_online, s.fee_bearing, s.digitised, s.reused, s.rating, s.e_result, s.payment_requested,
             l.late,
             (k.ended_in AND s.status IN ('done', 'returned')) AS resolved
             ${extra.select ?? sql``}
      FROM service_index_facts s
      LEFT JOIN xd ON xd.id = s.dossier_id
      ${extra.join ?? sql``}
      CROSS JOIN LATERAL (
        SELECT (s.received_at >= ${p.start}::timestamptz AND s.received_at < ${p.end}::timestamptz) AS received_in,
               (s.end_at >= ${p.start}::timestamptz AND s.end_at < ${p.end}::timestamptz) IS TRUE AS ended_in,
               (s.received_at < ${p.judgeAt}::timestamptz AND (s.end_at IS NULL OR s.end_at >= ${p.end}::timestamptz)) AS open_at_end,
               CASE WHEN s.extension_count = 0 THEN s.due_at ELSE xd.due END AS index_due
      ) k
      CROSS JOIN LATERAL (
        SELECT CASE WHEN k.ended_in THEN LEAST(s.end_at, s.paused_at) ELSE LEAST(${p.judgeAt}::timestamptz, s.paused_at) END AS clock_end,
               CASE WHEN k.ended_in THEN s.supplement_count
                    WHEN k.open_at_end THEN (SELECT count(*) FROM jsonb_array_elements(s.pauses) ps WHERE (ps->>'from')::timestamptz <= ${p.judgeAt})::int
                                            + CASE WHEN s.paused_at <= ${p.judgeAt} THEN 1 ELSE 0 END
                    ELSE 0 END AS supplements
      ) c
      CROSS JOIN LATERAL (
        SELECT (c.supplements > 1 OR (k.index_due IS NOT NULL AND c.clock_end > k.index_due)) AS late
      ) l
      WHERE ${extra.rows ?? touchesPeriod(p)} AND ${scopeSql(scope)}
    )`;
}

/** The counting expressions of each dossier-based indicator: denominator and numerator conditions on `f`. */
export const INDICATOR_SQL: Partial<Record<IndicatorKey, { den: SQL; num: SQL }>> = {
  'progress.on_time': { den: sql`(f.ended_in OR (f.open_at_end AND f.late))`, num: sql`(f.ended_in AND NOT f.late)` },
  'digitisation.electronic_result': { den: sql`f.resolved`, num: sql`(f.resolved AND f.e_result)` },
  'digitisation.digitised': { den: sql`f.received_in`, num: sql`(f.received_in AND f.digitised)` },
  'digitisation.reused': { den: sql`f.received_in`, num: sql`(f.received_in AND f.reused)` },
  'online.online_dossiers': {
    den: sql`(f.received_in AND f.offered_online)`,
    num: sql`(f.received_in AND f.offered_online AND f.channel = 'online' AND (f.result_kind = 'electronic' OR f.e_result))`,
  },
  'online.paid_online': {
    den: sql`(f.received_in AND f.fee_bearing AND f.payment_requested)`,
    num: sql`(f.received_in AND f.fee_bearing AND f.payment_requested AND f.is_paid_online)`,
  },
  'satisfaction.dossier_satisfaction': { den: sql`f.resolved`, num: sql`(f.resolved AND NOT f.late AND f.rating IS DISTINCT FROM 'dissatisfied')` },
};

const COUNTED_KEYS = Object.keys(INDICATOR_SQL) as IndicatorKey[];

/**
 * The same counts summed from the daily roll-up `r` (rows of the period's days): the counters
 * of dossiers received in the period, and of never-extended dossiers that ended in it.
 */
const ROLLUP_SQL: Record<string, { den: string; num: string }> = {
  'progress.on_time': { den: 'ended', num: 'ended_on_time' },
  'digitisation.electronic_result': { den: 'resolved', num: 'resolved_e_result' },
  'digitisation.digitised': { den: 'received', num: 'digitised' },
  'digitisation.reused': { den: 'received', num: 'reused' },
  'online.online_dossiers': { den: 'offered_online', num: 'online_e_result' },
  'online.paid_online': { den: 'fee_bearing', num: 'fee_paid_online' },
  'satisfaction.dossier_satisfaction': { den: 'resolved', num: 'resolved_satisfied' },
};

/** Indicators whose counts in the facts part are not in the roll-up (the others only count dossiers received in the period). */
const ENDED_KEYS = new Set<IndicatorKey>(['progress.on_time', 'digitisation.electronic_result', 'satisfaction.dossier_satisfaction']);

/** The count columns of the facts part: only what the roll-up leaves out (extended ended dossiers, open ones). */
function factsPartColumns(): SQL {
  const cols = COUNTED_KEYS.map((k, i) => {
    if (!ENDED_KEYS.has(k)) return sql.raw(`0 AS d${i}, 0 AS n${i}`);
    const e = INDICATOR_SQL[k]!;
    return sql`count(*) FILTER (WHERE ${e.den})::int AS ${sql.raw(`d${i}`)}, count(*) FILTER (WHERE ${e.num})::int AS ${sql.raw(`n${i}`)}`;
  });
  return sql.join([...cols, sql`0 AS online_n, 0 AS paid_n`], sql`, `);
}

/** The count columns summed from the roll-up `r`. */
function rollupColumns(): SQL {
  const cols = COUNTED_KEYS.map((k, i) => {
    const e = ROLLUP_SQL[k]!;
    return `sum(r.${e.den})::int AS d${i}, sum(r.${e.num})::int AS n${i}`;
  });
  return sql.raw([...cols, 'sum(r.online)::int AS online_n', 'sum(r.paid_online)::int AS paid_n'].join(', '));
}

export interface UnitCounts {
  counts: Partial<Record<IndicatorKey, { numerator: number; denominator: number }>>;
  onlineProcedureIds: Set<string>;
  paidProcedureIds: Set<string>;
}

/** A row of counts for one procedure (and, in rankings, one pair of units). */
type CountRow = Record<string, number | string | null> & { procedure_id: string };

export const emptyUnitCounts = (): UnitCounts => {
  const counts: UnitCounts['counts'] = {};
  for (const k of COUNTED_KEYS) counts[k] = { numerator: 0, denominator: 0 };
  return { counts, onlineProcedureIds: new Set(), paidProcedureIds: new Set() };
};

function addRow(acc: UnitCounts, row: CountRow): void {
  COUNTED_KEYS.forEach((k, i) => {
    const c = acc.counts[k]!;
    c.numerator += Number(row[`n${i}`] ?? 0);
    c.denominator += Number(row[`d${i}`] ?? 0);
  });
  if (Number(row.online_n) > 0) acc.onlineProcedureIds.add(row.procedure_id);
  if (Number(row.paid_n) > 0) acc.paidProcedureIds.add(row.procedure_id);
}

/**
 * Runs an aggregate without JIT compilation: on PostgreSQL its estimated cost over a large
 * history crosses the JIT threshold, and compiling (~0.4 s) costs more than it saves here.
 */
async function withoutJit<T>(db: Db, query: SQL): Promise<T[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL jit = off`);
    return queryRows<T>(tx, query);
  });
}

const ROLLUP_COLUMNS =
  'procedure_id, receiving_agency_id, competent_agency_id, received, digitised, reused, offered_online, online_e_result, fee_bearing, fee_paid_online, online, paid_online, ended, ended_on_time, resolved, resolved_on_time, resolved_e_result, resolved_satisfied';

/** The first day of the month after the one of a 'YYYY-MM-DD' date. */
function nextMonth(date: string): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/**
 * The roll-up rows of a period's days (whole Vietnamese calendar days, inclusive) as a FROM item
 * named `r`: the monthly rows of the months it covers whole, and the daily rows of the days at
 * its edges, so a year reads twelve-odd months instead of 365 days. `r.day` is the first day
 * of the row's day or month.
 */
export function rollupRows(p: Pick<Period, 'from' | 'to'>): SQL {
  const cols = sql.raw(ROLLUP_COLUMNS);
  const firstWhole = p.from.endsWith('-01') ? p.from : nextMonth(p.from);
  const afterTo = new Date(Date.parse(`${p.to}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const endWhole = afterTo.endsWith('-01') ? afterTo : `${p.to.slice(0, 7)}-01`;
  if (firstWhole >= endWhole) {
    return sql`(SELECT day, ${cols} FROM service_index_daily WHERE day >= ${p.from}::date AND day <= ${p.to}::date) r`;
  }
  return sql`(SELECT month AS day, ${cols} FROM service_index_monthly WHERE month >= ${firstWhole}::date AND month < ${endWhole}::date
      UNION ALL
      SELECT day, ${cols} FROM service_index_daily WHERE (day >= ${p.from}::date AND day < ${firstWhole}::date) OR (day >= ${endWhole}::date AND day <= ${p.to}::date)) r`;
}

/**
 * Counts of every dossier-based indicator for one unit and period, grouped by procedure and
 * summed here: the roll-up rows of the period's days, plus the few dossiers read from the facts
 * (open at the end, extended and ended in the period). A procedure "used online" or "paid online"
 * is one with such a dossier received in the period.
 */
export async function countForScope(db: Db, scope: DossierScope, p: Period, extendedDues: Map<string, Date>): Promise<UnitCounts> {
  const rows = await withoutJit<CountRow>(
    db,
    sql`WITH ${factsCte(scope, p, extendedDues, { rows: notSummable(p) })}
        SELECT r.procedure_id, ${rollupColumns()} FROM ${rollupRows(p)} WHERE ${scopeSql(scope, 'r')} GROUP BY r.procedure_id
        UNION ALL
        SELECT f.procedure_id, ${factsPartColumns()} FROM f GROUP BY f.procedure_id`,
  );
  const acc = emptyUnitCounts();
  for (const r of rows) addRow(acc, r);
  return acc;
}

/**
 * Counts per unit of a level, in one statement: agencies roll up to their top-level agency (a
 * dossier belongs to the agencies that received it and that are competent for it); communes are
 * the administrative units of those agencies. Both parts group by (receiving unit, competent
 * unit, procedure); each group is then added to both of its units, once when they are the same,
 * so a dossier counts once per unit without duplicating rows in SQL.
 */
export async function countByUnit(db: Db, level: 'agency' | 'commune', p: Period, extendedDues: Map<string, Date>): Promise<Map<string, UnitCounts>> {
  const unitsOf = (alias: string) => {
    const a = sql.raw(alias);
    return level === 'agency'
      ? {
          join: sql`JOIN roots rr ON rr.id = ${a}.receiving_agency_id JOIN roots rc ON rc.id = ${a}.competent_agency_id`,
          select: sql`rr.root::text AS u1, rc.root::text AS u2`,
        }
      : {
          join: sql`JOIN agencies ar ON ar.id = ${a}.receiving_agency_id JOIN agencies ac ON ac.id = ${a}.competent_agency_id`,
          select: sql`ar.unit_code AS u1, ac.unit_code AS u2`,
        };
  };
  const ur = unitsOf('r');
  const uf = unitsOf('s');
  const rows = await withoutJit<CountRow & { u1: string; u2: string }>(
    db,
    sql`WITH RECURSIVE roots(id, root) AS (
          SELECT a.id, a.id FROM agencies a WHERE a.parent_id IS NULL
          UNION ALL SELECT a.id, roots.root FROM agencies a JOIN roots ON a.parent_id = roots.id
        ), ${factsCte({ kind: 'all' }, p, extendedDues, { select: sql`, ${uf.select}`, join: uf.join, rows: notSummable(p) })},
        rs AS (
          SELECT r.procedure_id, r.receiving_agency_id, r.competent_agency_id, ${rollupColumns()}
          FROM ${rollupRows(p)} GROUP BY r.procedure_id, r.receiving_agency_id, r.competent_agency_id
        )
        SELECT ${ur.select}, r.* FROM rs r ${ur.join}
        UNION ALL
        SELECT f.u1, f.u2, f.procedure_id, NULL::uuid, NULL::uuid, ${factsPartColumns()} FROM f GROUP BY f.u1, f.u2, f.procedure_id`,
  );
  const out = new Map<string, UnitCounts>();
  for (const r of rows) {
    for (const unit of new Set([r.u1, r.u2])) {
      if (level === 'commune' && !/^\d{5}$/.test(unit)) continue;
      let acc = out.get(unit);
      if (!acc) out.set(unit, (acc = emptyUnitCounts()));
      addRow(acc, r);
    }
  }
  return out;
}

export interface ExplainRow {
  id: string;
  code: string | null;
  status: string;
  channel: string;
  procedure_code: string;
  procedure_name: string;
  receiving_agency: string;
  competent_agency: string;
  received_at: Date | string | null;
  end_at: Date | string | null;
  finished_at: Date | string | null;
  returned_at: Date | string | null;
  paused_at: Date | string | null;
  due_at: Date | string | null;
  pauses: { from: string; to: string }[] | string;
  supplement_count: number;
  extension_count: number;
  index_due: Date | string | null;
  clock_end: Date | string | null;
  supplements: number;
  result_kind: string;
  offered_online: boolean;
  fee_bearing: boolean;
  digitised: boolean | null;
  reused: boolean | null;
  is_paid_online: boolean;
  rating: string | null;
  e_result: boolean;
  payment_requested: boolean;
  counted: boolean;
  total: number;
}

/** One page of the dossiers behind a dossier-based indicator, with the facts to explain each. */
export async function listIndicatorDossiers(
  db: Db,
  key: IndicatorKey,
  scope: DossierScope,
  p: Period,
  extendedDues: Map<string, Date>,
  opts: { counted?: boolean | undefined; limit: number; offset: number },
): Promise<ExplainRow[]> {
  const e = INDICATOR_SQL[key];
  if (!e) return [];
  const countedFilter = opts.counted === undefined ? sql`TRUE` : opts.counted ? e.num : sql`NOT ${e.num}`;
  const select = sql`, d.code, d.finished_at, d.returned_at, d.paused_at, d.due_at, d.pauses, d.supplement_count, d.extension_count,
      d.procedure_code, pr.name AS procedure_name, ra.code AS receiving_agency, ca.code AS competent_agency`;
  const join = sql`JOIN dossiers d ON d.id = s.dossier_id JOIN procedures pr ON pr.id = s.procedure_id
      JOIN agencies ra ON ra.id = s.receiving_agency_id JOIN agencies ca ON ca.id = s.competent_agency_id`;
  return withoutJit<ExplainRow>(
    db,
    sql`WITH ${factsCte(scope, p, extendedDues, { select, join })}
        SELECT f.*, ${e.num} AS counted, count(*) OVER ()::int AS total
        FROM f WHERE ${e.den} AND ${countedFilter}
        ORDER BY ${e.num}, f.received_at DESC, f.id
        LIMIT ${opts.limit} OFFSET ${opts.offset}`,
  );
}

/** When the page is past the end, the total still has to be known. */
export async function countIndicatorDossiers(
  db: Db,
  key: IndicatorKey,
  scope: DossierScope,
  p: Period,
  extendedDues: Map<string, Date>,
  counted: boolean | undefined,
): Promise<number> {
  const e = INDICATOR_SQL[key];
  if (!e) return 0;
  const countedFilter = counted === undefined ? sql`TRUE` : counted ? e.num : sql`NOT ${e.num}`;
  const [r] = await queryRows<{ n: number }>(
    db,
    sql`WITH ${factsCte(scope, p, extendedDues)} SELECT count(*)::int AS n FROM f WHERE ${e.den} AND ${countedFilter}`,
  );
  return Number(r?.n ?? 0);
}

export interface ProcedureRow {
  id: string;
  code: string;
  name: string;
  field_code: string;
  competent_agency_id: string;
  receiving_agency_ids: string[] | string;
  definition: Record<string, unknown> | string;
}

/**
 * Procedures in force at the end of the period, each as the version in force then: the latest
 * version published before the period's end (DOMAIN section 3: a dossier keeps the version it was
 * received under, so a later version or a later publication does not rewrite a past period).
 * Name, field, competent and receiving agencies are those of that version's definition.
 */
export async function findProceduresInForce(db: Db, p: Period): Promise<ProcedureRow[]> {
  return queryRows<ProcedureRow>(
    db,
    sql`SELECT pr.id, pr.code, coalesce(v.definition->>'name', pr.name) AS name, coalesce(v.definition->>'fieldCode', pr.field_code) AS field_code,
               coalesce(ca.id, pr.competent_agency_id) AS competent_agency_id, v.definition,
               ARRAY(SELECT a.id FROM agencies a
                      WHERE a.code IN (SELECT jsonb_array_elements_text(coalesce(v.definition->'receivingAgencyCodes', '[]'::jsonb)))) AS receiving_agency_ids
        FROM procedures pr
        JOIN LATERAL (
          SELECT pv.definition FROM procedure_versions pv
          WHERE pv.procedure_id = pr.id AND pv.published_at IS NOT NULL AND pv.published_at < ${p.end}
          ORDER BY pv.published_at DESC, pv.version DESC LIMIT 1
        ) v ON TRUE
        LEFT JOIN agencies ca ON ca.code = v.definition->>'competentAgencyCode'
        WHERE pr.is_active
        ORDER BY pr.code`,
  );
}

export interface AgencyRow {
  id: string;
  code: string;
  name: string;
  parent_id: string | null;
  unit_code: string;
  kind: string;
}

export async function findAgencies(db: Db): Promise<AgencyRow[]> {
  return queryRows<AgencyRow>(db, sql`SELECT id, code, name, parent_id, unit_code, kind FROM agencies ORDER BY code`);
}

export interface AdminUnitRow {
  code: string;
  name: string;
  type: string;
}

/** The administrative unit with this code in force on a date (or its latest version). */
export async function findAdminUnit(db: Db, code: string, onDate: string): Promise<AdminUnitRow | null> {
  const [r] = await queryRows<AdminUnitRow>(
    db,
    sql`SELECT code, name, type FROM admin_units WHERE code = ${code}
        ORDER BY (valid_from <= ${onDate}::date AND (valid_to IS NULL OR valid_to >= ${onDate}::date)) DESC, valid_from DESC LIMIT 1`,
  );
  return r ?? null;
}

/** Whether some version of the administrative unit is in force on some day of [from, to]. */
export async function adminUnitInForce(db: Db, code: string, from: string, to: string): Promise<boolean> {
  const [r] = await queryRows<{ ok: boolean }>(
    db,
    sql`SELECT EXISTS (SELECT 1 FROM admin_units WHERE code = ${code} AND valid_from <= ${to}::date AND (valid_to IS NULL OR valid_to >= ${from}::date)) AS ok`,
  );
  return r?.ok === true;
}

/**
 * The agencies located in a province: at its own level (unit code = the province's) or in one of
 * its communes (a unit whose parent, or whose parent's parent for a pre-2025 district, is the
 * province, in any version).
 */
export async function findProvinceAgencyIds(db: Db, code: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT a.id FROM agencies a
        WHERE a.unit_code = ${code}
           OR EXISTS (SELECT 1 FROM admin_units u LEFT JOIN admin_units up ON up.code = u.parent_code
                      WHERE u.code = a.unit_code AND (u.parent_code = ${code} OR up.parent_code = ${code}))`,
  );
  return rows.map((r) => r.id);
}

export async function findCommunes(db: Db, codes: string[], onDate: string): Promise<AdminUnitRow[]> {
  if (!codes.length) return [];
  return queryRows<AdminUnitRow>(
    db,
    sql`SELECT DISTINCT ON (code) code, name, type FROM admin_units WHERE code = ANY(${`{${codes.join(',')}}`}::text[])
        ORDER BY code, (valid_from <= ${onDate}::date AND (valid_to IS NULL OR valid_to >= ${onDate}::date)) DESC, valid_from DESC`,
  );
}

export async function findField(db: Db, code: string): Promise<{ code: string; name: string } | null> {
  const [r] = await queryRows<{ code: string; name: string }>(db, sql`SELECT code, name FROM procedure_fields WHERE code = ${code}`);
  return r ?? null;
}

// ---------------------------------------------------------------------------------------------
// Configuration versions

export interface ConfigRow {
  version: number;
  valid_from: string | Date;
  config: unknown;
  note: string | null;
  created_at: Date | string;
  created_by: string | null;
}

/** The version in force on a date; before the first version, the first one. */
export async function findConfigFor(db: Db, onDate: string): Promise<ConfigRow | null> {
  const [r] = await queryRows<ConfigRow>(
    db,
    sql`SELECT version, valid_from::text AS valid_from, config, note, created_at, created_by FROM service_index_config_versions
        ORDER BY (valid_from <= ${onDate}::date) DESC,
                 CASE WHEN valid_from <= ${onDate}::date THEN valid_from END DESC NULLS LAST,
                 CASE WHEN valid_from <= ${onDate}::date THEN version END DESC NULLS LAST,
                 valid_from ASC, version ASC
        LIMIT 1`,
  );
  return r ?? null;
}

export async function listConfigVersions(db: Db): Promise<ConfigRow[]> {
  return queryRows<ConfigRow>(
    db,
    sql`SELECT version, valid_from::text AS valid_from, config, note, created_at, created_by FROM service_index_config_versions ORDER BY version`,
  );
}

/** Appends a version (numbered after the highest) in one statement. */
export async function insertConfigVersion(
  db: Db,
  v: { validFrom: string; config: unknown; note: string | null; at: Date; by: string | null },
): Promise<number> {
  const [r] = await queryRows<{ version: number }>(
    db,
    sql`INSERT INTO service_index_config_versions (version, valid_from, config, note, created_at, created_by)
        SELECT coalesce(max(version), 0) + 1, ${v.validFrom}::date, ${JSON.stringify(v.config)}::jsonb, ${v.note}, ${v.at}, ${v.by}
        FROM service_index_config_versions
        RETURNING version`,
  );
  return Number(r!.version);
}

/** Facts in the shape of index-rules from a raw explanation row. */
export function toDossierFacts(r: ExplainRow): DossierFacts {
  const d = (v: Date | string | null) => (v === null ? null : new Date(v));
  const pauses = (typeof r.pauses === 'string' ? (JSON.parse(r.pauses) as { from: string; to: string }[]) : r.pauses).map((x) => ({
    from: new Date(x.from),
    to: new Date(x.to),
  }));
  return {
    status: r.status as DossierFacts['status'],
    channel: r.channel as DossierFacts['channel'],
    receivedAt: d(r.received_at),
    finishedAt: d(r.finished_at),
    returnedAt: d(r.returned_at),
    pausedAt: d(r.paused_at),
    pauses,
    supplementCount: r.supplement_count,
    indexDueAt: d(r.index_due),
    resultKind: r.result_kind as DossierFacts['resultKind'],
    electronicResult: r.e_result,
    paymentRequested: r.payment_requested,
    offeredOnline: r.offered_online,
    feeBearing: r.fee_bearing,
    componentsAttached: r.digitised === true,
    reused: r.reused === true,
    isPaidOnline: r.is_paid_online,
    rating: r.rating as DossierFacts['rating'],
  };
}

// ---------------------------------------------------------------------------------------------
// What the leaders' dashboard reads besides the index (through index.ts)

/** Agencies of a unit (null: the whole province) as a scope. */
export const agencyScope = (agencyIds: string[] | null): DossierScope => (agencyIds === null ? { kind: 'all' } : { kind: 'agencies', agencyIds });

export interface MonthCountRow {
  month: string;
  received: number;
  resolved: number;
  resolved_on_time: number;
}

/** Per Vietnamese calendar month of the span: received, and resolved never-extended dossiers (on time or not), from the roll-up. */
export async function monthlyRollup(db: Db, scope: DossierScope, p: Period): Promise<MonthCountRow[]> {
  return withoutJit<MonthCountRow>(
    db,
    sql`SELECT to_char(r.day, 'YYYY-MM') AS month, sum(r.received)::int AS received, sum(r.resolved)::int AS resolved, sum(r.resolved_on_time)::int AS resolved_on_time
        FROM ${rollupRows(p)} WHERE ${scopeSql(scope, 'r')}
        GROUP BY 1 ORDER BY 1`,
  );
}

export interface ExtendedResolvedRow extends ExtendedDossierRow {
  end_at: Date | string;
  paused_at: Date | string | null;
  supplement_count: number;
}

/** Extended dossiers resolved (done or returned) in the span: the roll-up leaves them out. */
export async function findExtendedResolved(db: Db, scope: DossierScope, p: Period): Promise<ExtendedResolvedRow[]> {
  return queryRows<ExtendedResolvedRow>(
    db,
    sql`WITH ${VERSION_DURATIONS}
        SELECT s.dossier_id AS id, s.version, s.received_at, s.pauses, pv.duration, s.end_at, s.paused_at, s.supplement_count
        FROM service_index_facts s JOIN pv ON pv.id = s.procedure_version_id
        WHERE s.extension_count > 0 AND ${endedIn(p)} AND s.status IN ('done', 'returned') AND ${scopeSql(scope)}`,
  );
}

export interface DeadlineRow {
  code: string;
  procedureName: string;
  competentAgency: string;
  assigneeName: string | null;
  status: string;
  receivedAt: Date | string;
  dueAt: Date | string;
  pausedAt: Date | string | null;
  total: number;
}

/**
 * Open dossiers of a scope meeting `cond` (on the facts `s`, which carry the dossier's status,
 * due and pause times, updated in the same transaction), soonest due first, with their total.
 * The facts' partial index on open dossiers picks the few open ones among millions, and only
 * the shown ones (those due no later than the `limit`-th) are read from the dossiers.
 */
export async function findOpenDossiers(db: Db, scope: DossierScope, cond: SQL, limit: number): Promise<DeadlineRow[]> {
  return queryRows<DeadlineRow>(
    db,
    sql`WITH c AS MATERIALIZED (
          SELECT s.dossier_id, s.due_at FROM service_index_facts s
           WHERE s.end_at IS NULL AND ${scopeSql(scope)} AND s.due_at IS NOT NULL
             AND s.status IN ('submitted', 'received', 'in_progress', 'supplement_requested', 'payment_requested')
             AND ${cond}
        ), n AS (SELECT count(*)::int AS total FROM c),
        cut AS (SELECT c.due_at FROM c ORDER BY c.due_at OFFSET ${Math.max(0, limit - 1)} LIMIT 1)
        SELECT d.code, p.name AS "procedureName", ca.name AS "competentAgency", u.display_name AS "assigneeName", d.status,
               d.received_at AS "receivedAt", d.due_at AS "dueAt", d.paused_at AS "pausedAt", n.total
          FROM c CROSS JOIN n
          JOIN dossiers d ON d.id = c.dossier_id
          JOIN procedures p ON p.id = d.procedure_id
          JOIN agencies ca ON ca.id = d.competent_agency_id
          LEFT JOIN users u ON u.id = d.assignee_id
         WHERE c.due_at <= coalesce((SELECT cut.due_at FROM cut), 'infinity'::timestamptz)
         ORDER BY d.due_at, d.code LIMIT ${limit}`,
  );
}
