/** Use cases of the reports module: the handling report and the dossier register, with access checks. */
import type { Keyring } from '../../platform/crypto.ts';
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor } from '../../platform/auth.ts';
import { STAFF_ROLES, type Actor, type Ctx } from '../../platform/context.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { vnDate } from '../../platform/time.ts';
import { shapeHandlingReport, type HandlingReport } from './handling-report.ts';
import { checkPeriod, type Period, type PeriodProblem } from './period.ts';
import {
  agenciesByIds,
  aggregateHandling,
  findProvinceCode,
  findReportUnit,
  listReportUnits,
  registerRows,
  type RegisterRow,
  type ReportUnit,
} from './reports.repo.ts';

/** The register is read whole into a workbook: beyond this, ask for a shorter period. */
export const REGISTER_MAX_ROWS = 200_000;

export interface ReportQuery {
  unit?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

const PERIOD_MESSAGES: Record<PeriodProblem['problem'], (f: 'from' | 'to') => string> = {
  format: (f) => `${f === 'from' ? 'Từ ngày' : 'Đến ngày'} phải là một ngày có thật, dạng YYYY-MM-DD.`,
  order: () => 'Đến ngày phải bằng hoặc sau từ ngày.',
  too_long: () => 'Kỳ báo cáo dài nhất là 10 năm.',
};

/** The period asked for, or REPORT_PERIOD_INVALID (422) naming the fields. */
export function requirePeriod(q: ReportQuery, now: Date): Period {
  const r = checkPeriod(q, now);
  if (r.period) return r.period;
  const errors: FieldError[] = r.problems.map((p) => ({ path: p.field, message: PERIOD_MESSAGES[p.problem](p.field) }));
  throw new AppError('invalid', 'REPORT_PERIOD_INVALID', { userMessage: errors[0]!.message, errors });
}

const isAdmin = (a: Actor) => a.roles.some((r) => r.role === 'admin');
const isReportStaff = (a: Actor) => a.roles.some((r) => (STAFF_ROLES as readonly string[]).includes(r.role));

/** Administrators, or staff (reception, specialists, leaders); others ROLE_REQUIRED (403). */
export function requireReportReader(actor: Actor | null): Actor {
  const a = requireActor(actor);
  if (!isAdmin(a) && !isReportStaff(a)) {
    throw new AppError('forbidden', 'ROLE_REQUIRED', {
      userMessage: 'Chỉ cán bộ và quản trị viên được xem báo cáo.',
      details: { requiredRoles: ['reception', 'specialist', 'leader', 'admin'] },
    });
  }
  return a;
}

/** Staff of an agency of the province itself (unit code of two digits) answer for the whole province. */
const isProvincial = (mine: { unitCode: string }[]) => mine.some((a) => a.unitCode.length === 2);

/**
 * May this person read this unit's reports? The same rule as the service index: administrators
 * and staff of the province's own agencies read every unit; other staff their own agencies (with
 * children where their role says so) and the communes those agencies sit in.
 */
export async function canReadUnit(db: Db, actor: Actor, unit: ReportUnit): Promise<boolean> {
  if (isAdmin(actor)) return true;
  if (!isReportStaff(actor)) return false;
  const mine = await agenciesByIds(db, actor.agencyScope);
  if (isProvincial(mine)) return true;
  if (unit.kind === 'agency') return !!unit.agencyId && actor.agencyScope.includes(unit.agencyId);
  return unit.kind === 'commune' && mine.some((a) => unit.unitCodes.includes(a.unitCode));
}

/** The province for administrators and the province's own staff; one's own agency for other staff. */
async function defaultUnitCode(db: Db, actor: Actor, today: string): Promise<string> {
  if (isAdmin(actor) || isProvincial(await agenciesByIds(db, actor.agencyScope))) return (await findProvinceCode(db, today)) ?? '';
  return actor.roles.find((r) => r.agencyCode)?.agencyCode ?? '';
}

/** The unit by code (default: see defaultUnitCode), checked for access. */
export async function resolveUnit(ctx: Ctx, code: string | undefined): Promise<ReportUnit> {
  const actor = requireReportReader(ctx.actor);
  const today = vnDate(ctx.now);
  const wanted = code?.trim() || (await defaultUnitCode(ctx.db, actor, today));
  const unit = wanted ? await findReportUnit(ctx.db, wanted, today) : null;
  if (!unit)
    throw new AppError('invalid', 'REPORT_UNIT_NOT_FOUND', {
      userMessage: 'Không có đơn vị với mã này.',
      errors: [{ path: 'unit', message: 'Không có đơn vị với mã này.' }],
    });
  if (!(await canReadUnit(ctx.db, actor, unit))) {
    throw new AppError('forbidden', 'REPORT_UNIT_FORBIDDEN', { userMessage: 'Bạn không được xem báo cáo của đơn vị này.' });
  }
  return unit;
}

/** The units this person may choose, province first, then communes, then agencies. */
export async function readableUnits(ctx: Ctx): Promise<{ code: string; name: string; kind: ReportUnit['kind'] }[]> {
  const actor = requireReportReader(ctx.actor);
  const all = await listReportUnits(ctx.db, vnDate(ctx.now));
  const order = { province: 0, commune: 1, agency: 2 } as const;
  let allowed = all;
  const mine = isAdmin(actor) ? [] : await agenciesByIds(ctx.db, actor.agencyScope);
  if (!isAdmin(actor) && !isProvincial(mine)) {
    const myCodes = new Set(mine.map((a) => a.code));
    const myUnits = new Set(mine.map((a) => a.unitCode));
    allowed = all.filter((u) => (u.kind === 'agency' ? myCodes.has(u.code) : u.kind === 'commune' && myUnits.has(u.code)));
  }
  return allowed.map(({ code, name, kind }) => ({ code, name, kind })).sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name, 'vi'));
}

