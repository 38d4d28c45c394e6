/**
 * Official documents of dossiers (forms 01–07 of Circular 03/2025/TT-VPCP) and sealed,
 * verifiable electronic results (docs/DOCUMENTS.md).
 */
import { idNumberHash, openApplicant } from '../../platform/personal-data.ts';
import { createHash } from 'node:crypto';
import { queryRows, sql, type Db } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor } from '../../platform/auth.ts';
import { TtlCache } from '../../platform/cache.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { removeUnlessCommitted, type LocalFileStore } from '../../platform/files.ts';
import { newId } from '../../platform/ids.ts';
import { renderPdf } from '../../platform/pdf.ts';
import { getSetting } from '../../platform/settings.ts';
import { fold, nfc } from '../../platform/text.ts';
import { formatVnDateTime, toIso } from '../../platform/time.ts';
import { checkVersion, loadVisible, RESULT_COMPONENT, resultsVisible, workflowStepDeadlines, type IfMatch } from '../dossiers/dossiers.service.ts';
import { auditExport, registerReport } from '../reports/index.ts';
import {
  applicantIdOf,
  renderDossierForm,
  renderRegister,
  type FormAgency,
  type FormApplicant,
  type FormDossierData,
  type FormHistoryEntry,
  type RegisterRow,
} from './forms-render.ts';
import { availableForms, FORM_TITLES, type DossierFormCode } from './forms.ts';
import { sealWith, verifySeal, type KeyRing } from './signing.ts';

/** The component code under which a dossier's result files are kept (dossier_files). */

const STAFF = ['reception', 'specialist', 'leader'] as const;

// ---------------------------------------------------------------------------------------------
// Reference data printed on documents

interface AgencyInfo extends FormAgency {
  id: string;
  unitCode: string;
}

const agencyCache = new TtlCache<string, AgencyInfo>(60_000);
const placeCache = new TtlCache<string, string>(60_000);

async function agencyInfo(db: Db, where: { id: string } | { code: string }): Promise<AgencyInfo | null> {
  const key = 'id' in where ? `i:${where.id}` : `c:${where.code}`;
  const hit = agencyCache.get(key);
  if (hit) return hit;
  const cond = 'id' in where ? sql`a.id = ${where.id}::uuid` : sql`a.code = ${where.code}`;
  const [row] = await queryRows<{ id: string; code: string; name: string; unit_code: string; parent_name: string | null }>(
    db,
    sql`SELECT a.id, a.code, a.name, a.unit_code, p.name AS parent_name FROM agencies a LEFT JOIN agencies p ON p.id = a.parent_id WHERE ${cond}`,
  );
  if (!row) return null;
  const info = { id: row.id, code: row.code, name: row.name, unitCode: row.unit_code, parentName: row.parent_name };
  agencyCache.set(key, info);
  return info;
}

/** The province printed before the date ("Ninh Bình, ngày ..."): the unit of the agency, or its parent. */
async function placeOf(db: Db, unitCode: string): Promise<string> {
  const hit = placeCache.get(unitCode);
  if (hit) return hit;
  const [row] = await queryRows<{ name: string }>(
    db,
    sql`SELECT coalesce(p.name, u.name) AS name FROM admin_units u LEFT JOIN admin_units p ON p.code = u.parent_code AND p.valid_to IS NULL
        WHERE u.code = ${unitCode} ORDER BY u.valid_from DESC LIMIT 1`,
  );
  const place = (row?.name ?? '').replace(/^(Tỉnh|Thành phố|Xã|Phường|Đặc khu)\s+/u, '') || 'Việt Nam';
  placeCache.set(unitCode, place);
  return place;
}

async function unitName(db: Db, code: string): Promise<string | null> {
  const [row] = await queryRows<{ name: string }>(db, sql`SELECT name FROM admin_units WHERE code = ${code} ORDER BY valid_from DESC LIMIT 1`);
  return row?.name ?? null;
}

// ---------------------------------------------------------------------------------------------
// Forms 01–06

