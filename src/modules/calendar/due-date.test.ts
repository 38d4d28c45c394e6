import { describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_OFFICE_HOURS,
  closeOfOffice,
  computeDueAt,
  isWorkingTime,
  nextWorkingClose,
  legalDuration,
  moveCalendarDueAt,
  stepDeadlines,
  workingDaysBetween,
  workingMinutesBetween,
} from './due-date.ts';
import type { CalendarSource, DurationUnit, OfficeHours } from './due-date.ts';
import { formatIsoDate, toDayNumber } from './civil-date.ts';
import { WorkingCalendar, computeYearCalendar } from './holidays.ts';
import type { CalendarOverrides } from './holidays.ts';
import { OFFICIAL_2025 } from './schedules.fixture.ts';

/** Tết Bính Ngọ 2026 as published for civil servants: Mon 16 – Fri 20 Feb (DOMAIN.md §6). */
const OFFICIAL_TET_2026: CalendarOverrides = {
  daysOff: [16, 17, 18, 19, 20].map((day) => ({ date: `2026-02-${day}`, name: 'Nghỉ Tết Nguyên đán Bính Ngọ' })),
  workingDays: [],
};

const RULES = WorkingCalendar.fromOverrides();
const OFFICIAL = WorkingCalendar.fromOverrides(new Map([[2026, OFFICIAL_TET_2026]]));

/** An instant written the way the tests read: Vietnam time with seconds, e.g. 2026-03-04T09:00:00+07:00. */
function toVietnamIso(instant: Date): string {
  return `${new Date(instant.getTime() + 7 * 3_600_000).toISOString().slice(0, 19)}+07:00`;
}

const at = (vietnamIso: string): Date => new Date(vietnamIso);

interface Options {
  calendar?: CalendarSource;
  pauses?: [string, string][];
  officeHours?: OfficeHours;
}

function due(start: string, value: number, unit: DurationUnit, options: Options = {}): string {
  return toVietnamIso(
    computeDueAt({
      start: at(start),
      value,
      unit,
      calendar: options.calendar ?? RULES,
      officeHours: options.officeHours ?? DEFAULT_OFFICE_HOURS,
      pauses: (options.pauses ?? []).map(([from, to]) => ({ from: at(from), to: at(to) })),
    }),
  );
}

