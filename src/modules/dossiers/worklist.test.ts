import { describe, expect, it } from 'vitest';
import { DEFAULT_OFFICE_HOURS, WorkingCalendar } from '../calendar/index.ts';
import { dueSoonLimit } from './worklist.ts';

/** The rules calendar (Labour Code art. 112): 2026 has Tue 1 and Wed 2 September off (Quốc khánh). */
const clock = { calendar: WorkingCalendar.fromOverrides(), officeHours: DEFAULT_OFFICE_HOURS };
const at = (iso: string) => new Date(iso);

describe('dueSoonLimit (the end of "due within N working days")', () => {
  it('counts whole working days of office time on an ordinary week', () => {
    // Mon 7 Sep 2026 10:00: one working day (7.5 h of office time) later is Tue 10:00, two is Wed 10:00.
    expect(dueSoonLimit(clock, at('2026-09-07T10:00:00+07:00'), 1)).toEqual(at('2026-09-08T10:00:00+07:00'));
    expect(dueSoonLimit(clock, at('2026-09-07T10:00:00+07:00'), 2)).toEqual(at('2026-09-09T10:00:00+07:00'));
    // Five working days from a Monday cross the weekend: the next Monday at the same time.
    expect(dueSoonLimit(clock, at('2026-09-07T10:00:00+07:00'), 5)).toEqual(at('2026-09-14T10:00:00+07:00'));
  });

  it('skips the National Day holiday (1–2 September 2026)', () => {
    // Mon 31 Aug 10:00 + 1 working day: 5 h left on Monday, then Tue and Wed are days off, so 2.5 h on Thu 3 Sep → 10:00.
    expect(dueSoonLimit(clock, at('2026-08-31T10:00:00+07:00'), 1)).toEqual(at('2026-09-03T10:00:00+07:00'));
    expect(dueSoonLimit(clock, at('2026-08-31T10:00:00+07:00'), 2)).toEqual(at('2026-09-04T10:00:00+07:00'));
    // Without the holiday it would have been Wed 2 Sep: a fixed 2 × 24 h would be wrong here.
    expect(dueSoonLimit(clock, at('2026-08-31T10:00:00+07:00'), 2).getTime()).toBeGreaterThan(at('2026-09-02T10:00:00+07:00').getTime());
  });

  it('counts from the next office period when asked outside office hours', () => {
    // Fri 28 Aug 18:00 + 1 working day: all of Monday 31 Aug → 17:00 that day.
    expect(dueSoonLimit(clock, at('2026-08-28T18:00:00+07:00'), 1)).toEqual(at('2026-08-31T17:00:00+07:00'));
    // Fri 28 Aug 18:00 + 2: Monday, then Tue/Wed off, all of Thu 3 Sep → 17:00.
    expect(dueSoonLimit(clock, at('2026-08-28T18:00:00+07:00'), 2)).toEqual(at('2026-09-03T17:00:00+07:00'));
  });

  it('follows the official overrides entered by the administrators', () => {
    // Suppose the Government moves a working day: Thu 3 Sep 2026 off as well. An official day off
    // near National Day replaces the rule's adjacent day, so the schedule lists 1 Sep too.
    const daysOff = [
      { date: '2026-09-01', name: 'Quốc khánh (ngày liền kề)' },
      { date: '2026-09-03', name: 'Nghỉ bù' },
    ];
    const official = {
      calendar: WorkingCalendar.fromOverrides(new Map([[2026, { daysOff, workingDays: [] }]])),
      officeHours: DEFAULT_OFFICE_HOURS,
    };
    expect(dueSoonLimit(official, at('2026-08-31T10:00:00+07:00'), 1)).toEqual(at('2026-09-04T10:00:00+07:00'));
  });
});