async function historyOf(db: Db, dossierId: string): Promise<FormHistoryEntry[]> {
  const rows = await queryRows<{
    at: Date | string;
    action: string;
    actor_role: string;
    name: string | null;
    from_status: string | null;
    to_status: string;
    note: string | null;
    data: unknown;
  }>(
    db,
    sql`SELECT h.at, h.action, h.actor_role, u.display_name AS name, h.from_status, h.to_status, h.note, h.data
        FROM dossier_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.dossier_id = ${dossierId} ORDER BY h.id`,
  );
  return rows.map((r) => ({
    at: new Date(r.at),
    action: r.action,
    actorName: r.name,
    actorRole: r.actor_role,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    note: r.note,
    data: (typeof r.data === 'string' ? JSON.parse(r.data) : (r.data ?? {})) as Record<string, unknown>,
  }));
}

/** Everything printed on the forms of one dossier the actor may see (404 otherwise). */
async function loadFormData(ctx: Ctx, idOrCode: string) {
  const actor = requireActor(ctx.actor);
  const { d, proc, parties } = await loadVisible(ctx.db, actor, idOrCode);
  const history = await historyOf(ctx.db, d.id);
  if (!d.code) return { d, parties, history, data: null };
  const [receiving, competent, files] = await Promise.all([
    agencyInfo(ctx.db, { id: d.receivingAgencyId }),
    agencyInfo(ctx.db, { id: d.competentAgencyId }),
    queryRows<{ component_code: string }>(ctx.db, sql`SELECT component_code FROM dossier_files WHERE dossier_id = ${d.id} AND removed_at IS NULL`),
  ]);
  if (!receiving || !competent) throw new AppError('internal', 'AGENCY_MISSING');
  const applicant = openApplicant<FormApplicant>(ctx.keyring, d);
  const def = proc.definition;
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.component_code, (counts.get(f.component_code) ?? 0) + 1);
  const addressText = applicant.address ? [applicant.address.detail, await unitName(ctx.db, applicant.address.unitCode)].filter(Boolean).join(', ') : null;
  const data: FormDossierData = {
    code: d.code,
    procedureCode: d.procedureCode,
    procedureName: proc.name,
    status: d.status,
    channel: d.channel,
    applicant,
    addressText,
    submittedAt: d.submittedAt,
    receivedAt: d.receivedAt,
    dueAt: d.dueAt,
    finishedAt: d.finishedAt,
    returnedAt: d.returnedAt,
    duration: def.duration,
    resultDelivery: def.resultDelivery,
    components: def.components.filter((c) => counts.has(c.code)).map((c) => ({ name: c.name, form: c.form, copies: c.copies, files: counts.get(c.code) ?? 0 })),
    receiving,
    competent,
    history,
    stepDeadlines: await workflowStepDeadlines(
      ctx.db,
      d,
      def.workflow.map((w) => w.share),
    ),
  };
  return { d, parties, history, data, receiving };
}

export interface DocumentLink {
  form: DossierFormCode;
  title: string;
  url: string;
}

/** The official forms available for a dossier, with their download URLs (API). */
export async function listDossierDocuments(ctx: Ctx, idOrCode: string): Promise<DocumentLink[]> {
  const actor = requireActor(ctx.actor);
  const { d } = await loadVisible(ctx.db, actor, idOrCode);
  const history = await historyOf(ctx.db, d.id);
  return availableForms(d, history).map((f) => ({ ...f, url: `/api/v1/dossiers/${encodeURIComponent(d.code!)}/documents/${f.form}.pdf` }));
}

/**
 * One form of a dossier as PDF. Errors: DOSSIER_NOT_FOUND (not visible), DOCUMENT_FORM_NOT_AVAILABLE
 * (409: the dossier has not reached the state the form records).
 */
