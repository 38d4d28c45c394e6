import { describe, expect, it, vi } from 'vitest';
import { formatIsoDate, getIsoWeekday, parseIsoDate, toDayNumber } from './civil-date.ts';
import {
  WorkingCalendar,
  computeYearCalendar,
  createYearCalendarProvider,
  findOverrideProblems,
  findReplacedHolidayGroups,
  isWorkingDay,
  toWorkingCalendar,
} from './holidays.ts';
import type { CalendarOverrides, YearCalendar } from './holidays.ts';
import { OFFICIAL_2025 } from './schedules.fixture.ts';

const datesOf = (calendar: YearCalendar): string[] => calendar.daysOff.map((entry) => entry.date);

/** Tết Bính Ngọ 2026 as published for civil servants: Mon 16 – Fri 20 Feb (DOMAIN.md §6). */
const OFFICIAL_2026: CalendarOverrides = {
  daysOff: [16, 17, 18, 19, 20].map((day) => ({ date: `2026-02-${day}`, name: 'Nghỉ Tết Nguyên đán Bính Ngọ' })),
  workingDays: [],
};

describe('computeYearCalendar: rule layer', () => {
  it('computes 2026 from the rules', () => {
    expect(computeYearCalendar(2026, null)).toEqual({
      year: 2026,
      daysOff: [
        { date: '2026-01-01', name: 'Tết Dương lịch', source: 'rule' },
        { date: '2026-02-16', name: 'Tết Nguyên đán (29 tháng Chạp)', source: 'rule' },
        { date: '2026-02-17', name: 'Tết Nguyên đán (mùng 1 Tết)', source: 'rule' },
        { date: '2026-02-18', name: 'Tết Nguyên đán (mùng 2 Tết)', source: 'rule' },
        { date: '2026-02-19', name: 'Tết Nguyên đán (mùng 3 Tết)', source: 'rule' },
        { date: '2026-02-20', name: 'Tết Nguyên đán (mùng 4 Tết)', source: 'rule' },
        { date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', source: 'rule' },
        { date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương', source: 'rule' },
        { date: '2026-04-30', name: 'Ngày Chiến thắng (30/4)', source: 'rule' },
        { date: '2026-05-01', name: 'Ngày Quốc tế Lao động (1/5)', source: 'rule' },
        { date: '2026-09-01', name: 'Quốc khánh (ngày liền kề)', source: 'rule' },
        { date: '2026-09-02', name: 'Quốc khánh (2/9)', source: 'rule' },
      ],
      workingDays: [],
    });
  });

  it('names the last day of the lunar year 30 Chạp when the month is full (Tết 2024)', () => {
    expect(computeYearCalendar(2024, null).daysOff[1]).toEqual({
      date: '2024-02-09',
      name: 'Tết Nguyên đán (30 tháng Chạp)',
      source: 'rule',
    });
  });

  it('gives substitutes for 2022: 1 Jan on Saturday, Hùng Kings on Sunday, 30/4 and 1/5 on a weekend', () => {
    const substitutes = computeYearCalendar(2022, null).daysOff.filter((entry) => entry.name.startsWith('Nghỉ bù'));
    expect(substitutes).toEqual([
      { date: '2022-01-03', name: 'Nghỉ bù Tết Dương lịch', source: 'rule' },
      { date: '2022-04-11', name: 'Nghỉ bù Giỗ Tổ Hùng Vương', source: 'rule' },
      { date: '2022-05-02', name: 'Nghỉ bù Ngày Chiến thắng', source: 'rule' },
      { date: '2022-05-03', name: 'Nghỉ bù Ngày Quốc tế Lao động', source: 'rule' },
    ]);
  });

  it('puts Tết substitutes after the whole Tết block (2024: Sat and Sun → Wed 14, Thu 15 Feb)', () => {
    const dates = datesOf(computeYearCalendar(2024, null));
    expect(dates.slice(1, 8)).toEqual(['2024-02-09', '2024-02-10', '2024-02-11', '2024-02-12', '2024-02-13', '2024-02-14', '2024-02-15']);
  });

  it('gives one substitute per weekend holiday when 1 and 2 Sep are Saturday and Sunday (2029)', () => {
    const calendar = computeYearCalendar(2029, null);
    expect(calendar.daysOff.slice(-4)).toEqual([
      { date: '2029-09-01', name: 'Quốc khánh (ngày liền kề)', source: 'rule' },
      { date: '2029-09-02', name: 'Quốc khánh (2/9)', source: 'rule' },
      { date: '2029-09-03', name: 'Nghỉ bù Quốc khánh', source: 'rule' },
      { date: '2029-09-04', name: 'Nghỉ bù Quốc khánh', source: 'rule' },
    ]);
  });

  it('holds for every year 1990–2050: 11 holidays, one weekday substitute per weekend holiday, sorted, named', () => {
    for (let year = 1990; year <= 2050; year += 1) {
      const { daysOff } = computeYearCalendar(year, null);
      const substitutes = daysOff.filter((entry) => entry.name.startsWith('Nghỉ bù '));
      const holidays = daysOff.filter((entry) => !entry.name.startsWith('Nghỉ bù '));
      const weekendHolidays = holidays.filter((entry) => getIsoWeekday(parseIsoDate(entry.date)) >= 6);
      expect(holidays, `${year}`).toHaveLength(11);
      expect(substitutes, `${year}`).toHaveLength(weekendHolidays.length);
      expect(substitutes.every((entry) => getIsoWeekday(parseIsoDate(entry.date)) <= 5)).toBe(true);
      expect(daysOff.every((entry) => entry.date.startsWith(`${year}-`) && entry.name.length > 0)).toBe(true);
      expect(daysOff.every((entry) => entry.source === 'rule')).toBe(true);
      const dates = daysOff.map((entry) => entry.date);
      expect(dates).toEqual([...new Set(dates)].sort());
    }
  });
});

describe('computeYearCalendar: official overrides', () => {
  it('follows the real 2025 schedule instead of the rule: no Tết on 1 Feb, no substitute on Mon 3 Feb', () => {
    const byRule = computeYearCalendar(2025, null);
    expect(datesOf(byRule).slice(0, 7)).toEqual(['2025-01-01', '2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-03']);
    const calendar = computeYearCalendar(2025, OFFICIAL_2025);
    expect(findReplacedHolidayGroups(2025, OFFICIAL_2025)).toEqual(['tet', 'nationalDay']);
    expect(datesOf(calendar)).toEqual(OFFICIAL_2025.daysOff.map((entry) => entry.date));
    expect(calendar.daysOff.every((entry) => entry.source === 'official')).toBe(true);
    expect(isWorkingDay('2025-02-03', calendar)).toBe(true);
    expect(isWorkingDay('2025-01-27', calendar)).toBe(false);
    expect(isWorkingDay('2025-01-31', calendar)).toBe(false);
    expect(isWorkingDay('2025-02-01', calendar)).toBe(false); // a Saturday anyway
    expect(isWorkingDay('2025-09-01', calendar)).toBe(false);
    expect(isWorkingDay('2025-09-03', calendar)).toBe(true);
  });

  it('follows the real 2024 Tết schedule (off Thu 8 – Wed 14 Feb): Thu 15 Feb is a working day', () => {
    expect(isWorkingDay('2024-02-15', computeYearCalendar(2024, null))).toBe(false); // the rule's second substitute
    const calendar = computeYearCalendar(2024, {
      daysOff: [8, 9, 10, 11, 12, 13, 14].map((day) => ({ date: `2024-02-${String(day).padStart(2, '0')}`, name: 'Nghỉ Tết Nguyên đán Giáp Thìn' })),
      workingDays: [],
    });
    expect(datesOf(calendar).slice(1, 8)).toEqual(['2024-02-08', '2024-02-09', '2024-02-10', '2024-02-11', '2024-02-12', '2024-02-13', '2024-02-14']);
    expect(isWorkingDay('2024-02-15', calendar)).toBe(true);
    expect(calendar.workingDays).toEqual([]);
  });

  it('replaces only the Tết group when only Tết 2026 is entered: the Hùng Kings substitute and 1 Sep stay', () => {
    const calendar = computeYearCalendar(2026, OFFICIAL_2026);
    expect(calendar.daysOff).toEqual([
      { date: '2026-01-01', name: 'Tết Dương lịch', source: 'rule' },
      ...[16, 17, 18, 19, 20].map((day) => ({
        date: `2026-02-${day}`,
        name: 'Nghỉ Tết Nguyên đán Bính Ngọ',
        source: 'official',
      })),
      { date: '2026-04-26', name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', source: 'rule' },
      { date: '2026-04-27', name: 'Nghỉ bù Giỗ Tổ Hùng Vương', source: 'rule' },
      { date: '2026-04-30', name: 'Ngày Chiến thắng (30/4)', source: 'rule' },
      { date: '2026-05-01', name: 'Ngày Quốc tế Lao động (1/5)', source: 'rule' },
      { date: '2026-09-01', name: 'Quốc khánh (ngày liền kề)', source: 'rule' },
      { date: '2026-09-02', name: 'Quốc khánh (2/9)', source: 'rule' },
    ]);
    expect(findReplacedHolidayGroups(2026, OFFICIAL_2026)).toEqual(['tet']);
    expect(isWorkingDay('2026-04-27', calendar)).toBe(false);
    expect(isWorkingDay('2026-09-01', calendar)).toBe(false);
    expect(isWorkingDay('2026-02-23', calendar)).toBe(true);
  });

  it('adds an isolated day off (24 Nov) and changes nothing else: the rule’s Tết and its substitutes stay (2024)', () => {
    const culture = { date: '2024-11-24', name: 'Ngày Văn hóa Việt Nam' };
    const calendar = computeYearCalendar(2024, { daysOff: [culture], workingDays: [] });
    const byRule = computeYearCalendar(2024, null).daysOff;
    expect(calendar.daysOff).toEqual([...byRule, { ...culture, source: 'official' }]);
    // Tết by the rule: Fri 9 – Tue 13 Feb, substitutes Wed 14 and Thu 15 Feb (for Sat 10, Sun 11).
    for (const date of ['2024-02-09', '2024-02-12', '2024-02-13', '2024-02-14', '2024-02-15']) expect(isWorkingDay(date, calendar), date).toBe(false);
    expect(isWorkingDay('2024-02-16', calendar)).toBe(true);
    // National Day: the adjacent day Sun 1 Sep gives Tue 3 Sep (Mon 2 Sep is the holiday).
    expect(isWorkingDay('2024-09-03', calendar)).toBe(false);
    expect(findReplacedHolidayGroups(2024, { daysOff: [culture], workingDays: [] })).toEqual([]);
  });

  it('adds 24 Nov alone to the whole rule in every year 1990–2050', () => {
    for (let year = 1990; year <= 2050; year += 1) {
      const culture = { date: `${year}-11-24`, name: 'Ngày Văn hóa Việt Nam' };
      const { daysOff } = computeYearCalendar(year, { daysOff: [culture], workingDays: [] });
      expect(daysOff, `${year}`).toEqual([...computeYearCalendar(year, null).daysOff, { ...culture, source: 'official' }]);
    }
  });

  it('follows the real 2024 schedule group by group: Tết alone keeps the rule’s National Day; the whole schedule swaps 29 Apr', () => {
    const tet = [8, 9, 10, 11, 12, 13, 14].map((day) => ({ date: `2024-02-${String(day).padStart(2, '0')}`, name: 'Nghỉ Tết Nguyên đán Giáp Thìn' }));
    const tetOnly = computeYearCalendar(2024, { daysOff: tet, workingDays: [] });
    expect(isWorkingDay('2024-02-15', tetOnly)).toBe(true);
    expect(tetOnly.daysOff.filter((entry) => entry.date >= '2024-09-01')).toEqual([
      { date: '2024-09-01', name: 'Quốc khánh (ngày liền kề)', source: 'rule' },
      { date: '2024-09-02', name: 'Quốc khánh (2/9)', source: 'rule' },
      { date: '2024-09-03', name: 'Nghỉ bù Quốc khánh', source: 'rule' },
    ]);
    // The published schedule: off 27 Apr – 1 May with Mon 29 Apr swapped for Sat 4 May; National Day 2–3 Sep.
    const whole = computeYearCalendar(2024, {
      daysOff: [
        { date: '2024-01-01', name: 'Tết Dương lịch' },
        ...tet,
        { date: '2024-04-18', name: 'Giỗ Tổ Hùng Vương' },
        { date: '2024-04-29', name: 'Nghỉ hoán đổi' },
        { date: '2024-04-30', name: 'Ngày Chiến thắng' },
        { date: '2024-05-01', name: 'Ngày Quốc tế Lao động' },
        { date: '2024-09-02', name: 'Quốc khánh' },
        { date: '2024-09-03', name: 'Quốc khánh (ngày liền kề)' },
      ],
      workingDays: [{ date: '2024-05-04', name: 'Làm bù cho thứ Hai 29/4/2024' }],
    });
    expect(whole.daysOff.filter((entry) => entry.source === 'rule')).toEqual([]);
    for (const date of ['2024-02-15', '2024-05-04']) expect(isWorkingDay(date, whole), date).toBe(true);
    for (const date of ['2024-02-08', '2024-04-29', '2024-09-03']) expect(isWorkingDay(date, whole), date).toBe(false);
  });

  it('replaces Tết only for an official day off from 10 days before to 10 days after lunar new year (17 Feb 2026)', () => {
    const tetKept = (date: string) => {
      const calendar = computeYearCalendar(2026, { daysOff: [{ date, name: 'Nghỉ' }], workingDays: [] });
      return !isWorkingDay('2026-02-16', calendar);
    };
    expect(tetKept('2026-02-06')).toBe(true); // −11
    expect(tetKept('2026-02-07')).toBe(false); // −10
    expect(tetKept('2026-02-27')).toBe(false); // +10
    expect(tetKept('2026-02-28')).toBe(true); // +11
  });

  it('replaces the National Day adjacent day only for an official day off from 29 Aug to 5 Sep, 2 Sep excepted', () => {
    const adjacentKept = (...dates: string[]) => {
      const calendar = computeYearCalendar(2026, { daysOff: dates.map((date) => ({ date, name: 'Nghỉ' })), workingDays: [] });
      expect(isWorkingDay('2026-09-02', calendar)).toBe(false);
      return !isWorkingDay('2026-09-01', calendar);
    };
    expect(adjacentKept('2026-08-28')).toBe(true);
    expect(adjacentKept('2026-08-29')).toBe(false);
    expect(adjacentKept('2026-09-05')).toBe(false);
    expect(adjacentKept('2026-09-06')).toBe(true);
    expect(adjacentKept('2026-09-02')).toBe(true); // restating the statutory date places nothing
  });

  it('replaces a fixed holiday’s substitute only for an official day off within 3 days of it (Hùng Kings, Sun 26 Apr 2026)', () => {
    const substituteKept = (date: string) => {
      const calendar = computeYearCalendar(2026, { daysOff: [{ date, name: 'Nghỉ' }], workingDays: [] });
      expect(isWorkingDay('2026-04-26', calendar)).toBe(false);
      return !isWorkingDay('2026-04-27', calendar);
    };
    expect(substituteKept('2026-04-22')).toBe(true); // −4
    expect(substituteKept('2026-04-23')).toBe(false); // −3
    expect(substituteKept('2026-04-26')).toBe(true); // the holiday itself, restated
    expect(substituteKept('2026-04-30')).toBe(true); // another statutory date
  });

  it('places substitutes where the schedule says for the holidays it speaks to, and keeps the others (2022)', () => {
    // By the rule: 1 Jan Sat → Mon 3 Jan; Hùng Kings Sun 10 Apr → Mon 11 Apr; 30 Apr Sat, 1 May Sun → Mon 2, Tue 3 May.
    // Suppose the schedule gives Fri 29 Apr and Mon 2 May for 30 Apr – 1 May and restates 1 Jan.
    const overrides: CalendarOverrides = {
      daysOff: [
        { date: '2022-01-01', name: 'Tết Dương lịch' },
        { date: '2022-04-29', name: 'Nghỉ bù Ngày Chiến thắng' },
        { date: '2022-05-02', name: 'Nghỉ bù Ngày Quốc tế Lao động' },
      ],
      workingDays: [],
    };
    const calendar = computeYearCalendar(2022, overrides);
    expect(findReplacedHolidayGroups(2022, overrides)).toEqual(['victory', 'labour']);
    expect(isWorkingDay('2022-05-03', calendar)).toBe(true);
    for (const date of ['2022-01-03', '2022-04-11', '2022-04-29', '2022-05-02']) expect(isWorkingDay(date, calendar), date).toBe(false);
    expect(calendar.daysOff.find((entry) => entry.date === '2022-01-01')?.source).toBe('official');
  });

  it('lets an official working day override a rule day the schedule does not replace', () => {
    const calendar = computeYearCalendar(2026, {
      daysOff: [{ date: '2026-11-24', name: 'Ngày Văn hóa Việt Nam' }],
      workingDays: [{ date: '2026-02-20', name: 'Làm việc (ví dụ)' }],
    });
    expect(isWorkingDay('2026-02-20', calendar)).toBe(true);
    expect(isWorkingDay('2026-02-19', calendar)).toBe(false);
    expect(datesOf(calendar)).not.toContain('2026-02-20');
  });

  it('places the National Day adjacent day where the schedule says (3 Sep instead of 1 Sep)', () => {
    const calendar = computeYearCalendar(2026, { daysOff: [{ date: '2026-09-03', name: 'Quốc khánh (ngày liền kề)' }], workingDays: [] });
    expect(datesOf(calendar).slice(-3)).toEqual(['2026-05-01', '2026-09-02', '2026-09-03']);
    expect(isWorkingDay('2026-09-01', calendar)).toBe(true);
  });

  it('keeps the whole rule when the year has only make-up working days, and adds them', () => {
    const overrides: CalendarOverrides = { daysOff: [], workingDays: [{ date: '2024-02-24', name: 'Làm bù' }] };
    const calendar = computeYearCalendar(2024, overrides);
    expect(calendar.daysOff).toEqual(computeYearCalendar(2024, null).daysOff);
    expect(calendar.workingDays).toEqual([{ date: '2024-02-24', name: 'Làm bù' }]);
    expect(isWorkingDay('2024-02-24', calendar)).toBe(true);
    expect(isWorkingDay('2024-02-15', calendar)).toBe(false);
  });

  it('swaps days (2025: off Fri 2 May, work Sat 26 Apr) and lets an official working day cancel a fixed holiday kept from the rule', () => {
    const calendar = computeYearCalendar(2025, {
      daysOff: [...OFFICIAL_2025.daysOff.filter((entry) => entry.date !== '2025-01-01'), { date: '2025-05-02', name: 'Nghỉ hoán đổi' }],
      workingDays: [
        { date: '2025-04-26', name: 'Làm bù cho thứ Sáu 02/5/2025' },
        { date: '2025-01-01', name: 'Làm việc (ví dụ)' },
      ],
    });
    expect(isWorkingDay('2025-05-02', calendar)).toBe(false);
    expect(isWorkingDay('2025-04-26', calendar)).toBe(true);
    expect(isWorkingDay('2025-01-01', calendar)).toBe(true);
    expect(datesOf(calendar)).not.toContain('2025-01-01');
    expect(calendar.workingDays.map((entry) => entry.date)).toEqual(['2025-01-01', '2025-04-26']);
  });

  it('treats empty overrides like none', () => {
    expect(computeYearCalendar(2025, { daysOff: [], workingDays: [] })).toEqual(computeYearCalendar(2025, null));
  });

  it('rejects invalid overrides with every problem listed', () => {
    const overrides: CalendarOverrides = {
      daysOff: [
        { date: '2026-02-30', name: 'x' },
        { date: '2025-12-31', name: 'Nghỉ' },
        { date: '2026-03-02', name: ' ' },
      ],
      workingDays: [{ date: '2026-03-02', name: 'Làm bù' }],
    };
    expect(findOverrideProblems(2026, overrides)).toEqual([
      'daysOff[0]: 2026-02-30 không phải là một ngày có thật (dạng YYYY-MM-DD)',
      'daysOff[1]: ngày 2025-12-31 không thuộc năm 2026',
      'daysOff[2]: chưa có tên ngày',
      'workingDays[0]: ngày 2026-03-02 đã có ở daysOff[2]',
    ]);
    expect(() => computeYearCalendar(2026, overrides)).toThrow(RangeError);
    expect(findOverrideProblems(2026, OFFICIAL_2026)).toEqual([]);
  });
});

describe('isWorkingDay', () => {
  const calendar = computeYearCalendar(2026, null);

  it.each([
    ['2026-03-02', true], // Monday
    ['2026-03-06', true], // Friday
    ['2026-03-07', false], // Saturday
    ['2026-03-08', false], // Sunday
    ['2026-02-16', false], // Tết
    ['2026-04-27', false], // substitute for Hùng Kings on Sunday
    ['2026-09-01', false],
  ])('%s → %s', (date, expected) => {
    expect(isWorkingDay(date, calendar)).toBe(expected);
  });

  it('refuses a date of another year or a malformed date', () => {
    expect(() => isWorkingDay('2025-03-03', calendar)).toThrow(RangeError);
    expect(() => isWorkingDay('2026-3-3', calendar)).toThrow(RangeError);
  });
});

describe('WorkingCalendar', () => {
  it('asks the provider once per year, however many lookups', () => {
    const provider = vi.fn((year: number) => computeYearCalendar(year, null));
    const calendar = new WorkingCalendar(provider);
    for (let i = 0; i < 10_000; i += 1) calendar.isWorkingDayNumber(toDayNumber(2026, 1, 1) + (i % 700));
    expect(provider.mock.calls.map(([year]) => year)).toEqual([2026, 2027]);
  });

  it('agrees with isWorkingDay on every day of 2020–2030, overrides included', () => {
    const overrides = new Map([[2026, OFFICIAL_2026]]);
    const calendar = WorkingCalendar.fromOverrides(overrides);
    const provider = createYearCalendarProvider(overrides);
    for (let dayNumber = toDayNumber(2020, 1, 1); dayNumber <= toDayNumber(2030, 12, 31); dayNumber += 1) {
      const date = formatIsoDate(dayNumber);
      expect(calendar.isWorkingDay(date), date).toBe(isWorkingDay(date, provider(Number(date.slice(0, 4)))));
    }
  });

  it('finds the day off on a date', () => {
    const calendar = WorkingCalendar.fromOverrides();
    expect(calendar.findDayOff('2026-04-27')).toEqual({
      date: '2026-04-27',
      name: 'Nghỉ bù Giỗ Tổ Hùng Vương',
      source: 'rule',
    });
    expect(calendar.findDayOff('2026-03-07')).toBeNull();
    expect(calendar.getYearCalendar(2026)).toBe(calendar.getYearCalendar(2026));
  });

  it('rejects a provider that answers with the wrong year or dates outside it', () => {
    expect(() => new WorkingCalendar(() => computeYearCalendar(2025, null)).isWorkingDay('2026-01-05')).toThrow(RangeError);
    const leaky = (year: number): YearCalendar => ({
      year,
      daysOff: [{ date: `${year + 1}-01-02`, name: 'x', source: 'official' }],
      workingDays: [],
    });
    expect(() => new WorkingCalendar(leaky).isWorkingDay('2026-01-05')).toThrow(RangeError);
  });

  it('memoizes providers built from overrides, and wraps a provider function once', () => {
    const lookup = vi.fn((_year: number) => null);
    const provider = createYearCalendarProvider(lookup);
    expect(provider(2026)).toBe(provider(2026));
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(toWorkingCalendar(provider)).toBe(toWorkingCalendar(provider));
    const calendar = WorkingCalendar.fromOverrides();
    expect(toWorkingCalendar(calendar)).toBe(calendar);
  });
});
