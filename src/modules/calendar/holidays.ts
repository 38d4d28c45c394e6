/**
 * Public holidays and working days of one year, pure (DOMAIN.md §6).
 *
 * Rule layer (Labour Code 2019): art. 112 holidays, plus art. 111(3) substitute days for a
 * holiday that falls on a weekly rest day (Saturday or Sunday for civil servants).
 * Official layer: the schedule the Prime Minister / ministry publishes for the year, stored as
 * data (extra days off, extra working days) and passed in as `overrides`.
 *
 * How the two layers combine (decision, keep in sync with computeYearCalendar and
 * docs/WORKFLOW.md "The working calendar"):
 * 1. A year has an official schedule when at least one official day off is set for it. Then the
 *    rule's variable days (the 5 Tết days, the National Day adjacent day, and every substitute
 *    day) are dropped: the official schedule replaces them, because it is what fixes them
 *    (DOMAIN §6: the rule is only a fallback for years with no official schedule). The fixed
 *    statutory dates stay days off: 1 Jan, 30 Apr, 1 May, 2 Sep and Hùng Kings (10/3 lunar).
 *    A year without official days off (none, or only make-up working days) keeps the whole rule.
 * 2. Official `daysOff` are added with source 'official'; on a fixed statutory date the
 *    official entry replaces the rule entry (official name, source 'official').
 * 3. Official `workingDays` make that date a working day: they are make-up days (usually a
 *    Saturday) and they also remove any day off left on that date, a fixed holiday included.
 * Consequence for administrators: enter a year's whole published schedule of days off (Tết,
 * National Day, substitute days), not only the days that differ from the rule.
 */
import {
  formatIsoDate,
  fromDayNumber,
  getIsoWeekday,
  getYearOfDayNumber,
  isIsoDate,
  isWeekend,
  parseIsoDate,
  toDayNumber,
} from './civil-date.ts';
import { lunarToSolar, solarToLunar } from './lunar.ts';

export type DayOffSource = 'rule' | 'official';

export interface NamedDate {
  /** 'YYYY-MM-DD' */
  date: string;
  name: string;
}

export interface DayOff extends NamedDate {
  source: DayOffSource;
}

/** One year's official schedule, as an administrator enters it. */
export interface CalendarOverrides {
  daysOff: NamedDate[];
  workingDays: NamedDate[];
}

export interface YearCalendar {
  year: number;
  /** Sorted by date; includes holidays that fall on a weekend. */
  daysOff: DayOff[];
  /** Official working days (make-up days, cancelled rule days), sorted by date. */
  workingDays: NamedDate[];
}

/** Gives the calendar of a year; implementations should memoize (see createYearCalendarProvider). */
export type YearCalendarProvider = (year: number) => YearCalendar;

interface RuleHoliday {
  dayNumber: number;
  name: string;
  substituteName: string;
  /** A date the law fixes (kept under an official schedule), or one the schedule places (dropped). */
  isFixed: boolean;
}

const TET_NAME = 'Tết Nguyên đán';
const NATIONAL_DAY_NAME = 'Quốc khánh';

/** Art. 112 holidays of a year from the rules alone (the 5 Tết days start the day before lunar new year). */
function listRuleHolidays(year: number): RuleHoliday[] {
  const lunarNewYear = lunarToSolar(year, 1, 1);
  const newYearDay = toDayNumber(lunarNewYear.year, lunarNewYear.month, lunarNewYear.day);
  const eve = fromDayNumber(newYearDay - 1);
  const lastLunarDay = solarToLunar(eve.year, eve.month, eve.day).day;
  const hungKings = lunarToSolar(year, 3, 10);
  const holiday = (dayNumber: number, name: string, group: string, isFixed: boolean): RuleHoliday => ({
    dayNumber,
    name,
    substituteName: `Nghỉ bù ${group}`,
    isFixed,
  });
  return [
    holiday(toDayNumber(year, 1, 1), 'Tết Dương lịch', 'Tết Dương lịch', true),
    holiday(newYearDay - 1, `${TET_NAME} (${lastLunarDay} tháng Chạp)`, TET_NAME, false),
    ...[1, 2, 3, 4].map((day) => holiday(newYearDay + day - 1, `${TET_NAME} (mùng ${day} Tết)`, TET_NAME, false)),
    holiday(
      toDayNumber(hungKings.year, hungKings.month, hungKings.day),
      'Giỗ Tổ Hùng Vương (10/3 âm lịch)',
      'Giỗ Tổ Hùng Vương',
      true,
    ),
    holiday(toDayNumber(year, 4, 30), 'Ngày Chiến thắng (30/4)', 'Ngày Chiến thắng', true),
    holiday(toDayNumber(year, 5, 1), 'Ngày Quốc tế Lao động (1/5)', 'Ngày Quốc tế Lao động', true),
    holiday(toDayNumber(year, 9, 1), `${NATIONAL_DAY_NAME} (ngày liền kề)`, NATIONAL_DAY_NAME, false),
    holiday(toDayNumber(year, 9, 2), `${NATIONAL_DAY_NAME} (2/9)`, NATIONAL_DAY_NAME, true),
  ];
}