describe('computeDueAt: working days', () => {
  it.each([
    ['during office hours (Tue 09:00)', '2026-03-03T09:00:00+07:00', 1, '2026-03-04T09:00:00+07:00'],
    ['after hours (Tue 18:00)', '2026-03-03T18:00:00+07:00', 1, '2026-03-04T17:00:00+07:00'],
    ['before opening (Tue 06:00)', '2026-03-03T06:00:00+07:00', 1, '2026-03-03T17:00:00+07:00'],
    ['in the lunch break (Tue 12:00)', '2026-03-03T12:00:00+07:00', 1, '2026-03-04T11:30:00+07:00'],
    ['on a Saturday', '2026-03-07T10:00:00+07:00', 1, '2026-03-09T17:00:00+07:00'],
    ['on Friday afternoon', '2026-03-06T15:00:00+07:00', 1, '2026-03-09T15:00:00+07:00'],
    ['on Friday evening', '2026-03-06T18:00:00+07:00', 1, '2026-03-09T17:00:00+07:00'],
    ['at opening, one day', '2026-03-02T07:30:00+07:00', 1, '2026-03-02T17:00:00+07:00'],
    ['at opening, five days', '2026-03-02T07:30:00+07:00', 5, '2026-03-06T17:00:00+07:00'],
    ['at opening, ten days', '2026-03-02T07:30:00+07:00', 10, '2026-03-13T17:00:00+07:00'],
    ['at closing time', '2026-03-02T17:00:00+07:00', 1, '2026-03-03T17:00:00+07:00'],
  ])('received %s', (_label, start, value, expected) => {
    expect(due(start, value, 'working_days')).toBe(expected);
  });

  it('accepts instants written in UTC', () => {
    const dueAt = computeDueAt({
      start: new Date('2026-03-03T02:00:00Z'),
      value: 1,
      unit: 'working_days',
      calendar: RULES,
      officeHours: DEFAULT_OFFICE_HOURS,
    });
    expect(dueAt.toISOString()).toBe('2026-03-04T02:00:00.000Z');
  });

  it('skips Tết 2026, by the rules and by the official schedule', () => {
    for (const calendar of [RULES, OFFICIAL]) {
      expect(due('2026-02-13T10:00:00+07:00', 3, 'working_days', { calendar })).toBe('2026-02-25T10:00:00+07:00');
      expect(due('2026-02-17T09:00:00+07:00', 1, 'working_days', { calendar })).toBe('2026-02-23T17:00:00+07:00');
    }
  });

  it('uses an official make-up Saturday after Tết', () => {
    const withMakeUp = WorkingCalendar.fromOverrides(new Map([[2026, { ...OFFICIAL_TET_2026, workingDays: [{ date: '2026-02-28', name: 'Làm bù' }] }]]));
    expect(due('2026-02-13T10:00:00+07:00', 6, 'working_days')).toBe('2026-03-02T10:00:00+07:00');
    expect(due('2026-02-13T10:00:00+07:00', 6, 'working_days', { calendar: withMakeUp })).toBe('2026-02-28T10:00:00+07:00');
  });

  it('uses a make-up Saturday (received Friday evening → due Saturday)', () => {
    const withMakeUp = WorkingCalendar.fromOverrides(new Map([[2026, { daysOff: [], workingDays: [{ date: '2026-03-14', name: 'Làm bù' }] }]]));
    expect(due('2026-03-13T18:00:00+07:00', 1, 'working_days', { calendar: withMakeUp })).toBe('2026-03-14T17:00:00+07:00');
    expect(due('2026-03-13T18:00:00+07:00', 1, 'working_days')).toBe('2026-03-16T17:00:00+07:00');
  });

  it('skips 30/4 and 1/5 (2026: Thursday and Friday)', () => {
    expect(due('2026-04-29T16:00:00+07:00', 2, 'working_days')).toBe('2026-05-05T16:00:00+07:00');
  });

  it('skips the Monday substitute for Hùng Kings day on Sunday 26 Apr 2026', () => {
    expect(due('2026-04-24T16:00:00+07:00', 1, 'working_days')).toBe('2026-04-28T16:00:00+07:00');
    expect(due('2026-04-24T17:00:00+07:00', 1, 'working_days')).toBe('2026-04-28T17:00:00+07:00');
  });

  it('crosses the new year (1 Jan 2027 is a Friday)', () => {
    expect(due('2026-12-31T13:30:00+07:00', 1, 'working_days')).toBe('2027-01-04T11:30:00+07:00');
  });

  it('handles fractions of a working day', () => {
    expect(due('2026-03-02T07:30:00+07:00', 0.5, 'working_days')).toBe('2026-03-02T11:15:00+07:00');
    expect(due('2026-03-02T07:30:00+07:00', 1.5, 'working_days')).toBe('2026-03-03T11:15:00+07:00');
  });

  it('follows custom office hours (one period 08:00–16:00)', () => {
    const officeHours = { periods: [{ start: '08:00', end: '16:00' }] };
    expect(due('2026-03-02T08:00:00+07:00', 1, 'working_days', { officeHours })).toBe('2026-03-02T16:00:00+07:00');
    expect(due('2026-03-02T12:00:00+07:00', 1.5, 'working_days', { officeHours })).toBe('2026-03-03T16:00:00+07:00');
  });
});

describe('computeDueAt: hours', () => {
  it.each([
    ['across the lunch break', '2026-03-02T10:30:00+07:00', 2, '2026-03-02T14:30:00+07:00'],
    ['ending exactly at the end of the morning', '2026-03-02T07:30:00+07:00', 4, '2026-03-02T11:30:00+07:00'],
    ['across the night', '2026-03-02T16:00:00+07:00', 2, '2026-03-03T08:30:00+07:00'],
    ['across the weekend', '2026-03-06T16:30:00+07:00', 4, '2026-03-09T11:00:00+07:00'],
    ['received on Sunday', '2026-03-08T09:00:00+07:00', 8, '2026-03-10T08:00:00+07:00'],
    ['a fraction, across lunch', '2026-03-02T11:20:00+07:00', 0.25, '2026-03-02T13:35:00+07:00'],
  ])('%s', (_label, start, value, expected) => {
    expect(due(start, value, 'hours')).toBe(expected);
  });
});

const OFFICIAL_WITH_2025 = WorkingCalendar.fromOverrides(new Map([[2025, OFFICIAL_2025]]));

