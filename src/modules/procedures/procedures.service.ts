import { eq, sql } from 'drizzle-orm';
import { procedureFields, procedures, procedureVersions } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireRole } from '../../platform/auth.ts';
import { hasRole, type Ctx } from '../../platform/context.ts';
import { AppError, notFound, type ErrorReasons } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { fold, nfc, viCollator } from '../../platform/text.ts';
import {
  clearProcedureCache,
  findAgenciesByCodes,
  findProcedure,
  findProcedureIdByCode,
  getVersionRow,
  listVersions,
  maxVersion,
  replaceReceivingAgencies,
  searchProcedureRows,
  type ProcedureRecord,
} from './procedures.repo.ts';
import { ProcedureDefinition, type ProcedureSearchQuery, type ProcedureSummary } from './procedures.schemas.ts';

export function toSummary(p: ProcedureRecord): ProcedureSummary {
  return {
    code: p.code,
    name: p.name,
    fieldCode: p.fieldCode,
    fieldName: p.fieldName,
    tier: p.tier,
    onlineLevel: p.onlineLevel,
    competentAgency: { code: p.competentAgency.code, name: p.competentAgency.name },
    version: p.version,
    duration: p.definition.duration,
    hasFee: p.definition.fees.some((f) => f.amount > 0),
  };
}

/** Exact-diacritic matches first, then the most used, then Vietnamese alphabetical order. */
export function rankProcedures<T extends { name: string; popularity?: number }>(items: T[], q: string | undefined): T[] {
  const needle = q ? nfc(q).toLocaleLowerCase('vi') : '';
  const exact = (p: T) => (needle && p.name.toLocaleLowerCase('vi').includes(needle) ? 0 : 1);
  return [...items].sort((a, b) => exact(a) - exact(b) || (b.popularity ?? 0) - (a.popularity ?? 0) || viCollator.compare(a.name, b.name));
}

/** Searches the published catalogue. */
export async function searchProcedures(ctx: Ctx, q: ProcedureSearchQuery) {
  const rows = rankProcedures(await searchProcedureRows(ctx.db, q), q.q);
  const start = (q.page - 1) * q.pageSize;
  return { items: rows.slice(start, start + q.pageSize).map(toSummary), total: rows.length };
}

/** The published procedure (or one version of it). Errors: PROCEDURE_NOT_FOUND. */
export async function getProcedure(ctx: Ctx, code: string, version?: number): Promise<ProcedureRecord> {
  // Draft versions are work in progress: administrators only.
  const p = await findProcedure(ctx.db, code, version, hasRole(ctx.actor, 'admin'));
  if (!p) throw notFound('PROCEDURE_NOT_FOUND', 'thủ tục hành chính');
  return p;
}

async function checkReferences(ctx: Ctx, def: ProcedureDefinition) {
  const [field] = await ctx.db.select().from(procedureFields).where(eq(procedureFields.code, def.fieldCode));
  const codes = [def.competentAgencyCode, ...def.receivingAgencyCodes];
  const found = await findAgenciesByCodes(ctx.db, codes);
  const errors = [];
  const reasons: ErrorReasons['reasons'] = [];
  if (!field) {
    errors.push({ path: 'definition.fieldCode', message: `Lĩnh vực ${def.fieldCode} không tồn tại` });
    reasons.push([{ reason: 'field_missing', params: { code: def.fieldCode } }]);
  }
  for (const c of new Set(codes)) {
    if (found.some((a) => a.code === c)) continue;
    errors.push({ path: 'definition', message: `Cơ quan ${c} không tồn tại` });
    reasons.push([{ reason: 'agency_missing', params: { code: c } }]);
  }
  if (errors.length)
    throw new AppError('invalid', 'PROCEDURE_REFERENCE_INVALID', {
      userMessage: 'Thủ tục tham chiếu dữ liệu không tồn tại.',
      errors,
      cause: { reasons } satisfies ErrorReasons,
    });
  return found;
}

/**
 * Every string of an incoming definition in NFC (DOMAIN section 12): names, labels, help, option
 * values and labels, components, fees, steps, legal basis, patterns. Answers are compared in NFC,
 * so an option value sent decomposed would otherwise never match. Object keys are the schema's
 * own ASCII names and are left as they are.
 */
export function nfcDeep(value: unknown): unknown {
  if (typeof value === 'string') return value.normalize('NFC');
  if (Array.isArray(value)) return value.map(nfcDeep);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nfcDeep(v)]));
  return value;
}

function normaliseDefinition(input: unknown): ProcedureDefinition {
  // Normalised before validation, so checks such as unique option values see the stored form.
  const parsed = ProcedureDefinition.safeParse(nfcDeep(input));
  if (!parsed.success) {
    throw new AppError('invalid', 'PROCEDURE_DEFINITION_INVALID', {
      userMessage: 'Định nghĩa thủ tục không hợp lệ.',
      errors: parsed.error.issues.map((i) => ({ path: ['definition', ...i.path].join('.'), message: i.message })),
    });
  }
  return parsed.data;
}

/**
 * Creates a procedure with its first version as a draft (administrators). Errors:
 * PROCEDURE_CODE_TAKEN, PROCEDURE_DEFINITION_INVALID, PROCEDURE_REFERENCE_INVALID.
 */
