import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.ts';
import { agencies, procedureAgencies, procedureFields, procedures, procedureVersions } from '../../db/schema.ts';
import { TtlCache } from '../../platform/cache.ts';
import { escapeLike, fold } from '../../platform/text.ts';
import type { ProcedureDefinition, ProcedureSearchQuery } from './procedures.schemas.ts';

export interface ProcedureRecord {
  id: string;
  code: string;
  name: string;
  fieldCode: string;
  fieldName: string;
  tier: 'province' | 'commune';
  onlineLevel: 'full' | 'partial';
  competentAgency: { id: string; code: string; name: string };
  versionId: string;
  version: number;
  publishedAt: Date | null;
  definition: ProcedureDefinition;
  receivingAgencies: { id: string; code: string; name: string }[];
}

interface Row {
  id: string;
  code: string;
  name: string;
  field_code: string;
  field_name: string;
  tier: 'province' | 'commune';
  online_level: 'full' | 'partial';
  ca_id: string;
  ca_code: string;
  ca_name: string;
  version_id: string;
  version: number;
  published_at: Date | string | null;
  definition: ProcedureDefinition | string;
  receiving: { id: string; code: string; name: string }[] | string;
  popularity: number;
}

const parse = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

function toRecord(r: Row): ProcedureRecord {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    fieldCode: r.field_code,
    fieldName: r.field_name,
    tier: r.tier,
    onlineLevel: r.online_level,
    competentAgency: { id: r.ca_id, code: r.ca_code, name: r.ca_name },
    versionId: r.version_id,
    version: r.version,
    publishedAt: r.published_at ? new Date(r.published_at) : null,
    definition: parse(r.definition),
    receivingAgencies: parse(r.receiving),
  };
}

// Everything shown comes from the version's own definition (name, field, agencies...), so an
// older version reads as it was published; only the code and demand come from the procedure.
const SELECT = sql`SELECT p.id, p.code, v.definition->>'name' AS name, f.code AS field_code, f.name AS field_name,
    v.definition->>'tier' AS tier, v.definition->>'onlineLevel' AS online_level, p.popularity,
    ca.id AS ca_id, ca.code AS ca_code, ca.name AS ca_name,
    v.id AS version_id, v.version, v.published_at, v.definition,
    coalesce((SELECT json_agg(json_build_object('id', a.id, 'code', a.code, 'name', a.name) ORDER BY a.code)
              FROM agencies a WHERE a.code IN (SELECT jsonb_array_elements_text(v.definition->'receivingAgencyCodes'))), '[]'::json) AS receiving
  FROM procedures p`;
const JOIN_REFS = sql`JOIN procedure_fields f ON f.code = v.definition->>'fieldCode'
  JOIN agencies ca ON ca.code = v.definition->>'competentAgencyCode'`;

/**
 * Procedure versions are immutable once published, and read on every dossier request, so they
 * are cached per process: by version id for a minute (agency names may change), and "the
 * current version of code X" for a few seconds. Publishing clears this instance's cache at once;
 * other instances follow within CURRENT_TTL_MS.
 */
const CURRENT_TTL_MS = 5_000;
const byVersionId = new TtlCache<string, ProcedureRecord>(60_000);
const currentByCode = new TtlCache<string, ProcedureRecord>(CURRENT_TTL_MS);

export function clearProcedureCache(): void {
  byVersionId.clear();
  currentByCode.clear();
}

/** The published version of a procedure, or a given version. */
export async function findProcedure(db: Db, code: string, version?: number, includeDrafts = false): Promise<ProcedureRecord | null> {
  if (version === undefined) {
    const hit = currentByCode.get(code);
    if (hit) return hit;
  }
  const rows = await queryRows<Row>(
    db,
    version === undefined
      ? sql`${SELECT} JOIN procedure_versions v ON v.id = p.current_version_id ${JOIN_REFS} WHERE p.code = ${code} AND p.is_active`
      : sql`${SELECT} JOIN procedure_versions v ON v.procedure_id = p.id AND v.version = ${version} ${JOIN_REFS}
            WHERE p.code = ${code} AND (${includeDrafts} OR v.status <> 'draft')`,
  );
  const rec = rows[0] ? toRecord(rows[0]) : null;
  if (rec && version === undefined) currentByCode.set(code, rec);
  return rec;
}

