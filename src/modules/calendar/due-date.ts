/**
 * Deadline arithmetic for dossiers, pure. Every legal time is Vietnam time (Asia/Ho_Chi_Minh,
 * UTC+7, no daylight saving), done here with a fixed +07:00 offset and no time-zone library.
 *
 * Internally an instant is a "local millisecond": the UTC epoch milliseconds shifted by +7 h,
 * so that floor(local / day) is the Vietnamese calendar day and the remainder its time of day.
 */
import { MS_PER_DAY, fromDayNumber, parseIsoDate, toDayNumber } from './civil-date.ts';
import { toWorkingCalendar } from './holidays.ts';
import type { WorkingCalendar, YearCalendarProvider } from './holidays.ts';

export type DurationUnit = 'hours' | 'days' | 'working_days' | 'months';

export interface OfficePeriod {
  /** 'HH:MM', Vietnam time */
  start: string;
  /** 'HH:MM' (up to '24:00'), after start */
  end: string;
}

/** Office periods of a working day, in order and not overlapping. Configurable data. */
export interface OfficeHours {
  periods: OfficePeriod[];
}

/** A stretch during which the legal clock is stopped (e.g. waiting for a supplement). */
export interface Pause {
  from: Date;
  to: Date;
}

export type CalendarSource = WorkingCalendar | YearCalendarProvider;

export interface DueAtInput {
  /** When the clock starts (the dossier is received). */
  start: Date;
  /** Non-negative; fractions allowed except for months. */
  value: number;
  unit: DurationUnit;
  calendar: CalendarSource;
  officeHours: OfficeHours;
  pauses?: readonly Pause[];
}

/** The usual office hours of a provincial service centre; a default to seed configuration, not a rule. */
export const DEFAULT_OFFICE_HOURS: OfficeHours = {
  periods: [
    { start: '07:30', end: '11:30' },
    { start: '13:30', end: '17:00' },
  ],
};

export const VIETNAM_UTC_OFFSET_MS = 7 * 3_600_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;
/** Give up looking for a working day after this many consecutive days off (a broken calendar). */
const MAX_DAYS_WITHOUT_WORK = 366;

interface ParsedOfficeHours {
  /** [start, end) in ms after local midnight, ascending. */
  periods: readonly (readonly [number, number])[];
  /** Total office time of one working day. */
  dayMs: number;
  /** End of the last period. */
  closingMs: number;
}

type Interval = readonly [number, number];

/**
 * The instant a dossier is due.
 *
 * - `working_days`: N × (office time of one full working day) of working time, counted only
 *   inside office periods of working days. A start outside office time counts from the next
 *   office period, and a period that is used up exactly ends at that period's end: received
 *   Fri 18:00, 1 working day → Mon 17:00 (if Monday is a working day).
 * - `hours`: N working hours counted the same way (across the lunch break, nights, days off).
 * - `days` (Civil Code 2015 art. 147–148): the day of reception is not counted; the period
 *   starts the next day and ends at the end of its N-th day, which for a dossier is the close
 *   of office hours (the result is returned at the desk). Reception outside office time counts,
 *   as for working days, from the next office period: received Mon 18:00 counts as Tue
 *   morning, so 1 day ends Wed at closing.
 * - `months`: ends at the end (office close) of the corresponding day of the N-th month after
 *   the day of reception (same rule for reception after hours), or that month's last day when
 *   it has no such day: 31 Jan + 1 month → 28/29 Feb.
 * - For `days` and `months`, a last day that is not a working day (weekend, holiday, official
 *   day off) moves the end to the close of the next working day (art. 148(2)).
 * - `pauses`: the clock stops during them. For working units, working time inside pauses does
 *   not count (so the due date moves by the office time paused before it). For `days`/`months`
 *   the end moves by the calendar time paused before it and then ends at the close of office of
 *   the day it falls on (an instant after closing belongs to the next day, as a reception after
 *   hours does), then the working-day rule above. Overlapping pauses count once; a pause
 *   starting exactly at the due instant, or lying before the start, changes nothing.
 * - `value` 0 returns `start` unchanged. Throws RangeError for negative or non-finite values,
 *   fractional days or months, invalid dates, pauses with `to` before `from`, or broken office
 *   hours.
 */
