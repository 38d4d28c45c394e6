import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../db/client.ts';
import { ctxOf } from '../../platform/http.ts';
import { toIso } from '../../platform/time.ts';
import { computeDueDate, getYearCalendar, replaceCalendarOverrides } from './calendar.service.ts';

const Year = z.coerce.number().int().min(1990).max(2100);
const NamedDate = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD'), name: z.string().trim().min(1).max(200) });
const YearCalendarResponse = z.object({
  year: z.number().int(),
  daysOff: z.array(NamedDate.extend({ source: z.enum(['rule', 'official']) })),
  workingDays: z.array(NamedDate),
});
/** ISO 8601 with an explicit offset (or Z); a bare local time is ambiguous and refused. */
const IsoInstant = z.string().datetime({ offset: true, message: 'thời điểm ISO 8601 có múi giờ, ví dụ 2026-11-26T09:00:00+07:00' });

export function calendarRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/calendar/due-date',
      {
        schema: {
          tags: ['calendar'],
          summary: 'Due date from a start time and a processing time, in Vietnamese working time',
          querystring: z.object({
            start: IsoInstant,
            value: z.coerce.number().positive().max(10_000),
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
      { schema: { tags: ['calendar'], summary: 'Days off and official working days of a year', params: z.object({ year: Year }), response: { 200: YearCalendarResponse } } },
      async (req) => getYearCalendar(ctxOf(req, database), req.params.year),
    );

    app.put(
      '/calendar/:year/overrides',
      {
        schema: {
          tags: ['calendar'],
          summary: "Replace a year's official overrides (administrators)",
          params: z.object({ year: Year }),
          body: z.object({ daysOff: z.array(NamedDate).max(60), workingDays: z.array(NamedDate).max(60) }),
          response: { 200: YearCalendarResponse },
        },
      },
      async (req) => replaceCalendarOverrides(ctxOf(req, database), req.params.year, req.body),
    );
  };
}
