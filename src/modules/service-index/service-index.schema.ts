/** Drizzle mirror of src/db/migrations/0004_service_index.sql (checked by test/schema.int.test.ts). */
import { boolean, date, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

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
});
