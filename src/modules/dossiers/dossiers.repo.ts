import { eq, sql, type SQL } from 'drizzle-orm';
import { param, prepared, queryNamed, queryRows, type Db } from '../../db/client.ts';
import { groupRunnerFor, inKeyOrder } from '../../db/group-commit.ts';
import { dossierFiles, dossierHistory, dossiers } from '../../db/schema.ts';
import { scopeOf, STAFF_ROLES, type Actor } from '../../platform/context.ts';
import type { Keyring } from '../../platform/crypto.ts';
import { idNumberHash, isPersonalIdNumber } from '../../platform/personal-data.ts';
import { escapeLike, fold } from '../../platform/text.ts';
import { UUID_RE } from '../../platform/ids.ts';
import { FINAL_STATUSES, type DossierStatus } from './dossier-workflow.ts';
import type { ListQuery } from './dossiers.schemas.ts';

export type DossierRow = typeof dossiers.$inferSelect;
export type FileRow = typeof dossierFiles.$inferSelect;

/** Finds a dossier by id or code; `forUpdate` locks it for the rest of the transaction. */
export async function findDossier(db: Db, idOrCode: string, forUpdate = false): Promise<DossierRow | null> {
  const byId = UUID_RE.test(idOrCode);
  if (forUpdate) {
    const [locked] = await db
      .select()
      .from(dossiers)
      .where(byId ? eq(dossiers.id, idOrCode) : eq(dossiers.code, idOrCode))
      .limit(1)
      .for('update');
    return locked ?? null;
  }
  // A hot read (every upload and action): reads made together share one query (src/db/group-commit.ts).
  return (byId ? groupRunnerFor(db, 'dossier.by_id', dossiersById) : groupRunnerFor(db, 'dossier.by_code', dossiersByCode)).add(idOrCode);
}

/** The rows of a group of dossier ids or codes (one JSON array parameter, so one prepared plan). */
const dossiersOf =
  (byId: boolean) =>
  async (db: Db, keys: string[]): Promise<(DossierRow | null)[]> => {
    const q = prepared(db, byId ? 'dossiers_by_ids' : 'dossiers_by_codes', (d, n) =>
      d
        .select()
        .from(dossiers)
        .where(
          byId
            ? sql`${dossiers.id} = ANY (ARRAY(SELECT jsonb_array_elements_text(${param('keys')}::jsonb)::uuid))`
            : sql`${dossiers.code} = ANY (ARRAY(SELECT jsonb_array_elements_text(${param('keys')}::jsonb)))`,
        )
        .prepare(n),
    );
    return inKeyOrder(keys, await q.execute({ keys: JSON.stringify(keys) }), (r) => (byId ? r.id : r.code));
  };
const dossiersById = dossiersOf(true);
const dossiersByCode = dossiersOf(false);

export async function appendHistory(
  db: Db,
  e: {
    dossierId: string;
    at: Date;
    action: string;
    actorId: string | null;
    actorRole: string;
    fromStatus: string | null;
    toStatus: string;
    note?: string | null;
    data?: Record<string, unknown>;
  },
): Promise<void> {
  await db.insert(dossierHistory).values({ ...e, note: e.note ?? null, data: e.data ?? {} });
}

/** An idempotency record, or null. Reads made together share one query (every create and submission with a key). */
export async function findIdempotent(db: Db, userId: string, scope: string, key: string) {
  return groupRunnerFor(db, 'idempotency_keys', idempotencyRecords).add({ userId, scope, key });
}

interface IdempotencyRow {
  userId: string;
  scope: string;
  key: string;
  requestHash: string;
  resourceId: string;
}
/**
 * One primary-key probe per key asked (LATERAL ... LIMIT 1 keeps each probe a nested index scan):
 * a semi-join's plan depends on the table's statistics, and a plan cached while the table was small
 * kept scanning the whole table as it grew (seen in `npm run bench` from an empty database).
 */
async function idempotencyRecords(db: Db, wanted: { userId: string; scope: string; key: string }[]): Promise<(IdempotencyRow | null)[]> {
  const rows = await queryNamed<IdempotencyRow>(
    db,
    'idempotency_keys_group',
    sql`SELECT k.user_id AS "userId", k.scope, k.key, k.request_hash AS "requestHash", k.resource_id AS "resourceId"
        FROM jsonb_to_recordset(${JSON.stringify(wanted.map((w) => ({ user_id: w.userId, scope: w.scope, key: w.key })))}::jsonb)
               AS w(user_id uuid, scope text, key text)
        CROSS JOIN LATERAL (SELECT * FROM idempotency_keys i WHERE i.user_id = w.user_id AND i.scope = w.scope AND i.key = w.key LIMIT 1) k`,
  );
  const id = (r: { userId: string; scope: string; key: string }) => JSON.stringify([r.userId, r.scope, r.key]);
  return inKeyOrder(wanted.map(id), rows, id);
}

