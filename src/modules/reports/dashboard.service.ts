/**
 * The leaders' dashboard data: the service index of a unit for a period and the period before,
 * the monthly trend, the rankings, the weakest sub-indicators, and the deadline lists. The
 * index itself comes from the service-index module; this module adds what the index does not
 * compute. Queries run in parallel: two index calls, two rankings, one grouped trend query, two
 * deadline lists.
 */
import { computeDueAt, loadClock } from '../calendar/index.ts';
import { computeServiceIndex, rankUnits, type IndexResult, type IndicatorResult, type RankingResult } from '../service-index/index.ts';
import { requireActor } from '../../platform/auth.ts';
import type { Actor, Ctx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { deadlineLists, monthlyCounts, type DeadlineItem } from './dashboard.repo.ts';
import { previousPeriod, type Period } from './period.ts';
import { requirePeriod, resolveUnit, type ReportQuery } from './reports.service.ts';
import { monthsEnding, shapeTrend, trendSpan, type TrendMonth } from './trend.ts';

/** How many dossiers each deadline list shows (the totals are always exact). */
export const DEADLINE_LIST_SIZE = 20;
/** "Due soon" means due within this many working days from now. */
export const DUE_SOON_WORKING_DAYS = 3;
export const WEAKEST_COUNT = 5;

export interface WeakIndicator extends IndicatorResult {
  group: string;
  /** Points missing to the maximum. */
  shortfall: number;
}

export interface DashboardData {
  unit: { code: string; name: string; kind: string };
  period: Period;
  previousPeriod: Period;
  current: IndexResult;
  previous: IndexResult;
  trend: TrendMonth[];
  agencies: RankingResult;
  communes: RankingResult;
  weakest: WeakIndicator[];
  overdue: { total: number; items: DeadlineItem[] };
  dueSoon: { total: number; items: DeadlineItem[]; until: Date };
}

/** Leaders and administrators; others ROLE_REQUIRED (403), nobody signed in AUTH_REQUIRED (401). */
export function requireDashboardReader(actor: Actor | null): Actor {
  const a = requireActor(actor);
  if (!a.roles.some((r) => r.role === 'leader' || r.role === 'admin')) {
    throw new AppError('forbidden', 'ROLE_REQUIRED', {
      userMessage: 'Bảng điều khiển dành cho lãnh đạo và quản trị viên.',
      details: { requiredRoles: ['leader', 'admin'] },
    });
  }
  return a;
}

/** The applicable sub-indicators furthest below their maximum, weakest first. */
export function weakestIndicators(index: Pick<IndexResult, 'groups'>, count = WEAKEST_COUNT): WeakIndicator[] {
  return index.groups
    .flatMap((g) =>
      g.indicators
        .filter((i) => i.applicable && i.score !== null && i.max > 0)
        .map((i) => ({ ...i, group: g.name, shortfall: Math.round((i.max - (i.score ?? 0)) * 100) / 100 })),
    )
    .filter((i) => i.shortfall > 0)
    .sort((a, b) => (a.score ?? 0) / a.max - (b.score ?? 0) / b.max || b.shortfall - a.shortfall || a.key.localeCompare(b.key))
    .slice(0, count);
}

/** Everything the dashboard page shows. Errors: as resolveUnit and requirePeriod, plus ROLE_REQUIRED. */
export async function leaderDashboard(ctx: Ctx, q: ReportQuery): Promise<DashboardData> {
  requireDashboardReader(ctx.actor);
  const period = requirePeriod(q, ctx.now);
  const unit = await resolveUnit(ctx, q.unit);
  const prev = previousPeriod(period);
  const months = monthsEnding(period.to);
  const clock = await loadClock(ctx.db);
  const soonUntil = computeDueAt({
    start: ctx.now,
    value: DUE_SOON_WORKING_DAYS,
    unit: 'working_days',
    calendar: clock.calendar,
    officeHours: clock.officeHours,
  });
  const at = { now: ctx.now };
  const [current, previous, trendRows, agencies, communes, lists] = await Promise.all([
    computeServiceIndex(ctx.db, { unit: unit.code, from: period.from, to: period.to, ...at }),
    computeServiceIndex(ctx.db, { unit: unit.code, from: prev.from, to: prev.to, ...at }),
    monthlyCounts(ctx.db, unit, trendSpan(months)),
    rankUnits(ctx.db, { level: 'agency', from: period.from, to: period.to, ...at }),
    rankUnits(ctx.db, { level: 'commune', from: period.from, to: period.to, ...at }),
    deadlineLists(ctx.db, unit, ctx.now, soonUntil, DEADLINE_LIST_SIZE),
  ]);
  return {
    unit: { code: unit.code, name: unit.name, kind: unit.kind },
    period,
    previousPeriod: prev,
    current,
    previous,
    trend: shapeTrend(months, trendRows),
    agencies,
    communes,
    weakest: weakestIndicators(current),
    overdue: lists.overdue,
    dueSoon: { ...lists.dueSoon, until: soonUntil },
  };
}
