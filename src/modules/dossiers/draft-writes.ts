import { queryNamed, sql, type Db } from '../../db/client.ts';
import { groupRunnerFor } from '../../db/group-commit.ts';
import { numberingCtes, SEQ4 } from './submit-batcher.ts';

/**
 * The two hot writes on a draft, committed in groups (src/db/group-commit.ts): creating it and
 * attaching a file. Each group is one statement that writes the rows, their history and their
 * audit records, so a busy portal takes one turn at the audit chain's head for many drafts.
 * Items are passed as one JSON array and unpacked with jsonb_to_recordset, so the statement's
 * text (and its prepared plan) is the same whatever the group's size.
 */

/** A validated draft, ready to write. Personal data is already sealed. */
export interface CreateItem {
  id: string;
  procedureId: string;
  procedureVersionId: string;
  procedureCode: string;
  procedureVersion: number;
  receivingAgencyId: string;
  competentAgencyId: string;
  channel: string;
  applicantType: string;
  applicant: Record<string, unknown>;
  idNumberEnc: string | null;
  idNumberHash: string | null;
  phoneEnc: string | null;
  smsConsentAt: Date | null;
  applicantUserId: string | null;
  actorId: string;
  actorRole: string;
  /** The applicant's own session: the draft is marked VNeID-verified when it signed in with VNeID. */
  sessionId: string | null;
  form: Record<string, unknown>;
  unitCode: string | null;
  searchText: string;
  at: Date;
  ip: string | null;
  auditDetails: Record<string, unknown>;
  idempotency: { key: string; requestHash: string } | null;
}

/** One draft as a row of jsonb_to_recordset(... AS t(CREATE_COLUMNS)). */
const createRecord = (i: CreateItem, ord: number) => ({
  id: i.id,
  procedure_id: i.procedureId,
  procedure_version_id: i.procedureVersionId,
  procedure_code: i.procedureCode,
  procedure_version: i.procedureVersion,
  agency_id: i.receivingAgencyId,
  competent_id: i.competentAgencyId,
  channel: i.channel,
  applicant_type: i.applicantType,
  applicant: i.applicant,
  id_enc: i.idNumberEnc,
  id_hash: i.idNumberHash,
  phone_enc: i.phoneEnc,
  sms_at: i.smsConsentAt?.toISOString() ?? null,
  applicant_user_id: i.applicantUserId,
  actor_id: i.actorId,
  actor_role: i.actorRole,
  session_id: i.sessionId,
  form: i.form,
  unit_code: i.unitCode,
  search_text: i.searchText,
  at: i.at.toISOString(),
  ip: i.ip,
  details: i.auditDetails,
  idem_key: i.idempotency?.key ?? null,
  idem_hash: i.idempotency?.requestHash ?? null,
  ord,
});

const CREATE_COLUMNS = sql.raw(`id uuid, procedure_id uuid, procedure_version_id uuid, procedure_code text, procedure_version int, agency_id uuid,
  competent_id uuid, channel text, applicant_type text, applicant jsonb, id_enc text, id_hash text, phone_enc text,
  sms_at timestamptz, applicant_user_id uuid, actor_id uuid, actor_role text, session_id uuid, form jsonb, unit_code text,
  search_text text, at timestamptz, ip text, details jsonb, idem_key text, idem_hash text, ord int`);

/** The dossiers columns a new dossier sets, and their values from an items row `i` (its status, code and times added by the caller). */
const NEW_DOSSIER_COLUMNS = sql.raw(`id, procedure_id, procedure_version_id, procedure_code, procedure_version, receiving_agency_id, competent_agency_id,
  channel, applicant_type, applicant, applicant_id_number_enc, applicant_id_number_hash, applicant_phone_enc, applicant_sms_consent_at,
  applicant_user_id, created_by, form, unit_code, created_at, applicant_verified_by`);
const NEW_DOSSIER_VALUES = sql.raw(`i.id, i.procedure_id, i.procedure_version_id, i.procedure_code, i.procedure_version, i.agency_id, i.competent_id,
  i.channel, i.applicant_type, i.applicant, i.id_enc, i.id_hash, i.phone_enc, i.sms_at,
  i.applicant_user_id, i.actor_id, i.form, i.unit_code, i.at,
  (SELECT 'vneid' FROM sessions s WHERE s.id = i.session_id AND s.auth_method = 'vneid')`);

