import { bigint, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Drizzle mirror of migrations/0009_audit_chain.sql (the audit_log columns are in db/schema.ts). */
const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const securityEvents = pgTable('security_events', {
  id: uuid('id').primaryKey(),
  rule: text('rule').notNull(),
  severity: text('severity').notNull(),
  at: tz('at').notNull(),
  detectedAt: tz('detected_at').notNull(),
  actorId: uuid('actor_id'),
  ip: text('ip'),
  subject: text('subject'),
  summary: text('summary').notNull(),
  details: jsonb('details').notNull().default({}),
  auditSeq: bigint('audit_seq', { mode: 'number' }),
  dedupeKey: text('dedupe_key').notNull().unique(),
});

export const securityMonitorState = pgTable('security_monitor_state', {
  name: text('name').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
  lastHash: text('last_hash').notNull(),
  updatedAt: tz('updated_at').notNull(),
});