export async function dossierFormPdf(ctx: Ctx, idOrCode: string, form: DossierFormCode): Promise<{ pdf: Buffer; fileName: string }> {
  const { d, parties, history, data, receiving } = await loadFormData(ctx, idOrCode);
  const available = availableForms(d, history);
  if (!data || !available.some((f) => f.form === form)) {
    throw new AppError('conflict', 'DOCUMENT_FORM_NOT_AVAILABLE', {
      userMessage: `Hồ sơ chưa có ${FORM_TITLES[form].toLocaleLowerCase('vi')} ở trạng thái hiện tại.`,
      details: { form, dossierStatus: d.status, availableForms: available.map((f) => f.form) },
    });
  }
  const place = await placeOf(ctx.db, receiving!.unitCode);
  const pdf = await renderDossierForm(form, data, { place, now: ctx.now });
  if (!parties.includes('applicant')) {
    await writeAudit(ctx, { action: 'document.form.read', targetType: 'dossier', targetId: d.id, details: { form } });
  }
  return { pdf, fileName: `mau-${form}-${data.code}.pdf` };
}

// ---------------------------------------------------------------------------------------------
// Form 07: the register

/**
 * The dossier register (form 07) of a unit (agency, commune or province code) for a period of
 * receipt dates, as PDF. Rows, period rules and access come from the reports module's register
 * (the same rows as its spreadsheet export): staff who may read the unit's reports.
 * Errors: those of `registerReport` (ROLE_REQUIRED, REPORT_UNIT_NOT_FOUND, REPORT_UNIT_FORBIDDEN,
 * REPORT_PERIOD_INVALID, REPORT_TOO_LARGE).
 */
export async function registerPdf(ctx: Ctx, q: { unit: string; from: string; to: string }): Promise<{ pdf: Buffer; fileName: string; count: number }> {
  const report = await registerReport(ctx, q);
  const agency = await agencyInfo(ctx.db, { code: report.unit.code });
  const issuer: FormAgency = agency ?? { code: report.unit.code, name: report.unit.name, parentName: null };
  const place = await placeOf(ctx.db, agency?.unitCode ?? report.unit.code);
  const rows: RegisterRow[] = report.rows.map((r) => ({
    code: r.code,
    procedureName: r.procedureName,
    applicantName: r.applicantName,
    applicantContact: r.applicantPhone ?? '',
    competentName: r.competentAgency,
    receivedAt: r.receivedAt,
    dueAt: r.dueAt,
    finishedAt: r.finishedAt,
    returnedAt: r.returnedAt,
    status: r.status,
    note: [r.supplementCount ? `Bổ sung ${r.supplementCount} lần` : '', r.extensionCount ? `Gia hạn ${r.extensionCount} lần` : ''].filter(Boolean).join('; '),
  }));
  const pdf = await renderRegister({ agency: issuer, from: report.from, to: report.to, rows }, { place, now: ctx.now });
  await auditExport(ctx, { report: 'register', format: 'pdf', unit: report.unit.code, from: report.from, to: report.to, rows: rows.length });
  return { pdf, fileName: `so-theo-doi-${report.unit.code}-${report.from}-${report.to}.pdf`, count: rows.length };
}

// ---------------------------------------------------------------------------------------------
// Sealed results

export interface SealedView {
  documentId: string;
  fileId: string | null;
  dossierCode: string;
  kind: 'uploaded' | 'generated';
  title: string;
  fileName: string;
  mediaType: string;
  size: number;
  sha256: string;
  keyId: string;
  issuer: { code: string; name: string };
  issuedAt: string;
  verificationUrl: string;
}

