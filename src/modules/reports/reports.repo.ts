/** All SQL of the reports module: unit resolution, the handling aggregation, the dossier register. */
import type { Keyring } from '../../platform/crypto.ts';
import { openApplicantPhone } from '../../platform/personal-data.ts';
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.ts';
import type { HandlingRaw } from './handling-report.ts';
import type { Period } from './period.ts';

/**
 * A unit a report covers. `agencyIds` null means every dossier of the province; otherwise the
 * dossiers received or decided by one of these agencies.
 */
export interface ReportUnit {
  code: string;
  name: string;
  kind: 'province' | 'commune' | 'agency';
  /** The agency itself when the unit is an agency. */
  agencyId: string | null;
  agencyIds: string[] | null;
  /** The administrative unit codes the unit's agencies belong to (for access checks). */
  unitCodes: string[];
}

/** An agency by code (with its sub-agencies), else an administrative unit by code; null if neither. */
export async function findReportUnit(db: Db, code: string, at: string): Promise<ReportUnit | null> {
  const agency = await queryRows<{ id: string; name: string; ids: string[] | string; unit_codes: string[] | string }>(
    db,
    sql`WITH RECURSIVE tree(id, depth) AS (
          SELECT id, 0 FROM agencies WHERE code = ${code}
          UNION ALL SELECT a.id, tree.depth + 1 FROM agencies a JOIN tree ON a.parent_id = tree.id WHERE tree.depth < 20)
        SELECT (SELECT id FROM agencies WHERE code = ${code}) AS id, (SELECT name FROM agencies WHERE code = ${code}) AS name,
               json_agg(DISTINCT a.id) AS ids, json_agg(DISTINCT a.unit_code) AS unit_codes
        FROM tree JOIN agencies a ON a.id = tree.id HAVING count(*) > 0`,
  );
  if (agency[0])
    return {
      code,
      name: agency[0].name,
      kind: 'agency',
      agencyId: agency[0].id,
      agencyIds: jsonList(agency[0].ids),
      unitCodes: jsonList(agency[0].unit_codes),
    };
  const [unit] = await queryRows<{ name: string; type: string }>(
    db,
    sql`SELECT name, type FROM admin_units WHERE code = ${code}
        ORDER BY (valid_from <= ${at}::date AND (valid_to IS NULL OR valid_to >= ${at}::date)) DESC, valid_from DESC LIMIT 1`,
  );
  if (!unit) return null;
  if (unit.type === 'province') return { code, name: unit.name, kind: 'province', agencyId: null, agencyIds: null, unitCodes: [code] };
  const ids = await queryRows<{ id: string }>(db, sql`SELECT id FROM agencies WHERE unit_code = ${code} ORDER BY code`);
  return { code, name: unit.name, kind: 'commune', agencyId: null, agencyIds: ids.map((r) => r.id), unitCodes: [code] };
}

/** The province's code (the unit of type province in force on a date). */
export async function findProvinceCode(db: Db, at: string): Promise<string | null> {
  const [r] = await queryRows<{ code: string }>(
    db,
    sql`SELECT code FROM admin_units WHERE type = 'province' AND valid_from <= ${at}::date AND (valid_to IS NULL OR valid_to >= ${at}::date) ORDER BY code LIMIT 1`,
  );
  return r?.code ?? null;
}

/** Codes and administrative units of agencies (for a staff member's scope). */
export async function agenciesByIds(db: Db, ids: readonly string[]): Promise<{ id: string; code: string; name: string; unitCode: string; kind: string }[]> {
  if (!ids.length) return [];
  return queryRows(
    db,
    sql`SELECT id, code, name, unit_code AS "unitCode", kind FROM agencies WHERE id IN (${sql.join(
      ids.map((id) => sql`${id}::uuid`),
      sql`, `,
    )}) ORDER BY code`,
  );
}

/** Every unit a report can be asked for: the province, communes in force, active agencies. */
export async function listReportUnits(db: Db, at: string): Promise<{ code: string; name: string; kind: ReportUnit['kind']; unitCode: string }[]> {
  return queryRows(
    db,
    sql`SELECT code, name, CASE WHEN type = 'province' THEN 'province' ELSE 'commune' END AS kind, code AS "unitCode"
          FROM admin_units
         WHERE valid_from <= ${at}::date AND (valid_to IS NULL OR valid_to >= ${at}::date)
           AND (type = 'province' OR code IN (SELECT unit_code FROM agencies))
        UNION ALL
        SELECT code, name, 'agency', unit_code FROM agencies WHERE is_active`,
  );
}

