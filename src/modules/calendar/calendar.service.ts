import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { calendarOverrides } from '../../db/schema.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requireRole } from '../../platform/auth.ts';
import type { Ctx } from '../../platform/context.ts';
import { AppError } from '../../platform/errors.ts';
import { getSetting } from '../../platform/settings.ts';
import { nfc } from '../../platform/text.ts';
import { VN_OFFSET_MS } from '../../platform/time.ts';
import { computeDueAt, type DurationUnit, type OfficeHours, type Pause } from './due-date.ts';
import { findOverrideProblems, findReplacedHolidayGroups, WorkingCalendar, type CalendarOverrides, type NamedDate, type YearCalendar } from './holidays.ts';

/**
 * The working calendar: rules from the Labour Code plus the official overrides an administrator
 * enters per year. Overrides are a small table read whole; the compiled calendar is cached per
 * process for a few seconds (and dropped at once when this instance changes it).
 */
const CACHE_MS = 5_000;
let cached: { at: number; calendar: WorkingCalendar } | null = null;

export async function loadWorkingCalendar(db: Db): Promise<WorkingCalendar> {
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.calendar;
  const rows = await db.select().from(calendarOverrides).orderBy(asc(calendarOverrides.date));
  const byYear = new Map<number, CalendarOverrides>();
  for (const r of rows) {
    const o = byYear.get(r.year) ?? { daysOff: [], workingDays: [] };
    (r.kind === 'day_off' ? o.daysOff : o.workingDays).push({ date: r.date, name: r.name });
    byYear.set(r.year, o);
  }
  const calendar = WorkingCalendar.fromOverrides(byYear);
  cached = { at: Date.now(), calendar };
  return calendar;
}

export function clearCalendarCache(): void {
  cached = null;
}

export interface Clock {
  calendar: WorkingCalendar;
  officeHours: OfficeHours;
}

/** What deadline arithmetic needs: the calendar and the configured office hours. */
export async function loadClock(db: Db): Promise<Clock> {
  const [calendar, officeHours] = await Promise.all([loadWorkingCalendar(db), getSetting(db, 'office_hours')]);
  return { calendar, officeHours };
}

export async function getYearCalendar(ctx: Ctx, year: number): Promise<YearCalendar> {
  checkYear(year);
  return (await loadWorkingCalendar(ctx.db)).getYearCalendar(year);
}

/** The years the working calendar serves (the year endpoint, due dates). */
export const CALENDAR_FIRST_YEAR = 1990;
export const CALENDAR_LAST_YEAR = 2100;
export const CALENDAR_RANGE_MESSAGE = `Lịch làm việc chỉ tính cho các năm ${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR}: thời điểm bắt đầu và hạn giải quyết phải nằm trong khoảng này.`;

export function isCalendarYear(year: number): boolean {
  return Number.isInteger(year) && year >= CALENDAR_FIRST_YEAR && year <= CALENDAR_LAST_YEAR;
}

/** The year of an instant in Vietnam (+07:00); NaN for an invalid date. */
export function vnYearOf(d: Date): number {
  return new Date(d.getTime() + VN_OFFSET_MS).getUTCFullYear();
}

function checkYear(year: number) {
  if (!isCalendarYear(year)) {
    throw new AppError('invalid', 'CALENDAR_YEAR_OUT_OF_RANGE', {
      userMessage: `Năm phải trong khoảng ${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR}.`,
      // For a page to word it in its own language (not sent by the API).
      cause: { params: { first: CALENDAR_FIRST_YEAR, last: CALENDAR_LAST_YEAR } },
    });
  }
}

/** Names as stored: Unicode NFC and trimmed, so the same Vietnamese name typed on any keyboard is one string. */
function normalizeOverrides(overrides: CalendarOverrides): CalendarOverrides {
  const normalize = ({ date, name }: NamedDate): NamedDate => ({ date, name: nfc(name) });
  return { daysOff: overrides.daysOff.map(normalize), workingDays: overrides.workingDays.map(normalize) };
}

