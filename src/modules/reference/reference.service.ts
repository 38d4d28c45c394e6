import { and, asc, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.ts';
import { adminUnits, adminUnitSuccessions, agencies, userRoles, users } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor, requireRole } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { parseCsvTable, tooManyCells } from '../../platform/csv.ts';
import { AppError, notFound, type ErrorReason, type ErrorReasons, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { isRealDay } from '../../platform/schemas.ts';
import { fold, nfc } from '../../platform/text.ts';
import { TtlCache } from '../../platform/cache.ts';
import { formatDay, vnDate } from '../../platform/time.ts';

const UNIT_TYPES = ['province', 'city', 'district', 'town', 'ward', 'commune', 'special_zone', 'township'] as const;
type UnitType = (typeof UNIT_TYPES)[number];

export interface UnitInput {
  code: string;
  name: string;
  type: UnitType;
  parentCode: string | null;
  validFrom: string;
  validTo?: string | null;
}

/** Administrative units in force on a date (default: today), optionally under a parent. */
export async function listUnits(db: Db, at: string, parentCode?: string) {
  return db
    .select({
      code: adminUnits.code,
      name: adminUnits.name,
      type: adminUnits.type,
      parentCode: adminUnits.parentCode,
      validFrom: adminUnits.validFrom,
      validTo: adminUnits.validTo,
    })
    .from(adminUnits)
    .where(
      and(
        lte(adminUnits.validFrom, at),
        or(isNull(adminUnits.validTo), gte(adminUnits.validTo, at)),
        parentCode ? eq(adminUnits.parentCode, parentCode) : undefined,
      ),
    )
    .orderBy(asc(adminUnits.code));
}

/** Inserts or updates unit versions keyed by (code, validFrom); a new version closes the previous one. */
export async function upsertUnits(db: Db, units: UnitInput[]): Promise<{ inserted: number; updated: number }> {
  unitVersions.clear();
  let inserted = 0;
  let updated = 0;
  for (const u of units) {
    const name = nfc(u.name);
    const res = await db
      .insert(adminUnits)
      .values({
        id: newId(),
        code: u.code,
        name,
        type: u.type,
        parentCode: u.parentCode,
        validFrom: u.validFrom,
        validTo: u.validTo ?? null,
        searchText: fold(name),
      })
      .onConflictDoUpdate({
        target: [adminUnits.code, adminUnits.validFrom],
        set: { name, type: u.type, parentCode: u.parentCode, validTo: u.validTo ?? null, searchText: fold(name) },
      })
      .returning({ inserted: sql<boolean>`(xmax = 0)` });
    if (res[0]?.inserted) inserted++;
    else updated++;
    // Versions of one code never overlap: close the one before this, and end this one where the
    // next begins (versions may be imported in any order).
    await db.execute(sql`UPDATE admin_units SET valid_to = (${u.validFrom}::date - 1)
      WHERE code = ${u.code} AND valid_from < ${u.validFrom} AND (valid_to IS NULL OR valid_to >= ${u.validFrom})`);
    await db.execute(sql`UPDATE admin_units u SET valid_to = (n.next_from - 1)
      FROM (SELECT min(valid_from) AS next_from FROM admin_units WHERE code = ${u.code} AND valid_from > ${u.validFrom}) n
      WHERE u.code = ${u.code} AND u.valid_from = ${u.validFrom} AND n.next_from IS NOT NULL
        AND (u.valid_to IS NULL OR u.valid_to >= n.next_from)`);
  }
  return { inserted, updated };
}

const ISO_FORM = /^\d{4}-\d{2}-\d{2}$/;
const UNITS_COLUMNS = { required: ['code', 'name', 'type', 'parent_code', 'valid_from'], optional: ['valid_to'] };

/**
 * Parses a units CSV (code,name,type,parent_code,valid_from[,valid_to]); every bad row is reported,
 * in the administrators' page's Vietnamese words (`admin.svc.UNITS_CSV_INVALID.<reason>`), with its reasons.
 */
export function parseUnitsCsv(text: string): { units: UnitInput[]; errors: FieldError[]; reasons: ErrorReason[][] } {
  const table = parseCsvTable(text, UNITS_COLUMNS);
  if (!table.ok) return { units: [], errors: [table.problem], reasons: [[table.reason]] };
  const units: UnitInput[] = [];
  const errors: FieldError[] = [];
  const reasons: ErrorReason[][] = [];
  for (const { line, cells } of table.rows) {
    const [code = '', name = '', type = '', parent = '', from = '', to = ''] = cells.map((c) => c.trim());
    const problems: string[] = [];
    const why: ErrorReason[] = [];
    const problem = (message: string, reason: string, params?: ErrorReason['params']) => {
      problems.push(message);
      why.push(params ? { reason, params } : { reason });
    };
    const extra = tooManyCells(cells, table.columns);
    if (extra) problem(extra, 'too_many_columns', { n: cells.length, max: table.columns });
    if (!/^(\d{2}|\d{3}|\d{5})$/.test(code)) problem('mã phải có 2 chữ số (tỉnh), 3 (huyện cũ) hoặc 5 (xã)', 'code');
    if (!name) problem('thiếu tên', 'name_empty');
    if (!(UNIT_TYPES as readonly string[]).includes(type))
      problem(`loại (type) phải là một trong: ${UNIT_TYPES.join(', ')}`, 'type', { types: UNIT_TYPES.join(', ') });
    if (parent && !/^(\d{2}|\d{3}|\d{5})$/.test(parent)) problem('mã cấp trên (parent_code) không phải mã đơn vị hành chính', 'parent_code');
    // A date of the right form that does not exist (2026-13-01, 2026-02-30) is said as such, not as a wrong form.
    if (ISO_FORM.test(from) && !isRealDay(from))
      problem(`ngày hiệu lực (valid_from) ${from} không phải là một ngày có thật`, 'valid_from_no_such_date', { date: from });
    else if (!isRealDay(from)) problem('ngày hiệu lực (valid_from) phải có dạng NNNN-TT-NN', 'valid_from');
    if (to && ISO_FORM.test(to) && !isRealDay(to))
      problem(`ngày hết hiệu lực (valid_to) ${to} không phải là một ngày có thật`, 'valid_to_no_such_date', { date: to });
    else if (to && (!isRealDay(to) || to < from)) problem('ngày hết hiệu lực (valid_to) phải là một ngày từ valid_from trở đi', 'valid_to');
    if (problems.length) {
      errors.push({ path: `csv.line${line}`, message: problems.join('; ') });
      reasons.push(why);
    } else units.push({ code, name, type: type as UnitType, parentCode: parent || null, validFrom: from, validTo: to || null });
  }
  return { units, errors, reasons };
}

/**
 * Imports units from CSV (administrators); all or nothing. Errors: UNITS_CSV_INVALID (one field
 * error per bad line; its `cause` gives each line's reasons, see ErrorReasons).
 */
export async function importUnitsCsv(ctx: Ctx, text: string) {
  requireRole(ctx.actor, 'admin');
  const { units, errors, reasons } = parseUnitsCsv(text);
  if (errors.length)
    throw new AppError('invalid', 'UNITS_CSV_INVALID', {
      userMessage: 'Tệp CSV có dòng không hợp lệ; chưa nhập dòng nào.',
      errors,
      cause: { reasons } satisfies ErrorReasons,
    });
  return ctx.db.transaction(async (tx) => {
    const r = await upsertUnits(tx, units);
    await writeAudit({ ...ctx, db: tx }, { action: 'units.import', targetType: 'admin_units', details: { rows: units.length, ...r } });
    return { rows: units.length, ...r };
  });
}

export async function listAgencies(db: Db) {
  return db
    .select({
      code: agencies.code,
      name: agencies.name,
      shortName: agencies.shortName,
      identityCode: agencies.identityCode,
      unitCode: agencies.unitCode,
      kind: agencies.kind,
    })
    .from(agencies)
    .where(eq(agencies.isActive, true))
    .orderBy(asc(agencies.code));
}

/** Staff of an agency with a role (for the assign picker); staff of that agency only. */
export async function listAgencyStaff(ctx: Ctx, agencyCode: string, role: 'reception' | 'specialist' | 'leader') {
  const actor = requireActor(ctx.actor);
  const [agency] = await ctx.db.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, agencyCode));
  if (!agency || !actor.agencyScope.includes(agency.id)) throw notFound('AGENCY_NOT_FOUND', 'cơ quan');
  return ctx.db
    .select({ id: users.id, displayName: users.displayName, username: users.username })
    .from(userRoles)
    .innerJoin(users, eq(users.id, userRoles.userId))
    .where(and(eq(userRoles.agencyId, agency.id), eq(userRoles.role, role), eq(users.isActive, true)))
    .orderBy(asc(users.displayName));
}

