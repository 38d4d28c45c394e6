/**
 * Public holidays and working days of one year, pure (DOMAIN.md §6).
 *
 * Rule layer (Labour Code 2019): art. 112 holidays, plus art. 111(3) substitute days for a
 * holiday that falls on a weekly rest day (Saturday or Sunday for civil servants).
 * Official layer: the schedule the Prime Minister / ministry publishes for the year, stored as
 * data (extra days off, extra working days) and passed in as `overrides`.
 *
 * How the two layers combine (decision, keep in sync with computeYearCalendar and
 * docs/WORKFLOW.md "The working calendar"): the official schedule replaces the rule one holiday
 * group at a time, only where it speaks to that group.
 * 1. Groups. Each rule day belongs to one group: Tết (the 5 Tết days and their substitutes),
 *    National Day (2 Sep, the adjacent day 1 Sep and their substitutes), and one group for each
 *    other fixed holiday (1 Jan, Hùng Kings, 30 Apr, 1 May: the holiday and its substitute).
 * 2. A group is replaced when the year's official days off include a day inside its window
 *    (computeGroupWindows) that is not itself a fixed statutory date (1 Jan, Hùng Kings, 30 Apr,
 *    1 May, 2 Sep): restating the law says nothing about where the Government placed the other
 *    days. Windows: Tết, lunar new year −10 … +10 days (TET_WINDOW_DAYS; the published schedules
 *    of 2024–2026 lie within −2 … +4, the rule's Tết days and substitutes within −1 … +5);
 *    National Day, 29 Aug … 5 Sep; the other fixed holidays, the holiday −3 … +3 days
 *    (FIXED_HOLIDAY_WINDOW_DAYS; every rule substitute lies within +3, 1990–2050).
 * 3. A replaced group loses its variable rule days: the Tết days, the adjacent day 1 Sep, its
 *    substitute days. The fixed statutory dates always stay days off from the rule. The rule's
 *    substitutes are computed on the whole rule first, so replacing one group never moves the
 *    substitute of another.
 * 4. Every official day off is added with source 'official' (on a date the rule already has off,
 *    the official entry replaces it): outside every window it simply adds a day off and changes
 *    nothing else (a one-off 24 Nov holiday keeps the rule's Tết).
 * 5. Official `workingDays` make that date a working day: they are make-up days (usually a
 *    Saturday) and they also remove any day off left on that date, a fixed holiday included.
 * A year without official days off (none, or only make-up working days) keeps the whole rule.
 */
import { isRealDay } from '../../platform/schemas.ts';
import { formatIsoDate, fromDayNumber, getIsoWeekday, getYearOfDayNumber, isWeekend, parseIsoDate, toDayNumber } from './civil-date.ts';
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

/** A holiday group an official schedule replaces as a whole (see header). */
export type HolidayGroup = 'newYear' | 'tet' | 'hungKings' | 'victory' | 'labour' | 'nationalDay';

/** Days around lunar new year in which an official day off replaces the rule's Tết (header, 2). */
const TET_WINDOW_DAYS = 10;
/** Days around 1 Jan, Hùng Kings, 30 Apr and 1 May in which an official day off replaces their substitute. */
const FIXED_HOLIDAY_WINDOW_DAYS = 3;

interface RuleHoliday {
  dayNumber: number;
  name: string;
  group: HolidayGroup;
  substituteName: string;
  /** A date the law fixes (always kept), or one the official schedule may place (Tết, adjacent day). */
  isFixed: boolean;
}

/** One rule day off: a holiday or a substitute, with its group. */
interface RuleDay {
  dayNumber: number;
  name: string;
  group: HolidayGroup;
  isFixed: boolean;
}

/** An inclusive range of day numbers. */
interface DayWindow {
  from: number;
  to: number;
}

const TET_NAME = 'Tết Nguyên đán';
const NATIONAL_DAY_NAME = 'Quốc khánh';

function lunarNewYearDay(year: number): number {
  const { year: y, month, day } = lunarToSolar(year, 1, 1);
  return toDayNumber(y, month, day);
}

