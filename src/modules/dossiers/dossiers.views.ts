import { eq } from 'drizzle-orm';
import { isServerPool, param, prepared, queryNamed, queryRows, sql, type Db } from '../../db/client.ts';
import { agencies, dossiers, procedures } from '../../db/schema.ts';
import { groupRunnerFor, inKeyOrder } from '../../db/group-commit.ts';
import type { Actor, Ctx } from '../../platform/context.ts';
import { toIso, toIsoOrNull } from '../../platform/time.ts';
import { openApplicant, openForm } from '../../platform/personal-data.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor } from '../../platform/auth.ts';
import { AppError } from '../../platform/errors.ts';
import { allowedActions, isOverdue, NATIONAL_STATUS, STATUS_NAMES_VI, type DossierStatus } from './dossier-workflow.ts';
import { findDossierWithDetails, listDossierRows } from './dossiers.repo.ts';
import { findProcedureByVersionId } from '../procedures/procedures.repo.ts';
import type { DossierView, ListQuery } from './dossiers.schemas.ts';
import {
  dossierNotFound,
  extensionFactsOf,
  factsOf,
  loadVisible,
  partiesOf,
  RESULT_COMPONENT,
  resultsVisible,
  workflowStepDeadlines,
} from './dossiers.service.ts';

const d2 = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/** The full view of one dossier for someone who may see it (404 otherwise). Staff reads are audited. */
export async function getDossierView(ctx: Ctx, idOrCode: string): Promise<DossierView> {
  const actor = requireActor(ctx.actor);
  const found = await findDossierWithDetails(ctx.db, idOrCode);
  if (!found) throw dossierNotFound();
  const { d, files, rating } = found;
  const parties = partiesOf(actor, d);
  if (parties.length === 0) throw dossierNotFound();
  const proc = await findProcedureByVersionId(ctx.db, d.procedureVersionId);
  if (!proc) throw new AppError('internal', 'PROCEDURE_VERSION_MISSING');
  if (!parties.includes('applicant')) {
    await writeAudit(ctx, { action: 'dossier.read', targetType: 'dossier', targetId: d.id });
  }
  const step = d.stepIndex !== null && d.status === 'in_progress' ? proc.definition.workflow[d.stepIndex] : undefined;
  // The current step's own deadline (its share of the legal time), for the officer holding it.
  const stepDue = step
    ? (
        await workflowStepDeadlines(
          ctx.db,
          d,
          proc.definition.workflow.map((w) => w.share),
        )
      )[d.stepIndex!]
    : undefined;
  const status = d.status as DossierStatus;
  return {
    id: d.id,
    code: d.code,
    procedureCode: d.procedureCode,
    procedureName: proc.name,
    procedureVersion: d.procedureVersion,
    status,
    statusName: STATUS_NAMES_VI[status],
    nationalStatus: NATIONAL_STATUS[status],
    channel: d.channel as DossierView['channel'],
    applicant: openApplicant(ctx.keyring, d),
    smsConsentAt: toIsoOrNull(d.applicantSmsConsentAt),
    form: openForm(ctx.keyring, d.id, d.form),
    files: files
      .filter((f) => f.component !== RESULT_COMPONENT || resultsVisible(parties, d.status))
      .map((f) => ({
        fileId: f.id,
        component: f.component,
        fileName: f.fileName,
        mediaType: f.mediaType,
        size: Number(f.size),
        sha256: f.sha256,
        reused: f.reused,
        uploadedAt: toIso(new Date(f.createdAt)),
      })),
    receivingAgency: found.receiving,
    competentAgency: found.competent,
    assigneeId: d.assigneeId,
    currentStep: step ? { key: step.key, name: step.name, role: step.role, dueAt: toIsoOrNull(stepDue ?? null) } : null,
    createdAt: toIso(d.createdAt),
    submittedAt: toIsoOrNull(d.submittedAt),
    receivedAt: toIsoOrNull(d.receivedAt),
    dueAt: toIsoOrNull(d.dueAt),
    finishedAt: toIsoOrNull(d.finishedAt),
    returnedAt: toIsoOrNull(d.returnedAt),
    isOverdue: isOverdue({ status, dueAt: d.dueAt, finishedAt: d.finishedAt, pausedAt: d.pausedAt }, ctx.now),
    supplementCount: d.supplementCount,
    extensionCount: d.extensionCount,
    rating: rating ? { rating: rating.rating, comment: rating.comment } : null,
    allowedActions: allowedActions(parties, factsOf(d, proc, actor, await extensionFactsOf(ctx.db, d, ctx.now))),
    version: d.version,
  };
}