export interface AgencyInput {
  code: string;
  name: string;
  shortName: string;
  identityCode: string;
  parentCode?: string | null | undefined;
  unitCode: string;
  kind: 'service_centre' | 'department' | 'commune_committee' | 'other';
}

/**
 * Creates an agency, or updates the one with this code (administrators). A parent must exist
 * and may not be the agency itself or one of its descendants. The unit code of a new agency, or a
 * changed one, must be an administrative unit in force today (an agency whose unit was later
 * replaced can still be renamed). Errors: AGENCY_INVALID (naming `parentCode` or `unitCode`),
 * AGENCY_IDENTITY_CODE_TAKEN.
 */
export async function saveAgency(ctx: Ctx, input: AgencyInput): Promise<{ created: boolean }> {
  requireRole(ctx.actor, 'admin');
  const [before] = await ctx.db.select({ unitCode: agencies.unitCode }).from(agencies).where(eq(agencies.code, input.code));
  if (before?.unitCode !== input.unitCode) {
    const problem = await unitCodeReason(ctx.db, input.unitCode, vnDate(ctx.now));
    if (problem) {
      throw new AppError('invalid', 'AGENCY_INVALID', {
        userMessage: `${problem.message}.`,
        errors: [{ path: 'unitCode', message: problem.message }],
        cause: { reasons: [[problem.reason]] } satisfies ErrorReasons,
      });
    }
  }
  const saved = await ctx.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, input.code));
    let parentId: string | null = null;
    if (input.parentCode) {
      const [parent] = await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, input.parentCode));
      if (!parent)
        throw new AppError('invalid', 'AGENCY_INVALID', {
          userMessage: 'Cơ quan cấp trên không tồn tại.',
          errors: [{ path: 'parentCode', message: 'không tồn tại' }],
          cause: { reasons: [[{ reason: 'parent_missing', params: { code: input.parentCode } }]] } satisfies ErrorReasons,
        });
      if (existing) {
        const [cycle] = await tx
          .execute(
            sql`WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM agencies WHERE id = ${parent.id}
            UNION SELECT a.id, a.parent_id FROM agencies a JOIN up ON a.id = up.parent_id) SELECT 1 AS hit FROM up WHERE id = ${existing.id}`,
          )
          .then((r) => (r as unknown as { rows: unknown[] }).rows);
        if (cycle)
          throw new AppError('invalid', 'AGENCY_INVALID', {
            userMessage: 'Cơ quan không thể trực thuộc chính nó.',
            errors: [{ path: 'parentCode', message: 'tạo thành vòng' }],
            cause: { reasons: [[{ reason: 'parent_cycle', params: { code: input.parentCode } }]] } satisfies ErrorReasons,
          });
      }
      parentId = parent.id;
    }
    const taken = await tx.select({ code: agencies.code }).from(agencies).where(eq(agencies.identityCode, input.identityCode));
    if (taken.some((a) => a.code !== input.code)) {
      throw new AppError('conflict', 'AGENCY_IDENTITY_CODE_TAKEN', {
        userMessage: 'Mã định danh đã được cơ quan khác dùng.',
        errors: [{ path: 'identityCode', message: 'đã dùng' }],
        cause: {
          params: { identityCode: input.identityCode },
          reasons: [[{ reason: 'taken', params: { identityCode: input.identityCode } }]],
        } satisfies ErrorReasons,
      });
    }
    const values = {
      name: nfc(input.name),
      shortName: nfc(input.shortName),
      identityCode: input.identityCode,
      parentId,
      unitCode: input.unitCode,
      kind: input.kind,
    };
    if (existing) await tx.update(agencies).set(values).where(eq(agencies.id, existing.id));
    else await tx.insert(agencies).values({ id: newId(), code: input.code, ...values });
    await writeAudit(
      { ...ctx, db: tx },
      { action: existing ? 'agency.update' : 'agency.create', targetType: 'agency', targetId: input.code, details: { ...values } },
    );
    return { created: !existing };
  });
  agencyMaps.clear();
  return saved;
}

