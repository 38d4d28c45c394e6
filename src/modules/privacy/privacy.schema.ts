import { jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Correction and deletion requests about personal data (migration 0010). */
export const dataRequests = pgTable('data_requests', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id').notNull(),
  kind: text('kind').notNull(),
  status: text('status').notNull(),
  details: text('details').notNull().default(''),
  outcome: jsonb('outcome').notNull().default({}),
  createdAt: tz('created_at').notNull(),
  resolvedAt: tz('resolved_at'),
  resolvedBy: uuid('resolved_by'),
  resolution: text('resolution'),
});