/**
 * The folded text staff search matches words in: code, names and tax code. Never the personal ID
 * number or phone, which are stored only encrypted; an ID number is found by its keyed hash
 * (`searchConditions`).
 */
export function searchTextOf(
  code: string | null,
  applicant: { fullName: string; taxCode?: string | undefined; organisationName?: string | undefined },
): string {
  return fold([code ?? '', applicant.fullName, applicant.organisationName ?? '', applicant.taxCode ?? ''].join(' '));
}

/**
 * Staff search (`q`): every word must match. A 12-digit personal ID number matches the applicant's
 * ID number exactly, through its keyed hash; any other word is a part of the search text.
 */
export function searchConditions(q: string, keyring: Keyring): SQL[] {
  return fold(q)
    .split(' ')
    .filter(Boolean)
    .slice(0, 6)
    .map((w) => (isPersonalIdNumber(w) ? sql`d.applicant_id_number_hash = ${idNumberHash(keyring, w)}` : sql`d.search_text LIKE ${`%${escapeLike(w)}%`}`));
}

const FINAL = [...FINAL_STATUSES];

/** SQL for "overdue", derived as in dossier-workflow `isOverdue`. */
export function overdueSql(now: Date): SQL {
  return sql`(d.due_at IS NOT NULL AND coalesce(d.paused_at, d.finished_at,
      CASE WHEN d.status IN (${sql.join(
        FINAL.map((s) => sql`${s}`),
        sql`, `,
      )}) THEN NULL ELSE ${now}::timestamptz END) > d.due_at)`;
}

/** Which dossiers an actor may see: their own as applicant; their agencies' as staff. */
export function visibilitySql(actor: Actor): SQL {
  const parts: SQL[] = [sql`d.applicant_user_id = ${actor.userId}`, sql`(d.created_by = ${actor.userId} AND d.status = 'draft')`];
  const staffScope = scopeOf(actor, STAFF_ROLES);
  if (staffScope.length) {
    const ids = sql.join(
      staffScope.map((id) => sql`${id}::uuid`),
      sql`, `,
    );
    parts.push(sql`((d.receiving_agency_id IN (${ids}) OR d.competent_agency_id IN (${ids}))
      AND (d.status <> 'draft' OR d.created_by IS DISTINCT FROM d.applicant_user_id))`);
  }
  return sql`(${sql.join(parts, sql` OR `)})`;
}

export interface ListRow {
  id: string;
  code: string | null;
  procedure_code: string;
  procedure_name: string;
  status: DossierStatus;
  applicant_name: string;
  channel: 'online' | 'in_person' | 'post';
  submitted_at: Date | string | null;
  received_at: Date | string | null;
  due_at: Date | string | null;
  finished_at: Date | string | null;
  paused_at: Date | string | null;
  assignee_id: string | null;
  version: number;
  is_overdue: boolean;
}

export async function listDossierRows(db: Db, keyring: Keyring, actor: Actor, q: ListQuery, now: Date): Promise<{ rows: ListRow[]; total: number }> {
  const conds: SQL[] = [visibilitySql(actor)];
  const isStaffView = actor.agencyScope.length > 0;
  if (q.status?.length)
    conds.push(
      sql`d.status IN (${sql.join(
        q.status.map((s) => sql`${s}`),
        sql`, `,
      )})`,
    );
  else if (isStaffView) conds.push(sql`(d.status <> 'draft' OR d.applicant_user_id = ${actor.userId})`);
  if (q.procedure) conds.push(sql`d.procedure_code = ${q.procedure}`);
  if (q.overdue !== undefined) conds.push(q.overdue ? overdueSql(now) : sql`NOT ${overdueSql(now)}`);
  if (q.dueBefore) conds.push(sql`d.due_at < ${new Date(q.dueBefore)}`);
  if (q.assignee === 'me') conds.push(sql`d.assignee_id = ${actor.userId}`);
  if (q.q) conds.push(...searchConditions(q.q, keyring));
  const where = sql.join(conds, sql` AND `);
  const order = isStaffView ? sql`d.due_at ASC NULLS LAST, d.created_at DESC` : sql`d.created_at DESC`;
  const [rows, count] = await Promise.all([
    queryRows<ListRow>(
      db,
      sql`SELECT d.id, d.code, d.procedure_code, p.name AS procedure_name, d.status, d.applicant->>'fullName' AS applicant_name, d.channel,
            d.submitted_at, d.received_at, d.due_at, d.finished_at, d.paused_at, d.assignee_id, d.version, ${overdueSql(now)} AS is_overdue
          FROM dossiers d JOIN procedures p ON p.id = d.procedure_id
          WHERE ${where} ORDER BY ${order} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
    ),
    queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM dossiers d WHERE ${where}`),
  ]);
  return { rows, total: Number(count[0]?.n ?? 0) };
}