/** Each commune's active People's Committee and each agency's unit code. */
export interface AgencyUnitMaps {
  committeeByUnit: ReadonlyMap<string, string>;
  unitOfAgency: ReadonlyMap<string, string>;
}
// Per process, for a minute; this instance forgets it when it saves an agency.
const agencyMaps = new TtlCache<'all', AgencyUnitMaps>(60_000, 1);

/** Which committee decides for a commune, and where each agency is (for commune-tier dossiers). */
export async function agencyUnitMaps(db: Db): Promise<AgencyUnitMaps> {
  const hit = agencyMaps.get('all');
  if (hit) return hit;
  const rows = await db.select({ id: agencies.id, kind: agencies.kind, unitCode: agencies.unitCode, isActive: agencies.isActive }).from(agencies);
  const maps = {
    committeeByUnit: new Map(rows.filter((r) => r.kind === 'commune_committee' && r.isActive).map((r) => [r.unitCode, r.id])),
    unitOfAgency: new Map(rows.map((r) => [r.id, r.unitCode])),
  };
  agencyMaps.set('all', maps);
  return maps;
}

// Unit codes are checked on every form that names a commune; the table changes only by import.
const unitVersions = new TtlCache<string, { validFrom: string; validTo: string | null }[]>(60_000);

/** Whether a unit code is in force on a date (any of its versions); cached for a minute. */
export async function isUnitInForce(db: Db, code: string, at: string): Promise<boolean> {
  let versions = unitVersions.get(code);
  if (!versions) {
    versions = await db.select({ validFrom: adminUnits.validFrom, validTo: adminUnits.validTo }).from(adminUnits).where(eq(adminUnits.code, code));
    unitVersions.set(code, versions);
  }
  return versions.some((v) => v.validFrom <= at && (v.validTo === null || v.validTo >= at));
}