/** Dossiers the caller may see, filtered and paged. */
export async function listDossiers(ctx: Ctx, q: ListQuery) {
  const actor = requireActor(ctx.actor);
  const { rows, total } = await listDossierRows(ctx.db, ctx.keyring, actor, q, ctx.now);
  // Staff lists show applicants' names: an access to personal data, audited (the search text is not stored).
  if (actor.kind === 'staff' && rows.length) {
    await writeAudit(ctx, { action: 'dossier.list', targetType: 'dossier', details: { shown: rows.length, total, page: q.page, searched: !!q.q } });
  }
  return {
    total,
    items: rows.map((r) => ({
      id: r.id,
      code: r.code,
      procedureCode: r.procedure_code,
      procedureName: r.procedure_name,
      status: r.status,
      statusName: STATUS_NAMES_VI[r.status],
      nationalStatus: NATIONAL_STATUS[r.status],
      applicantName: r.applicant_name,
      channel: r.channel,
      submittedAt: toIsoOrNull(d2(r.submitted_at)),
      receivedAt: toIsoOrNull(d2(r.received_at)),
      dueAt: toIsoOrNull(d2(r.due_at)),
      isOverdue: r.is_overdue,
      assigneeId: r.assignee_id,
      version: r.version,
    })),
  };
}

/** The append-only history of a dossier. */
export async function getHistory(ctx: Ctx, idOrCode: string) {
  const actor: Actor = requireActor(ctx.actor);
  const { d } = await loadVisible(ctx.db, actor, idOrCode);
  const rows = await queryRows<{
    at: Date | string;
    action: string;
    actor_id: string | null;
    actor_role: string;
    name: string | null;
    from_status: string | null;
    to_status: string;
    note: string | null;
  }>(
    ctx.db,
    sql`SELECT h.at, h.action, h.actor_id, h.actor_role, u.display_name AS name, h.from_status, h.to_status, h.note
        FROM dossier_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.dossier_id = ${d.id} ORDER BY h.id`,
  );
  return rows.map((r) => ({
    at: toIso(new Date(r.at)),
    action: r.action,
    actor: { id: r.actor_id, role: r.actor_role, name: r.name },
    fromStatus: r.from_status,
    toStatus: r.to_status,
    note: r.note,
  }));
}

interface LookupRow {
  code: string;
  status: string;
  received_at: Date | string | null;
  due_at: Date | string | null;
  procedure_name: string;
  agency_name: string;
}

/**
 * The lookups waiting together, in one indexed query (the codes passed as one JSON array, so the
 * statement's text and plan are the same for any number of codes).
 */
async function runLookups(db: Db, codes: string[]): Promise<(LookupRow | null)[]> {
  const rows = await queryNamed<LookupRow>(
    db,
    'public_dossier_lookup_group',
    sql`SELECT d.code, d.status, d.received_at, d.due_at, p.name AS procedure_name, a.name AS agency_name
        FROM dossiers d JOIN procedures p ON p.id = d.procedure_id JOIN agencies a ON a.id = d.receiving_agency_id
        WHERE d.code = ANY (ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(codes)}::jsonb)))`,
  );
  return inKeyOrder(codes, rows, (r) => r.code);
}

/** One lookup on its own, as a prepared statement (the embedded database: one in-process connection, nothing to save by grouping). */
async function lookupAlone(db: Db, code: string): Promise<LookupRow | null> {
  const [row] = await prepared(db, 'public_dossier_lookup', (d, name) =>
    d
      .select({
        code: dossiers.code,
        status: dossiers.status,
        received_at: dossiers.receivedAt,
        due_at: dossiers.dueAt,
        procedure_name: procedures.name,
        agency_name: agencies.name,
      })
      .from(dossiers)
      .innerJoin(procedures, eq(procedures.id, dossiers.procedureId))
      .innerJoin(agencies, eq(agencies.id, dossiers.receivingAgencyId))
      .where(eq(dossiers.code, param('code')))
      .prepare(name),
  ).execute({ code });
  return row?.code ? (row as LookupRow) : null;
}

/**
 * Public lookup by code: status and dates, nothing personal. The hottest public read: on a
 * PostgreSQL server, lookups arriving while one query runs are answered by the next one together
 * (src/db/group-commit.ts); on PGlite each runs alone (measured: grouping there costs ~15 %).
 * Always from the database, never from a cache.
 */
export async function publicLookup(db: Db, code: string) {
  const row = isServerPool(db) ? await groupRunnerFor(db, 'dossier.public_lookup', runLookups, 200).add(code) : await lookupAlone(db, code);
  if (!row) throw dossierNotFound();
  const status = row.status as DossierStatus;
  return {
    code: row.code,
    procedureName: row.procedure_name,
    status,
    statusName: STATUS_NAMES_VI[status],
    nationalStatus: NATIONAL_STATUS[status],
    receivedAt: toIsoOrNull(d2(row.received_at)),
    dueAt: toIsoOrNull(d2(row.due_at)),
    agencyName: row.agency_name,
  };
}