function hungKingsDay(year: number): number {
  const { year: y, month, day } = lunarToSolar(year, 3, 10);
  return toDayNumber(y, month, day);
}

/** Art. 112 holidays of a year from the rules alone (the 5 Tết days start the day before lunar new year). */
function listRuleHolidays(year: number): RuleHoliday[] {
  const newYearDay = lunarNewYearDay(year);
  const eve = fromDayNumber(newYearDay - 1);
  const lastLunarDay = solarToLunar(eve.year, eve.month, eve.day).day;
  const holiday = (dayNumber: number, name: string, group: HolidayGroup, groupName: string, isFixed: boolean): RuleHoliday => ({
    dayNumber,
    name,
    group,
    substituteName: `Nghỉ bù ${groupName}`,
    isFixed,
  });
  return [
    holiday(toDayNumber(year, 1, 1), 'Tết Dương lịch', 'newYear', 'Tết Dương lịch', true),
    holiday(newYearDay - 1, `${TET_NAME} (${lastLunarDay} tháng Chạp)`, 'tet', TET_NAME, false),
    ...[1, 2, 3, 4].map((day) => holiday(newYearDay + day - 1, `${TET_NAME} (mùng ${day} Tết)`, 'tet', TET_NAME, false)),
    holiday(hungKingsDay(year), 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', 'hungKings', 'Giỗ Tổ Hùng Vương', true),
    holiday(toDayNumber(year, 4, 30), 'Ngày Chiến thắng (30/4)', 'victory', 'Ngày Chiến thắng', true),
    holiday(toDayNumber(year, 5, 1), 'Ngày Quốc tế Lao động (1/5)', 'labour', 'Ngày Quốc tế Lao động', true),
    holiday(toDayNumber(year, 9, 1), `${NATIONAL_DAY_NAME} (ngày liền kề)`, 'nationalDay', NATIONAL_DAY_NAME, false),
    holiday(toDayNumber(year, 9, 2), `${NATIONAL_DAY_NAME} (2/9)`, 'nationalDay', NATIONAL_DAY_NAME, true),
  ];
}

/**
 * Rule days off of the whole year: holidays plus, for each holiday on a Saturday or Sunday, a
 * substitute on the next weekday that is neither a holiday nor an earlier substitute (art. 111(3)),
 * in the holiday's group.
 */
function listRuleDays(year: number): RuleDay[] {
  const holidays = listRuleHolidays(year).sort((a, b) => a.dayNumber - b.dayNumber);
  const days: RuleDay[] = holidays.map(({ dayNumber, name, group, isFixed }) => ({ dayNumber, name, group, isFixed }));
  const taken = new Set(holidays.map((holiday) => holiday.dayNumber));
  for (const { dayNumber, substituteName, group } of holidays) {
    if (!isWeekend(dayNumber)) continue;
    let candidate = dayNumber + 1;
    while (isWeekend(candidate) || taken.has(candidate)) candidate += 1;
    taken.add(candidate);
    days.push({ dayNumber: candidate, name: substituteName, group, isFixed: false });
  }
  return days;
}

/**
 * The rule days as days off, one per date. Two holidays on one date (not seen in 1990–2050)
 * merge into one day off with both names.
 */
function toRuleDaysOff(days: RuleDay[]): Map<number, DayOff> {
  const daysOff = new Map<number, DayOff>();
  for (const { dayNumber, name } of days) {
    const existing = daysOff.get(dayNumber);
    const mergedName = existing === undefined ? name : `${existing.name}; ${name}`;
    daysOff.set(dayNumber, { date: formatIsoDate(dayNumber), name: mergedName, source: 'rule' });
  }
  return daysOff;
}

/** The window of each holiday group in a year (header, 2): an official day off in it replaces the group. */
function computeGroupWindows(year: number): Map<HolidayGroup, DayWindow> {
  const around = (dayNumber: number, days: number): DayWindow => ({ from: dayNumber - days, to: dayNumber + days });
  return new Map<HolidayGroup, DayWindow>([
    ['newYear', around(toDayNumber(year, 1, 1), FIXED_HOLIDAY_WINDOW_DAYS)],
    ['tet', around(lunarNewYearDay(year), TET_WINDOW_DAYS)],
    ['hungKings', around(hungKingsDay(year), FIXED_HOLIDAY_WINDOW_DAYS)],
    ['victory', around(toDayNumber(year, 4, 30), FIXED_HOLIDAY_WINDOW_DAYS)],
    ['labour', around(toDayNumber(year, 5, 1), FIXED_HOLIDAY_WINDOW_DAYS)],
    ['nationalDay', { from: toDayNumber(year, 8, 29), to: toDayNumber(year, 9, 5) }],
  ]);
}

/**
 * Problems in one year's official overrides (empty when valid), each "<list>[<i>]: <what>", in
 * Vietnamese as the API sends them (the administrators' page checks the lines itself, in its language).
 */
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
      if (!isRealDay(entry.date)) {
        problems.push(`${where}: ${entry.date} không phải là một ngày có thật (dạng YYYY-MM-DD)`);
        return;
      }
      if (getYearOfDayNumber(parseIsoDate(entry.date)) !== year) {
        problems.push(`${where}: ngày ${entry.date} không thuộc năm ${year}`);
      }
      if (entry.name.trim() === '') problems.push(`${where}: chưa có tên ngày`);
      const previous = seen.get(entry.date);
      if (previous !== undefined) problems.push(`${where}: ngày ${entry.date} đã có ở ${previous}`);
      seen.set(entry.date, where);
    });
  }
  return problems;
}