/** Whether a user is a specialist whose agency (or an ancestor granted with children) is one of these. */
export async function isSpecialistFor(db: Db, userId: string, agencyIds: string[]): Promise<boolean> {
  const ids = sql.join(
    agencyIds.map((id) => sql`${id}::uuid`),
    sql`, `,
  );
  const rows = await queryRows<{ ok: number }>(
    db,
    sql`WITH RECURSIVE up(id, parent_id, depth) AS (
          SELECT id, parent_id, 0 FROM agencies WHERE id IN (${ids})
          UNION ALL SELECT a.id, a.parent_id, up.depth + 1 FROM agencies a JOIN up ON a.id = up.parent_id WHERE up.depth < 20)
        SELECT 1 AS ok FROM user_roles r JOIN users u ON u.id = r.user_id AND u.is_active
        JOIN up ON up.id = r.agency_id
        WHERE r.user_id = ${userId} AND r.role = 'specialist' AND (up.depth = 0 OR r.include_children) LIMIT 1`,
  );
  return rows.length > 0;
}

export interface FileJson {
  id: string;
  component: string;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  reused: boolean;
  createdAt: string;
}

const parseJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/**
 * Dossiers with their files, rating and agency names, in one query (the view of a dossier), for
 * a group of ids or codes passed as one JSON array. Columns of the outer row are written out
 * qualified: Drizzle renders interpolated columns unqualified, which inside a subquery would bind
 * to the subquery's own table.
 */
function detailsQuery(db: Db, byId: boolean) {
  return db
    .select({
      d: dossiers,
      files: sql<unknown>`coalesce((SELECT json_agg(json_build_object('id', f.id, 'component', f.component_code, 'fileName', f.file_name,
          'mediaType', f.media_type, 'size', f.size, 'sha256', f.sha256, 'reused', f.reused_from_id IS NOT NULL, 'createdAt', f.created_at)
          ORDER BY f.created_at, f.id) FROM dossier_files f WHERE f.dossier_id = "dossiers"."id" AND f.removed_at IS NULL), '[]'::json)`,
      rating: sql<unknown>`(SELECT json_build_object('rating', r.rating, 'comment', r.comment) FROM dossier_ratings r WHERE r.dossier_id = "dossiers"."id")`,
      receiving: sql<unknown>`(SELECT json_build_object('code', a.code, 'name', a.name) FROM agencies a WHERE a.id = "dossiers"."receiving_agency_id")`,
      competent: sql<unknown>`(SELECT json_build_object('code', a.code, 'name', a.name) FROM agencies a WHERE a.id = "dossiers"."competent_agency_id")`,
    })
    .from(dossiers)
    .where(
      byId
        ? sql`"dossiers"."id" = ANY (ARRAY(SELECT jsonb_array_elements_text(${param('keys')}::jsonb)::uuid))`
        : sql`"dossiers"."code" = ANY (ARRAY(SELECT jsonb_array_elements_text(${param('keys')}::jsonb)))`,
    )
    .prepare(byId ? 'dossier_details_by_ids' : 'dossier_details_by_codes');
}

type DetailsRow = Awaited<ReturnType<ReturnType<typeof detailsQuery>['execute']>>[number];

const detailsOf =
  (byId: boolean) =>
  async (db: Db, keys: string[]): Promise<(DetailsRow | null)[]> => {
    const q = prepared(db, byId ? 'details_by_ids' : 'details_by_codes', (d) => detailsQuery(d, byId));
    return inKeyOrder(keys, await q.execute({ keys: JSON.stringify(keys) }), (r) => (byId ? r.d.id : r.d.code));
  };
const detailsById = detailsOf(true);
const detailsByCode = detailsOf(false);

/**
 * A dossier with its files, rating and agency names. A hot read (every view, every submission):
 * reads made together are answered by one query (src/db/group-commit.ts).
 */
export async function findDossierWithDetails(db: Db, idOrCode: string) {
  const byId = UUID_RE.test(idOrCode);
  const row = await (byId ? groupRunnerFor(db, 'dossier.details_by_id', detailsById) : groupRunnerFor(db, 'dossier.details_by_code', detailsByCode)).add(
    idOrCode,
  );
  if (!row) return null;
  return {
    d: row.d,
    files: parseJson<FileJson[]>(row.files),
    rating: parseJson<{ rating: string; comment: string | null } | null>(row.rating),
    receiving: parseJson<{ code: string; name: string }>(row.receiving),
    competent: parseJson<{ code: string; name: string }>(row.competent),
  };
}