export function verificationUrl(baseUrl: string, documentId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/xac-thuc/${documentId}`;
}

interface SealedRow {
  id: string;
  file_id: string | null;
  dossier_code: string;
  kind: 'uploaded' | 'generated';
  title: string;
  file_name: string;
  media_type: string;
  size: number | string;
  sha256: string;
  key_id: string;
  signature: string;
  issuer_code: string;
  issuer_name: string;
  issued_at: Date | string;
  storage_key: string;
}

const SEALED_SELECT = sql`SELECT s.id, s.file_id, d.code AS dossier_code, s.kind, s.title, s.file_name, s.media_type, s.size, s.sha256, s.key_id, s.signature,
       a.code AS issuer_code, a.name AS issuer_name, s.issued_at, s.storage_key
  FROM sealed_documents s JOIN dossiers d ON d.id = s.dossier_id JOIN agencies a ON a.id = s.issuer_agency_id`;

function toView(r: SealedRow, baseUrl: string): SealedView {
  return {
    documentId: r.id,
    fileId: r.file_id,
    dossierCode: r.dossier_code,
    kind: r.kind,
    title: r.title,
    fileName: r.file_name,
    mediaType: r.media_type,
    size: Number(r.size),
    sha256: r.sha256,
    keyId: r.key_id,
    issuer: { code: r.issuer_code, name: r.issuer_name },
    issuedAt: toIso(new Date(r.issued_at)),
    verificationUrl: verificationUrl(baseUrl, r.id),
  };
}

/**
 * Why these parties may not seal a result for a dossier in this status, or null when they may:
 * staff handling the dossier (reception, specialist or leader in scope; DOCUMENT_RESULT_FORBIDDEN
 * otherwise), while it is in progress or done (DOCUMENT_RESULT_STATE otherwise). The rule of
 * `sealResult`, also used by the pages that offer the result form.
 */
export function resultSealRefusal(parties: readonly string[], status: string): AppError | null {
  if (!parties.some((p) => (STAFF as readonly string[]).includes(p))) {
    return new AppError('forbidden', 'DOCUMENT_RESULT_FORBIDDEN', { userMessage: 'Chỉ cán bộ xử lý hồ sơ được đính kèm kết quả.' });
  }
  if (status !== 'in_progress' && status !== 'done') {
    return new AppError('conflict', 'DOCUMENT_RESULT_STATE', {
      userMessage: 'Chỉ đính kèm kết quả khi hồ sơ đang xử lý hoặc đã xử lý xong.',
      details: { dossierStatus: status },
    });
  }
  return null;
}

export interface SealInput {
  /** An uploaded result file (PDF, JPEG or PNG). */
  file?: { fileName: string; data: Buffer } | undefined;
  /** Or a result generated by tinhso: a title and its text. */
  generated?: { title: string; content: string } | undefined;
  /** Title shown for an uploaded file (default: the procedure's result description). */
  title?: string | undefined;
  /**
   * The dossier version the caller saw (the portal's form), or the versions of the API's
   * `If-Match` (absent or `*`: undefined): checked before anything is stored and again under the
   * row lock, so a second click of one form seals nothing (DOSSIER_VERSION_STALE).
   */
  expectedVersion?: IfMatch | undefined;
}

/**
 * Seals a result document of a dossier and attaches it (component `ket_qua`), so it appears in
 * the dossier view and in the applicant's store for reuse. Staff handling the dossier only, while
 * it is in progress or done. The file is on disk before its rows commit, and is removed again only
 * when they certainly did not (`removeUnlessCommitted`).
 * Errors: DOSSIER_NOT_FOUND, DOCUMENT_RESULT_FORBIDDEN (403), DOCUMENT_RESULT_STATE (409),
 * DOCUMENT_RESULT_INPUT (422), FILE_TOO_LARGE, FILE_TYPE_NOT_ALLOWED, DOSSIER_VERSION_STALE (412,
 * only with `expectedVersion`).
 */
export async function sealResult(ctx: Ctx, files: LocalFileStore, ring: KeyRing, baseUrl: string, idOrCode: string, input: SealInput): Promise<SealedView> {
  const actor = requireActor(ctx.actor);
  const first = await loadVisible(ctx.db, actor, idOrCode);
  const check = (v: typeof first) => {
    const refusal = resultSealRefusal(v.parties, v.d.status);
    if (refusal) throw refusal;
  };
  check(first);
  // A stale form (a second click, an old tab) is refused before anything is rendered or stored; the check under the lock below stays.
  if (input.expectedVersion !== undefined) checkVersion(first.d, input.expectedVersion);
  if (!!input.file === !!input.generated) {
    throw new AppError('invalid', 'DOCUMENT_RESULT_INPUT', {
      userMessage: 'Cần gửi một tệp kết quả, hoặc tiêu đề và nội dung để tạo kết quả.',
      errors: [{ path: 'file', message: 'Cần tệp kết quả hoặc nội dung kết quả' }],
    });
  }
  const id = newId(ctx.now.getTime());
  const competent = await agencyInfo(ctx.db, { id: first.d.competentAgencyId });
  if (!competent) throw new AppError('internal', 'AGENCY_MISSING');
  const applicant = openApplicant<FormApplicant>(ctx.keyring, first.d);
  let data: Buffer;
  let fileName: string;
  let title: string;
  if (input.generated) {
    title = nfc(input.generated.title);
    const place = await placeOf(ctx.db, competent.unitCode);
    data = await renderResultPdf({
      documentId: id,
      title,
      content: nfc(input.generated.content),
      dossierCode: first.d.code!,
      procedureCode: first.d.procedureCode,
      procedureName: first.proc.name,
      applicant,
      issuer: competent,
      issuerName: actor.displayName,
      verifyUrl: verificationUrl(baseUrl, id),
      place,
      now: ctx.now,
    });
    // Named by its title, with a piece of its id: two results of one dossier never share a name.
    const slug =
      fold(title)
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60)
        .replace(/-+$/, '') || 'ket-qua';
    fileName = `${slug}-${first.d.code}-${id.slice(-6)}.pdf`;
  } else {
    data = input.file!.data;
    fileName =
      nfc(input.file!.fileName.replace(/^.*[\\/]/, ''))
        .replace(/[\u0000-\u001f<>:"|?*]/g, '_')
        .slice(0, 200) || 'ket-qua';
    title = nfc(input.title ?? '') || first.proc.definition.resultDescription;
  }
  const stored = await files.put(data, await getSetting(ctx.db, 'upload_max_bytes'));
  const issuedAt = ctx.now;
  const seal = sealWith(ring, {
    documentId: id,
    sha256: stored.sha256,
    dossierCode: first.d.code!,
    issuerAgencyCode: competent.code,
    issuedAt: issuedAt.toISOString(),
  });
  const fileId = newId(ctx.now.getTime());
  // The file is on disk before its rows commit. If they certainly do not (a refusal under the lock, an
  // error PostgreSQL answered), it goes again; if the outcome is unknown (the connection lost during
  // COMMIT), the rows are looked up first: a sealed result must never point at a missing file.
  try {
    await ctx.db.transaction(async (tx) => {
      const again = await loadVisible(tx, actor, first.d.id, true);
      check(again);
      if (input.expectedVersion !== undefined) checkVersion(again.d, input.expectedVersion);
      await tx.execute(sql`INSERT INTO dossier_files (id, dossier_id, component_code, file_name, media_type, size, sha256, storage_key, uploaded_by, created_at)
        VALUES (${fileId}, ${again.d.id}, ${RESULT_COMPONENT}, ${fileName}, ${stored.mediaType}, ${stored.size}, ${stored.sha256}, ${stored.storageKey}, ${actor.userId}, ${ctx.now})`);
      await tx.execute(sql`INSERT INTO sealed_documents (id, dossier_id, file_id, kind, title, file_name, media_type, size, sha256, key_id, signature,
          issuer_agency_id, issued_by, issued_at, storage_key, applicant_id_hash, applicant_user_id)
        VALUES (${id}, ${again.d.id}, ${fileId}, ${input.generated ? 'generated' : 'uploaded'}, ${title}, ${fileName}, ${stored.mediaType}, ${stored.size},
          ${stored.sha256}, ${seal.keyId}, ${seal.signature}, ${competent.id}, ${actor.userId}, ${issuedAt}, ${stored.storageKey},
          ${idNumberHash(ctx.keyring, applicantIdOf(applicant))}, ${again.d.applicantUserId})`);
      await tx.execute(sql`UPDATE dossiers SET version = version + 1, updated_at = ${ctx.now} WHERE id = ${again.d.id}`);
      await writeAudit(
        { ...ctx, db: tx },
        {
          action: 'document.result.seal',
          targetType: 'dossier',
          targetId: again.d.id,
          details: { documentId: id, fileId, sha256: stored.sha256, keyId: seal.keyId, kind: input.generated ? 'generated' : 'uploaded' },
        },
      );
    });
  } catch (err) {
    const outcome = await removeUnlessCommitted(files, [stored.storageKey], {
      failure: err,
      isCommitted: async () =>
        (
          await queryRows(
            ctx.db,
            sql`SELECT 1 AS one FROM sealed_documents WHERE id = ${id} UNION ALL SELECT 1 FROM dossier_files WHERE id = ${fileId} LIMIT 1`,
          )
        ).length > 0,
      log: ctx.log,
    });
    if (outcome !== 'committed') throw err;
    // The failure came after the COMMIT took effect (its answer was lost): the result is sealed.
    ctx.log.warn({ err, documentId: id }, 'sealing a result reported a failure, but its rows committed');
  }
  const [row] = await queryRows<SealedRow>(ctx.db, sql`${SEALED_SELECT} WHERE s.id = ${id}`);
  return toView(row!, baseUrl);
}

/** The sealed results of one dossier the actor may see. */
export async function listDossierResults(ctx: Ctx, baseUrl: string, idOrCode: string): Promise<SealedView[]> {
  return (await dossierResults(ctx, baseUrl, idOrCode)).items;
}

/**
 * The sealed results of one dossier the actor may see (`resultsVisible`), and whether they may
 * seal one now (`resultSealRefusal`), from one read of the dossier: the officers' page shows both.
 * Errors: DOSSIER_NOT_FOUND (a dossier the actor may not see).
 */
export async function dossierResults(ctx: Ctx, baseUrl: string, idOrCode: string): Promise<{ items: SealedView[]; canSeal: boolean }> {
  const { d, parties } = await loadVisible(ctx.db, requireActor(ctx.actor), idOrCode);
  const canSeal = resultSealRefusal(parties, d.status) === null;
  if (!resultsVisible(parties, d.status)) return { items: [], canSeal };
  const rows = await queryRows<SealedRow>(ctx.db, sql`${SEALED_SELECT} WHERE s.dossier_id = ${d.id} ORDER BY s.issued_at, s.id`);
  return { items: rows.map((r) => toView(r, baseUrl)), canSeal };
}

/**
 * The applicant's document store: every sealed result of the dossiers filed by or linked to
 * their account. `fileId` is what a later dossier passes as `reuseFileId` to reuse it
 * (POST /dossiers/{code}/files, recorded as reuse for the index).
 */
export async function listMyResults(ctx: Ctx, baseUrl: string): Promise<SealedView[]> {
  const actor = requireActor(ctx.actor);
  const rows = await queryRows<SealedRow>(
    ctx.db,
    sql`${SEALED_SELECT} WHERE d.applicant_user_id = ${actor.userId} AND d.status IN ('done', 'returned') ORDER BY s.issued_at DESC LIMIT 200`,
  );
  return rows.map((r) => toView(r, baseUrl));
}

// ---------------------------------------------------------------------------------------------
// Verification (public)

export interface Verification {
  authentic: boolean;
  documentId: string | null;
  dossierCode: string | null;
  issuer: { code: string; name: string } | null;
  issuedAt: string | null;
  sha256: string;
  keyId: string | null;
  title: string | null;
}

function subjectOf(r: SealedRow) {
  return { documentId: r.id, sha256: r.sha256, dossierCode: r.dossier_code, issuerAgencyCode: r.issuer_code, issuedAt: new Date(r.issued_at).toISOString() };
}

function verdict(r: SealedRow, authentic: boolean, sha256: string): Verification {
  return {
    authentic,
    documentId: r.id,
    dossierCode: r.dossier_code,
    issuer: { code: r.issuer_code, name: r.issuer_name },
    issuedAt: toIso(new Date(r.issued_at)),
    sha256,
    keyId: r.key_id,
    title: r.title,
  };
}

/**
 * Verifies a sealed document by its id: the seal must verify under a published key and the
 * stored bytes must still hash to the sealed SHA-256. Errors: DOCUMENT_NOT_FOUND.
 */
export async function verifyById(db: Db, files: LocalFileStore, ring: KeyRing, id: string): Promise<Verification> {
  const [row] = await queryRows<SealedRow>(db, sql`${SEALED_SELECT} WHERE s.id = ${id}::uuid`);
  if (!row) throw notFound('DOCUMENT_NOT_FOUND', 'văn bản');
  let stored: string | null = null;
  try {
    stored = createHash('sha256')
      .update(await files.read(row.storage_key))
      .digest('hex');
  } catch {
    stored = null;
  }
  const ok = verifySeal(ring, subjectOf(row), row.key_id, row.signature) && stored === row.sha256;
  return verdict(row, ok, stored ?? row.sha256);
}

/** Verifies a file someone holds: authentic when its SHA-256 matches a sealed document whose seal verifies. */
export async function verifyContent(db: Db, ring: KeyRing, data: Buffer): Promise<Verification> {
  const sha256 = createHash('sha256').update(data).digest('hex');
  const rows = await queryRows<SealedRow>(db, sql`${SEALED_SELECT} WHERE s.sha256 = ${sha256} ORDER BY s.issued_at LIMIT 20`);
  for (const r of rows) if (verifySeal(ring, subjectOf(r), r.key_id, r.signature)) return verdict(r, true, sha256);
  return { authentic: false, documentId: null, dossierCode: null, issuer: null, issuedAt: null, sha256, keyId: null, title: null };
}

/** The stored bytes of a sealed document (for the public verification page's download). */
export async function sealedFile(db: Db, files: LocalFileStore, id: string): Promise<{ data: Buffer; fileName: string; mediaType: string }> {
  const [row] = await queryRows<SealedRow>(db, sql`${SEALED_SELECT} WHERE s.id = ${id}::uuid`);
  if (!row) throw notFound('DOCUMENT_NOT_FOUND', 'văn bản');
  return { data: await files.read(row.storage_key), fileName: row.file_name, mediaType: row.media_type };
}

// ---------------------------------------------------------------------------------------------
// A generated result

interface ResultPdfInput {
  documentId: string;
  title: string;
  content: string;
  dossierCode: string;
  procedureCode: string;
  procedureName: string;
  applicant: FormApplicant;
  issuer: FormAgency;
  issuerName: string;
  verifyUrl: string;
  place: string;
  now: Date;
}

/** A result document generated by tinhso, its QR leading to the public verification page. */
export function renderResultPdf(r: ResultPdfInput): Promise<Buffer> {
  return renderPdf(
    {
      title: `${r.title} — ${r.dossierCode}`,
      subject: `Kết quả giải quyết thủ tục hành chính ${r.procedureCode}`,
      author: r.issuer.name,
      keywords: ['kết quả điện tử', r.dossierCode, r.procedureCode, `xác thực ${r.documentId}`],
      createdAt: r.now,
      qr: r.verifyUrl,
      header: { parentName: r.issuer.parentName, agencyName: r.issuer.name, place: r.place, date: r.now },
    },
    (w) => {
      w.title(r.title.toLocaleUpperCase('vi'));
      w.space();
      w.field('Mã hồ sơ', r.dossierCode);
      w.field('Thủ tục', `${r.procedureName} (mã thủ tục ${r.procedureCode})`);
      w.field(r.applicant.type === 'organisation' ? 'Tổ chức' : 'Người được cấp', r.applicant.organisationName ?? r.applicant.fullName);
      w.field('Số định danh', applicantIdOf(r.applicant));
      w.space();
      for (const para of r.content.split(/\n{2,}|\r\n\r\n/)) w.paragraph(para.trim());
      w.signatures([{ role: 'NGƯỜI KÝ', hint: '(Văn bản điện tử có niêm phong số của tỉnh)', name: r.issuerName }]);
      w.paragraph(`Mã xác thực: ${r.documentId}. Quét mã QR hoặc truy cập ${r.verifyUrl} để kiểm tra tính xác thực của văn bản.`, { italic: true, size: 9 });
      w.paragraph(`Niêm phong lúc ${formatVnDateTime(r.now)}.`, { italic: true, size: 9 });
    },
  );
}
