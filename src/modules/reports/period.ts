/**
 * Report periods: whole Vietnamese calendar days, `from` and `to` inclusive, as instants
 * `[start, end)` at +07:00 midnight. Pure.
 */
import { VN_OFFSET_MS, vnDate } from '../../platform/time.ts';

export interface Period {
  /** YYYY-MM-DD, first day (inclusive). */
  from: string;
  /** YYYY-MM-DD, last day (inclusive). */
  to: string;
  /** 00:00 +07:00 of `from`. */
  start: Date;
  /** 00:00 +07:00 of the day after `to` (exclusive). */
  end: Date;
}

const DAY_MS = 86_400_000;
/** Ten years of a province's data is the longest span a report or the dashboard covers. */
export const MAX_PERIOD_DAYS = 3660;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && Number(m[1]) >= 1990 && Number(m[1]) <= 2100;
}

/** The instant a Vietnamese calendar day starts. */
export function dayStart(date: string): Date {
  return new Date(Date.parse(`${date}T00:00:00Z`) - VN_OFFSET_MS);
}

/** The Vietnamese calendar date `n` days after `date`. */
export function addDays(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

export function periodOf(from: string, to: string): Period {
  return { from, to, start: dayStart(from), end: dayStart(addDays(to, 1)) };
}

/** Number of calendar days in a period (both ends included). */
export function periodDays(p: { from: string; to: string }): number {
  return Math.round((Date.parse(`${p.to}T00:00:00Z`) - Date.parse(`${p.from}T00:00:00Z`)) / DAY_MS) + 1;
}

const lastOfMonth = (date: string): string => addDays(`${monthShift(date.slice(0, 7), 1)}-01`, -1);

/** 'YYYY-MM' moved by n months. */
function monthShift(ym: string, n: number): string {
  const m = Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1 + n;
  return `${String(Math.floor(m / 12)).padStart(4, '0')}-${String((m % 12) + 1).padStart(2, '0')}`;
}

/**
 * The period just before this one, of equal length: whole calendar months give the same number
 * of months before (November → October, a year → the year before); any other range gives the
 * same number of days ending the day before it starts.
 */
export function previousPeriod(p: { from: string; to: string }): Period {
  if (p.from.endsWith('-01') && p.to === lastOfMonth(p.to)) {
    const months = (Number(p.to.slice(0, 4)) - Number(p.from.slice(0, 4))) * 12 + Number(p.to.slice(5, 7)) - Number(p.from.slice(5, 7)) + 1;
    const from = `${monthShift(p.from.slice(0, 7), -months)}-01`;
    return periodOf(from, addDays(p.from, -1));
  }
  const n = periodDays(p);
  const to = addDays(p.from, -1);
  return periodOf(addDays(to, -(n - 1)), to);
}

/** From the first of the current month to today (Vietnam time): the default period. */
export function monthToDate(now: Date): Period {
  const today = vnDate(now);
  return periodOf(`${today.slice(0, 8)}01`, today);
}

export type PeriodProblem = { field: 'from' | 'to'; problem: 'format' | 'order' | 'too_long' };

/**
 * Checks a requested period; missing ends default to month-to-date. Returns the period or the
 * problems found (each names the field it belongs to, for form messages).
 */
export function checkPeriod(
  input: { from?: string | undefined; to?: string | undefined },
  now: Date,
): { period: Period; problems: [] } | { period: null; problems: PeriodProblem[] } {
  const problems: PeriodProblem[] = [];
  const fallback = monthToDate(now);
  const from = input.from?.trim() || fallback.from;
  const to = input.to?.trim() || (input.from?.trim() && from > fallback.to ? from : fallback.to);
  if (!isCalendarDate(from)) problems.push({ field: 'from', problem: 'format' });
  if (!isCalendarDate(to)) problems.push({ field: 'to', problem: 'format' });
  if (problems.length) return { period: null, problems };
  if (from > to) return { period: null, problems: [{ field: 'to', problem: 'order' }] };
  if (periodDays({ from, to }) > MAX_PERIOD_DAYS) return { period: null, problems: [{ field: 'from', problem: 'too_long' }] };
  return { period: periodOf(from, to), problems: [] };
}

export { formatDay } from '../../platform/time.ts';