/**
 * The names of unit codes (each code's latest version), so a page shows "Phường Nam Định (13669)"
 * rather than a bare code. Codes not in the table are left out.
 */
export async function unitNamesByCode(db: Db, codes: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(codes)].filter((c) => /^\d{2,5}$/.test(c));
  const names = new Map<string, string>();
  if (!wanted.length) return names;
  const rows = await db
    .select({ code: adminUnits.code, name: adminUnits.name })
    .from(adminUnits)
    .where(inArray(adminUnits.code, wanted))
    .orderBy(asc(adminUnits.validFrom));
  for (const r of rows) names.set(r.code, r.name);
  return names;
}

// ---------------------------------------------------------------------------------------------
// Successions: old code → new code from an effective date (mergers, splits, renumbering)

const UNIT_CODE = /^(\d{2}|\d{3}|\d{5})$/;
const SUCCESSION_COLUMNS = { required: ['from_code', 'to_code', 'effective_date'], optional: ['note'] };
/** Rows per INSERT statement: the national list (≈10,000 old communes) is a few dozen statements. */
const SUCCESSION_BATCH = 500;

export interface SuccessionInput {
  fromCode: string;
  toCode: string;
  effectiveDate: string;
  note: string | null;
}

/**
 * Parses a successions CSV (from_code,to_code,effective_date[,note]; header row; UTF-8). Every bad
 * row is reported with the line of the file it is on; a row repeated in the file is an error too.
 */
