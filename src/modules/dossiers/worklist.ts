import { queryRows, sql, type Db } from '../../db/client.ts';
import { computeDueAt, type Clock } from '../calendar/index.ts';
import { scopeOf, type Actor, type Ctx } from '../../platform/context.ts';
import { requireActor } from '../../platform/auth.ts';
import { FINAL_STATUSES, type DossierStatus } from './dossier-workflow.ts';
import { overdueSql, searchConditions, visibilitySql } from './dossiers.repo.ts';
import type { SQL } from 'drizzle-orm';

/**
 * The officers' worklist (the portal's `/can-bo/ho-so`): what waits for the caller, counted per
 * tab, and one filtered page, in a single statement. Visibility is the same rule as every other
 * dossier list (`visibilitySql`); overdue is the same derived rule (`overdueSql`).
 */

export const WORKLIST_TABS = ['receive', 'mine', 'supplement', 'payment', 'soon', 'overdue', 'all'] as const;
export type WorklistTab = (typeof WORKLIST_TABS)[number];

export interface WorklistQuery {
  tab: WorklistTab;
  status?: DossierStatus | undefined;
  procedure?: string | undefined;
  overdue?: boolean | undefined;
  /** Only dossiers whose running clock ends before this instant (due within N working days). */
  dueBefore?: Date | undefined;
  q?: string | undefined;
  page: number;
  pageSize: number;
}

export interface WorklistRow {
  id: string;
  code: string | null;
  procedureCode: string;
  procedureName: string;
  status: DossierStatus;
  applicantName: string;
  channel: string;
  submittedAt: Date | null;
  receivedAt: Date | null;
  dueAt: Date | null;
  finishedAt: Date | null;
  pausedAt: Date | null;
  assigneeId: string | null;
  assigneeName: string | null;
  isOverdue: boolean;
}

export interface Worklist {
  counts: Record<WorklistTab, number>;
  rows: WorklistRow[];
  /** Rows matching the tab and filters (all pages); null when the page is past the end. */
  total: number | null;
}

const FINAL = [...FINAL_STATUSES];
const finalList = sql.join(
  FINAL.map((s) => sql`${s}`),
  sql`, `,
);

/**
 * The end of "due within `days` working days" from `now`: `days` full working days of office time
 * on the legal calendar (days off and office hours skipped, like a dossier's own deadline). A
 * dossier is due soon when its running clock ends after `now` and at or before this instant.
 */
export function dueSoonLimit(clock: Clock, now: Date, days: number): Date {
  return computeDueAt({ start: now, value: days, unit: 'working_days', calendar: clock.calendar, officeHours: clock.officeHours });
}

