import { z } from 'zod';
import { queryInt } from '../../platform/schemas.ts';

export const SeverityName = z.enum(['low', 'medium', 'high', 'critical']);

export const ChainVerificationView = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  firstBrokenId: z.number().int().optional(),
  reason: z.enum(['hash_mismatch', 'sequence_gap']).optional(),
  head: z.object({ seq: z.number().int(), hash: z.string() }).optional(),
});

export const EventsQuery = z.object({
  /** At least this severity. */
  severity: SeverityName.optional(),
  /** Events at or after this instant (ISO 8601 with an offset). */
  from: z.iso.datetime({ offset: true }).optional(),
  rule: z
    .string()
    .regex(/^[a-z_.]{1,60}$/)
    .optional(),
  /** How many, newest first: decimal digits only (`1e1`, `0x10` are 422, as in every query string). */
  limit: queryInt(1, 500).default(100),
});
export type EventsQuery = z.infer<typeof EventsQuery>;

export const SecurityEventView = z.object({
  id: z.string(),
  rule: z.string(),
  severity: SeverityName,
  at: z.string(),
  detectedAt: z.string(),
  actorId: z.string().nullable(),
  ip: z.string().nullable(),
  subject: z.string().nullable(),
  summary: z.string(),
  details: z.record(z.string(), z.unknown()),
  auditSeq: z.number().int().nullable(),
});
export type SecurityEventView = z.infer<typeof SecurityEventView>;