export function parseSuccessionsCsv(text: string): { successions: (SuccessionInput & { line: number })[]; errors: FieldError[] } {
  const table = parseCsvTable(text, SUCCESSION_COLUMNS);
  if (!table.ok) return { successions: [], errors: [table.problem] };
  const successions: (SuccessionInput & { line: number })[] = [];
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  for (const { line, cells } of table.rows) {
    const [from = '', to = '', date = '', note = ''] = cells.map((c) => c.trim());
    const problems: string[] = [];
    const extra = tooManyCells(cells, table.columns);
    if (extra) problems.push(extra);
    if (!UNIT_CODE.test(from)) problems.push('mã cũ (from_code) phải có 2 chữ số (tỉnh), 3 (huyện cũ) hoặc 5 (xã)');
    if (!UNIT_CODE.test(to)) problems.push('mã mới (to_code) phải có 2 chữ số (tỉnh), 3 (huyện cũ) hoặc 5 (xã)');
    if (from && from === to) problems.push('mã cũ (from_code) và mã mới (to_code) trùng nhau');
    if (!isRealDay(date)) problems.push('ngày hiệu lực (effective_date) phải có dạng NNNN-TT-NN');
    if (note.length > 2000) problems.push('ghi chú (note) dài quá 2000 ký tự');
    const key = `${from}>${to}@${date}`;
    const first = seen.get(key);
    if (first !== undefined) problems.push(`trùng với dòng ${first}`);
    else seen.set(key, line);
    if (problems.length) errors.push({ path: `csv.line${line}`, message: problems.join('; ') });
    else successions.push({ line, fromCode: from, toCode: to, effectiveDate: date, note: note ? nfc(note) : null });
  }
  return { successions, errors };
}

const lineOf = (e: FieldError) => Number(/^csv\.line(\d+)$/.exec(e.path)?.[1] ?? 0);

/** Lines whose successor is not a unit in force on the effective date (the old code need not be in the table). */
async function checkSuccessors(db: Db, rows: (SuccessionInput & { line: number })[]): Promise<FieldError[]> {
  const toCodes = [...new Set(rows.map((r) => r.toCode))];
  const versions = new Map<string, { validFrom: string; validTo: string | null }[]>();
  for (let i = 0; i < toCodes.length; i += SUCCESSION_BATCH) {
    const found = await db
      .select({ code: adminUnits.code, validFrom: adminUnits.validFrom, validTo: adminUnits.validTo })
      .from(adminUnits)
      .where(inArray(adminUnits.code, toCodes.slice(i, i + SUCCESSION_BATCH)));
    for (const v of found) versions.set(v.code, [...(versions.get(v.code) ?? []), v]);
  }
  return rows
    .filter((r) => !(versions.get(r.toCode) ?? []).some((v) => v.validFrom <= r.effectiveDate && (v.validTo === null || v.validTo >= r.effectiveDate)))
    .map((r) => ({
      path: `csv.line${r.line}`,
      message: `mã mới (to_code) ${r.toCode} không phải đơn vị hành chính còn hiệu lực vào ngày ${r.effectiveDate} (hãy nhập đơn vị này trước)`,
    }));
}

/**
 * Checks a successions CSV and writes it: all or nothing, every bad line listed (the file's
 * shape and a successor that is not a unit in force on the effective date, e.g. a typo). A row
 * already present is left alone or gets the new note, so importing a file again changes nothing.
 * The old code need not be in the unit table (units closed before the platform began are often
 * not imported). Errors: UNIT_SUCCESSIONS_CSV_INVALID.
 */
export async function loadSuccessionsCsv(db: Db, text: string): Promise<{ rows: number; inserted: number; updated: number; unchanged: number }> {
  const { successions, errors } = parseSuccessionsCsv(text);
  const all = [...errors, ...(await checkSuccessors(db, successions))].sort((a, b) => lineOf(a) - lineOf(b));
  if (all.length)
    throw new AppError('invalid', 'UNIT_SUCCESSIONS_CSV_INVALID', { userMessage: 'Tệp CSV có dòng không hợp lệ; chưa nhập dòng nào.', errors: all });
  let inserted = 0;
  let updated = 0;
  for (let i = 0; i < successions.length; i += SUCCESSION_BATCH) {
    const batch = successions.slice(i, i + SUCCESSION_BATCH);
    const res = await db
      .insert(adminUnitSuccessions)
      .values(batch.map((r) => ({ fromCode: r.fromCode, toCode: r.toCode, effectiveDate: r.effectiveDate, note: r.note })))
      .onConflictDoUpdate({
        target: [adminUnitSuccessions.fromCode, adminUnitSuccessions.toCode, adminUnitSuccessions.effectiveDate],
        set: { note: sql`excluded.note` },
        setWhere: sql`${adminUnitSuccessions.note} IS DISTINCT FROM excluded.note`,
      })
      .returning({ inserted: sql<boolean>`(xmax = 0)` });
    for (const r of res) {
      if (r.inserted) inserted++;
      else updated++;
    }
  }
  return { rows: successions.length, inserted, updated, unchanged: successions.length - inserted - updated };
}

