/** Drizzle mirror of src/db/migrations/0004_service_index.sql, 0013_service_index_daily.sql and 0018_service_index_dossier_results.sql (checked by test/schema.int.test.ts). */
import { boolean, date, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const serviceIndexConfigVersions = pgTable('service_index_config_versions', {
  version: integer('version').primaryKey(),
  validFrom: date('valid_from', { mode: 'string' }).notNull(),
  config: jsonb('config').notNull(),
  note: text('note'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
  createdBy: uuid('created_by'),
});

/** One row per received dossier, kept exact by triggers (0004_service_index.sql). */
export const serviceIndexFacts = pgTable('service_index_facts', {
  dossierId: uuid('dossier_id').primaryKey(),
  version: integer('version').notNull(),
  procedureId: uuid('procedure_id').notNull(),
  procedureVersionId: uuid('procedure_version_id').notNull(),
  receivingAgencyId: uuid('receiving_agency_id').notNull(),
  competentAgencyId: uuid('competent_agency_id').notNull(),
  status: text('status').notNull(),
  channel: text('channel').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull(),
  endAt: timestamp('end_at', { withTimezone: true, mode: 'date' }),
  dueAt: timestamp('due_at', { withTimezone: true, mode: 'date' }),
  pausedAt: timestamp('paused_at', { withTimezone: true, mode: 'date' }),
  pauses: jsonb('pauses').notNull(),
  supplementCount: integer('supplement_count').notNull(),
  extensionCount: integer('extension_count').notNull(),
  isPaidOnline: boolean('is_paid_online').notNull(),
  resultKind: text('result_kind').notNull(),
  offeredOnline: boolean('offered_online').notNull(),
  feeBearing: boolean('fee_bearing').notNull(),
  digitised: boolean('digitised').notNull(),
  reused: boolean('reused').notNull(),
  rating: text('rating'),
  /** A sealed electronic result is recorded for the dossier (0018). */
  eResult: boolean('e_result').notNull().default(false),
  /** A payment request was issued for the dossier, or it was paid online (0018). */
  paymentRequested: boolean('payment_requested').notNull().default(false),
});

/** The columns the daily and monthly roll-ups share: the unit keys and the summable counters. */
const rollupColumns = () => ({
  procedureId: uuid('procedure_id').notNull(),
  receivingAgencyId: uuid('receiving_agency_id').notNull(),
  competentAgencyId: uuid('competent_agency_id').notNull(),
  received: integer('received').notNull().default(0),
  digitised: integer('digitised').notNull().default(0),
  reused: integer('reused').notNull().default(0),
  offeredOnline: integer('offered_online').notNull().default(0),
  onlineEResult: integer('online_e_result').notNull().default(0),
  feeBearing: integer('fee_bearing').notNull().default(0),
  feePaidOnline: integer('fee_paid_online').notNull().default(0),
  online: integer('online').notNull().default(0),
  paidOnline: integer('paid_online').notNull().default(0),
  ended: integer('ended').notNull().default(0),
  endedOnTime: integer('ended_on_time').notNull().default(0),
  resolved: integer('resolved').notNull().default(0),
  resolvedOnTime: integer('resolved_on_time').notNull().default(0),
  resolvedEResult: integer('resolved_e_result').notNull().default(0),
  resolvedSatisfied: integer('resolved_satisfied').notNull().default(0),
});

/**
 * The daily roll-up of the facts (0013_service_index_daily.sql): per Vietnamese calendar day ×
 * procedure × receiving agency × competent agency, the counters of dossiers received that day and
 * of never-extended dossiers ended that day. Kept exact by a trigger on service_index_facts.
 */
export const serviceIndexDaily = pgTable(
  'service_index_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...rollupColumns(),
  },
  (t) => [primaryKey({ columns: [t.day, t.procedureId, t.receivingAgencyId, t.competentAgencyId] })],
);

/** The same counters per calendar month (0013_service_index_daily.sql), maintained with the daily rows. */
export const serviceIndexMonthly = pgTable(
  'service_index_monthly',
  {
    /** The first day of the month. */
    month: date('month', { mode: 'string' }).notNull(),
    ...rollupColumns(),
  },
  (t) => [primaryKey({ columns: [t.month, t.procedureId, t.receivingAgencyId, t.competentAgencyId] })],
);