export async function createProcedure(ctx: Ctx, code: string, input: unknown, decisionRef?: string) {
  const actor = requireRole(ctx.actor, 'admin');
  const def = normaliseDefinition(input);
  const agencies = await checkReferences(ctx, def);
  return ctx.db.transaction(async (tx) => {
    if (await findProcedureIdByCode(tx, code))
      throw new AppError('conflict', 'PROCEDURE_CODE_TAKEN', {
        userMessage: `Mã thủ tục ${code} đã tồn tại.`,
        cause: { params: { code } } satisfies ErrorReasons,
      });
    const id = newId();
    await tx.insert(procedures).values({
      id,
      code,
      name: def.name,
      searchText: fold(`${def.name} ${code}`),
      fieldCode: def.fieldCode,
      tier: def.tier,
      onlineLevel: def.onlineLevel,
      competentAgencyId: agencies.find((a) => a.code === def.competentAgencyCode)!.id,
      popularity: def.popularity,
    });
    await tx.insert(procedureVersions).values({
      id: newId(),
      procedureId: id,
      version: 1,
      status: 'draft',
      definition: def,
      decisionRef: decisionRef === undefined ? null : nfc(decisionRef),
      createdBy: actor.userId,
    });
    await writeAudit({ ...ctx, db: tx }, { action: 'procedure.create', targetType: 'procedure', targetId: code });
    return { code, version: 1, status: 'draft' as const };
  });
}

/** Adds a new draft version (administrators). Errors: PROCEDURE_NOT_FOUND, PROCEDURE_DEFINITION_INVALID. */
export async function createProcedureVersion(ctx: Ctx, code: string, input: unknown, decisionRef?: string) {
  const actor = requireRole(ctx.actor, 'admin');
  const def = normaliseDefinition(input);
  await checkReferences(ctx, def);
  return ctx.db.transaction(async (tx) => {
    const p = await findProcedureIdByCode(tx, code);
    if (!p) throw notFound('PROCEDURE_NOT_FOUND', 'thủ tục hành chính');
    await tx.execute(sql`SELECT 1 FROM procedures WHERE id = ${p.id} FOR UPDATE`);
    const version = (await maxVersion(tx, p.id)) + 1;
    await tx.insert(procedureVersions).values({
      id: newId(),
      procedureId: p.id,
      version,
      status: 'draft',
      definition: def,
      decisionRef: decisionRef === undefined ? null : nfc(decisionRef),
      createdBy: actor.userId,
    });
    await writeAudit({ ...ctx, db: tx }, { action: 'procedure.version.create', targetType: 'procedure', targetId: code, details: { version } });
    return { code, version, status: 'draft' as const };
  });
}

/**
 * Publishes a draft version: it becomes the one new dossiers use; dossiers already filed keep
 * theirs. Errors: PROCEDURE_NOT_FOUND, PROCEDURE_VERSION_NOT_DRAFT, PROCEDURE_DEFINITION_INVALID.
 */
export async function publishProcedureVersion(ctx: Ctx, code: string, version: number) {
  const actor = requireRole(ctx.actor, 'admin');
  const result = await ctx.db.transaction(async (tx) => {
    const p = await findProcedureIdByCode(tx, code);
    if (!p) throw notFound('PROCEDURE_NOT_FOUND', 'thủ tục hành chính');
    const v = await getVersionRow(tx, p.id, version);
    if (!v) throw notFound('PROCEDURE_VERSION_NOT_FOUND', 'phiên bản thủ tục');
    if (v.status !== 'draft') {
      throw new AppError('conflict', 'PROCEDURE_VERSION_NOT_DRAFT', { userMessage: 'Chỉ công bố được phiên bản nháp.', details: { versionStatus: v.status } });
    }
    // Checked again with today's rules: a draft stored before a rule tightened is refused with its errors, not a crash.
    const def = normaliseDefinition(v.definition);
    const agencies = await findAgenciesByCodes(tx, [def.competentAgencyCode, ...def.receivingAgencyCodes]);
    const competent = agencies.find((a) => a.code === def.competentAgencyCode);
    if (!competent)
      throw new AppError('invalid', 'PROCEDURE_REFERENCE_INVALID', {
        userMessage: 'Cơ quan có thẩm quyền không tồn tại.',
        cause: { reason: 'competent_agency_missing', params: { code: def.competentAgencyCode } } satisfies ErrorReasons,
      });
    await tx.execute(sql`UPDATE procedure_versions SET status = 'superseded' WHERE procedure_id = ${p.id} AND status = 'published'`);
    await tx.update(procedureVersions).set({ status: 'published', publishedAt: ctx.now, publishedBy: actor.userId }).where(eq(procedureVersions.id, v.id));
    await tx
      .update(procedures)
      .set({
        currentVersionId: v.id,
        currentVersion: version,
        name: def.name,
        searchText: fold(`${def.name} ${code}`),
        fieldCode: def.fieldCode,
        tier: def.tier,
        onlineLevel: def.onlineLevel,
        competentAgencyId: competent.id,
        popularity: def.popularity,
        updatedAt: ctx.now,
      })
      .where(eq(procedures.id, p.id));
    await replaceReceivingAgencies(
      tx,
      p.id,
      agencies.filter((a) => def.receivingAgencyCodes.includes(a.code)).map((a) => a.id),
    );
    await writeAudit({ ...ctx, db: tx }, { action: 'procedure.version.publish', targetType: 'procedure', targetId: code, details: { version } });
    return { code, version, status: 'published' as const };
  });
  // After commit, so no reader can cache the old version again in between.
  clearProcedureCache();
  return result;
}

export async function getProcedureVersions(ctx: Ctx, code: string) {
  requireRole(ctx.actor, 'admin');
  const p = await findProcedureIdByCode(ctx.db, code);
  if (!p) throw notFound('PROCEDURE_NOT_FOUND', 'thủ tục hành chính');
  return listVersions(ctx.db, p.id);
}