/**
 * Replaces one year's official overrides (administrators). An official day off near Tết, National
 * Day or another fixed holiday replaces that group's variable rule days (Tết days, adjacent day,
 * substitute days); other official days off only add (holidays.ts header). The audit lists the
 * replaced groups. Errors: CALENDAR_OVERRIDES_INVALID.
 */
export async function replaceCalendarOverrides(ctx: Ctx, year: number, input: CalendarOverrides): Promise<YearCalendar> {
  requireRole(ctx.actor, 'admin');
  checkYear(year);
  const overrides = normalizeOverrides(input);
  const problems = findOverrideProblems(year, overrides);
  if (problems.length) {
    throw new AppError('invalid', 'CALENDAR_OVERRIDES_INVALID', {
      userMessage: 'Lịch điều chỉnh không hợp lệ.',
      // Each problem reads "daysOff[0]: …": the path once, in `path`, and the rest as the message.
      errors: problems.map((p) => {
        const colon = p.indexOf(': ');
        return colon < 0 ? { path: '', message: p } : { path: p.slice(0, colon), message: p.slice(colon + 2) };
      }),
    });
  }
  await ctx.db.transaction(async (tx) => {
    await tx.delete(calendarOverrides).where(eq(calendarOverrides.year, year));
    const rows = [
      ...overrides.daysOff.map((d) => ({ date: d.date, year, kind: 'day_off', name: d.name })),
      ...overrides.workingDays.map((d) => ({ date: d.date, year, kind: 'working_day', name: d.name })),
    ];
    if (rows.length) await tx.insert(calendarOverrides).values(rows);
    await writeAudit(
      { ...ctx, db: tx },
      {
        action: 'calendar.overrides.replace',
        targetType: 'calendar',
        targetId: String(year),
        details: {
          daysOff: overrides.daysOff.length,
          workingDays: overrides.workingDays.length,
          replacedRuleGroups: findReplacedHolidayGroups(year, overrides),
        },
      },
    );
  });
  clearCalendarCache();
  return getYearCalendar(ctx, year);
}

/**
 * A due date for `GET /calendar/due-date`. The start and the result must fall in the calendar's
 * years (Tết and the other lunar holidays are not known outside them). Errors: VALIDATION_FAILED
 * (naming `start`), DUE_DATE_INPUT_INVALID.
 */
export async function computeDueDate(ctx: Ctx, start: Date, value: number, unit: DurationUnit, pauses: Pause[] = []): Promise<Date> {
  const outOfRange = () =>
    new AppError('invalid', 'VALIDATION_FAILED', { userMessage: CALENDAR_RANGE_MESSAGE, errors: [{ path: 'start', message: CALENDAR_RANGE_MESSAGE }] });
  if (!isCalendarYear(vnYearOf(start))) throw outOfRange();
  // Days and months are counted whole (Civil Code art. 147–148); hours and working days may be fractional.
  if ((unit === 'days' || unit === 'months') && !Number.isInteger(value)) {
    const per = unit === 'days' ? 'ngày' : 'tháng';
    throw new AppError('invalid', 'DUE_DATE_INPUT_INVALID', {
      userMessage: `Thời hạn tính theo ${per} phải là số nguyên (nhận được ${value}).`,
      errors: [{ path: 'value', message: `phải là số nguyên khi tính theo ${per}` }],
    });
  }
  const clock = await loadClock(ctx.db);
  let dueAt: Date;
  try {
    dueAt = computeDueAt({ start, value, unit, calendar: clock.calendar, officeHours: clock.officeHours, pauses });
  } catch (err) {
    // computeDueAt's own words (English) stay internal.
    if (err instanceof RangeError)
      throw new AppError('invalid', 'DUE_DATE_INPUT_INVALID', { message: err.message, userMessage: 'Không tính được hạn giải quyết từ dữ liệu đã gửi.' });
    throw err;
  }
  if (!isCalendarYear(vnYearOf(dueAt))) throw outOfRange();
  return dueAt;
}