/** Imports successions from CSV (administrators), with an audit record. Errors: UNIT_SUCCESSIONS_CSV_INVALID. */
export async function importSuccessionsCsv(ctx: Ctx, text: string) {
  requireRole(ctx.actor, 'admin');
  return ctx.db.transaction(async (tx) => {
    const r = await loadSuccessionsCsv(tx, text);
    await writeAudit({ ...ctx, db: tx }, { action: 'units.successions.import', targetType: 'admin_unit_successions', details: r });
    return r;
  });
}

/**
 * Deletes one succession row (administrators), e.g. one imported by mistake, with an audit record
 * `units.successions.delete` holding the row, in one transaction. Nothing caches successions (each
 * lookup reads the table), so forms stop naming the deleted successor at once on every instance.
 * Errors: ROLE_REQUIRED; SUCCESSION_NOT_FOUND.
 */
export async function deleteSuccession(ctx: Ctx, id: number): Promise<void> {
  requireRole(ctx.actor, 'admin');
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx.delete(adminUnitSuccessions).where(eq(adminUnitSuccessions.id, id)).returning({
      fromCode: adminUnitSuccessions.fromCode,
      toCode: adminUnitSuccessions.toCode,
      effectiveDate: adminUnitSuccessions.effectiveDate,
      note: adminUnitSuccessions.note,
    });
    if (!row) throw notFound('SUCCESSION_NOT_FOUND', 'liên kết kế thừa đơn vị hành chính');
    await writeAudit(
      { ...ctx, db: tx },
      { action: 'units.successions.delete', targetType: 'admin_unit_successions', targetId: String(id), details: { ...row } },
    );
  });
}

export interface SuccessionLink {
  /** The succession row's id (`DELETE /units/successions/{id}`). */
  id: number;
  code: string;
  /** The unit's name on the effective date (successor) or the day before (predecessor); null when the unit is not in the table. */
  name: string | null;
  effectiveDate: string;
  note: string | null;
}

/** A unit's direct successors and predecessors. Errors: UNIT_NOT_FOUND (no unit and no succession has this code). */
export async function getUnitSuccessions(db: Db, code: string): Promise<{ code: string; successors: SuccessionLink[]; predecessors: SuccessionLink[] }> {
  const links = await queryRows<{ dir: 'next' | 'prev'; id: string | number; code: string; name: string | null; effective_date: string; note: string | null }>(
    db,
    sql`SELECT 'next' AS dir, s.id, s.to_code AS code, to_char(s.effective_date, 'YYYY-MM-DD') AS effective_date, s.note,
          (SELECT u.name FROM admin_units u WHERE u.code = s.to_code AND u.valid_from <= s.effective_date
             AND (u.valid_to IS NULL OR u.valid_to >= s.effective_date) ORDER BY u.valid_from DESC LIMIT 1) AS name
        FROM admin_unit_successions s WHERE s.from_code = ${code}
        UNION ALL
        SELECT 'prev', s.id, s.from_code, to_char(s.effective_date, 'YYYY-MM-DD'), s.note,
          (SELECT u.name FROM admin_units u WHERE u.code = s.from_code AND u.valid_from < s.effective_date
             AND (u.valid_to IS NULL OR u.valid_to >= s.effective_date - 1) ORDER BY u.valid_from DESC LIMIT 1)
        FROM admin_unit_successions s WHERE s.to_code = ${code}
        ORDER BY 1, 4, 3`,
  );
  if (links.length === 0) {
    const [unit] = await db.select({ id: adminUnits.id }).from(adminUnits).where(eq(adminUnits.code, code)).limit(1);
    if (!unit) throw notFound('UNIT_NOT_FOUND', 'đơn vị hành chính');
  }
  const link = (r: (typeof links)[number]): SuccessionLink => ({ id: Number(r.id), code: r.code, name: r.name, effectiveDate: r.effective_date, note: r.note });
  return { code, successors: links.filter((r) => r.dir === 'next').map(link), predecessors: links.filter((r) => r.dir === 'prev').map(link) };
}