/**
 * Rule days off: holidays plus, for each holiday on a Saturday or Sunday, a substitute on the
 * next weekday that is neither a holiday nor an earlier substitute (art. 111(3)). Two holidays
 * on one date (not seen in 1990–2050) merge into one day off with both names.
 * With `fixedOnly` (the year has an official schedule) only the fixed statutory dates, without
 * substitutes: the official schedule places everything else.
 */
function computeRuleDaysOff(year: number, fixedOnly: boolean): Map<number, DayOff> {
  const daysOff = new Map<number, DayOff>();
  const holidays = listRuleHolidays(year)
    .filter((holiday) => holiday.isFixed || !fixedOnly)
    .sort((a, b) => a.dayNumber - b.dayNumber);
  for (const { dayNumber, name } of holidays) {
    const existing = daysOff.get(dayNumber);
    const mergedName = existing === undefined ? name : `${existing.name}; ${name}`;
    daysOff.set(dayNumber, { date: formatIsoDate(dayNumber), name: mergedName, source: 'rule' });
  }
  if (fixedOnly) return daysOff;
  for (const { dayNumber, substituteName } of holidays) {
    if (!isWeekend(dayNumber)) continue;
    let candidate = dayNumber + 1;
    while (isWeekend(candidate) || daysOff.has(candidate)) candidate += 1;
    daysOff.set(candidate, { date: formatIsoDate(candidate), name: substituteName, source: 'rule' });
  }
  return daysOff;
}

/** Problems in one year's official overrides (empty when valid), worded for the administrator. */
export function findOverrideProblems(year: number, overrides: CalendarOverrides): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const lists = [
    ['daysOff', overrides.daysOff],
    ['workingDays', overrides.workingDays],
  ] as const;
  for (const [listName, entries] of lists) {
    entries.forEach((entry, index) => {
      const where = `${listName}[${index}]`;
      if (!isIsoDate(entry.date)) {
        problems.push(`${where}: '${entry.date}' is not a YYYY-MM-DD date`);
        return;
      }
      if (getYearOfDayNumber(parseIsoDate(entry.date)) !== year) {
        problems.push(`${where}: ${entry.date} is not in ${year}`);
      }
      if (entry.name.trim() === '') problems.push(`${where}: name is empty`);
      const previous = seen.get(entry.date);
      if (previous !== undefined) problems.push(`${where}: ${entry.date} already listed in ${previous}`);
      seen.set(entry.date, where);
    });
  }
  return problems;
}

/** True when the overrides are an official schedule that replaces the rule's variable days (see header). */
export function hasOfficialSchedule(overrides: CalendarOverrides | null): boolean {
  return overrides !== null && overrides.daysOff.length > 0;
}

/**
 * Days off and working days of a year (see header): the whole rule when the year has no official
 * schedule; otherwise the fixed statutory dates plus the official days off; official working days
 * last. Throws RangeError on invalid overrides.
 */
export function computeYearCalendar(year: number, overrides: CalendarOverrides | null): YearCalendar {
  if (!Number.isInteger(year)) throw new RangeError(`Invalid year ${year}`);
  if (overrides === null) return { year, daysOff: sortByDate([...computeRuleDaysOff(year, false).values()]), workingDays: [] };

  const problems = findOverrideProblems(year, overrides);
  if (problems.length > 0) throw new RangeError(`Invalid calendar overrides for ${year}: ${problems.join('; ')}`);
  const daysOff = computeRuleDaysOff(year, hasOfficialSchedule(overrides));
  for (const { date } of overrides.workingDays) daysOff.delete(parseIsoDate(date));
  for (const { date, name } of overrides.daysOff) {
    daysOff.set(parseIsoDate(date), { date, name, source: 'official' });
  }
  const workingDays = overrides.workingDays.map(({ date, name }) => ({ date, name }));
  return { year, daysOff: sortByDate([...daysOff.values()]), workingDays: sortByDate(workingDays) };
}