// 2026-03-02 is a Monday. Office hours 07:30–11:30 and 13:30–17:00, so "the end of the day" is 17:00.
describe('computeDueAt: days (Civil Code art. 147–148)', () => {
  it.each([
    ['received Mon in office hours, 1 day → end of Tue', '2026-03-02T09:00:00+07:00', 1, '2026-03-03T17:00:00+07:00'],
    ['received Wed, 2 days → end of Fri', '2026-03-04T10:00:00+07:00', 2, '2026-03-06T17:00:00+07:00'],
    ['received Mon, 15 days → end of Tue 17 Mar', '2026-03-02T09:00:00+07:00', 15, '2026-03-17T17:00:00+07:00'],
    ['received Wed, 3 days: last day Sat → Mon', '2026-03-04T10:00:00+07:00', 3, '2026-03-09T17:00:00+07:00'],
    ['received Wed, 4 days: last day Sun → Mon', '2026-03-04T10:00:00+07:00', 4, '2026-03-09T17:00:00+07:00'],
    ['received Fri, 1 day: last day Sat → Mon', '2026-03-06T10:00:00+07:00', 1, '2026-03-09T17:00:00+07:00'],
    ['received Mon 18:00 (after hours) counts from Tue: 1 day → end of Wed', '2026-03-02T18:00:00+07:00', 1, '2026-03-04T17:00:00+07:00'],
    ['received Mon at closing time counts from Tue', '2026-03-02T17:00:00+07:00', 1, '2026-03-04T17:00:00+07:00'],
    ['received Tue 06:00 (before opening) counts from Tue', '2026-03-03T06:00:00+07:00', 1, '2026-03-04T17:00:00+07:00'],
    ['received in the lunch break counts from that afternoon', '2026-03-02T12:00:00+07:00', 1, '2026-03-03T17:00:00+07:00'],
    ['received Sat counts from Mon: 1 day → end of Tue', '2026-03-07T10:00:00+07:00', 1, '2026-03-10T17:00:00+07:00'],
    ['last day in Tết 2026 (Tue 17 Feb) → Mon 23 Feb', '2026-02-10T09:00:00+07:00', 7, '2026-02-23T17:00:00+07:00'],
    ['last day 30/4, with 1/5 and the weekend after → Mon 4 May', '2026-04-23T09:00:00+07:00', 7, '2026-05-04T17:00:00+07:00'],
  ])('%s', (_label, start, value, expected) => {
    expect(due(start, value, 'days')).toBe(expected);
  });

  it('moves a last day inside Tết by the official schedule, not the rule (2025)', () => {
    // Received Fri 24 Jan 2025; 3 days → Mon 27 Jan: a working day by the rule (Tết 28 Jan – 1 Feb),
    // a day off by the official schedule (27–31 Jan), whose next working day is Mon 3 Feb.
    expect(due('2025-01-24T10:00:00+07:00', 3, 'days')).toBe('2025-01-27T17:00:00+07:00');
    expect(due('2025-01-24T10:00:00+07:00', 3, 'days', { calendar: OFFICIAL_WITH_2025 })).toBe('2025-02-03T17:00:00+07:00');
    // 5 days → Wed 29 Jan (Tết either way): the rule's substitute Mon 3 Feb is off, the official schedule works it.
    expect(due('2025-01-24T10:00:00+07:00', 5, 'days')).toBe('2025-02-04T17:00:00+07:00');
    expect(due('2025-01-24T10:00:00+07:00', 5, 'days', { calendar: OFFICIAL_WITH_2025 })).toBe('2025-02-03T17:00:00+07:00');
  });

  it('ends at the configured closing time', () => {
    const officeHours = { periods: [{ start: '08:00', end: '16:00' }] };
    expect(due('2026-03-02T09:00:00+07:00', 1, 'days', { officeHours })).toBe('2026-03-03T16:00:00+07:00');
    expect(due('2026-03-02T16:30:00+07:00', 1, 'days', { officeHours })).toBe('2026-03-04T16:00:00+07:00');
  });

  it('refuses fractions of a day', () => {
    expect(() => due('2026-03-02T10:00:00+07:00', 0.5, 'days')).toThrow(RangeError);
  });
});

