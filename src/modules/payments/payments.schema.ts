/** Drizzle mirror of src/db/migrations/0005_payments.sql, 0012_payment_refunds.sql and 0017_payment_demo_transfers.sql (checked by test/schema.int.test.ts). */
import { bigint, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const payments = pgTable('payments', {
  id: uuid('id').primaryKey(),
  dossierId: uuid('dossier_id').notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  currency: text('currency').notNull().default('VND'),
  reference: text('reference').notNull().unique(),
  status: text('status').notNull(),
  feeLines: jsonb('fee_lines').notNull().default([]),
  dueAt: tz('due_at').notNull(),
  paidAt: tz('paid_at'),
  paidAmount: bigint('paid_amount', { mode: 'number' }),
  transactionId: text('transaction_id'),
  requestedBy: uuid('requested_by'),
  createdAt: tz('created_at').notNull(),
  updatedAt: tz('updated_at').notNull(),
  closedAt: tz('closed_at'),
  closedBy: uuid('closed_by'),
});

export const paymentTransactions = pgTable('payment_transactions', {
  id: uuid('id').primaryKey(),
  providerTxnId: text('provider_txn_id').notNull().unique(),
  paymentId: uuid('payment_id'),
  reference: text('reference'),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  currency: text('currency').notNull(),
  paidAt: tz('paid_at'),
  receivedAt: tz('received_at').notNull(),
  status: text('status').notNull(),
  holdReason: text('hold_reason'),
  payload: jsonb('payload').notNull(),
  resolvedBy: uuid('resolved_by'),
  resolvedAt: tz('resolved_at'),
  resolutionNote: text('resolution_note'),
});

export const paymentRefunds = pgTable('payment_refunds', {
  id: uuid('id').primaryKey(),
  transactionId: uuid('transaction_id').notNull().unique(),
  paymentId: uuid('payment_id'),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  currency: text('currency').notNull().default('VND'),
  status: text('status').notNull(),
  idempotencyKey: text('idempotency_key').notNull().unique(),
  reason: text('reason').notNull(),
  attempts: integer('attempts').notNull().default(0),
  bankRefundId: text('bank_refund_id'),
  failureCode: text('failure_code'),
  failureMessage: text('failure_message'),
  requestedBy: uuid('requested_by'),
  requestedAt: tz('requested_at').notNull(),
  sentAt: tz('sent_at'),
  completedAt: tz('completed_at'),
  failedAt: tz('failed_at'),
  updatedAt: tz('updated_at').notNull(),
});

/** The stand-in bank's test payments: the claim on a request's test transfer, then its outcome (demo-payments.ts). */
export const paymentDemoTransfers = pgTable('payment_demo_transfers', {
  paymentId: uuid('payment_id').primaryKey(),
  attemptId: uuid('attempt_id').notNull(),
  startedAt: tz('started_at').notNull(),
  finishedAt: tz('finished_at'),
  transactionId: text('transaction_id'),
  failure: text('failure'),
});