function sortByDate<T extends NamedDate>(entries: T[]): T[] {
  return entries.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** True when the date is a working day of `calendar` (which must be the calendar of the date's year). */
export function isWorkingDay(date: string, calendar: YearCalendar): boolean {
  const dayNumber = parseIsoDate(date);
  const year = getYearOfDayNumber(dayNumber);
  if (year !== calendar.year) throw new RangeError(`${date} is not in the ${calendar.year} calendar`);
  if (calendar.workingDays.some((entry) => entry.date === date)) return true;
  if (calendar.daysOff.some((entry) => entry.date === date)) return false;
  return getIsoWeekday(dayNumber) <= 5;
}

/** A provider that computes each year once; overrides come from a map or a synchronous lookup. */
export function createYearCalendarProvider(
  overrides:
    | ReadonlyMap<number, CalendarOverrides>
    | ((year: number) => CalendarOverrides | null) = new Map(),
): YearCalendarProvider {
  const findOverrides =
    typeof overrides === 'function' ? overrides : (year: number) => overrides.get(year) ?? null;
  const cache = new Map<number, YearCalendar>();
  return (year) => {
    let calendar = cache.get(year);
    if (calendar === undefined) {
      calendar = computeYearCalendar(year, findOverrides(year));
      cache.set(year, calendar);
    }
    return calendar;
  };
}

interface CompiledYear {
  calendar: YearCalendar;
  firstDayNumber: number;
  /** 1 = working day, 0 = day off, indexed by day of year. */
  isWorking: Uint8Array;
}

/**
 * Fast working-day lookup over a year provider: each year is fetched from the provider once
 * and compiled into a day-of-year bitmap, so deadline arithmetic over thousands of dossiers
 * never repeats the lunar computation.
 */
export class WorkingCalendar {
  readonly #provider: YearCalendarProvider;
  readonly #years = new Map<number, CompiledYear>();

  constructor(provider: YearCalendarProvider) {
    this.#provider = provider;
  }

  /** A calendar from the rules plus the given official overrides per year. */
  static fromOverrides(overrides: ReadonlyMap<number, CalendarOverrides> = new Map()): WorkingCalendar {
    return new WorkingCalendar(createYearCalendarProvider(overrides));
  }

  /** The (memoized) calendar of a year. */
  getYearCalendar(year: number): YearCalendar {
    return this.#compileYear(year).calendar;
  }

  /** True when the 'YYYY-MM-DD' date is a working day. */
  isWorkingDay(date: string): boolean {
    return this.isWorkingDayNumber(parseIsoDate(date));
  }

  /** True when the day (days since 1970-01-01) is a working day. */
  isWorkingDayNumber(dayNumber: number): boolean {
    const compiled = this.#compileYear(getYearOfDayNumber(dayNumber));
    return compiled.isWorking[dayNumber - compiled.firstDayNumber] === 1;
  }

  /** The day off on a date, or null when the date is not a listed day off (weekends are not listed). */
  findDayOff(date: string): DayOff | null {
    const calendar = this.getYearCalendar(getYearOfDayNumber(parseIsoDate(date)));
    return calendar.daysOff.find((entry) => entry.date === date) ?? null;
  }

  #compileYear(year: number): CompiledYear {
    const cached = this.#years.get(year);
    if (cached !== undefined) return cached;
    const calendar = this.#provider(year);
    if (calendar.year !== year) throw new RangeError(`Provider returned ${calendar.year} for ${year}`);
    const firstDayNumber = toDayNumber(year, 1, 1);
    const isWorking = new Uint8Array(toDayNumber(year + 1, 1, 1) - firstDayNumber);
    for (let i = 0; i < isWorking.length; i += 1) isWorking[i] = isWeekend(firstDayNumber + i) ? 0 : 1;
    const indexOf = (date: string): number => {
      const index = parseIsoDate(date) - firstDayNumber;
      if (index < 0 || index >= isWorking.length) throw new RangeError(`${date} is not in the ${year} calendar`);
      return index;
    };
    for (const { date } of calendar.daysOff) isWorking[indexOf(date)] = 0;
    for (const { date } of calendar.workingDays) isWorking[indexOf(date)] = 1;
    const compiled = { calendar, firstDayNumber, isWorking };
    this.#years.set(year, compiled);
    return compiled;
  }
}

const wrappedProviders = new WeakMap<YearCalendarProvider, WorkingCalendar>();

/** The WorkingCalendar itself, or one cached per provider function so repeated calls share it. */
export function toWorkingCalendar(calendar: WorkingCalendar | YearCalendarProvider): WorkingCalendar {
  if (calendar instanceof WorkingCalendar) return calendar;
  let wrapped = wrappedProviders.get(calendar);
  if (wrapped === undefined) {
    wrapped = new WorkingCalendar(calendar);
    wrappedProviders.set(calendar, wrapped);
  }
  return wrapped;
}