describe('computeDueAt: months (Civil Code art. 148)', () => {
  it.each([
    ['31 Jan + 1 month → 28 Feb', '2023-01-31T10:00:00+07:00', 1, '2023-02-28T17:00:00+07:00'],
    ['31 Jan + 1 month in a leap year → 29 Feb', '2024-01-31T10:00:00+07:00', 1, '2024-02-29T17:00:00+07:00'],
    ['31 Jan 2020 + 1 month → Sat 29 Feb → Mon 2 Mar', '2020-01-31T10:00:00+07:00', 1, '2020-03-02T17:00:00+07:00'],
    ['received Sat 31 Jan 2026 counts from Mon 2 Feb → Mon 2 Mar', '2026-01-31T10:00:00+07:00', 1, '2026-03-02T17:00:00+07:00'],
    ['31 Mar + 1 month → 30 Apr, a holiday', '2026-03-31T09:00:00+07:00', 1, '2026-05-04T17:00:00+07:00'],
    ['19 Jan + 1 month → Thu 19 Feb 2026 in Tết', '2026-01-19T09:00:00+07:00', 1, '2026-02-23T17:00:00+07:00'],
    ['15 Dec + 2 months → Sun 15 Feb in the Tết week', '2025-12-15T09:00:00+07:00', 2, '2026-02-23T17:00:00+07:00'],
    ['30 Nov + 3 months → Sun 28 Feb 2027, across the year', '2026-11-30T09:00:00+07:00', 3, '2027-03-01T17:00:00+07:00'],
    ['12 months', '2025-03-10T09:00:00+07:00', 12, '2026-03-10T17:00:00+07:00'],
  ])('%s', (_label, start, value, expected) => {
    expect(due(start, value, 'months')).toBe(expected);
  });

  it('counts a reception on a day off from the next working period of the calendar in force (Fri 31 Jan 2025 18:00, Tết)', () => {
    // Rule: Tết is 28 Jan – 1 Feb and Mon 3 Feb the substitute, so counting starts Tue 4 Feb → Tue 4 Mar.
    expect(due('2025-01-31T18:00:00+07:00', 1, 'months')).toBe('2025-03-04T17:00:00+07:00');
    // Official schedule: no substitute, counting starts Mon 3 Feb → Mon 3 Mar.
    expect(due('2025-01-31T18:00:00+07:00', 1, 'months', { calendar: OFFICIAL_WITH_2025 })).toBe('2025-03-03T17:00:00+07:00');
  });
});