/** The condition of each tab, over the `base` rows (alias d). `soonLimit`: now + the "due soon" working days. */
function tabConditions(actor: Actor, now: Date, soonLimit: Date): Record<WorklistTab, SQL> {
  // Where the actor holds `role` (each grant reaches its own agencies), as a condition on the dossier.
  const holds = (role: string): SQL | null => {
    const scope = scopeOf(actor, [role]);
    if (!scope.length) return null;
    const ids = sql.join(
      scope.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    return sql`(d.receiving_agency_id IN (${ids}) OR d.competent_agency_id IN (${ids}))`;
  };
  const mine: SQL[] = [sql`(d.status = 'in_progress' AND d.assignee_id = ${actor.userId} AND d.step_role = 'specialist')`];
  // A leader holds every dossier at a leader step of the agencies they lead; the desk holds what it must assign or hand back.
  const leads = holds('leader');
  if (leads) mine.push(sql`(d.status = 'in_progress' AND d.step_role = 'leader' AND ${leads})`);
  const desk = holds('reception');
  if (desk) mine.push(sql`(d.status IN ('received', 'done') AND ${desk})`);
  return {
    receive: sql`d.status = 'submitted'`,
    mine: sql`(${sql.join(mine, sql` OR `)})`,
    supplement: sql`d.status = 'supplement_requested'`,
    payment: sql`d.status = 'payment_requested'`,
    soon: sql`(d.status NOT IN (${finalList}) AND d.status <> 'draft' AND d.paused_at IS NULL AND d.due_at > ${now}::timestamptz AND d.due_at <= ${soonLimit}::timestamptz)`,
    overdue: sql`(d.status NOT IN (${finalList}) AND d.is_overdue)`,
    all: sql`(d.status <> 'draft' OR d.created_by = ${actor.userId})`,
  };
}

interface Raw {
  c_receive: number | string;
  c_mine: number | string;
  c_supplement: number | string;
  c_payment: number | string;
  c_soon: number | string;
  c_overdue: number | string;
  c_all: number | string;
  id: string | null;
  code: string | null;
  procedure_code: string;
  procedure_name: string;
  status: DossierStatus;
  applicant_name: string;
  channel: string;
  submitted_at: Date | string | null;
  received_at: Date | string | null;
  due_at: Date | string | null;
  finished_at: Date | string | null;
  paused_at: Date | string | null;
  assignee_id: string | null;
  assignee_name: string | null;
  is_overdue: boolean;
  total: number | string | null;
}

const d2 = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/** The caller's worklist: counts per tab and one page of the chosen tab with the filters. One statement. */
export async function staffWorklist(ctx: Ctx, q: WorklistQuery, soonLimit: Date): Promise<Worklist> {
  const actor = requireActor(ctx.actor);
  const now = ctx.now;
  const tabs = tabConditions(actor, now, soonLimit);
  const conds: SQL[] = [tabs[q.tab]];
  if (q.status) conds.push(sql`d.status = ${q.status}`);
  if (q.procedure) conds.push(sql`d.procedure_code = ${q.procedure}`);
  // Late and still open, as the overdue tab: a dossier finished late is no longer work to do (the reports count it).
  if (q.overdue) conds.push(tabs.overdue);
  if (q.dueBefore) conds.push(sql`(d.status NOT IN (${finalList}) AND d.paused_at IS NULL AND d.due_at <= ${q.dueBefore}::timestamptz)`);
  if (q.q) conds.push(...searchConditions(q.q, ctx.keyring));
  // The desk works oldest submission first; everything else by the nearest deadline.
  const order = q.tab === 'receive' ? sql`d.submitted_at ASC NULLS LAST, d.id` : sql`d.due_at ASC NULLS LAST, d.submitted_at ASC NULLS LAST, d.id`;
  const count = (tab: WorklistTab) => sql`count(*) FILTER (WHERE ${tabs[tab]})`;
  const rows = await queryRows<Raw>(
    ctx.db,
    // Step roles come from a small table of (version, step) pairs: reading each dossier's whole
    // procedure definition (a large jsonb) would cost a detoast per row.
    sql`WITH steps AS (
          SELECT v.id AS version_id, (w.ord - 1)::int AS idx, w.step ->> 'role' AS role
          FROM procedure_versions v, jsonb_array_elements(v.definition -> 'workflow') WITH ORDINALITY AS w(step, ord)
        ), base AS (
          -- Every column the search conditions (searchConditions) and tabs name must be here.
          SELECT d.id, d.code, d.procedure_id, d.procedure_code, d.status, d.applicant, d.channel, d.submitted_at, d.received_at, d.due_at,
                 d.finished_at, d.paused_at, d.assignee_id, d.created_by, d.search_text, d.applicant_id_number_hash, d.receiving_agency_id,
                 d.competent_agency_id,
                 s.role AS step_role, ${overdueSql(now)} AS is_overdue
          FROM dossiers d LEFT JOIN steps s ON s.version_id = d.procedure_version_id AND s.idx = d.step_index
          WHERE ${visibilitySql(actor)}
        ), counts AS (
          SELECT ${count('receive')} AS c_receive, ${count('mine')} AS c_mine, ${count('supplement')} AS c_supplement, ${count('payment')} AS c_payment,
                 ${count('soon')} AS c_soon, ${count('overdue')} AS c_overdue, ${count('all')} AS c_all
          FROM base d
        ), page AS (
          SELECT d.*, count(*) OVER () AS total, row_number() OVER (ORDER BY ${order}) AS rn
          FROM base d WHERE ${sql.join(conds, sql` AND `)}
          ORDER BY ${order} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}
        )
        SELECT c.*, p.id, p.code, p.procedure_code, pr.name AS procedure_name, p.status,
               coalesce(p.applicant ->> 'organisationName', p.applicant ->> 'fullName') AS applicant_name, p.channel,
               p.submitted_at, p.received_at, p.due_at, p.finished_at, p.paused_at, p.assignee_id, u.display_name AS assignee_name, p.is_overdue, p.total
        FROM counts c
        LEFT JOIN page p ON true
        LEFT JOIN procedures pr ON pr.id = p.procedure_id
        LEFT JOIN users u ON u.id = p.assignee_id
        ORDER BY p.rn`,
  );
  const first = rows[0];
  const n = (v: number | string | undefined) => Number(v ?? 0);
  const counts: Record<WorklistTab, number> = {
    receive: n(first?.c_receive),
    mine: n(first?.c_mine),
    supplement: n(first?.c_supplement),
    payment: n(first?.c_payment),
    soon: n(first?.c_soon),
    overdue: n(first?.c_overdue),
    all: n(first?.c_all),
  };
  const items = rows.filter((r) => r.id !== null);
  return {
    counts,
    total: items.length ? n(items[0]!.total ?? 0) : q.page === 1 ? 0 : null,
    rows: items.map((r) => ({
      id: r.id!,
      code: r.code,
      procedureCode: r.procedure_code,
      procedureName: r.procedure_name,
      status: r.status,
      applicantName: r.applicant_name,
      channel: r.channel,
      submittedAt: d2(r.submitted_at),
      receivedAt: d2(r.received_at),
      dueAt: d2(r.due_at),
      finishedAt: d2(r.finished_at),
      pausedAt: d2(r.paused_at),
      assigneeId: r.assignee_id,
      assigneeName: r.assignee_name,
      isOverdue: !!r.is_overdue,
    })),
  };
}

/**
 * Specialists who may be assigned this dossier: the same rule as `isSpecialistFor` (a specialist
 * role at the receiving or the competent agency, or at an ancestor granted with its children).
 */
export async function assignableSpecialists(db: Db, dossierId: string): Promise<{ id: string; name: string }[]> {
  return queryRows<{ id: string; name: string }>(
    db,
    sql`WITH RECURSIVE up(id, parent_id, depth) AS (
          SELECT a.id, a.parent_id, 0 FROM agencies a JOIN dossiers d ON a.id IN (d.receiving_agency_id, d.competent_agency_id) WHERE d.id = ${dossierId}
          UNION ALL SELECT a.id, a.parent_id, up.depth + 1 FROM agencies a JOIN up ON a.id = up.parent_id WHERE up.depth < 20)
        SELECT DISTINCT u.id, u.display_name AS name FROM user_roles r JOIN users u ON u.id = r.user_id AND u.is_active
        JOIN up ON up.id = r.agency_id
        WHERE r.role = 'specialist' AND (up.depth = 0 OR r.include_children)
        ORDER BY u.display_name`,
  );
}

/** Display names of users (history and assignee labels). */
export async function userNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await queryRows<{ id: string; name: string }>(
    db,
    sql`SELECT id, display_name AS name FROM users WHERE id IN (${sql.join(
      ids.map((id) => sql`${id}::uuid`),
      sql`, `,
    )})`,
  );
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * Published procedures an officer deals with: received or decided by one of their agencies.
 * `inPerson` keeps those the desk may file at the counter, received by one of `agencyIds`.
 */
export async function procedureChoices(db: Db, agencyIds: string[], opts: { inPerson?: boolean } = {}): Promise<{ code: string; name: string }[]> {
  if (!agencyIds.length) return [];
  const ids = sql.join(
    agencyIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const receivedHere = sql`EXISTS (SELECT 1 FROM procedure_agencies pa WHERE pa.procedure_id = p.id AND pa.agency_id IN (${ids}))`;
  const scope = opts.inPerson
    ? sql`${receivedHere} AND (v.definition -> 'channels') @> '["in_person"]'::jsonb`
    : sql`(${receivedHere} OR p.competent_agency_id IN (${ids}))`;
  return queryRows<{ code: string; name: string }>(
    db,
    sql`SELECT p.code, p.name FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id
        WHERE p.is_active AND ${scope} ORDER BY p.name`,
  );
}
