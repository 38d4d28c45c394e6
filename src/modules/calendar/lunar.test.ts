import { describe, expect, it } from 'vitest';
import { formatIsoDate, toDayNumber } from './civil-date.ts';
import { convertLunarToSolar, convertSolarToLunar, lunarToSolar, solarToLunar } from './lunar.ts';

const iso = ({ year, month, day }: { year: number; month: number; day: number }): string => formatIsoDate(toDayNumber(year, month, day));

/** Vietnamese Tết (lunar 1/1), 1990–2050. Same as China's except 2007 and 2030 (see below). */
const TET: Record<number, string> = {
  1990: '1990-01-27',
  1991: '1991-02-15',
  1992: '1992-02-04',
  1993: '1993-01-23',
  1994: '1994-02-10',
  1995: '1995-01-31',
  1996: '1996-02-19',
  1997: '1997-02-07',
  1998: '1998-01-28',
  1999: '1999-02-16',
  2000: '2000-02-05',
  2001: '2001-01-24',
  2002: '2002-02-12',
  2003: '2003-02-01',
  2004: '2004-01-22',
  2005: '2005-02-09',
  2006: '2006-01-29',
  2007: '2007-02-17',
  2008: '2008-02-07',
  2009: '2009-01-26',
  2010: '2010-02-14',
  2011: '2011-02-03',
  2012: '2012-01-23',
  2013: '2013-02-10',
  2014: '2014-01-31',
  2015: '2015-02-19',
  2016: '2016-02-08',
  2017: '2017-01-28',
  2018: '2018-02-16',
  2019: '2019-02-05',
  2020: '2020-01-25',
  2021: '2021-02-12',
  2022: '2022-02-01',
  2023: '2023-01-22',
  2024: '2024-02-10',
  2025: '2025-01-29',
  2026: '2026-02-17',
  2027: '2027-02-06',
  2028: '2028-01-26',
  2029: '2029-02-13',
  2030: '2030-02-02',
  2031: '2031-01-23',
  2032: '2032-02-11',
  2033: '2033-01-31',
  2034: '2034-02-19',
  2035: '2035-02-08',
  2036: '2036-01-28',
  2037: '2037-02-15',
  2038: '2038-02-04',
  2039: '2039-01-24',
  2040: '2040-02-12',
  2041: '2041-02-01',
  2042: '2042-01-22',
  2043: '2043-02-10',
  2044: '2044-01-30',
  2045: '2045-02-17',
  2046: '2046-02-06',
  2047: '2047-01-26',
  2048: '2048-02-14',
  2049: '2049-02-02',
  2050: '2050-01-23',
};

describe('lunarToSolar / solarToLunar: known dates', () => {
  it.each([
    [2024, '2024-02-10'],
    [2025, '2025-01-29'],
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
  ])('Tết %i is %s (DOMAIN.md)', (year, date) => {
    expect(iso(lunarToSolar(year, 1, 1))).toBe(date);
  });

  it('finds every Tết from 1990 to 2050, both ways', () => {
    for (const [year, date] of Object.entries(TET)) {
      expect(iso(lunarToSolar(Number(year), 1, 1)), `Tết ${year}`).toBe(date);
      const [y, m, d] = date.split('-').map(Number) as [number, number, number];
      expect(solarToLunar(y, m, d)).toEqual({ year: Number(year), month: 1, day: 1, isLeapMonth: false });
    }
  });

  it.each([
    [2025, '2025-04-07'],
    [2026, '2026-04-26'],
    [2023, '2023-04-29'],
    [2012, '2012-03-31'],
    [2009, '2009-04-04'], // China: 5 Apr 2009
    [2037, '2037-04-24'], // China: 25 Apr 2037
    [2038, '2038-04-13'], // China: 14 Apr 2038
  ])('Hùng Kings day (10/3) %i is %s', (year, date) => {
    expect(iso(lunarToSolar(year, 3, 10))).toBe(date);
  });

  it.each([
    ['2020-05-23', 2020, 4],
    ['2023-03-22', 2023, 2],
    ['2025-07-25', 2025, 6],
    ['2017-07-23', 2017, 6],
  ])('%s starts the leap month %i/%i', (date, year, month) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    expect(solarToLunar(y, m, d)).toEqual({ year, month, day: 1, isLeapMonth: true });
    expect(iso(lunarToSolar(year, month, 1, true))).toBe(date);
  });

  it('tells the regular month from the leap month of the same number', () => {
    expect(iso(lunarToSolar(2025, 6, 1))).toBe('2025-06-25');
    expect(iso(lunarToSolar(2025, 6, 1, true))).toBe('2025-07-25');
  });

  it('knows that lunar year Giáp Thìn ended on 29 Chạp (no "30 Tết" in 2025)', () => {
    expect(solarToLunar(2025, 1, 28)).toEqual({ year: 2024, month: 12, day: 29, isLeapMonth: false });
    expect(() => lunarToSolar(2024, 12, 30)).toThrow(RangeError);
  });

  it('maps the Mid-Autumn festival (15/8) of 2024 and 2025', () => {
    expect(iso(lunarToSolar(2024, 8, 15))).toBe('2024-09-17');
    expect(iso(lunarToSolar(2025, 8, 15))).toBe('2025-10-06');
  });
});

