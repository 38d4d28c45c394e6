import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { ctxOf } from '../../platform/http.ts';
import { queryInt, queryPositiveNumber } from '../../platform/schemas.ts';
import { toIso } from '../../platform/time.ts';
import {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  CALENDAR_RANGE_MESSAGE,
  computeDueDate,
  getYearCalendar,
  isCalendarYear,
  replaceCalendarOverrides,
  vnYearOf,
} from './calendar.service.ts';

const Year = queryInt(CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR);
const NamedDate = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'ngày dạng YYYY-MM-DD'), name: z.string().trim().min(1).max(200) });
/** An override in a request body: a key the API does not know is refused (422), not dropped. */
const NamedDateInput = z.strictObject(NamedDate.shape);
const YearCalendarResponse = z.object({
  year: z.number().int(),
  daysOff: z.array(NamedDate.extend({ source: z.enum(['rule', 'official']) })),
  workingDays: z.array(NamedDate),
});
/**
 * ISO 8601 with an explicit offset (or Z); a bare local time is ambiguous and refused. `abort`: a value
 * that is not such a time gets this one message, never the range check after it as well.
 */
const IsoInstant = z.string().datetime({ offset: true, message: 'thời điểm ISO 8601 có múi giờ, ví dụ 2026-11-26T09:00:00+07:00', abort: true });
/** A start the calendar covers: its day in Vietnam (+07:00) within the years the year endpoint serves. */
const CalendarInstant = IsoInstant.refine((s) => isCalendarYear(vnYearOf(new Date(s))), CALENDAR_RANGE_MESSAGE);

export function calendarRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/calendar/due-date',
      {
        schema: {
          tags: ['calendar'],
          summary: 'Due date from a start time and a processing time, in Vietnamese working time',
          description:
            'working_days and hours count office time (the office_hours setting) on working days. days and months follow the Civil Code (art. 147–148): ' +
            'counted from the day after reception (a reception outside office hours counts from the next office period), ending at the close of office of the last day, ' +
            'moved to the next working day when that day is a day off; whole numbers only (else 422 DUE_DATE_INPUT_INVALID). ' +
            `The start and the due date must fall in the calendar's years ${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR} (in +07:00), else 422 VALIDATION_FAILED naming start; ` +
            'value is written in decimal digits (5, 1.5).',
          querystring: z.object({
            start: CalendarInstant,
            value: queryPositiveNumber(10_000),
            unit: z.enum(['working_days', 'days', 'hours', 'months']),
          }),
          response: { 200: z.object({ start: z.string(), dueAt: z.string() }) },
        },
      },
      async (req) => {
        const start = new Date(req.query.start);
        const dueAt = await computeDueDate(ctxOf(req, database), start, req.query.value, req.query.unit);
        return { start: toIso(start), dueAt: toIso(dueAt) };
      },
    );

    app.get(
      '/calendar/:year',
      {
        schema: {
          tags: ['calendar'],
          summary: 'Days off and official working days of a year',
          params: z.object({ year: Year }),
          response: { 200: YearCalendarResponse },
        },
      },
      async (req) => getYearCalendar(ctxOf(req, database), req.params.year),
    );

    app.put(
      '/calendar/:year/overrides',
      {
        schema: {
          tags: ['calendar'],
          summary: "Replace a year's official overrides (administrators)",
          description:
            'Replaces the official days off and working days of the year (names are stored trimmed and NFC). The official days off replace the rule one holiday ' +
            "group at a time, only where they speak to it: one from lunar new year − 10 to + 10 days replaces the rule's Tết days and their substitutes; one from " +
            '29 Aug to 5 Sep replaces the adjacent day 1 Sep and the National Day substitutes; one within 3 days of 1 Jan, Hùng Kings, 30 Apr or 1 May replaces ' +
            "that holiday's substitute. Official days off on those fixed dates or 2 Sep replace nothing, and the fixed dates always stay days off; any other " +
            'official day off only adds itself. Official working days are working days whatever else falls on them. ' +
            'Errors: 422 CALENDAR_OVERRIDES_INVALID with the offending entries.',
          params: z.object({ year: Year }),
          body: z.strictObject({ daysOff: z.array(NamedDateInput).max(60), workingDays: z.array(NamedDateInput).max(60) }),
          response: { 200: YearCalendarResponse },
        },
      },
      async (req) => replaceCalendarOverrides(ctxOf(req, database), req.params.year, req.body),
    );
  };
}
