import type { Db } from '../../db/client.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireActor, requireRole } from '../../platform/auth.ts';
import type { Actor, Ctx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { sql } from 'drizzle-orm';
import { toIso, toIsoOrNull, vnDate } from '../../platform/time.ts';
import { computeDueAt, legalDuration, loadClock, workingDaysBetween, type Clock, type DurationUnit } from '../calendar/index.ts';
import {
  DOSSIER_INDICATORS,
  INDICATORS,
  PROCEDURE_INDICATORS,
  dossierContributions,
  findConfigProblems,
  isValidDate,
  makePeriod,
  procedureContributions,
  reasonText,
  round2,
  scoreAll,
  type ContributionReason,
  type Counts,
  type GroupResult,
  type IndexConfig,
  type IndicatorKey,
  type Period,
  type ProcedureFacts,
  type ProcedureReason,
} from './index-rules.ts';
import {
  agencyScope,
  countByUnit,
  countIndicatorDossiers,
  emptyUnitCounts,
  countForScope,
  adminUnitInForce,
  findAdminUnit,
  findAgencies,
  findCommunes,
  findConfigFor,
  findExtendedDossiers,
  findExtendedResolved,
  findField,
  findOpenDossiers,
  findProceduresInForce,
  findProvinceAgencyIds,
  insertConfigVersion,
  listConfigVersions,
  listIndicatorDossiers,
  monthlyRollup,
  toDossierFacts,
  type AgencyRow,
  type ConfigRow,
  type DossierScope,
  type ProcedureRow,
  type UnitCounts,
} from './service-index.repo.ts';

// ---------------------------------------------------------------------------------------------
// Result types (the public surface, re-exported by index.ts)

export type UnitKind = 'province' | 'agency' | 'commune' | 'field';

export interface IndexResult {
  /** The unit code as asked: province code, agency code, administrative unit code or procedure field code. */
  unit: string;
  unitKind: UnitKind;
  unitName: string;
  from: string;
  to: string;
  /** The configuration version used (in force on `to`). */
  version: number;
  versionValidFrom: string;
  /** Points earned on applicable sub-indicators. */
  total: number;
  /** Points available on applicable sub-indicators (100 when every one applies). */
  max: number;
  /** total ÷ max × 100; null when nothing applies. */
  percent: number | null;
  groups: GroupResult[];
  computedAt: string;
}

export interface RankedUnit {
  rank: number;
  unit: string;
  unitKind: UnitKind;
  name: string;
  total: number;
  max: number;
  percent: number | null;
  groups: { key: GroupResult['key']; name: string; score: number | null; max: number; applicableMax: number }[];
}

export interface RankingResult {
  level: 'agency' | 'commune';
  from: string;
  to: string;
  version: number;
  units: RankedUnit[];
  computedAt: string;
}

export interface ExplainedItem {
  kind: 'dossier' | 'procedure';
  /** Dossier code, or procedure code for procedure-based indicators. */
  code: string;
  procedureCode: string;
  procedureName: string;
  status: string | null;
  channel: string | null;
  receivingAgency: string | null;
  competentAgency: string | null;
  receivedAt: string | null;
  endAt: string | null;
  /** The due date the dossier carries now (extensions included). */
  dueAt: string | null;
  /** The deadline the index judges against: without extensions, supplement time excluded. */
  indexDueAt: string | null;
  extensionCount: number | null;
  supplements: number | null;
  counted: boolean;
  reason: ContributionReason | ProcedureReason;
  reasonText: string;
  /** Working days past the index deadline, 2 decimals (progress only). */
  lateWorkingDays: number | null;
}

export interface IndicatorDossiersResult {
  key: IndicatorKey;
  name: string;
  basis: 'dossiers' | 'procedures' | 'unavailable';
  unit: string;
  from: string;
  to: string;
  counted: boolean | null;
  page: number;
  pageSize: number;
  total: number;
  items: ExplainedItem[];
}

// ---------------------------------------------------------------------------------------------
// Units

export interface ResolvedUnit {
  code: string;
  kind: UnitKind;
  name: string;
  scope: DossierScope;
  /** The agencies that make the unit (agency and its children; the commune's agencies). */
  agencyIds: string[];
}

function subtree(agencies: AgencyRow[], rootId: string): string[] {
  const out = [rootId];
  for (let i = 0; i < out.length; i++) for (const a of agencies) if (a.parent_id === out[i]) out.push(a.id);
  return out;
}

const unitUnknown = (code: string) =>
  new AppError('invalid', 'SERVICE_INDEX_UNIT_UNKNOWN', {
    userMessage: `Không có đơn vị "${code}": hãy dùng mã tỉnh, mã cơ quan, mã đơn vị hành chính cấp xã hoặc mã lĩnh vực.`,
    errors: [{ path: 'unit', message: 'Đơn vị không tồn tại' }],
  });

/**
 * A unit code: 2 digits = a province, 5 digits = a commune (its agencies' dossiers), an agency
 * code (with its child agencies), or a procedure field code (optionally prefixed `field:`).
 * An administrative unit is the unit itself as it was in force in the period [from, to]
 * (`from` defaults to `onDate`, the period's last day): a province covers the agencies located in
 * it (the whole platform when that is every agency); a unit in force on no day of the period (a
 * province or commune dissolved before it, e.g. 36 merged into 37 on 2025-07-01) covers nothing,
 * so its index is not applicable rather than its successor's.
 */
export async function resolveUnit(db: Db, code: string, onDate: string, agencies?: AgencyRow[], from: string = onDate): Promise<ResolvedUnit> {
  const all = agencies ?? (await findAgencies(db));
  if (/^\d{2}$/.test(code) || /^\d{5}$/.test(code)) {
    const u = await findAdminUnit(db, code, onDate);
    if (!u) throw unitUnknown(code);
    const inForce = await adminUnitInForce(db, code, from <= onDate ? from : onDate, onDate);
    if (code.length === 2) {
      if (u.type !== 'province' && u.type !== 'city') throw unitUnknown(code);
      const ids = inForce ? await findProvinceAgencyIds(db, code) : [];
      const scope: DossierScope = ids.length === all.length && ids.length > 0 ? { kind: 'all' } : { kind: 'agencies', agencyIds: ids };
      return { code, kind: 'province', name: u.name, scope, agencyIds: ids };
    }
    const ids = inForce ? all.filter((a) => a.unit_code === code).map((a) => a.id) : [];
    return { code, kind: 'commune', name: u.name, scope: { kind: 'agencies', agencyIds: ids }, agencyIds: ids };
  }
  const agency = all.find((a) => a.code === code);
  if (agency) {
    const ids = subtree(all, agency.id);
    return { code, kind: 'agency', name: agency.name, scope: { kind: 'agencies', agencyIds: ids }, agencyIds: ids };
  }
  const fieldCode = code.replace(/^field:/, '');
  const field = await findField(db, fieldCode);
  if (field) return { code, kind: 'field', name: field.name, scope: { kind: 'field', fieldCode }, agencyIds: [] };
  throw unitUnknown(code);
}

// ---------------------------------------------------------------------------------------------
// Authorization

/** Staff whose roles cover a provincial-level agency (unit code of 2 digits) see the whole province. */
function isProvincialStaff(actor: Actor, agencies: AgencyRow[]): boolean {
  return agencies.some((a) => a.unit_code.length === 2 && actor.agencyScope.includes(a.id));
}

/**
 * Who may read a unit's index and the dossiers behind it: administrators; staff (desk,
 * specialists, leaders) of the province's own agencies for every unit (they answer for the
 * province's national rank); other staff for their own agencies (children included where their
 * role says so) and for the communes those agencies sit in. Citizens and organisations never.
 * Errors: AUTH_REQUIRED (401), ROLE_REQUIRED, SERVICE_INDEX_UNIT_FORBIDDEN (403).
 */
export function authorizeUnit(actor: Actor | null, unit: ResolvedUnit | 'ranking', agencies: AgencyRow[]): Actor {
  const a = requireRole(actor, 'admin', 'leader', 'specialist', 'reception');
  if (a.roles.some((r) => r.role === 'admin')) return a;
  if (isProvincialStaff(a, agencies)) return a;
  const inScope =
    unit !== 'ranking' &&
    ((unit.kind === 'agency' && unit.agencyIds.length > 0 && a.agencyScope.includes(unit.agencyIds[0]!)) ||
      (unit.kind === 'commune' && agencies.some((ag) => ag.unit_code === unit.code && a.agencyScope.includes(ag.id))));
  if (!inScope) {
    throw new AppError('forbidden', 'SERVICE_INDEX_UNIT_FORBIDDEN', {
      userMessage: 'Bạn chỉ xem được chỉ số của cơ quan, đơn vị mình phụ trách.',
      details: { unit: unit === 'ranking' ? null : unit.code },
    });
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// Periods and configuration

const MAX_PERIOD_DAYS = 3_700;

/** Checks and builds a period. Errors: SERVICE_INDEX_PERIOD_INVALID (422). */
export function checkPeriod(from: string, to: string, now: Date): Period {
  const errors: { path: string; message: string }[] = [];
  if (!isValidDate(from)) errors.push({ path: 'from', message: 'Ngày không hợp lệ (YYYY-MM-DD)' });
  if (!isValidDate(to)) errors.push({ path: 'to', message: 'Ngày không hợp lệ (YYYY-MM-DD)' });
  if (!errors.length && from > to) errors.push({ path: 'to', message: 'Ngày kết thúc phải từ ngày bắt đầu trở đi' });
  if (!errors.length && (Date.parse(to) - Date.parse(from)) / 86_400_000 > MAX_PERIOD_DAYS) errors.push({ path: 'from', message: 'Kỳ tối đa 10 năm' });
  if (errors.length) throw new AppError('invalid', 'SERVICE_INDEX_PERIOD_INVALID', { userMessage: 'Kỳ tính chỉ số không hợp lệ.', errors });
  return makePeriod(from, to, now);
}

export interface ConfigVersion {
  version: number;
  validFrom: string;
  note: string | null;
  createdAt: string;
  config: IndexConfig;
}

const dateText = (v: string | Date) => (typeof v === 'string' ? v.slice(0, 10) : vnDate(v));

function toConfigVersion(r: ConfigRow): ConfigVersion {
  const config = (typeof r.config === 'string' ? JSON.parse(r.config) : r.config) as IndexConfig;
  return { version: Number(r.version), validFrom: dateText(r.valid_from), note: r.note, createdAt: toIso(new Date(r.created_at)), config };
}

/** The configuration version in force on a date. */
export async function configFor(db: Db, onDate: string): Promise<ConfigVersion> {
  const r = await findConfigFor(db, onDate);
  if (!r) throw new AppError('internal', 'SERVICE_INDEX_CONFIG_MISSING');
  return toConfigVersion(r);
}

export async function getConfig(db: Db, onDate: string): Promise<ConfigVersion & { versions: Omit<ConfigVersion, 'config'>[] }> {
  const [current, all] = await Promise.all([configFor(db, onDate), listConfigVersions(db)]);
  return { ...current, versions: all.map(toConfigVersion).map(({ config: _c, ...v }) => v) };
}

/**
 * Adds a configuration version that applies from `validFrom` (administrators). Periods that
 * ended before that date keep the version they were scored with, so a change cannot be dated in
 * the past. Errors: ROLE_REQUIRED, SERVICE_INDEX_CONFIG_INVALID, SERVICE_INDEX_CONFIG_RETROACTIVE.
 */
export async function putConfig(ctx: Ctx, input: { validFrom: string; note?: string | undefined; config: IndexConfig }): Promise<ConfigVersion> {
  const actor = requireRole(ctx.actor, 'admin');
  const today = vnDate(ctx.now);
  if (!isValidDate(input.validFrom)) {
    throw new AppError('invalid', 'SERVICE_INDEX_CONFIG_INVALID', {
      userMessage: 'Ngày áp dụng không hợp lệ.',
      errors: [{ path: 'validFrom', message: 'Ngày không hợp lệ (YYYY-MM-DD)' }],
    });
  }
  if (input.validFrom < today) {
    throw new AppError('invalid', 'SERVICE_INDEX_CONFIG_RETROACTIVE', {
      userMessage: 'Cấu hình mới chỉ áp dụng từ hôm nay trở đi; các kỳ đã qua giữ cấu hình cũ.',
      errors: [{ path: 'validFrom', message: `Phải từ ${today} trở đi` }],
    });
  }
  const problems = findConfigProblems(input.config);
  if (problems.length) {
    throw new AppError('invalid', 'SERVICE_INDEX_CONFIG_INVALID', {
      userMessage: 'Cấu hình chỉ số không hợp lệ.',
      errors: problems.map((p) => ({ path: `config.${p.path}`, message: p.message })),
    });
  }
  const config: IndexConfig = {
    groups: input.config.groups.map((g) => ({ key: g.key, max: g.max })),
    indicators: input.config.indicators.map((i) => ({ key: i.key, points: i.points, target: i.target })),
  };
  const version = await ctx.db.transaction(async (tx) => {
    const v = await insertConfigVersion(tx, { validFrom: input.validFrom, config, note: input.note?.trim() || null, at: ctx.now, by: actor.userId });
    await writeAudit(
      { ...ctx, db: tx },
      { action: 'service_index.config.create', targetType: 'service_index_config', targetId: String(v), details: { validFrom: input.validFrom, config } },
    );
    return v;
  });
  return { version, validFrom: input.validFrom, note: input.note?.trim() || null, createdAt: toIso(ctx.now), config };
}

// ---------------------------------------------------------------------------------------------
// Deadlines of extended dossiers

/**
 * Extension does not make a late dossier on time: the index judges extended dossiers against the
 * due date they would have had without extensions, with supplement time excluded, i.e. the
 * reception time plus the procedure version's processing time on the working calendar with the
 * pauses (exactly what reception and resumption compute for dossiers never extended, whose
 * `due_at` is that date). Memoised per dossier version: a dossier's deadline changes only with it.
 */
const dueMemo = new Map<string, Date | null>();
const DUE_MEMO_MAX = 500_000;

export function indexDueOf(
  row: {
    id: string;
    version: number;
    received_at: Date | string;
    pauses: { from: string; to: string }[] | string;
    duration: { value: number; unit: string } | string | null;
  },
  clock: Clock,
): Date | null {
  const key = `${row.id}:${row.version}`;
  const hit = dueMemo.get(key);
  if (hit !== undefined) return hit;
  const duration = typeof row.duration === 'string' ? (JSON.parse(row.duration) as { value: number; unit: string }) : row.duration;
  const pauses = (typeof row.pauses === 'string' ? (JSON.parse(row.pauses) as { from: string; to: string }[]) : row.pauses).map((p) => ({
    from: new Date(p.from),
    to: new Date(p.to),
  }));
  let due: Date | null = null;
  if (duration) {
    try {
      due = computeDueAt({
        start: new Date(row.received_at),
        ...legalDuration({ value: duration.value, unit: duration.unit as DurationUnit }),
        calendar: clock.calendar,
        officeHours: clock.officeHours,
        pauses,
      });
    } catch {
      due = null;
    }
  }
  if (dueMemo.size >= DUE_MEMO_MAX) dueMemo.clear();
  dueMemo.set(key, due);
  return due;
}

async function extendedDues(db: Db, scope: DossierScope, p: Period, clock: Clock, purpose: 'count' | 'explain'): Promise<Map<string, Date>> {
  const rows = await findExtendedDossiers(db, scope, p, purpose);
  const out = new Map<string, Date>();
  for (const r of rows) {
    const due = indexDueOf(r, clock);
    if (due) out.set(r.id, due);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Procedure-based indicators

const parseDef = (d: Record<string, unknown> | string) => (typeof d === 'string' ? (JSON.parse(d) as Record<string, unknown>) : d);
const idList = (v: string[] | string) =>
  Array.isArray(v)
    ? v
    : v
        .replace(/^\{|\}$/g, '')
        .split(',')
        .filter(Boolean);

function procedureFacts(p: ProcedureRow, counts: UnitCounts): ProcedureFacts & { row: ProcedureRow } {
  const def = parseDef(p.definition);
  const channels = Array.isArray(def.channels) ? (def.channels as string[]) : [];
  const fees = Array.isArray(def.fees) ? (def.fees as { amount?: number }[]) : [];
  return {
    row: p,
    definition: def,
    offeredOnline: channels.includes('online'),
    feeBearing: fees.some((f) => typeof f.amount === 'number' && f.amount > 0),
    hasOnlineDossier: counts.onlineProcedureIds.has(p.id),
    hasPaidOnlineDossier: counts.paidProcedureIds.has(p.id),
  };
}

function proceduresOf(unit: { scope: DossierScope; agencyIds: string[] }, procs: ProcedureRow[]): ProcedureRow[] {
  switch (unit.scope.kind) {
    case 'all':
      return procs;
    case 'field': {
      const field = unit.scope.fieldCode;
      return procs.filter((p) => p.field_code === field);
    }
    case 'agencies': {
      const ids = new Set(unit.agencyIds);
      return procs.filter((p) => ids.has(p.competent_agency_id) || idList(p.receiving_agency_ids).some((id) => ids.has(id)));
    }
    default: {
      const never: never = unit.scope;
      return never;
    }
  }
}

function procedureCounts(procs: ProcedureRow[], counts: UnitCounts): Partial<Record<IndicatorKey, Counts>> {
  const out: Partial<Record<IndicatorKey, Counts>> = {};
  for (const k of PROCEDURE_INDICATORS) out[k] = { numerator: 0, denominator: 0 };
  for (const p of procs) {
    for (const [k, v] of Object.entries(procedureContributions(procedureFacts(p, counts))) as [IndicatorKey, { counted: boolean }][]) {
      const c = out[k]!;
      c.denominator += 1;
      if (v.counted) c.numerator += 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The index

/**
 * The index of one unit for one period (from/to inclusive, Vietnamese calendar days), scored
 * with the configuration version in force on `to`. No authorization here: routes check it.
 * Errors: SERVICE_INDEX_PERIOD_INVALID, SERVICE_INDEX_UNIT_UNKNOWN.
 */
export async function computeServiceIndex(db: Db, q: { unit: string; from: string; to: string; now?: Date }): Promise<IndexResult> {
  const now = q.now ?? new Date();
  const p = checkPeriod(q.from, q.to, now);
  const unit = await resolveUnit(db, q.unit, q.to, undefined, q.from);
  const [clock, conf, procs] = await Promise.all([loadClock(db), configFor(db, q.to), findProceduresInForce(db, p)]);
  const dues = await extendedDues(db, unit.scope, p, clock, 'count');
  const counts = await countForScope(db, unit.scope, p, dues);
  const scored = scoreAll(conf.config, { ...counts.counts, ...procedureCounts(proceduresOf(unit, procs), counts) });
  return {
    unit: q.unit,
    unitKind: unit.kind,
    unitName: unit.name,
    from: q.from,
    to: q.to,
    version: conf.version,
    versionValidFrom: conf.validFrom,
    total: scored.total,
    max: scored.max,
    percent: scored.percent,
    groups: scored.groups,
    computedAt: toIso(now),
  };
}

/**
 * Units of a level ordered by their score: top-level agencies (each with its child agencies) or
 * the communes where agencies sit. Ordered by `percent` (the total over the points that apply),
 * then total, then code, because units differ in which sub-indicators apply to them.
 * Errors: SERVICE_INDEX_PERIOD_INVALID.
 */
export async function rankUnits(db: Db, q: { level: 'agency' | 'commune'; from: string; to: string; now?: Date }): Promise<RankingResult> {
  const now = q.now ?? new Date();
  const p = checkPeriod(q.from, q.to, now);
  const [clock, conf, procs, agencies] = await Promise.all([loadClock(db), configFor(db, q.to), findProceduresInForce(db, p), findAgencies(db)]);
  const dues = await extendedDues(db, { kind: 'all' }, p, clock, 'count');
  const byUnit = await countByUnit(db, q.level, p, dues);
  const empty = emptyUnitCounts();
  let units: { code: string; kind: UnitKind; name: string; agencyIds: string[] }[];
  if (q.level === 'agency') {
    units = agencies
      .filter((a) => a.parent_id === null)
      .map((a) => ({ code: a.code, kind: 'agency' as const, name: a.name, agencyIds: subtree(agencies, a.id) }));
  } else {
    const codes = [...new Set(agencies.map((a) => a.unit_code).filter((c) => c.length === 5))];
    const names = new Map((await findCommunes(db, codes, q.to)).map((u) => [u.code, u.name]));
    units = codes.map((c) => ({
      code: c,
      kind: 'commune' as const,
      name: names.get(c) ?? c,
      agencyIds: agencies.filter((a) => a.unit_code === c).map((a) => a.id),
    }));
  }
  const idOf = new Map(agencies.map((a) => [a.code, a.id]));
  const ranked = units.map((u) => {
    const counts = byUnit.get(q.level === 'agency' ? idOf.get(u.code)! : u.code) ?? empty;
    const scored = scoreAll(conf.config, {
      ...counts.counts,
      ...procedureCounts(proceduresOf({ scope: { kind: 'agencies', agencyIds: u.agencyIds }, agencyIds: u.agencyIds }, procs), counts),
    });
    return { u, scored };
  });
  ranked.sort((a, b) => (b.scored.percent ?? -1) - (a.scored.percent ?? -1) || b.scored.total - a.scored.total || a.u.code.localeCompare(b.u.code));
  return {
    level: q.level,
    from: q.from,
    to: q.to,
    version: conf.version,
    computedAt: toIso(now),
    units: ranked.map(({ u, scored }, i) => ({
      rank: i + 1,
      unit: u.code,
      unitKind: u.kind,
      name: u.name,
      total: scored.total,
      max: scored.max,
      percent: scored.percent,
      groups: scored.groups.map((g) => ({ key: g.key, name: g.name, score: g.score, max: g.max, applicableMax: g.applicableMax })),
    })),
  };
}

const indicatorUnknown = (key: string) =>
  new AppError('invalid', 'SERVICE_INDEX_INDICATOR_UNKNOWN', {
    userMessage: `Không có chỉ số "${key}".`,
    errors: [{ path: 'key', message: 'Chỉ số không tồn tại' }],
  });

/**
 * The dossiers (or procedures) behind a sub-indicator: every member of its denominator, whether
 * it counted in the numerator and why not, paged (not counted first, then newest).
 * Errors: SERVICE_INDEX_INDICATOR_UNKNOWN, SERVICE_INDEX_PERIOD_INVALID, SERVICE_INDEX_UNIT_UNKNOWN.
 */
export async function indicatorDossiers(
  db: Db,
  q: {
    key: string;
    unit: string;
    from: string;
    to: string;
    counted?: boolean | undefined;
    page?: number | undefined;
    pageSize?: number | undefined;
    now?: Date;
  },
): Promise<IndicatorDossiersResult> {
  const def = INDICATORS.find((i) => i.key === q.key);
  if (!def) throw indicatorUnknown(q.key);
  const key = def.key as IndicatorKey;
  const now = q.now ?? new Date();
  const p = checkPeriod(q.from, q.to, now);
  const unit = await resolveUnit(db, q.unit, q.to, undefined, q.from);
  const page = Math.max(1, q.page ?? 1);
  const pageSize = Math.min(100, Math.max(1, q.pageSize ?? 20));
  const base = { key, name: def.name, basis: def.basis, unit: q.unit, from: q.from, to: q.to, counted: q.counted ?? null, page, pageSize };
  if (def.basis === 'unavailable') return { ...base, total: 0, items: [] };
  const clock = await loadClock(db);
  const dues = await extendedDues(db, unit.scope, p, clock, 'explain');

  if (def.basis === 'procedures') {
    const procs = proceduresOf(unit, await findProceduresInForce(db, p));
    const counts = await countForScope(db, unit.scope, p, dues);
    const items: ExplainedItem[] = [];
    for (const pr of procs) {
      const c = procedureContributions(procedureFacts(pr, counts))[key];
      if (!c || (q.counted !== undefined && c.counted !== q.counted)) continue;
      items.push({
        kind: 'procedure',
        code: pr.code,
        procedureCode: pr.code,
        procedureName: pr.name,
        status: null,
        channel: null,
        receivingAgency: null,
        competentAgency: null,
        receivedAt: null,
        endAt: null,
        dueAt: null,
        indexDueAt: null,
        extensionCount: null,
        supplements: null,
        counted: c.counted,
        reason: c.reason,
        reasonText: reasonText(c.reason),
        lateWorkingDays: null,
      });
    }
    items.sort((a, b) => Number(a.counted) - Number(b.counted) || a.code.localeCompare(b.code));
    return { ...base, total: items.length, items: items.slice((page - 1) * pageSize, page * pageSize) };
  }

  if (!DOSSIER_INDICATORS.includes(key)) throw indicatorUnknown(q.key);
  const rows = await listIndicatorDossiers(db, key, unit.scope, p, dues, { counted: q.counted, limit: pageSize, offset: (page - 1) * pageSize });
  const total = rows[0]?.total ?? (page > 1 ? await countIndicatorDossiers(db, key, unit.scope, p, dues, q.counted) : 0);
  const items = rows.map((r): ExplainedItem => {
    const facts = toDossierFacts(r);
    const c = dossierContributions(facts, p)[key];
    // The SQL decided membership and counting; the pure rules give the reason (and must agree).
    const reason: ContributionReason = c?.reason ?? (r.counted ? 'on_time' : 'late');
    const clockEnd = r.clock_end ? new Date(r.clock_end) : null;
    const isLateReason = reason === 'late' || reason === 'unfinished_late';
    const lateWorkingDays =
      isLateReason && facts.indexDueAt && clockEnd && clockEnd > facts.indexDueAt
        ? round2(workingDaysBetween(facts.indexDueAt, clockEnd, clock.calendar, clock.officeHours))
        : null;
    return {
      kind: 'dossier',
      code: r.code ?? r.id,
      procedureCode: r.procedure_code,
      procedureName: r.procedure_name,
      status: r.status,
      channel: r.channel,
      receivingAgency: r.receiving_agency,
      competentAgency: r.competent_agency,
      receivedAt: toIsoOrNull(facts.receivedAt),
      endAt: toIsoOrNull(r.end_at ? new Date(r.end_at) : null),
      dueAt: toIsoOrNull(r.due_at ? new Date(r.due_at) : null),
      indexDueAt: toIsoOrNull(facts.indexDueAt),
      extensionCount: r.extension_count,
      supplements: Number(r.supplements),
      counted: r.counted,
      reason,
      reasonText: reasonText(reason, { lateWorkingDays, supplements: Number(r.supplements) }),
      lateWorkingDays,
    };
  });
  return { ...base, total, items };
}

/** Resolves and authorizes a unit for the actor in one step (routes). */
export async function authorizeUnitCode(db: Db, actor: Actor | null, code: string, onDate: string): Promise<void> {
  requireActor(actor);
  const agencies = await findAgencies(db);
  const unit = await resolveUnit(db, code, onDate, agencies);
  authorizeUnit(actor, unit, agencies);
}

export async function authorizeRanking(db: Db, actor: Actor | null): Promise<void> {
  authorizeUnit(actor, 'ranking', await findAgencies(db));
}

// ---------------------------------------------------------------------------------------------
// Monthly counts and deadline lists (the leaders' dashboard)

export interface MonthCounts {
  /** YYYY-MM (Vietnamese calendar) */
  month: string;
  received: number;
  /** Done or returned in the month. */
  resolved: number;
  /** Of those, on time by the progress rule (deadline without extensions, at most one supplement request). */
  resolvedOnTime: number;
}

/**
 * Per Vietnamese calendar month of a span of whole days: dossiers received, and dossiers resolved
 * (done or returned) with how many on time, for the agencies given (null: the province). Read from
 * the daily roll-up; extended dossiers are judged here against their deadline without extensions.
 * Errors: SERVICE_INDEX_PERIOD_INVALID.
 */
export async function monthlyCounts(db: Db, q: { agencyIds: string[] | null; from: string; to: string; now?: Date }): Promise<MonthCounts[]> {
  const p = checkPeriod(q.from, q.to, q.now ?? new Date());
  const scope = agencyScope(q.agencyIds);
  const [rows, extended, clock] = await Promise.all([monthlyRollup(db, scope, p), findExtendedResolved(db, scope, p), loadClock(db)]);
  const by = new Map<string, MonthCounts>(
    rows.map((r) => [r.month, { month: r.month, received: Number(r.received), resolved: Number(r.resolved), resolvedOnTime: Number(r.resolved_on_time) }]),
  );
  for (const r of extended) {
    const end = new Date(r.end_at);
    const paused = r.paused_at === null ? null : new Date(r.paused_at);
    const clockEnd = paused !== null && paused < end ? paused : end;
    const due = indexDueOf(r, clock);
    const late = r.supplement_count > 1 || (due !== null && clockEnd > due);
    const month = vnDate(end).slice(0, 7);
    let m = by.get(month);
    if (!m) by.set(month, (m = { month, received: 0, resolved: 0, resolvedOnTime: 0 }));
    m.resolved += 1;
    if (!late) m.resolvedOnTime += 1;
  }
  return [...by.values()].sort((a, b) => a.month.localeCompare(b.month));
}

export interface OpenDossierItem {
  code: string;
  procedureName: string;
  competentAgency: string;
  assigneeName: string | null;
  status: string;
  receivedAt: Date;
  dueAt: Date;
  pausedAt: Date | null;
}

export interface OpenDossierList {
  /** Exact number of such dossiers. */
  total: number;
  /** The first `limit`, soonest due first. */
  items: OpenDossierItem[];
}

/**
 * Open dossiers of the agencies given (null: the province) past their due date at `now` (one
 * waiting for a supplement is judged at its pause), and those due from `now` until `soonUntil`
 * whose clock is running. Lists hold at most `limit` dossiers; totals are exact.
 */
export async function openDeadlineLists(
  db: Db,
  q: { agencyIds: string[] | null; now: Date; soonUntil: Date; limit: number },
): Promise<{ overdue: OpenDossierList; dueSoon: OpenDossierList }> {
  const scope = agencyScope(q.agencyIds);
  const n = sql`${q.now}::timestamptz`;
  const list = async (cond: ReturnType<typeof sql>): Promise<OpenDossierList> => {
    const rows = await findOpenDossiers(db, scope, cond, q.limit);
    const asDate = (v: Date | string | null) => (v === null ? null : new Date(v));
    return {
      total: rows[0]?.total ?? 0,
      items: rows.map(({ total: _t, ...r }) => ({ ...r, receivedAt: asDate(r.receivedAt)!, dueAt: asDate(r.dueAt)!, pausedAt: asDate(r.pausedAt) })),
    };
  };
  const [overdue, dueSoon] = await Promise.all([
    list(sql`coalesce(s.paused_at, ${n}) > s.due_at`),
    list(sql`s.paused_at IS NULL AND s.due_at >= ${n} AND s.due_at <= ${sql`${q.soonUntil}::timestamptz`}`),
  ]);
  return { overdue, dueSoon };
}