describe('computeDueAt: pauses (supplement requests)', () => {
  const start = '2026-03-02T07:30:00+07:00'; // Monday; 1 working day → Mon 17:00

  it.each<[string, [string, string][], string]>([
    ['one hour inside office hours', [['2026-03-02T09:00:00+07:00', '2026-03-02T10:00:00+07:00']], '2026-03-03T08:30:00+07:00'],
    ['outside office hours only', [['2026-03-02T18:00:00+07:00', '2026-03-03T07:00:00+07:00']], '2026-03-02T17:00:00+07:00'],
    ['over the lunch break only', [['2026-03-02T11:30:00+07:00', '2026-03-02T13:30:00+07:00']], '2026-03-02T17:00:00+07:00'],
    [
      'overlapping pauses counted once',
      [
        ['2026-03-02T09:00:00+07:00', '2026-03-02T10:00:00+07:00'],
        ['2026-03-02T09:30:00+07:00', '2026-03-02T10:30:00+07:00'],
      ],
      '2026-03-03T09:00:00+07:00',
    ],
    [
      'a pause inside another',
      [
        ['2026-03-02T09:30:00+07:00', '2026-03-02T10:00:00+07:00'],
        ['2026-03-02T09:00:00+07:00', '2026-03-02T11:00:00+07:00'],
      ],
      '2026-03-03T09:30:00+07:00',
    ],
    ['across the night', [['2026-03-02T16:00:00+07:00', '2026-03-03T08:00:00+07:00']], '2026-03-03T09:00:00+07:00'],
    ['over several days', [['2026-03-02T10:00:00+07:00', '2026-03-04T10:00:00+07:00']], '2026-03-04T17:00:00+07:00'],
    ['after the due date', [['2026-03-03T10:00:00+07:00', '2026-03-03T11:00:00+07:00']], '2026-03-02T17:00:00+07:00'],
    ['before the start', [['2026-02-27T10:00:00+07:00', '2026-02-27T11:00:00+07:00']], '2026-03-02T17:00:00+07:00'],
    ['of zero length', [['2026-03-02T09:00:00+07:00', '2026-03-02T09:00:00+07:00']], '2026-03-02T17:00:00+07:00'],
    [
      'one pushing the due date into another',
      [
        ['2026-03-02T13:30:00+07:00', '2026-03-02T17:00:00+07:00'],
        ['2026-03-03T08:00:00+07:00', '2026-03-03T09:00:00+07:00'],
      ],
      '2026-03-03T14:00:00+07:00',
    ],
  ])('working days, %s', (_label, pauses, expected) => {
    expect(due(start, 1, 'working_days', { pauses })).toBe(expected);
  });

  it('does not push when a pause starts exactly at the due instant', () => {
    const pauses: [string, string][] = [['2026-03-02T09:30:00+07:00', '2026-03-02T10:00:00+07:00']];
    expect(due(start, 2, 'hours', { pauses })).toBe('2026-03-02T09:30:00+07:00');
  });

  it('pushes days by the calendar length of the pause, then applies the day-off rule', () => {
    const pauses: [string, string][] = [['2026-03-03T10:00:00+07:00', '2026-03-05T10:00:00+07:00']];
    expect(due('2026-03-02T10:00:00+07:00', 3, 'days')).toBe('2026-03-05T17:00:00+07:00');
    // Thu 17:00 + 48 h = Sat 17:00, not a working day → Mon 9 Mar.
    expect(due('2026-03-02T10:00:00+07:00', 3, 'days', { pauses })).toBe('2026-03-09T17:00:00+07:00');
  });

  it.each<[string, [string, string][], string]>([
    ['3 h: Thu 20:00 is after closing, so the end of Fri', [['2026-03-03T10:00:00+07:00', '2026-03-03T13:00:00+07:00']], '2026-03-06T17:00:00+07:00'],
    ['23 h: Fri 16:00, the end of Fri', [['2026-03-03T10:00:00+07:00', '2026-03-04T09:00:00+07:00']], '2026-03-06T17:00:00+07:00'],
    ['24 h: exactly the end of Fri', [['2026-03-03T10:00:00+07:00', '2026-03-04T10:00:00+07:00']], '2026-03-06T17:00:00+07:00'],
    ['25 h: Fri 18:00 is after closing → Sat → Mon', [['2026-03-03T10:00:00+07:00', '2026-03-04T11:00:00+07:00']], '2026-03-09T17:00:00+07:00'],
    ['before counting starts (reception after hours)', [['2026-03-02T08:00:00+07:00', '2026-03-02T09:30:00+07:00']], '2026-03-05T17:00:00+07:00'],
  ])('days, a pause of %s', (_label, pauses, expected) => {
    expect(due('2026-03-02T10:00:00+07:00', 3, 'days', { pauses })).toBe(expected);
  });

  it('ignores a pause between a reception after hours and the next office period', () => {
    const pauses: [string, string][] = [['2026-03-02T19:00:00+07:00', '2026-03-03T07:00:00+07:00']];
    expect(due('2026-03-02T18:00:00+07:00', 1, 'days', { pauses })).toBe('2026-03-04T17:00:00+07:00');
  });

  it('counts overlapping calendar pauses once and ignores pauses after the due date', () => {
    // Merged: Tue 10:00 – Wed 06:00 = 20 h → Thu 17:00 + 20 h = Fri 13:00 → end of Fri.
    // Counted twice (10 h + 15 h = 25 h) it would be Fri 18:00 → Mon.
    const pauses: [string, string][] = [
      ['2026-03-03T10:00:00+07:00', '2026-03-03T20:00:00+07:00'],
      ['2026-03-03T15:00:00+07:00', '2026-03-04T06:00:00+07:00'],
      ['2026-03-06T17:00:00+07:00', '2026-03-09T10:00:00+07:00'],
    ];
    expect(due('2026-03-02T10:00:00+07:00', 3, 'days', { pauses })).toBe('2026-03-06T17:00:00+07:00');
  });

  it('pushes months by the calendar length of the pause', () => {
    // Tue 31 Jan 2023 + 1 month → Tue 28 Feb 17:00; + 96 h paused = Sat 4 Mar → Mon 6 Mar.
    const pauses: [string, string][] = [['2023-02-01T08:00:00+07:00', '2023-02-05T08:00:00+07:00']];
    expect(due('2023-01-31T10:00:00+07:00', 1, 'months')).toBe('2023-02-28T17:00:00+07:00');
    expect(due('2023-01-31T10:00:00+07:00', 1, 'months', { pauses })).toBe('2023-03-06T17:00:00+07:00');
  });

  it('keeps the counted working time equal to the duration, pauses excluded', () => {
    const calendar = RULES;
    const pauses = [{ from: at('2026-04-28T10:00:00+07:00'), to: at('2026-05-05T15:00:00+07:00') }];
    for (let minute = 0; minute < 60 * 24 * 28; minute += 97) {
      const start = new Date(at('2026-04-13T00:00:00+07:00').getTime() + minute * 60_000);
      for (const value of [0.5, 1, 3, 10]) {
        const dueAt = computeDueAt({ start, value, unit: 'working_days', calendar, officeHours: DEFAULT_OFFICE_HOURS, pauses });
        const pausedFrom = new Date(Math.max(start.getTime(), pauses[0]!.from.getTime()));
        const pausedTo = new Date(Math.min(dueAt.getTime(), pauses[0]!.to.getTime()));
        const paused = pausedTo > pausedFrom ? workingMinutesBetween(pausedFrom, pausedTo, calendar, DEFAULT_OFFICE_HOURS) : 0;
        const counted = workingMinutesBetween(start, dueAt, calendar, DEFAULT_OFFICE_HOURS) - paused;
        expect(counted).toBeCloseTo(value * 450, 6);
      }
    }
  });
});