const createStatement = (items: CreateItem[]) => sql`
  WITH items AS (
    SELECT * FROM jsonb_to_recordset(${JSON.stringify(items.map(createRecord))}::jsonb) AS t(${CREATE_COLUMNS})
  ), k AS (
    -- Claim the idempotency keys first (in a fixed order, so concurrent groups cannot deadlock):
    -- a draft whose key is already taken is not written, and its caller answers as the first did.
    INSERT INTO idempotency_keys (user_id, key, scope, request_hash, resource_id, created_at)
    SELECT actor_id, idem_key, 'dossier.create', idem_hash, id, at FROM items WHERE idem_key IS NOT NULL ORDER BY actor_id, idem_key
    ON CONFLICT DO NOTHING RETURNING resource_id
  ), d AS (
    INSERT INTO dossiers (${NEW_DOSSIER_COLUMNS}, status, search_text, updated_at)
    SELECT ${NEW_DOSSIER_VALUES}, 'draft', i.search_text, i.at
    FROM items i WHERE i.idem_key IS NULL OR i.id IN (SELECT resource_id FROM k)
    ORDER BY i.ord
    RETURNING id
  ), h AS (
    INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, from_status, to_status)
    SELECT i.id, i.at, 'create', i.actor_id, i.actor_role, NULL, 'draft' FROM items i JOIN d ON d.id = i.id ORDER BY i.ord
  ), a AS (
    INSERT INTO audit_log (at, actor_id, actor_role, action, target_type, target_id, ip, outcome, details)
    SELECT i.at, i.actor_id, i.actor_role, 'dossier.create', 'dossier', i.id::text, i.ip, 'success', i.details
    FROM items i JOIN d ON d.id = i.id ORDER BY i.ord
  )
  SELECT id FROM d`;

async function runCreates(db: Db, items: CreateItem[]): Promise<boolean[]> {
  const rows = await queryNamed<{ id: string }>(db, 'dossier_create_group', createStatement(items));
  const written = new Set(rows.map((r) => r.id));
  return items.map((i) => written.has(i.id));
}

/** Writes a draft with the next group: true when written, false when its idempotency key was already taken. */
export function createInGroup(db: Db, item: CreateItem): Promise<boolean> {
  return groupRunnerFor(db, 'dossier.create', runCreates).add(item);
}

/**
 * A file already stored (flushed to disk), to be attached if the dossier is still in the status
 * its caller checked (draft, or waiting for a supplement). Not its exact version: uploads to one
 * dossier do not conflict with each other, and each still moves the version on.
 */
export interface AttachItem {
  fileId: string;
  dossierId: string;
  expectedStatus: string;
  component: string;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  storageKey: string;
  actorId: string;
  actorRole: string | null;
  at: Date;
  ip: string | null;
}