describe('Vietnam (UTC+7) versus China (UTC+8)', () => {
  it.each([
    [1968, '1968-01-29', '1968-01-30'],
    [1985, '1985-01-21', '1985-02-20'],
    [2007, '2007-02-17', '2007-02-18'],
    [2030, '2030-02-02', '2030-02-03'],
  ])('Tết %i: Vietnam %s, China %s', (year, vietnam, china) => {
    expect(iso(lunarToSolar(year, 1, 1))).toBe(vietnam);
    expect(iso(convertLunarToSolar(year, 1, 1, false, 8))).toBe(china);
  });

  it('puts 21 Jan 1985 in different lunar years', () => {
    expect(solarToLunar(1985, 1, 21)).toEqual({ year: 1985, month: 1, day: 1, isLeapMonth: false });
    expect(convertSolarToLunar(1985, 1, 21, 8)).toMatchObject({ year: 1984, month: 12 });
  });
});

describe('invalid input', () => {
  it('rejects a leap month the year does not have', () => {
    expect(() => lunarToSolar(2024, 2, 1, true)).toThrow(RangeError);
    expect(() => lunarToSolar(2023, 3, 1, true)).toThrow(RangeError);
  });

  it('rejects out-of-range lunar and solar values', () => {
    expect(() => lunarToSolar(2025, 13, 1)).toThrow(RangeError);
    expect(() => lunarToSolar(2025, 1, 31)).toThrow(RangeError);
    expect(() => lunarToSolar(2025, 1, 0)).toThrow(RangeError);
    expect(() => lunarToSolar(2025, 1.5, 1)).toThrow(RangeError);
    expect(() => solarToLunar(2025, 2, 29)).toThrow(RangeError);
    expect(() => solarToLunar(2025, 0, 1)).toThrow(RangeError);
  });
});

describe('consistency over every day of 1990–2050', () => {
  const first = toDayNumber(1990, 1, 1);
  const last = toDayNumber(2050, 12, 31);
  const days: { date: string; lunar: ReturnType<typeof solarToLunar> }[] = [];
  for (let dayNumber = first; dayNumber <= last; dayNumber += 1) {
    const date = formatIsoDate(dayNumber);
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    days.push({ date, lunar: solarToLunar(y, m, d) });
  }

  it('round-trips solar → lunar → solar', () => {
    const mismatches = days.filter(({ date, lunar }) => {
      return iso(lunarToSolar(lunar.year, lunar.month, lunar.day, lunar.isLeapMonth)) !== date;
    });
    expect(mismatches).toEqual([]);
  });

  it('advances one lunar day per solar day, months follow each other, each of 29 or 30 days', () => {
    const monthLengths: number[] = [];
    let length = 0;
    for (let i = 1; i < days.length; i += 1) {
      const previous = days[i - 1]!.lunar;
      const current = days[i]!.lunar;
      length += 1;
      if (current.day === previous.day + 1) {
        expect(current).toEqual({ ...previous, day: previous.day + 1 });
        continue;
      }
      expect(current.day, days[i]!.date).toBe(1);
      const isLeapOfSameNumber = current.isLeapMonth && current.month === previous.month && !previous.isLeapMonth;
      const isNextMonth = !current.isLeapMonth && current.month === (previous.month % 12) + 1;
      expect(isLeapOfSameNumber || isNextMonth, days[i]!.date).toBe(true);
      expect(current.year, days[i]!.date).toBe(previous.month === 12 && isNextMonth ? previous.year + 1 : previous.year);
      if (monthLengths.length > 0 || previous.day === length) monthLengths.push(length);
      length = 0;
    }
    expect(monthLengths.length).toBeGreaterThan(750);
    expect(monthLengths.every((days) => days === 29 || days === 30)).toBe(true);
  });

  it('has at most one leap month per lunar year, about 7 in every 19 years', () => {
    const leapMonthsByYear = new Map<number, Set<number>>();
    for (const { lunar } of days) {
      if (!lunar.isLeapMonth) continue;
      const months = leapMonthsByYear.get(lunar.year) ?? new Set<number>();
      months.add(lunar.month);
      leapMonthsByYear.set(lunar.year, months);
    }
    expect([...leapMonthsByYear.values()].every((months) => months.size === 1)).toBe(true);
    expect(leapMonthsByYear.size).toBeGreaterThanOrEqual(21);
    expect(leapMonthsByYear.size).toBeLessThanOrEqual(24);
  });

  it('always puts Tết between 21 Jan and 20 Feb', () => {
    for (let year = 1990; year <= 2050; year += 1) {
      const { month, day } = lunarToSolar(year, 1, 1);
      const monthDay = month * 100 + day;
      expect(monthDay, `Tết ${year}`).toBeGreaterThanOrEqual(121);
      expect(monthDay, `Tết ${year}`).toBeLessThanOrEqual(220);
    }
  });
});