describe('computeDueAt: edge cases and invalid input', () => {
  it.each<DurationUnit>(['hours', 'days', 'working_days', 'months'])('returns the start for 0 %s', (unit) => {
    expect(due('2026-03-07T20:15:00+07:00', 0, unit)).toBe('2026-03-07T20:15:00+07:00');
  });

  const base = { start: at('2026-03-02T07:30:00+07:00'), calendar: RULES, officeHours: DEFAULT_OFFICE_HOURS };

  it('rejects negative, non-finite, fractional-day and fractional-month values', () => {
    expect(() => computeDueAt({ ...base, value: 2.5, unit: 'days' })).toThrow(RangeError);
    expect(() => computeDueAt({ ...base, value: -1, unit: 'days' })).toThrow(RangeError);
    expect(() => computeDueAt({ ...base, value: Number.NaN, unit: 'hours' })).toThrow(RangeError);
    expect(() => computeDueAt({ ...base, value: Number.POSITIVE_INFINITY, unit: 'working_days' })).toThrow(RangeError);
    expect(() => computeDueAt({ ...base, value: 1.5, unit: 'months' })).toThrow(RangeError);
  });

  it('rejects an invalid start and a pause that ends before it starts', () => {
    expect(() => computeDueAt({ ...base, start: new Date('nope'), value: 1, unit: 'days' })).toThrow(RangeError);
    const pauses = [{ from: at('2026-03-02T10:00:00+07:00'), to: at('2026-03-02T09:00:00+07:00') }];
    expect(() => computeDueAt({ ...base, value: 1, unit: 'days', pauses })).toThrow(RangeError);
  });

  it.each<[string, OfficeHours]>([
    ['no period', { periods: [] }],
    ['a malformed time', { periods: [{ start: '7:30', end: '11:30' }] }],
    ['end before start', { periods: [{ start: '11:30', end: '07:30' }] }],
    [
      'overlapping periods',
      {
        periods: [
          { start: '07:30', end: '12:00' },
          { start: '11:30', end: '17:00' },
        ],
      },
    ],
    ['a time past 24:00', { periods: [{ start: '07:30', end: '24:30' }] }],
  ])('rejects office hours with %s', (_label, officeHours) => {
    expect(() => computeDueAt({ ...base, officeHours, value: 1, unit: 'working_days' })).toThrow(RangeError);
  });

  it('fails instead of looping when the calendar has no working day', () => {
    const allOff = new WorkingCalendar((year) => {
      const daysOff = [];
      for (let day = toDayNumber(year, 1, 1); day < toDayNumber(year + 1, 1, 1); day += 1) {
        daysOff.push({ date: formatIsoDate(day), name: 'Nghỉ', source: 'official' as const });
      }
      return { year, daysOff, workingDays: [] };
    });
    expect(() => computeDueAt({ ...base, calendar: allOff, value: 1, unit: 'working_days' })).toThrow(RangeError);
    expect(() => computeDueAt({ ...base, calendar: allOff, value: 1, unit: 'days' })).toThrow(RangeError);
  });
});