/**
 * The holiday groups whose variable rule days the year's official days off replace (header, 2),
 * in calendar order: those with an official day off in their window that is not a fixed statutory
 * date. Entries that are not valid dates are ignored (validate with findOverrideProblems).
 */
export function findReplacedHolidayGroups(year: number, overrides: CalendarOverrides | null): HolidayGroup[] {
  if (overrides === null || overrides.daysOff.length === 0) return [];
  const fixedDates = new Set(
    listRuleHolidays(year)
      .filter((holiday) => holiday.isFixed)
      .map((holiday) => holiday.dayNumber),
  );
  const officialDays = overrides.daysOff
    .filter((entry) => isRealDay(entry.date))
    .map((entry) => parseIsoDate(entry.date))
    .filter((dayNumber) => !fixedDates.has(dayNumber));
  const replaced: HolidayGroup[] = [];
  for (const [group, { from, to }] of computeGroupWindows(year)) {
    if (officialDays.some((dayNumber) => dayNumber >= from && dayNumber <= to)) replaced.push(group);
  }
  return replaced;
}

/**
 * Days off and working days of a year (see header): the whole rule when the year has no official
 * days off; otherwise the rule without the variable days of the groups the official schedule
 * replaces, plus the official days off; official working days last. Throws RangeError on invalid
 * overrides.
 */
export function computeYearCalendar(year: number, overrides: CalendarOverrides | null): YearCalendar {
  if (!Number.isInteger(year)) throw new RangeError(`Invalid year ${year}`);
  if (overrides === null) return { year, daysOff: sortByDate([...toRuleDaysOff(listRuleDays(year)).values()]), workingDays: [] };

  const problems = findOverrideProblems(year, overrides);
  if (problems.length > 0) throw new RangeError(`Invalid calendar overrides for ${year}: ${problems.join('; ')}`);
  const replaced = new Set(findReplacedHolidayGroups(year, overrides));
  const daysOff = toRuleDaysOff(listRuleDays(year).filter((day) => day.isFixed || !replaced.has(day.group)));
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
  overrides: ReadonlyMap<number, CalendarOverrides> | ((year: number) => CalendarOverrides | null) = new Map(),
): YearCalendarProvider {
  const findOverrides = typeof overrides === 'function' ? overrides : (year: number) => overrides.get(year) ?? null;
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