/** Procedure versions by id (dossiers keep the version they were received under). */
export async function findProcedureByVersionId(db: Db, versionId: string): Promise<ProcedureRecord | null> {
  const hit = byVersionId.get(versionId);
  if (hit) return hit;
  const rows = await queryRows<Row>(db, sql`${SELECT} JOIN procedure_versions v ON v.procedure_id = p.id ${JOIN_REFS} WHERE v.id = ${versionId}`);
  const rec = rows[0] ? toRecord(rows[0]) : null;
  if (rec) byVersionId.set(versionId, rec);
  return rec;
}

/**
 * Diacritic-insensitive search: every word of the query must appear in the folded name or code.
 * The database filters; ranking (exact-diacritic matches first, then demand) happens in
 * `rankProcedures`, which needs Unicode-aware lower-casing that the C locale lacks.
 */
export async function searchProcedureRows(db: Db, q: ProcedureSearchQuery): Promise<ProcedureRecord[]> {
  const conds = [sql`p.is_active`, sql`p.current_version_id IS NOT NULL`, ...searchWords(q.q)];
  if (q.field) conds.push(sql`p.field_code = ${q.field}`);
  if (q.level) conds.push(sql`p.online_level = ${q.level}`);
  if (q.tier) conds.push(sql`p.tier = ${q.tier}`);
  if (q.agency) {
    conds.push(sql`(ca.code = ${q.agency} OR EXISTS (SELECT 1 FROM procedure_agencies pa JOIN agencies a ON a.id = pa.agency_id
                    WHERE pa.procedure_id = p.id AND a.code = ${q.agency}))`);
  }
  const rows = await queryRows<Row>(
    db,
    sql`${SELECT} JOIN procedure_versions v ON v.id = p.current_version_id ${JOIN_REFS} WHERE ${sql.join(conds, sql` AND `)} LIMIT 5000`,
  );
  return rows.map((r) => ({ ...toRecord(r), popularity: r.popularity }) as ProcedureRecord & { popularity: number });
}

/** The search's conditions: every word of the query (folded, at most 8) in the folded name or the code. */
function searchWords(q: string | undefined): SQL[] {
  const words = q ? fold(q).split(' ').filter(Boolean).slice(0, 8) : [];
  return words.map((w) => sql`(p.search_text LIKE ${`%${escapeLike(w)}%`} OR p.code LIKE ${`%${escapeLike(w)}%`})`);
}

/** What the counter intake needs of a published procedure: its name, and what `counterIntake` reads (channels, receiving centres). */
export interface CounterIntakeRow {
  code: string;
  name: string;
  popularity: number;
  definition: Pick<ProcedureDefinition, 'channels' | 'applicantTypes'>;
  receivingAgencies: { id: string; code: string; name: string }[];
}

interface CounterIntakeDbRow {
  code: string;
  name: string;
  popularity: number | string;
  channels: ProcedureDefinition['channels'] | string;
  applicant_types: ProcedureDefinition['applicantTypes'] | string;
  receiving: { id: string; code: string; name: string }[] | string;
}

/**
 * The published procedures a reception desk may take at its counter, with only what the intake
 * page needs. `agencyIds` are the desk's reception scope. The filter is the intake rule
 * (`counterIntake` in web/staff-pages.ts) in SQL: the current version takes in-person dossiers,
 * and one of its receiving centres is in the scope. The centres are read from `procedure_agencies`
 * (indexed; publishing writes it from the version's `receivingAgencyCodes` in the same transaction,
 * and agencies are never deleted nor given another code), and the rows carry those same centres as
 * `receivingAgencies`, so the caller's rule, which decides, sees exactly the data the filter saw:
 * the filter cannot leave out a procedure the rule would offer. test/web-results.int.test.ts
 * compares the page with the rule over the whole catalogue (`findProcedure`'s data) for every demo desk.
 *
 * With `q` (the catalogue search's words, as `searchProcedureRows`): the matches the desk takes,
 * and at most `othersLimit` matches it does not take (the most used first), so the page can say
 * why those are not offered without reading the whole catalogue.
 *
 * The definition is large and stored compressed, and each `->` on it unpacks it again: it is
 * unpacked once per row (`jsonb_to_record`), and without a search only for the procedures received
 * within the scope (the indexed filter first); with one, for the search's matches.
 */