describe('workingMinutesBetween / workingDaysBetween', () => {
  const minutes = (from: string, to: string, calendar: CalendarSource = RULES) => workingMinutesBetween(at(from), at(to), calendar, DEFAULT_OFFICE_HOURS);
  const days = (from: string, to: string, calendar: CalendarSource = RULES) => workingDaysBetween(at(from), at(to), calendar, DEFAULT_OFFICE_HOURS);

  it('counts office time only', () => {
    expect(minutes('2026-03-02T07:30:00+07:00', '2026-03-02T17:00:00+07:00')).toBe(450);
    expect(minutes('2026-03-02T00:00:00+07:00', '2026-03-03T00:00:00+07:00')).toBe(450);
    expect(minutes('2026-03-06T15:00:00+07:00', '2026-03-09T09:00:00+07:00')).toBe(210);
    expect(minutes('2026-03-02T11:00:00+07:00', '2026-03-02T14:00:00+07:00')).toBe(60);
    expect(minutes('2026-03-07T08:00:00+07:00', '2026-03-08T16:00:00+07:00')).toBe(0);
  });

  it('is negative when `to` is before `from`, zero for the same instant', () => {
    expect(minutes('2026-03-09T09:00:00+07:00', '2026-03-06T15:00:00+07:00')).toBe(-210);
    expect(minutes('2026-03-02T09:00:00+07:00', '2026-03-02T09:00:00+07:00')).toBe(0);
  });

  it('skips Tết and follows the official schedule', () => {
    expect(days('2026-02-13T07:30:00+07:00', '2026-02-23T17:00:00+07:00')).toBe(2);
    expect(days('2026-02-13T07:30:00+07:00', '2026-02-23T17:00:00+07:00', OFFICIAL)).toBe(2);
  });

  it('reports lateness and remaining time in decimal working days', () => {
    expect(days('2026-03-02T17:00:00+07:00', '2026-03-04T09:00:00+07:00')).toBeCloseTo(1.2, 10);
    expect(days('2026-03-02T13:30:00+07:00', '2026-03-04T17:00:00+07:00')).toBeCloseTo(18.5 / 7.5, 10);
    expect(days('2026-03-04T17:00:00+07:00', '2026-03-02T13:30:00+07:00')).toBeCloseTo(-18.5 / 7.5, 10);
  });

  it('inverts computeDueAt for starts in office hours', () => {
    const start = '2026-04-29T10:10:00+07:00';
    const dueAt = due(start, 4.3, 'working_days');
    expect(days(start, dueAt)).toBeCloseTo(4.3, 10);
  });
});

describe('performance', () => {
  it('computes 20,000 due dates with one lunar computation per year', () => {
    const provider = vi.fn((year: number) => computeYearCalendar(year, null));
    const started = performance.now();
    const startMs = at('2026-01-05T08:00:00+07:00').getTime();
    for (let i = 0; i < 20_000; i += 1) {
      computeDueAt({
        start: new Date(startMs + i * 2_000_000),
        value: 1 + (i % 20),
        unit: i % 2 === 0 ? 'working_days' : 'days',
        calendar: provider,
        officeHours: DEFAULT_OFFICE_HOURS,
      });
    }
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(provider.mock.calls.map(([year]) => year)).toEqual([2026, 2027]);
  });
});

describe('stepDeadlines: the legal time shared out by the workflow steps', () => {
  // Received Mon 23 Nov 2026 at opening; 10 working days end Fri 4 Dec 17:00 (7.5 office hours a day).
  const base = {
    receivedAt: at('2026-11-23T07:30:00+07:00'),
    originalDueAt: at('2026-12-04T17:00:00+07:00'),
    calendar: RULES,
    officeHours: DEFAULT_OFFICE_HOURS,
  };
  const iso = (ds: Date[]) => ds.map(toVietnamIso);

  it('ends each step after its cumulative share of the working time; the last at the due date', () => {
    expect(iso(stepDeadlines({ ...base, dueAt: base.originalDueAt, shares: [0.7, 0.3] }))).toEqual(['2026-12-01T17:00:00+07:00', '2026-12-04T17:00:00+07:00']);
    expect(iso(stepDeadlines({ ...base, dueAt: base.originalDueAt, shares: [0.5, 0.2, 0.3] }))).toEqual([
      '2026-11-27T17:00:00+07:00',
      '2026-12-01T17:00:00+07:00',
      '2026-12-04T17:00:00+07:00',
    ]);
  });

  it('moves the steps by a pause, and ends the last at an extended due date', () => {
    // The whole of Wednesday 25 Nov waiting for a supplement; the due date extended to Tue 8 Dec.
    const pauses = [{ from: at('2026-11-25T07:30:00+07:00'), to: at('2026-11-26T07:30:00+07:00') }];
    expect(iso(stepDeadlines({ ...base, dueAt: at('2026-12-08T17:00:00+07:00'), shares: [0.5, 0.5], pauses }))).toEqual([
      '2026-11-30T17:00:00+07:00',
      '2026-12-08T17:00:00+07:00',
    ]);
  });

  it('never puts a step after the due date', () => {
    // A due date brought forward (hand-set) before the first step's share ends.
    expect(iso(stepDeadlines({ ...base, dueAt: at('2026-11-24T17:00:00+07:00'), shares: [0.9, 0.1] }))).toEqual([
      '2026-11-24T17:00:00+07:00',
      '2026-11-24T17:00:00+07:00',
    ]);
  });
});