/** The handling report of a unit for a period. Errors: AUTH_REQUIRED, ROLE_REQUIRED, REPORT_UNIT_NOT_FOUND, REPORT_UNIT_FORBIDDEN, REPORT_PERIOD_INVALID. */
export async function handlingReport(ctx: Ctx, q: ReportQuery): Promise<HandlingReport> {
  const period = requirePeriod(q, ctx.now);
  const unit = await resolveUnit(ctx, q.unit);
  const raw = await aggregateHandling(ctx.db, unit, period, ctx.now);
  return shapeHandlingReport(raw, { unit: { code: unit.code, name: unit.name }, from: period.from, to: period.to, generatedAt: ctx.now });
}

export interface RegisterReport {
  unit: { code: string; name: string };
  from: string;
  to: string;
  generatedAt: Date;
  rows: RegisterRow[];
}

/**
 * The dossier register (form 07) for a unit and period, for reuse without an actor (the PDF of
 * the register): pass an agency id or a unit code. Throws REPORT_UNIT_NOT_FOUND,
 * REPORT_PERIOD_INVALID, REPORT_TOO_LARGE.
 */
export async function dossierRegister(
  db: Db,
  keyring: Keyring,
  q: { agencyId?: string; unit?: string; from: string; to: string; now?: Date },
): Promise<RegisterReport> {
  const now = q.now ?? new Date();
  const period = requirePeriod(q, now);
  let code = q.unit;
  if (q.agencyId) code = (await queryRows<{ code: string }>(db, sql`SELECT code FROM agencies WHERE id = ${q.agencyId}::uuid`))[0]?.code;
  const unit = code ? await findReportUnit(db, code, vnDate(now)) : null;
  if (!unit) throw new AppError('invalid', 'REPORT_UNIT_NOT_FOUND', { userMessage: 'Không có đơn vị với mã này.' });
  return registerOf(db, keyring, unit, period, now);
}

async function registerOf(db: Db, keyring: Keyring, unit: ReportUnit, period: Period, now: Date): Promise<RegisterReport> {
  const rows = await registerRows(db, keyring, unit, period, now, REGISTER_MAX_ROWS + 1);
  if (rows.length > REGISTER_MAX_ROWS) {
    throw new AppError('invalid', 'REPORT_TOO_LARGE', {
      userMessage: `Sổ theo dõi có hơn ${REGISTER_MAX_ROWS.toLocaleString('vi-VN')} hồ sơ. Hãy chọn kỳ ngắn hơn.`,
      details: { maxRows: REGISTER_MAX_ROWS },
    });
  }
  return { unit: { code: unit.code, name: unit.name }, from: period.from, to: period.to, generatedAt: now, rows };
}

/** The register for a reader of the unit. Same errors as handlingReport, plus REPORT_TOO_LARGE. */
export async function registerReport(ctx: Ctx, q: ReportQuery): Promise<RegisterReport> {
  const period = requirePeriod(q, ctx.now);
  const unit = await resolveUnit(ctx, q.unit);
  return registerOf(ctx.db, ctx.keyring, unit, period, ctx.now);
}

/** Records that a report left the system (who, which, for what, how many lines). */
export async function auditExport(
  ctx: Ctx,
  e: { report: 'handling' | 'register'; format: string; unit: string; from: string; to: string; rows: number },
): Promise<void> {
  await writeAudit(ctx, {
    action: `report.${e.report}.export`,
    targetType: 'report',
    targetId: e.unit,
    details: { format: e.format, from: e.from, to: e.to, rows: e.rows },
  });
}