export function computeDueAt(input: DueAtInput): Date {
  const { value, unit } = input;
  const startLocal = toLocalMs(input.start);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`Invalid duration value ${value}`);
  if ((unit === 'months' || unit === 'days') && !Number.isInteger(value)) {
    throw new RangeError(unit === 'months' ? 'Months must be a whole number' : 'Days must be a whole number');
  }
  const office = parseOfficeHours(input.officeHours);
  const calendar = toWorkingCalendar(input.calendar);
  const pauses = mergePauses(input.pauses ?? []);
  if (value === 0) return new Date(input.start.getTime());

  switch (unit) {
    case 'working_days':
      return fromLocalMs(addWorkingTime(startLocal, Math.round(value * office.dayMs), calendar, office, pauses));
    case 'hours':
      return fromLocalMs(addWorkingTime(startLocal, Math.round(value * MS_PER_HOUR), calendar, office, pauses));
    case 'days':
    case 'months': {
      const countedFrom = firstOfficeInstant(startLocal, calendar, office);
      const receptionDay = Math.floor(countedFrom / MS_PER_DAY);
      const lastDay = unit === 'days' ? receptionDay + value : addMonthsToDay(receptionDay, value);
      const end = lastDay * MS_PER_DAY + office.closingMs;
      const pushed = addCalendarTime(countedFrom, end - countedFrom, pauses);
      const endDay = pushed === end ? lastDay : dayClosingAtOrAfter(pushed, office);
      return fromLocalMs(closingOfWorkingDayFrom(endDay, calendar, office));
    }
    default: {
      const never: never = unit;
      throw new RangeError(`Unknown duration unit ${String(never)}`);
    }
  }
}

/** Working time in minutes between two instants, counted inside office periods of working days; negative when `to` is before `from`. */
export function workingMinutesBetween(from: Date, to: Date, calendar: CalendarSource, officeHours: OfficeHours): number {
  const office = parseOfficeHours(officeHours);
  return measureWorkingTime(toLocalMs(from), toLocalMs(to), toWorkingCalendar(calendar), office) / MS_PER_MINUTE;
}

/**
 * Working time between two instants in working days (decimal, one day = the office time of a
 * full working day); negative when `to` is before `from`. Remaining time: (now, dueAt);
 * lateness: (dueAt, finishedAt or now).
 */
export function workingDaysBetween(from: Date, to: Date, calendar: CalendarSource, officeHours: OfficeHours): number {
  const office = parseOfficeHours(officeHours);
  return measureWorkingTime(toLocalMs(from), toLocalMs(to), toWorkingCalendar(calendar), office) / office.dayMs;
}

function toLocalMs(instant: Date): number {
  const ms = instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('Invalid date');
  return ms + VIETNAM_UTC_OFFSET_MS;
}

function fromLocalMs(localMs: number): Date {
  return new Date(localMs - VIETNAM_UTC_OFFSET_MS);
}

function parseClock(clock: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(clock);
  const hours = Number(match?.[1]);
  const minutes = Number(match?.[2]);
  const isValid = match !== null && minutes < 60 && (hours < 24 || (hours === 24 && minutes === 0));
  if (!isValid) throw new RangeError(`Invalid office time '${clock}', expected HH:MM`);
  return hours * MS_PER_HOUR + minutes * MS_PER_MINUTE;
}

function parseOfficeHours(officeHours: OfficeHours): ParsedOfficeHours {
  if (officeHours.periods.length === 0) throw new RangeError('Office hours need at least one period');
  const periods = officeHours.periods.map((period) => [parseClock(period.start), parseClock(period.end)] as const);
  let previousEnd = 0;
  for (const [start, end] of periods) {
    if (end <= start || start < previousEnd) {
      throw new RangeError('Office periods must be non-empty, in order and not overlapping');
    }
    previousEnd = end;
  }
  const dayMs = periods.reduce((sum, [start, end]) => sum + end - start, 0);
  return { periods, dayMs, closingMs: previousEnd };
}

