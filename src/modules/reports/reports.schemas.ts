import { z } from 'zod';
import { COUNT_KEYS } from './handling-report.ts';

const Day = z.string().max(10).describe('YYYY-MM-DD (Vietnam calendar day), inclusive');
const Unit = z
  .string()
  .max(64)
  .describe(
    'Agency code (e.g. STP) or administrative unit code (37 = the province, 13669 = a commune). Default: the province for administrators and provincial staff, one’s own agency for other staff',
  );

export const HandlingQuery = z.object({
  unit: Unit.optional(),
  from: Day.optional().describe('First day; default the first of this month'),
  to: Day.optional().describe('Last day; default today'),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});

export const RegisterQuery = HandlingQuery.extend({ format: z.enum(['json', 'xlsx']).default('json') });

const Counts = z.object(Object.fromEntries(COUNT_KEYS.map((k) => [k, z.number().int()])) as Record<(typeof COUNT_KEYS)[number], z.ZodNumber>);
const UnitRef = z.object({ code: z.string(), name: z.string() });

export const HandlingReportView = z.object({
  unit: UnitRef,
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  rows: z.array(Counts.extend({ agencyCode: z.string(), agencyName: z.string(), fieldCode: z.string(), fieldName: z.string() })),
  total: Counts,
});

export const RegisterView = z.object({
  unit: UnitRef,
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  rows: z.array(
    z.object({
      code: z.string(),
      procedureCode: z.string(),
      procedureName: z.string(),
      fieldName: z.string(),
      applicantName: z.string(),
      applicantPhone: z.string().nullable(),
      channel: z.enum(['online', 'in_person', 'post']),
      receivingAgency: z.string(),
      competentAgency: z.string(),
      receivedAt: z.string(),
      dueAt: z.string().nullable(),
      originalDueAt: z.string().nullable(),
      finishedAt: z.string().nullable(),
      returnedAt: z.string().nullable(),
      status: z.string(),
      outcome: z.enum(['early', 'on_time', 'late', 'in_time', 'overdue', 'waiting', 'refused', 'withdrawn', 'stopped']),
      supplementCount: z.number().int(),
      extensionCount: z.number().int(),
    }),
  ),
});