const attachStatement = (items: AttachItem[]) => sql`
  WITH items AS (
    SELECT * FROM jsonb_to_recordset(${JSON.stringify(
      items.map((i, ord) => ({
        file_id: i.fileId,
        dossier_id: i.dossierId,
        expected_status: i.expectedStatus,
        component: i.component,
        file_name: i.fileName,
        media_type: i.mediaType,
        size: i.size,
        sha256: i.sha256,
        storage_key: i.storageKey,
        actor_id: i.actorId,
        actor_role: i.actorRole,
        at: i.at.toISOString(),
        ip: i.ip,
        ord,
      })),
    )}::jsonb) AS t(file_id uuid, dossier_id uuid, expected_status text, component text, file_name text, media_type text, size bigint,
                    sha256 text, storage_key text, actor_id uuid, actor_role text, at timestamptz, ip text, ord int)
  ), d AS (
    -- Only files for dossiers still in the status their callers checked, locked in id order (no deadlocks).
    SELECT i.file_id FROM items i JOIN dossiers x ON x.id = i.dossier_id AND x.status = i.expected_status ORDER BY x.id FOR UPDATE OF x
  ), f AS (
    INSERT INTO dossier_files (id, dossier_id, component_code, file_name, media_type, size, sha256, storage_key, uploaded_by, created_at)
    SELECT i.file_id, i.dossier_id, i.component, i.file_name, i.media_type, i.size, i.sha256, i.storage_key, i.actor_id, i.at
    FROM items i JOIN d ON d.file_id = i.file_id ORDER BY i.ord
    RETURNING id, dossier_id
  ), u AS (
    -- One version step per file, as if they had come one after another.
    UPDATE dossiers SET version = dossiers.version + c.n, updated_at = c.at
    FROM (SELECT f.dossier_id, count(*)::int AS n, max(i.at) AS at FROM f JOIN items i ON i.file_id = f.id GROUP BY f.dossier_id) c
    WHERE dossiers.id = c.dossier_id
  ), h AS (
    -- A file added to a submitted dossier (a supplement) is in its history; a draft's are not.
    INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, from_status, to_status, data)
    SELECT i.dossier_id, i.at, 'attach_file', i.actor_id, CASE WHEN x.applicant_user_id = i.actor_id THEN 'applicant' ELSE 'reception' END,
           i.expected_status, i.expected_status, jsonb_build_object('fileId', i.file_id, 'component', i.component)
    FROM f JOIN items i ON i.file_id = f.id JOIN dossiers x ON x.id = i.dossier_id
    WHERE i.expected_status <> 'draft' ORDER BY i.ord
  ), a AS (
    INSERT INTO audit_log (at, actor_id, actor_role, action, target_type, target_id, ip, outcome, details)
    SELECT i.at, i.actor_id, i.actor_role, 'dossier.file.attach', 'dossier', i.dossier_id::text, i.ip, 'success',
           jsonb_build_object('fileId', i.file_id, 'component', i.component, 'size', i.size)
    FROM f JOIN items i ON i.file_id = f.id ORDER BY i.ord
  )
  SELECT id FROM f`;

async function runAttaches(db: Db, items: AttachItem[]): Promise<boolean[]> {
  const rows = await queryNamed<{ id: string }>(db, 'dossier_attach_group', attachStatement(items));
  const written = new Set(rows.map((r) => r.id));
  return items.map((i) => written.has(i.fileId));
}

/** Attaches a stored file with the next group: true when written, false when the dossier's status changed meanwhile. */
export function attachInGroup(db: Db, item: AttachItem): Promise<boolean> {
  return groupRunnerFor(db, 'dossier.attach', runAttaches).add(item);
}

/**
 * A whole submission in one request (create, attach, submit): a validated, complete dossier with
 * its files already stored, written straight as `submitted` with its code.
 */
export interface SubmitNewItem extends CreateItem {
  /** Vietnamese calendar date of the submission (YYYY-MM-DD). */
  day: string;
  /** The code is codeBefore + the 4-digit daily number + codeAfter. */
  codeBefore: string;
  codeAfter: string;
  files: Omit<AttachItem, 'dossierId' | 'expectedStatus' | 'actorId' | 'actorRole' | 'at' | 'ip'>[];
}

/**
 * One statement for a group of whole submissions: claim the idempotency keys, take a block of
 * numbers per agency and day from the counter (as submit-batcher.ts does, in the same order),
 * and write the dossiers as submitted, their files, history (create, submit), audit (create,
 * one attach per file, submit) and outgoing jobs, exactly the rows the three separate requests
 * write. The version counts the same steps: 1 at creation, one per file, one for the submission.
 */