export async function listCounterIntakeRows(
  db: Db,
  opts: { agencyIds: readonly string[]; q?: string | undefined; othersLimit?: number },
): Promise<CounterIntakeRow[]> {
  const ids = opts.agencyIds.map((id) => sql`${id}::uuid`);
  const receivedHere = ids.length
    ? sql`EXISTS (SELECT 1 FROM procedure_agencies pa WHERE pa.procedure_id = p.id AND pa.agency_id IN (${sql.join(ids, sql`, `)}))`
    : sql`false`;
  const inPerson = sql`x.channels @> '["in_person"]'::jsonb`;
  const conds = [sql`p.is_active`, sql`p.current_version_id IS NOT NULL`, ...searchWords(opts.q)];
  const others = opts.q ? Math.max(0, opts.othersLimit ?? 0) : 0;
  const unpack = sql`CROSS JOIN LATERAL jsonb_to_record(m.definition) AS x(name text, channels jsonb, "applicantTypes" jsonb)`;
  const kept = !others
    ? // The desk's procedures only: those received here (the index), then those of them taking in-person dossiers.
      sql`SELECT m.id, m.code, m.popularity, x.name, x.channels, x."applicantTypes" AS applicant_types
          FROM (SELECT p.id, p.code, p.popularity, v.definition FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id
                WHERE ${sql.join([...conds, receivedHere], sql` AND `)} OFFSET 0) m ${unpack}
          WHERE ${inPerson}`
    : // Every match marked, numbered within its side (taken or not); all those taken and the first `others` of the rest kept.
      sql`SELECT n.id, n.code, n.popularity, n.name, n.channels, n.applicant_types
          FROM (SELECT t.*, row_number() OVER (PARTITION BY t.here ORDER BY t.popularity DESC, t.code) AS nth
                FROM (SELECT m.id, m.code, m.popularity, x.name, x.channels, x."applicantTypes" AS applicant_types, (m.here AND ${inPerson}) AS here
                      FROM (SELECT p.id, p.code, p.popularity, v.definition, ${receivedHere} AS here
                            FROM procedures p JOIN procedure_versions v ON v.id = p.current_version_id
                            WHERE ${sql.join(conds, sql` AND `)} OFFSET 0) m ${unpack}) t) n
          WHERE n.here OR n.nth <= ${others}`;
  const rows = await queryRows<CounterIntakeDbRow>(
    db,
    sql`SELECT s.code, s.name, s.popularity, s.channels, s.applicant_types,
          coalesce((SELECT json_agg(json_build_object('id', a.id, 'code', a.code, 'name', a.name) ORDER BY a.code)
                    FROM procedure_agencies pa JOIN agencies a ON a.id = pa.agency_id WHERE pa.procedure_id = s.id), '[]'::json) AS receiving
        FROM (${kept}) s`,
  );
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    popularity: Number(r.popularity),
    definition: { channels: parse(r.channels), applicantTypes: parse(r.applicant_types) },
    receivingAgencies: parse(r.receiving),
  }));
}

export async function listFields(db: Db) {
  return db.select().from(procedureFields).orderBy(procedureFields.code);
}

export async function findAgenciesByCodes(db: Db, codes: string[]) {
  if (codes.length === 0) return [];
  return db.select({ id: agencies.id, code: agencies.code, name: agencies.name }).from(agencies).where(inArray(agencies.code, codes));
}

export async function findProcedureIdByCode(db: Db, code: string) {
  const [p] = await db.select({ id: procedures.id, currentVersion: procedures.currentVersion }).from(procedures).where(eq(procedures.code, code));
  return p ?? null;
}

export async function maxVersion(db: Db, procedureId: string): Promise<number> {
  const [r] = await queryRows<{ m: number | null }>(db, sql`SELECT max(version) AS m FROM procedure_versions WHERE procedure_id = ${procedureId}`);
  return Number(r?.m ?? 0);
}

export async function listVersions(db: Db, procedureId: string) {
  return db
    .select({
      version: procedureVersions.version,
      status: procedureVersions.status,
      createdAt: procedureVersions.createdAt,
      publishedAt: procedureVersions.publishedAt,
      decisionRef: procedureVersions.decisionRef,
    })
    .from(procedureVersions)
    .where(eq(procedureVersions.procedureId, procedureId))
    .orderBy(procedureVersions.version);
}

export async function getVersionRow(db: Db, procedureId: string, version: number) {
  const [v] = await db
    .select()
    .from(procedureVersions)
    .where(and(eq(procedureVersions.procedureId, procedureId), eq(procedureVersions.version, version)))
    .for('update');
  return v ?? null;
}

export async function replaceReceivingAgencies(db: Db, procedureId: string, agencyIds: string[]) {
  await db.delete(procedureAgencies).where(eq(procedureAgencies.procedureId, procedureId));
  if (agencyIds.length) await db.insert(procedureAgencies).values(agencyIds.map((agencyId) => ({ procedureId, agencyId })));
}