/**
 * The units in force on a date that replaced a code, following chains of successions (A → B → C
 * when B too was replaced before that date), each with the date it took over.
 */
export async function findCurrentSuccessors(db: Db, code: string, at: string): Promise<{ code: string; name: string; effectiveDate: string }[]> {
  const found = new Map<string, string>();
  const visited = new Set([code]);
  let frontier = new Map([[code, '0000-01-01']]);
  for (let depth = 0; depth < 10 && frontier.size > 0; depth++) {
    const next = await db
      .select({ fromCode: adminUnitSuccessions.fromCode, toCode: adminUnitSuccessions.toCode, effectiveDate: adminUnitSuccessions.effectiveDate })
      .from(adminUnitSuccessions)
      .where(and(inArray(adminUnitSuccessions.fromCode, [...frontier.keys()]), lte(adminUnitSuccessions.effectiveDate, at)));
    const following = new Map<string, string>();
    for (const s of next) {
      if (visited.has(s.toCode)) continue;
      // The date the final successor took over is the latest step of the chain.
      const since = [frontier.get(s.fromCode)!, s.effectiveDate].sort().at(-1)!;
      if (await isUnitInForce(db, s.toCode, at)) found.set(s.toCode, [found.get(s.toCode) ?? since, since].sort()[0]!);
      else following.set(s.toCode, [following.get(s.toCode) ?? since, since].sort()[0]!);
    }
    for (const c of [...found.keys(), ...following.keys()]) visited.add(c);
    frontier = following;
  }
  if (found.size === 0) return [];
  const names = await db
    .select({ code: adminUnits.code, name: adminUnits.name })
    .from(adminUnits)
    .where(and(inArray(adminUnits.code, [...found.keys()]), lte(adminUnits.validFrom, at), or(isNull(adminUnits.validTo), gte(adminUnits.validTo, at))));
  return [...found]
    .map(([c, effectiveDate]) => ({ code: c, name: names.find((n) => n.code === c)?.name ?? '', effectiveDate }))
    .sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate) || a.code.localeCompare(b.code));
}

/**
 * Why a unit code cannot be used on a date, for a form's error message, or null when it is in
 * force. A code replaced by a reorganisation names its successors: "Mã đơn vị hành chính 13645
 * đã được thay bằng 13669 (Phường Nam Định) từ ngày 01/07/2025".
 */
export async function unitCodeProblem(db: Db, code: string, at: string): Promise<string | null> {
  return (await unitCodeReason(db, code, at))?.message ?? null;
}

/**
 * unitCodeProblem with its reason for a page to word in its own language: `unit_not_in_force`
 * ({code}) or `unit_replaced` ({code}, {units}: the successors, {date}: when they took effect).
 */
export async function unitCodeReason(db: Db, code: string, at: string): Promise<{ message: string; reason: ErrorReason } | null> {
  if (await isUnitInForce(db, code, at)) return null;
  const successors = await findCurrentSuccessors(db, code, at);
  if (successors.length === 0)
    return { message: `Mã đơn vị hành chính ${code} không tồn tại hoặc đã hết hiệu lực`, reason: { reason: 'unit_not_in_force', params: { code } } };
  const byDate = new Map<string, string[]>();
  for (const s of successors) byDate.set(s.effectiveDate, [...(byDate.get(s.effectiveDate) ?? []), s.name ? `${s.code} (${s.name})` : s.code]);
  const parts = [...byDate].map(([date, units]) => `${units.join(', ')} từ ngày ${formatDay(date)}`);
  const params = { code, units: [...byDate.values()].flat().join(', '), date: [...byDate.keys()].map(formatDay).join(', ') };
  return { message: `Mã đơn vị hành chính ${code} đã được thay bằng ${parts.join('; ')}`, reason: { reason: 'unit_replaced', params } };
}
