import { bigint, integer, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Drizzle mirror of migrations/0008_identity.sql (the sessions and dossiers columns are in db/schema.ts). */
const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const externalIdentities = pgTable(
  'external_identities',
  {
    issuer: text('issuer').notNull(),
    subject: text('subject').notNull(),
    userId: uuid('user_id').notNull(),
    identityLevel: integer('identity_level'),
    createdAt: tz('created_at').notNull(),
    lastLoginAt: tz('last_login_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.subject] })],
);

export const userTotp = pgTable('user_totp', {
  userId: uuid('user_id').primaryKey(),
  secretEnc: text('secret_enc').notNull(),
  createdAt: tz('created_at').notNull(),
  confirmedAt: tz('confirmed_at'),
  lastStep: bigint('last_step', { mode: 'number' }),
});

export const recoveryCodes = pgTable(
  'recovery_codes',
  {
    userId: uuid('user_id').notNull(),
    codeHash: text('code_hash').notNull(),
    createdAt: tz('created_at').notNull(),
    usedAt: tz('used_at'),
  },
  (t) => [primaryKey({ columns: [t.userId, t.codeHash] })],
);

export const authChallenges = pgTable('auth_challenges', {
  id: uuid('id').primaryKey(),
  userId: uuid('user_id').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  kind: text('kind').notNull(),
  createdAt: tz('created_at').notNull(),
  expiresAt: tz('expires_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
  usedAt: tz('used_at'),
  ip: text('ip'),
  userAgent: text('user_agent'),
});

export const authAttempts = pgTable('auth_attempts', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: tz('at').notNull(),
  accountKey: text('account_key').notNull(),
  userId: uuid('user_id'),
  ip: text('ip'),
  factor: text('factor').notNull(),
  outcome: text('outcome').notNull(),
});