const submitNewStatement = (items: SubmitNewItem[]) => sql`
  WITH items AS (
    SELECT * FROM jsonb_to_recordset(${JSON.stringify(
      items.map((i, ord) => ({
        ...createRecord(i, ord),
        day: i.day,
        before: i.codeBefore,
        after: i.codeAfter,
        files: i.files.map((f) => ({
          file_id: f.fileId,
          component: f.component,
          file_name: f.fileName,
          media_type: f.mediaType,
          size: f.size,
          sha256: f.sha256,
          storage_key: f.storageKey,
        })),
      })),
    )}::jsonb) AS t(${CREATE_COLUMNS}, day date, before text, after text, files jsonb)
  ), k AS (
    INSERT INTO idempotency_keys (user_id, key, scope, request_hash, resource_id, created_at)
    SELECT actor_id, idem_key, 'dossier.submit_new', idem_hash, id, at FROM items WHERE idem_key IS NOT NULL ORDER BY actor_id, idem_key
    ON CONFLICT DO NOTHING RETURNING resource_id
  ), ok AS (
    SELECT * FROM items i WHERE i.idem_key IS NULL OR i.id IN (SELECT resource_id FROM k)
  ), ${numberingCtes('ok')}, i AS (
    SELECT n.*, n.before || ${SEQ4} || n.after AS code, jsonb_array_length(n.files) AS file_count FROM n
  ), d AS (
    INSERT INTO dossiers (${NEW_DOSSIER_COLUMNS}, status, code, submitted_at, search_text, version, updated_at)
    SELECT ${NEW_DOSSIER_VALUES}, 'submitted', i.code, i.at, lower(i.code) || ' ' || i.search_text, 2 + i.file_count, i.at
    FROM i ORDER BY i.ord
    RETURNING id, code
  ), f AS (
    INSERT INTO dossier_files (id, dossier_id, component_code, file_name, media_type, size, sha256, storage_key, uploaded_by, created_at)
    SELECT x.file_id, i.id, x.component, x.file_name, x.media_type, x.size, x.sha256, x.storage_key, i.actor_id, i.at
    FROM i CROSS JOIN LATERAL jsonb_to_recordset(i.files) AS x(file_id uuid, component text, file_name text, media_type text, size bigint, sha256 text, storage_key text)
  ), h AS (
    INSERT INTO dossier_history (dossier_id, at, action, actor_id, actor_role, from_status, to_status, data)
    SELECT i.id, i.at, s.action, i.actor_id, i.actor_role, s.from_status, s.to_status, s.data
    FROM i CROSS JOIN LATERAL (VALUES (1, 'create', NULL, 'draft', '{}'::jsonb), (2, 'submit', 'draft', 'submitted', jsonb_build_object('code', i.code)))
      AS s(step, action, from_status, to_status, data)
    ORDER BY i.ord, s.step
  ), a AS (
    INSERT INTO audit_log (at, actor_id, actor_role, action, target_type, target_id, ip, outcome, details)
    SELECT i.at, i.actor_id, i.actor_role, e.action, 'dossier', i.id::text, i.ip, 'success', e.details
    FROM i CROSS JOIN LATERAL (
      SELECT 0 AS step, 'dossier.create' AS action, i.details AS details
      UNION ALL
      SELECT x.n, 'dossier.file.attach', jsonb_build_object('fileId', x.f->>'file_id', 'component', x.f->>'component', 'size', (x.f->>'size')::bigint)
      FROM jsonb_array_elements(i.files) WITH ORDINALITY AS x(f, n)
      UNION ALL
      SELECT 1000000, 'dossier.submit', jsonb_build_object('from', 'draft', 'to', 'submitted', 'code', i.code)
    ) e
    ORDER BY i.ord, e.step
  ), j AS (
    INSERT INTO jobs (type, payload, run_at, created_at)
    SELECT 'dossier.status_changed', jsonb_build_object('dossierId', i.id, 'action', 'submit', 'from', 'draft', 'to', 'submitted'), i.at, i.at FROM i
  )
  SELECT id, code FROM d`;

async function runSubmitNew(db: Db, items: SubmitNewItem[]): Promise<(string | null)[]> {
  const rows = await queryNamed<{ id: string; code: string }>(db, 'dossier_submit_new_group', submitNewStatement(items));
  const codes = new Map(rows.map((r) => [r.id, r.code]));
  return items.map((i) => codes.get(i.id) ?? null);
}

/** Writes a whole submission with the next group: its code, or null when its idempotency key was already taken. */
export function submitNewInGroup(db: Db, item: SubmitNewItem): Promise<string | null> {
  return groupRunnerFor(db, 'dossier.submit_new', runSubmitNew).add(item);
}