function jsonList(v: string[] | string): string[] {
  return Array.isArray(v) ? v : (JSON.parse(v) as string[]);
}

/** The dossiers of a unit: received or decided by one of its agencies (`alias` = a table with both columns). */
export function unitFilter(unit: Pick<ReportUnit, 'agencyIds'>, alias = 'd'): SQL {
  if (unit.agencyIds === null) return sql`TRUE`;
  if (!unit.agencyIds.length) return sql`FALSE`;
  const ids = sql.join(
    unit.agencyIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const a = sql.raw(alias);
  return sql`(${a}.receiving_agency_id IN (${ids}) OR ${a}.competent_agency_id IN (${ids}))`;
}

const vnDay = (col: SQL) => sql`((${col}) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date`;

/**
 * The deadline a dossier is judged against: its due date, except that an extension does not
 * make a late dossier on time, so an extended dossier keeps the due date of its receipt.
 */
export const DEADLINE = sql`(CASE WHEN d.extension_count > 0 THEN coalesce(d.original_due_at, d.due_at) ELSE d.due_at END)`;
/** A finished dossier was late: after its deadline, or asked for a supplement more than once. */
const LATE = sql`(d.supplement_count > 1 OR (${DEADLINE} IS NOT NULL AND d.finished_at > ${DEADLINE}))`;
/** Finished on a day before the deadline's day (and not late). */
const EARLY = sql`(NOT ${LATE} AND ${DEADLINE} IS NOT NULL AND ${vnDay(sql`d.finished_at`)} < ${vnDay(DEADLINE)})`;
/** An unfinished dossier is overdue at instant J when its clock (stopped at a pause) passed the deadline. */
const overdueAt = (j: SQL) =>
  sql`(${DEADLINE} IS NOT NULL AND (CASE WHEN d.paused_at IS NOT NULL AND d.paused_at < ${j} THEN d.paused_at ELSE ${j} END) > ${DEADLINE})`;

/** One aggregation over the unit's dossiers: the counts of the handling report per competent agency and field. */
export async function aggregateHandling(db: Db, unit: Pick<ReportUnit, 'agencyIds'>, p: Period, now: Date): Promise<HandlingRaw[]> {
  const s = sql`${p.start}::timestamptz`;
  const e = sql`${p.end}::timestamptz`;
  const judged = sql`least(${e}, ${now}::timestamptz)`;
  const inPeriod = (col: SQL) => sql`(${col} >= ${s} AND ${col} < ${e})`;
  const handled = sql`(d.received_at < ${e} AND (d.finished_at IS NULL OR d.finished_at >= ${s}))`;
  const resolved = sql`(d.received_at < ${e} AND ${inPeriod(sql`d.finished_at`)} AND d.status IN ('done', 'returned'))`;
  const pending = sql`(d.received_at < ${e} AND (d.finished_at IS NULL OR d.finished_at >= ${e}))`;
  const endedAs = (status: string) => sql`(d.status = ${status} AND d.received_at < ${e} AND ${inPeriod(sql`d.finished_at`)})`;
  const n = (cond: SQL) => sql`count(*) FILTER (WHERE ${cond})::int`;
  return queryRows<HandlingRaw>(
    db,
    sql`WITH sup AS (
          SELECT DISTINCT h.dossier_id FROM dossier_history h
           WHERE h.action = 'request_supplement' AND h.at >= ${s} AND h.at < ${e})
        SELECT ca.code AS "agencyCode", ca.name AS "agencyName", p.field_code AS "fieldCode", f.name AS "fieldName",
          ${n(sql`${inPeriod(sql`d.received_at`)} AND d.channel = 'online'`)} AS "receivedOnline",
          ${n(sql`${inPeriod(sql`d.received_at`)} AND d.channel <> 'online'`)} AS "receivedOffline",
          ${n(sql`d.received_at < ${s} AND (d.finished_at IS NULL OR d.finished_at >= ${s})`)} AS "carriedOver",
          ${n(sql`${resolved} AND ${EARLY}`)} AS "resolvedEarly",
          ${n(sql`${resolved} AND NOT ${LATE} AND NOT ${EARLY}`)} AS "resolvedOnTime",
          ${n(sql`${resolved} AND ${LATE}`)} AS "resolvedLate",
          ${n(sql`${pending} AND NOT ${overdueAt(judged)}`)} AS "pendingInTime",
          ${n(sql`${pending} AND ${overdueAt(judged)}`)} AS "pendingOverdue",
          ${n(sql`sup.dossier_id IS NOT NULL`)} AS "supplements",
          ${n(sql`d.status = 'refused' AND ${inPeriod(sql`d.finished_at`)}`)} AS "refusals",
          ${n(endedAs('withdrawn'))} AS "withdrawals",
          ${n(endedAs('stopped'))} AS "stopped"
        FROM dossiers d
        JOIN procedures p ON p.id = d.procedure_id
        JOIN procedure_fields f ON f.code = p.field_code
        JOIN agencies ca ON ca.id = d.competent_agency_id
        LEFT JOIN sup ON sup.dossier_id = d.id
        WHERE ${unitFilter(unit)}
          AND (${handled} OR (d.status = 'refused' AND ${inPeriod(sql`d.finished_at`)}) OR sup.dossier_id IS NOT NULL)
        GROUP BY ca.code, ca.name, p.field_code, f.name`,
  );
}

/** The outcome of a dossier in the register, judged at `now`. */
export type RegisterOutcome = 'early' | 'on_time' | 'late' | 'in_time' | 'overdue' | 'waiting' | 'refused' | 'withdrawn' | 'stopped';

/** One line of the dossier register (form 07). */
export interface RegisterRow {
  code: string;
  procedureCode: string;
  procedureName: string;
  fieldName: string;
  applicantName: string;
  applicantPhone: string | null;
  channel: 'online' | 'in_person' | 'post';
  receivingAgency: string;
  competentAgency: string;
  receivedAt: Date;
  dueAt: Date | null;
  originalDueAt: Date | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  status: string;
  outcome: RegisterOutcome;
  supplementCount: number;
  extensionCount: number;
}

const toDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/** Dossiers of a unit received in the period, in order of reception (form 07), at most `limit`. */
export async function registerRows(db: Db, keyring: Keyring, unit: Pick<ReportUnit, 'agencyIds'>, p: Period, now: Date, limit: number): Promise<RegisterRow[]> {
  const nowSql = sql`${now}::timestamptz`;
  const rows = await queryRows<
    Omit<RegisterRow, 'receivedAt' | 'dueAt' | 'originalDueAt' | 'finishedAt' | 'returnedAt' | 'applicantPhone'> &
      Record<'receivedAt' | 'dueAt' | 'originalDueAt' | 'finishedAt' | 'returnedAt', Date | string | null> & { id: string; applicant_phone_enc: string | null }
  >(
    db,
    sql`SELECT d.code, d.procedure_code AS "procedureCode", p.name AS "procedureName", f.name AS "fieldName",
          coalesce(nullif(d.applicant->>'organisationName', ''), d.applicant->>'fullName') AS "applicantName",
          d.id, d.applicant_phone_enc, d.channel,
          ra.name AS "receivingAgency", ca.name AS "competentAgency",
          d.received_at AS "receivedAt", d.due_at AS "dueAt", d.original_due_at AS "originalDueAt",
          d.finished_at AS "finishedAt", d.returned_at AS "returnedAt", d.status,
          CASE WHEN d.status IN ('done', 'returned') THEN (CASE WHEN ${LATE} THEN 'late' WHEN ${EARLY} THEN 'early' ELSE 'on_time' END)
               WHEN d.status IN ('refused', 'withdrawn', 'stopped') THEN d.status
               WHEN d.paused_at IS NOT NULL AND NOT ${overdueAt(nowSql)} THEN 'waiting'
               WHEN ${overdueAt(nowSql)} THEN 'overdue' ELSE 'in_time' END AS outcome,
          d.supplement_count AS "supplementCount", d.extension_count AS "extensionCount"
        FROM dossiers d
        JOIN procedures p ON p.id = d.procedure_id
        JOIN procedure_fields f ON f.code = p.field_code
        JOIN agencies ra ON ra.id = d.receiving_agency_id
        JOIN agencies ca ON ca.id = d.competent_agency_id
        WHERE ${unitFilter(unit)} AND d.received_at >= ${p.start}::timestamptz AND d.received_at < ${p.end}::timestamptz
        ORDER BY d.received_at, d.code
        LIMIT ${limit}`,
  );
  return rows.map(({ id, applicant_phone_enc, ...r }) => ({
    ...r,
    applicantPhone: openApplicantPhone(keyring, id, applicant_phone_enc),
    receivedAt: toDate(r.receivedAt)!,
    dueAt: toDate(r.dueAt),
    originalDueAt: toDate(r.originalDueAt),
    finishedAt: toDate(r.finishedAt),
    returnedAt: toDate(r.returnedAt),
  }));
}