describe('moveCalendarDueAt: an extended calendar-day due date moved by a pause', () => {
  const move = (due: string, hours: number) => toVietnamIso(moveCalendarDueAt(at(due), hours * 3_600_000, RULES, DEFAULT_OFFICE_HOURS));
  it('ends at the close of office of the day it lands on, or of the next working day', () => {
    expect(move('2026-11-27T17:00:00+07:00', 0)).toBe('2026-11-27T17:00:00+07:00');
    // Fri 17:00 + 3 h = Fri 20:00, after closing: the next day is Saturday, so Monday's close.
    expect(move('2026-11-27T17:00:00+07:00', 3)).toBe('2026-11-30T17:00:00+07:00');
    // Wed 10:00 + 2 h = Wed 12:00: the same day's close.
    expect(move('2026-11-25T10:00:00+07:00', 2)).toBe('2026-11-25T17:00:00+07:00');
    // Wed 17:00 + 48 h = Fri 17:00.
    expect(move('2026-11-25T17:00:00+07:00', 48)).toBe('2026-11-27T17:00:00+07:00');
  });
});

describe('legalDuration: a stored duration as the legal count takes it', () => {
  it('rounds a fraction of calendar days or months up, and leaves working time alone', () => {
    expect(legalDuration({ value: 0.5, unit: 'days' })).toEqual({ value: 1, unit: 'days' });
    expect(legalDuration({ value: 2.2, unit: 'months' })).toEqual({ value: 3, unit: 'months' });
    expect(legalDuration({ value: 15, unit: 'days' })).toEqual({ value: 15, unit: 'days' });
    expect(legalDuration({ value: 0.5, unit: 'working_days' })).toEqual({ value: 0.5, unit: 'working_days' });
    expect(legalDuration({ value: 1.5, unit: 'hours' })).toEqual({ value: 1.5, unit: 'hours' });
  });
});

describe('working time for a new due date (isWorkingTime, closeOfOffice, nextWorkingClose)', () => {
  it('is a working day inside an office period, the close of office included', () => {
    const working = (iso: string) => isWorkingTime(at(iso), OFFICIAL, DEFAULT_OFFICE_HOURS);
    expect(working('2026-03-02T17:00:00+07:00')).toBe(true); // Monday, the close of office
    expect(working('2026-03-02T07:30:00+07:00')).toBe(true);
    expect(working('2026-03-02T12:15:00+07:00')).toBe(false); // lunch
    expect(working('2026-03-02T20:00:00+07:00')).toBe(false);
    expect(working('2026-03-01T10:00:00+07:00')).toBe(false); // Sunday
    expect(working('2026-02-18T10:00:00+07:00')).toBe(false); // Tết, an official day off
    expect(working('2026-09-02T10:00:00+07:00')).toBe(false); // National Day
    // Office hours from the setting: with a day ending at 16:30, 17:00 is not working time.
    expect(isWorkingTime(at('2026-03-02T17:00:00+07:00'), OFFICIAL, { periods: [{ start: '08:00', end: '16:30' }] })).toBe(false);
  });

  it('closes a day at the end of its last office period, per the office hours', () => {
    expect(toVietnamIso(closeOfOffice('2026-03-01', DEFAULT_OFFICE_HOURS))).toBe('2026-03-01T17:00:00+07:00');
    expect(toVietnamIso(closeOfOffice('2026-03-02', { periods: [{ start: '08:00', end: '16:30' }] }))).toBe('2026-03-02T16:30:00+07:00');
  });

  it('finds the close of the first working day that closes strictly after an instant', () => {
    const next = (iso: string, calendar: CalendarSource = OFFICIAL) => toVietnamIso(nextWorkingClose(at(iso), calendar, DEFAULT_OFFICE_HOURS));
    expect(next('2026-02-28T10:00:00+07:00')).toBe('2026-03-02T17:00:00+07:00'); // Saturday → Monday
    expect(next('2026-03-02T16:59:00+07:00')).toBe('2026-03-02T17:00:00+07:00');
    expect(next('2026-03-02T17:00:00+07:00')).toBe('2026-03-03T17:00:00+07:00'); // at the close: the next day
    expect(next('2026-02-13T18:00:00+07:00')).toBe('2026-02-23T17:00:00+07:00'); // over the official Tết week
  });
});