/** Pauses as sorted, disjoint local-ms intervals (overlapping or touching ones merged). */
function mergePauses(pauses: readonly Pause[]): Interval[] {
  const intervals = pauses
    .map((pause): Interval => {
      const from = toLocalMs(pause.from);
      const to = toLocalMs(pause.to);
      if (to < from) throw new RangeError('A pause cannot end before it starts');
      return [from, to];
    })
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of intervals) {
    const last = merged.at(-1);
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** Parts of [from, to) not covered by the (sorted, disjoint) pauses. */
function subtractPauses(from: number, to: number, pauses: readonly Interval[]): Interval[] {
  const parts: Interval[] = [];
  let cursor = from;
  for (const [pauseFrom, pauseTo] of pauses) {
    if (pauseTo <= cursor) continue;
    if (pauseFrom >= to) break;
    if (pauseFrom > cursor) parts.push([cursor, pauseFrom]);
    cursor = Math.max(cursor, pauseTo);
    if (cursor >= to) return parts;
  }
  if (cursor < to) parts.push([cursor, to]);
  return parts;
}

/** Office periods of working days from `fromLocal` on, in order, clipped to start at `fromLocal`. */
function* iterateOfficeTime(fromLocal: number, calendar: WorkingCalendar, office: ParsedOfficeHours): Generator<Interval> {
  let dayNumber = Math.floor(fromLocal / MS_PER_DAY);
  let daysWithoutWork = 0;
  for (;;) {
    if (calendar.isWorkingDayNumber(dayNumber)) {
      daysWithoutWork = 0;
      const midnight = dayNumber * MS_PER_DAY;
      for (const [start, end] of office.periods) {
        const periodEnd = midnight + end;
        if (periodEnd > fromLocal) yield [Math.max(midnight + start, fromLocal), periodEnd];
      }
    } else if (++daysWithoutWork > MAX_DAYS_WITHOUT_WORK) {
      throw new RangeError(`No working day within ${MAX_DAYS_WITHOUT_WORK} days; check the calendar`);
    }
    dayNumber += 1;
  }
}

/** The instant at which `durationMs` of unpaused office time has elapsed after `startLocal`. */
function addWorkingTime(startLocal: number, durationMs: number, calendar: WorkingCalendar, office: ParsedOfficeHours, pauses: readonly Interval[]): number {
  let remaining = durationMs;
  for (const [from, to] of iterateOfficeTime(startLocal, calendar, office)) {
    for (const [partFrom, partTo] of subtractPauses(from, to, pauses)) {
      if (remaining <= partTo - partFrom) return partFrom + remaining;
      remaining -= partTo - partFrom;
    }
  }
  throw new Error('unreachable: office time is endless');
}

/** The instant at which `durationMs` of unpaused wall-clock time has elapsed after `startLocal`. */
function addCalendarTime(startLocal: number, durationMs: number, pauses: readonly Interval[]): number {
  let cursor = startLocal;
  let remaining = durationMs;
  for (const [pauseFrom, pauseTo] of pauses) {
    if (pauseTo <= cursor) continue;
    const runBeforePause = Math.max(pauseFrom, cursor) - cursor;
    if (runBeforePause >= remaining) break;
    remaining -= runBeforePause;
    cursor = pauseTo;
  }
  return cursor + remaining;
}

/** The first instant of office time at or after `localMs` (itself when inside an office period). */
function firstOfficeInstant(localMs: number, calendar: WorkingCalendar, office: ParsedOfficeHours): number {
  for (const [from] of iterateOfficeTime(localMs, calendar, office)) return from;
  throw new Error('unreachable: office time is endless');
}

/** The corresponding day `months` later, or the last day of that month when it has none (art. 148(1)). */
function addMonthsToDay(dayNumber: number, months: number): number {
  const { year, month, day } = fromDayNumber(dayNumber);
  const firstOfTarget = toDayNumber(year, month + months, 1);
  const target = fromDayNumber(firstOfTarget);
  const lastDay = toDayNumber(target.year, target.month + 1, 1) - firstOfTarget;
  return firstOfTarget + Math.min(day, lastDay) - 1;
}

/** The day whose office close is the first at or after `localMs` (after closing → the next day). */
function dayClosingAtOrAfter(localMs: number, office: ParsedOfficeHours): number {
  const dayNumber = Math.floor(localMs / MS_PER_DAY);
  return localMs - dayNumber * MS_PER_DAY <= office.closingMs ? dayNumber : dayNumber + 1;
}

/** Civil Code art. 148(2): the close of office of `dayNumber`, or of the next working day when it is a day off. */
function closingOfWorkingDayFrom(dayNumber: number, calendar: WorkingCalendar, office: ParsedOfficeHours): number {
  for (let day = dayNumber; day <= dayNumber + MAX_DAYS_WITHOUT_WORK; day += 1) {
    if (calendar.isWorkingDayNumber(day)) return day * MS_PER_DAY + office.closingMs;
  }
  throw new RangeError(`No working day within ${MAX_DAYS_WITHOUT_WORK} days; check the calendar`);
}

/**
 * Whether an instant is working time, as a new due date must be: a working day of the calendar
 * (holidays, substitute days, official overrides) and inside one of its office periods, a
 * period's end included (the close of office is working time). RangeError outside the calendar.
 */
export function isWorkingTime(at: Date, calendar: CalendarSource, officeHours: OfficeHours): boolean {
  const office = parseOfficeHours(officeHours);
  const local = toLocalMs(at);
  const day = Math.floor(local / MS_PER_DAY);
  const time = local - day * MS_PER_DAY;
  return toWorkingCalendar(calendar).isWorkingDayNumber(day) && office.periods.some(([start, end]) => time >= start && time <= end);
}

/** The close of office (the end of the last period) of a Vietnamese calendar day (YYYY-MM-DD), working or not. */
export function closeOfOffice(date: string, officeHours: OfficeHours): Date {
  return fromLocalMs(parseIsoDate(date) * MS_PER_DAY + parseOfficeHours(officeHours).closingMs);
}

/** The close of office of the first working day that closes strictly after `after` (art. 148(2) as for `days`). */
export function nextWorkingClose(after: Date, calendar: CalendarSource, officeHours: OfficeHours): Date {
  const office = parseOfficeHours(officeHours);
  return fromLocalMs(closingOfWorkingDayFrom(dayClosingAtOrAfter(toLocalMs(after) + 1, office), toWorkingCalendar(calendar), office));
}

/** Signed office time between two local instants. */
function measureWorkingTime(fromLocal: number, toLocal: number, calendar: WorkingCalendar, office: ParsedOfficeHours): number {
  if (toLocal < fromLocal) return -measureWorkingTime(toLocal, fromLocal, calendar, office);
  let total = 0;
  const lastDay = Math.floor(toLocal / MS_PER_DAY);
  for (let dayNumber = Math.floor(fromLocal / MS_PER_DAY); dayNumber <= lastDay; dayNumber += 1) {
    if (!calendar.isWorkingDayNumber(dayNumber)) continue;
    const midnight = dayNumber * MS_PER_DAY;
    for (const [start, end] of office.periods) {
      total += Math.max(0, Math.min(midnight + end, toLocal) - Math.max(midnight + start, fromLocal));
    }
  }
  return total;
}

/**
 * When each workflow step should be finished: the legal time from reception to the original due
 * date, counted in working time, shared out by the steps' shares (cumulatively), with the
 * pauses (supplements) added; the last step ends at `dueAt`, which carries any extension. A
 * step's deadline is never after `dueAt`.
 */
export function stepDeadlines(input: {
  receivedAt: Date;
  originalDueAt: Date;
  dueAt: Date;
  shares: readonly number[];
  pauses?: readonly Pause[];
  calendar: CalendarSource;
  officeHours: OfficeHours;
}): Date[] {
  const legalMinutes = Math.max(0, workingMinutesBetween(input.receivedAt, input.originalDueAt, input.calendar, input.officeHours));
  let cumulative = 0;
  return input.shares.map((share, i) => {
    cumulative += share;
    if (i === input.shares.length - 1) return new Date(input.dueAt.getTime());
    const at = computeDueAt({
      start: input.receivedAt,
      value: (cumulative * legalMinutes) / 60,
      unit: 'hours',
      calendar: input.calendar,
      officeHours: input.officeHours,
      pauses: [...(input.pauses ?? [])],
    });
    return at.getTime() > input.dueAt.getTime() ? new Date(input.dueAt.getTime()) : at;
  });
}

/**
 * A calendar-day or month due date moved later by `byMs` of paused time, as `computeDueAt` moves
 * one by its pauses: it then ends at the office close of the day it lands on (after closing → the
 * next day), or of the next working day (Civil Code art. 148). Used where the due date no longer
 * follows from the duration (an extended dossier).
 */
export function moveCalendarDueAt(dueAt: Date, byMs: number, calendar: CalendarSource, officeHours: OfficeHours): Date {
  if (byMs <= 0) return new Date(dueAt.getTime());
  const office = parseOfficeHours(officeHours);
  const endDay = dayClosingAtOrAfter(toLocalMs(dueAt) + byMs, office);
  return fromLocalMs(closingOfWorkingDayFrom(endDay, toWorkingCalendar(calendar), office));
}

/**
 * A procedure's stored duration as the legal count takes it: calendar days and months are whole
 * (Civil Code art. 147–148), so a fraction kept from data written before that rule is rounded up
 * rather than failing the dossier's reception.
 */
export function legalDuration(d: { value: number; unit: DurationUnit }): { value: number; unit: DurationUnit } {
  return d.unit === 'days' || d.unit === 'months' ? { value: Math.ceil(d.value), unit: d.unit } : d;
}
