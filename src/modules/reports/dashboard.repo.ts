/** SQL behind the leaders' dashboard that the service index does not cover: the monthly trend and the deadline lists. */
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.ts';
import type { Period } from './period.ts';
import { unitFilter, type ReportUnit } from './reports.repo.ts';

/**
 * The deadline of the progress rule read from the facts: the due date, or for an extended dossier
 * (rare) the due date of its receipt, read from the dossier. For a dossier with a result, the
 * facts' end time is its finishing time.
 */
const FACT_DEADLINE = sql`(CASE WHEN f.extension_count > 0 THEN (SELECT coalesce(x.original_due_at, x.due_at) FROM dossiers x WHERE x.id = f.dossier_id) ELSE f.due_at END)`;

export interface MonthRow {
  /** YYYY-MM */
  month: string;
  received: number;
  resolved: number;
  resolvedOnTime: number;
}

/**
 * One grouped query over the service index's per-dossier facts (one row per received dossier,
 * indexed by reception and by end): per Vietnamese calendar month of the span, dossiers received, and dossiers
 * resolved (done or returned) with how many of them on time (the progress rule: by the deadline
 * without the extension, and at most one supplement request).
 */
export async function monthlyCounts(db: Db, unit: Pick<ReportUnit, 'agencyIds'>, span: Period): Promise<MonthRow[]> {
  const s = sql`${span.start}::timestamptz`;
  const e = sql`${span.end}::timestamptz`;
  const month = (col: string) => sql`to_char((${sql.raw(col)}) AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM')`;
  return queryRows<MonthRow>(
    db,
    sql`SELECT m AS month, sum(received)::int AS received, sum(resolved)::int AS resolved, sum(on_time)::int AS "resolvedOnTime"
        FROM (
          SELECT ${month('f.received_at')} AS m, 1 AS received, 0 AS resolved, 0 AS on_time
            FROM service_index_facts f WHERE f.received_at >= ${s} AND f.received_at < ${e} AND ${unitFilter(unit, 'f')}
          UNION ALL
          SELECT ${month('f.end_at')}, 0, 1,
                 CASE WHEN f.supplement_count > 1 OR (${FACT_DEADLINE} IS NOT NULL AND f.end_at > ${FACT_DEADLINE}) THEN 0 ELSE 1 END
            FROM service_index_facts f
           WHERE f.end_at >= ${s} AND f.end_at < ${e} AND ${unitFilter(unit, 'f')} AND f.status IN ('done', 'returned')
        ) x GROUP BY m ORDER BY m`,
  );
}

export interface DeadlineItem {
  code: string;
  procedureName: string;
  competentAgency: string;
  assigneeName: string | null;
  status: string;
  receivedAt: Date;
  dueAt: Date;
  pausedAt: Date | null;
}

const OPEN = sql`d.finished_at IS NULL AND d.returned_at IS NULL AND d.received_at IS NOT NULL
  AND d.status IN ('submitted', 'received', 'in_progress', 'supplement_requested', 'payment_requested') AND d.due_at IS NOT NULL`;

/*
 * Finding the few open or recently ended dossiers among millions needs an index on when a dossier
 * ended. The service index keeps exactly that per received dossier, in the same transaction as
 * every change (service_index_facts: end_at, with an index on it and a partial index on the open
 * ones); these two queries use it to pick their rows, then read the dossiers themselves.
 */

async function deadlineList(db: Db, unit: Pick<ReportUnit, 'agencyIds'>, cond: ReturnType<typeof sql>, limit: number): Promise<{ total: number; items: DeadlineItem[] }> {
  const rows = await queryRows<DeadlineItem & { total: number }>(
    db,
    sql`SELECT d.code, p.name AS "procedureName", ca.name AS "competentAgency", u.display_name AS "assigneeName", d.status,
               d.received_at AS "receivedAt", d.due_at AS "dueAt", d.paused_at AS "pausedAt", count(*) OVER ()::int AS total
          FROM service_index_facts f
          JOIN dossiers d ON d.id = f.dossier_id
          JOIN procedures p ON p.id = d.procedure_id
          JOIN agencies ca ON ca.id = d.competent_agency_id
          LEFT JOIN users u ON u.id = d.assignee_id
         WHERE f.end_at IS NULL AND ${unitFilter(unit)} AND ${OPEN} AND ${cond}
         ORDER BY d.due_at, d.code LIMIT ${limit}`,
  );
  const asDate = (v: Date | string | null) => (v === null ? null : new Date(v));
  return {
    total: rows[0]?.total ?? 0,
    items: rows.map(({ total: _t, ...r }) => ({ ...r, receivedAt: asDate(r.receivedAt)!, dueAt: asDate(r.dueAt)!, pausedAt: asDate(r.pausedAt) })),
  };
}

/**
 * Open dossiers past their due date now (a dossier waiting for a supplement is judged at its
 * pause), and those due from now until `soonUntil` whose clock is running.
 */
export async function deadlineLists(db: Db, unit: Pick<ReportUnit, 'agencyIds'>, now: Date, soonUntil: Date, limit: number) {
  const n = sql`${now}::timestamptz`;
  const [overdue, dueSoon] = await Promise.all([
    deadlineList(db, unit, sql`coalesce(d.paused_at, ${n}) > d.due_at`, limit),
    deadlineList(db, unit, sql`d.paused_at IS NULL AND d.due_at >= ${n} AND d.due_at <= ${sql`${soonUntil}::timestamptz`}`, limit),
  ]);
  return { overdue, dueSoon };
}
