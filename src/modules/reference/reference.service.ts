import { and, asc, eq, isNull, lte, or, gte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { adminUnits, agencies, userRoles, users } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor, requireRole } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { parseCsvRecords } from '../../platform/csv.ts';
import { isIsoDate } from '../calendar/index.ts';
import { AppError, notFound, type FieldError } from '../../platform/errors.ts';
import { newId } from '../../platform/ids.ts';
import { fold, nfc } from '../../platform/text.ts';
import { TtlCache } from '../../platform/cache.ts';

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
    .select({ code: adminUnits.code, name: adminUnits.name, type: adminUnits.type, parentCode: adminUnits.parentCode, validFrom: adminUnits.validFrom, validTo: adminUnits.validTo })
    .from(adminUnits)
    .where(and(lte(adminUnits.validFrom, at), or(isNull(adminUnits.validTo), gte(adminUnits.validTo, at)), parentCode ? eq(adminUnits.parentCode, parentCode) : undefined))
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
      .values({ id: newId(), code: u.code, name, type: u.type, parentCode: u.parentCode, validFrom: u.validFrom, validTo: u.validTo ?? null, searchText: fold(name) })
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

const HEADER = ['code', 'name', 'type', 'parent_code', 'valid_from'];

/** Parses a units CSV (code,name,type,parent_code,valid_from[,valid_to]); every bad row is reported. */
export function parseUnitsCsv(text: string): { units: UnitInput[]; errors: FieldError[] } {
  let records: { line: number; cells: string[] }[];
  try {
    records = parseCsvRecords(text);
  } catch (err) {
    return { units: [], errors: [{ path: 'csv', message: (err as Error).message }] };
  }
  const header = (records.shift()?.cells ?? []).map((h) => h.trim().toLowerCase());
  if (HEADER.some((h, i) => header[i] !== h)) {
    return { units: [], errors: [{ path: 'csv.header', message: `the first line must be: ${HEADER.join(',')}[,valid_to]` }] };
  }
  const units: UnitInput[] = [];
  const errors: FieldError[] = [];
  for (const { line, cells } of records) {
    const [code = '', name = '', type = '', parent = '', from = '', to = ''] = cells.map((c) => c.trim());
    const problems: string[] = [];
    if (!/^(\d{2}|\d{3}|\d{5})$/.test(code)) problems.push('code must be 2 (province), 3 (old district) or 5 (commune) digits');
    if (!name) problems.push('name is empty');
    if (!(UNIT_TYPES as readonly string[]).includes(type)) problems.push(`type must be one of ${UNIT_TYPES.join(', ')}`);
    if (parent && !/^(\d{2}|\d{3}|\d{5})$/.test(parent)) problems.push('parent_code is not a unit code');
    if (!isIsoDate(from)) problems.push('valid_from must be a YYYY-MM-DD date');
    if (to && (!isIsoDate(to) || to < from)) problems.push('valid_to must be a date on or after valid_from');
    if (problems.length) errors.push({ path: `csv.line${line}`, message: problems.join('; ') });
    else units.push({ code, name, type: type as UnitType, parentCode: parent || null, validFrom: from, validTo: to || null });
  }
  return { units, errors };
}

/** Imports units from CSV (administrators); all or nothing. Errors: UNITS_CSV_INVALID. */
export async function importUnitsCsv(ctx: Ctx, text: string) {
  requireRole(ctx.actor, 'admin');
  const { units, errors } = parseUnitsCsv(text);
  if (errors.length) throw new AppError('invalid', 'UNITS_CSV_INVALID', { userMessage: 'Tệp CSV có dòng không hợp lệ; chưa nhập dòng nào.', errors });
  return ctx.db.transaction(async (tx) => {
    const r = await upsertUnits(tx, units);
    await writeAudit({ ...ctx, db: tx }, { action: 'units.import', targetType: 'admin_units', details: { rows: units.length, ...r } });
    return { rows: units.length, ...r };
  });
}

export async function listAgencies(db: Db) {
  return db
    .select({ code: agencies.code, name: agencies.name, shortName: agencies.shortName, identityCode: agencies.identityCode, unitCode: agencies.unitCode, kind: agencies.kind })
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
 * and may not be the agency itself or one of its descendants. Errors: AGENCY_INVALID,
 * AGENCY_IDENTITY_CODE_TAKEN.
 */
export async function saveAgency(ctx: Ctx, input: AgencyInput): Promise<{ created: boolean }> {
  requireRole(ctx.actor, 'admin');
  return ctx.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, input.code));
    let parentId: string | null = null;
    if (input.parentCode) {
      const [parent] = await tx.select({ id: agencies.id }).from(agencies).where(eq(agencies.code, input.parentCode));
      if (!parent) throw new AppError('invalid', 'AGENCY_INVALID', { userMessage: 'Cơ quan cấp trên không tồn tại.', errors: [{ path: 'parentCode', message: 'không tồn tại' }] });
      if (existing) {
        const [cycle] = await tx.execute(sql`WITH RECURSIVE up(id, parent_id) AS (SELECT id, parent_id FROM agencies WHERE id = ${parent.id}
            UNION SELECT a.id, a.parent_id FROM agencies a JOIN up ON a.id = up.parent_id) SELECT 1 AS hit FROM up WHERE id = ${existing.id}`).then((r) => (r as unknown as { rows: unknown[] }).rows);
        if (cycle) throw new AppError('invalid', 'AGENCY_INVALID', { userMessage: 'Cơ quan không thể trực thuộc chính nó.', errors: [{ path: 'parentCode', message: 'tạo thành vòng' }] });
      }
      parentId = parent.id;
    }
    const taken = await tx.select({ code: agencies.code }).from(agencies).where(eq(agencies.identityCode, input.identityCode));
    if (taken.some((a) => a.code !== input.code)) {
      throw new AppError('conflict', 'AGENCY_IDENTITY_CODE_TAKEN', { userMessage: 'Mã định danh đã được cơ quan khác dùng.', errors: [{ path: 'identityCode', message: 'đã dùng' }] });
    }
    const values = { name: nfc(input.name), shortName: nfc(input.shortName), identityCode: input.identityCode, parentId, unitCode: input.unitCode, kind: input.kind };
    if (existing) await tx.update(agencies).set(values).where(eq(agencies.id, existing.id));
    else await tx.insert(agencies).values({ id: newId(), code: input.code, ...values });
    await writeAudit({ ...ctx, db: tx }, { action: existing ? 'agency.update' : 'agency.create', targetType: 'agency', targetId: input.code, details: { ...values } });
    return { created: !existing };
  });
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
