/** Drizzle mirror of migrations/0007_notification_deliveries.sql (checked by test/schema.int.test.ts). */
import { boolean, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  outcome: 'sent' | 'error';
  error?: string;
  providerMessageId?: string | null;
}

export const notificationDeliveries = pgTable('notification_deliveries', {
  id: uuid('id').primaryKey(),
  dossierId: uuid('dossier_id').notNull(),
  userId: uuid('user_id'),
  channel: text('channel').$type<'email' | 'sms'>().notNull(),
  /** Encrypted (Keyring, associated data `notification_delivery:<id>`). */
  recipient: text('recipient').notNull(),
  recipientMasked: text('recipient_masked').notNull(),
  template: text('template').notNull(),
  subject: text('subject'),
  body: text('body').notNull(),
  status: text('status').$type<'queued' | 'retrying' | 'sent' | 'failed'>().notNull().default('queued'),
  attempts: integer('attempts').notNull().default(0),
  lastError: text('last_error'),
  providerMessageId: text('provider_message_id'),
  history: jsonb('history').$type<DeliveryAttempt[]>().notNull().default([]),
  createdAt: tz('created_at').notNull(),
  updatedAt: tz('updated_at').notNull(),
  sentAt: tz('sent_at'),
  dedupeKey: text('dedupe_key').notNull().unique(),
});

export const consents = pgTable(
  'consents',
  {
    userId: uuid('user_id').notNull(),
    purpose: text('purpose').notNull(),
    granted: boolean('granted').notNull(),
    at: tz('at').notNull(),
    source: text('source').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.purpose] })],
);
