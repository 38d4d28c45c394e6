/**
 * The Drizzle schema: typed mirror of src/db/migrations/*.sql, which are the source of truth for
 * the database (forward-only, hand-written so they can carry triggers and checks). The test
 * `schema.int.test.ts` fails when this file and the migrated database disagree.
 * Newer modules keep their tables in `src/modules/<module>/<module>.schema.ts`, re-exported at the end.
 */
import { bigint, boolean, date, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const id = () => uuid('id').primaryKey();

export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by'),
});

export const adminUnits = pgTable('admin_units', {
  id: id(),
  code: text('code').notNull(),
  name: text('name').notNull(),
  type: text('type').notNull(),
  parentCode: text('parent_code'),
  validFrom: date('valid_from', { mode: 'string' }).notNull(),
  validTo: date('valid_to', { mode: 'string' }),
  searchText: text('search_text').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
});

export const adminUnitSuccessions = pgTable('admin_unit_successions', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  fromCode: text('from_code').notNull(),
  toCode: text('to_code').notNull(),
  effectiveDate: date('effective_date', { mode: 'string' }).notNull(),
  note: text('note'),
});

export const agencies = pgTable('agencies', {
  id: id(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  shortName: text('short_name').notNull(),
  identityCode: text('identity_code').notNull().unique(),
  parentId: uuid('parent_id'),
  unitCode: text('unit_code').notNull(),
  kind: text('kind').notNull(),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: tz('created_at').notNull().defaultNow(),
});

export const users = pgTable('users', {
  id: id(),
  username: text('username').notNull().unique(),
  displayName: text('display_name').notNull(),
  passwordHash: text('password_hash'),
  kind: text('kind').notNull(),
  /** Encrypted at rest with its keyed hash for lookups (src/platform/personal-data.ts). */
  idNumberEnc: text('id_number_enc'),
  idNumberHash: text('id_number_hash'),
  taxCode: text('tax_code'),
  phoneEnc: text('phone_enc'),
  email: text('email'),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: tz('created_at').notNull().defaultNow(),
});

export const userRoles = pgTable(
  'user_roles',
  {
    userId: uuid('user_id').notNull(),
    role: text('role').notNull(),
    agencyId: uuid('agency_id'),
    includeChildren: boolean('include_children').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.userId, t.role] })],
);

export const sessions = pgTable('sessions', {
  id: id(),
  userId: uuid('user_id').notNull(),
  tokenHash: text('token_hash').notNull().unique(),
  createdAt: tz('created_at').notNull(),
  expiresAt: tz('expires_at').notNull(),
  revokedAt: tz('revoked_at'),
  ip: text('ip'),
  userAgent: text('user_agent'),
  authMethod: text('auth_method').notNull().default('password'),
  lastSeenAt: tz('last_seen_at'),
});

export const procedureFields = pgTable('procedure_fields', {
  code: text('code').primaryKey(),
  name: text('name').notNull(),
});

export const procedures = pgTable('procedures', {
  id: id(),
  code: text('code').notNull().unique(),
  currentVersionId: uuid('current_version_id'),
  currentVersion: integer('current_version'),
  name: text('name').notNull(),
  searchText: text('search_text').notNull(),
  fieldCode: text('field_code').notNull(),
  tier: text('tier').notNull(),
  onlineLevel: text('online_level').notNull(),
  competentAgencyId: uuid('competent_agency_id').notNull(),
  popularity: integer('popularity').notNull().default(0),
  isActive: boolean('is_active').notNull().default(true),
  createdAt: tz('created_at').notNull().defaultNow(),
  updatedAt: tz('updated_at').notNull().defaultNow(),
});

export const procedureVersions = pgTable('procedure_versions', {
  id: id(),
  procedureId: uuid('procedure_id').notNull(),
  version: integer('version').notNull(),
  status: text('status').notNull(),
  definition: jsonb('definition').notNull(),
  decisionRef: text('decision_ref'),
  createdAt: tz('created_at').notNull().defaultNow(),
  createdBy: uuid('created_by'),
  publishedAt: tz('published_at'),
  publishedBy: uuid('published_by'),
});

export const procedureAgencies = pgTable(
  'procedure_agencies',
  {
    procedureId: uuid('procedure_id').notNull(),
    agencyId: uuid('agency_id').notNull(),
  },
  (t) => [primaryKey({ columns: [t.procedureId, t.agencyId] })],
);

export const dossiers = pgTable('dossiers', {
  id: id(),
  code: text('code').unique(),
  procedureId: uuid('procedure_id').notNull(),
  procedureVersionId: uuid('procedure_version_id').notNull(),
  procedureCode: text('procedure_code').notNull(),
  procedureVersion: integer('procedure_version').notNull(),
  receivingAgencyId: uuid('receiving_agency_id').notNull(),
  competentAgencyId: uuid('competent_agency_id').notNull(),
  status: text('status').notNull(),
  channel: text('channel').notNull(),
  applicantType: text('applicant_type').notNull(),
  applicant: jsonb('applicant').notNull(),
  applicantUserId: uuid('applicant_user_id'),
  createdBy: uuid('created_by').notNull(),
  form: jsonb('form').notNull().default({}),
  unitCode: text('unit_code'),
  assigneeId: uuid('assignee_id'),
  stepIndex: integer('step_index'),
  submittedAt: tz('submitted_at'),
  receivedAt: tz('received_at'),
  dueAt: tz('due_at'),
  originalDueAt: tz('original_due_at'),
  finishedAt: tz('finished_at'),
  returnedAt: tz('returned_at'),
  pausedAt: tz('paused_at'),
  pauses: jsonb('pauses').notNull().default([]),
  supplementCount: integer('supplement_count').notNull().default(0),
  extensionCount: integer('extension_count').notNull().default(0),
  isPaidOnline: boolean('is_paid_online').notNull().default(false),
  applicantVerifiedBy: text('applicant_verified_by'),
  /** The applicant's ID number and phone, encrypted at rest; `applicant` holds neither (src/platform/personal-data.ts). */
  applicantIdNumberEnc: text('applicant_id_number_enc'),
  applicantIdNumberHash: text('applicant_id_number_hash'),
  applicantPhoneEnc: text('applicant_phone_enc'),
  /** When a walk-in applicant without an account agreed at the desk to SMS notifications. */
  applicantSmsConsentAt: tz('applicant_sms_consent_at'),
  searchText: text('search_text').notNull().default(''),
  version: integer('version').notNull().default(1),
  createdAt: tz('created_at').notNull(),
  updatedAt: tz('updated_at').notNull(),
});

export const dossierFiles = pgTable('dossier_files', {
  id: id(),
  dossierId: uuid('dossier_id').notNull(),
  componentCode: text('component_code').notNull(),
  fileName: text('file_name').notNull(),
  mediaType: text('media_type').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  storageKey: text('storage_key').notNull(),
  reusedFromId: uuid('reused_from_id'),
  uploadedBy: uuid('uploaded_by').notNull(),
  createdAt: tz('created_at').notNull(),
  removedAt: tz('removed_at'),
});

export const dossierHistory = pgTable('dossier_history', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  dossierId: uuid('dossier_id').notNull(),
  at: tz('at').notNull(),
  action: text('action').notNull(),
  actorId: uuid('actor_id'),
  actorRole: text('actor_role').notNull(),
  fromStatus: text('from_status'),
  toStatus: text('to_status').notNull(),
  note: text('note'),
  data: jsonb('data').notNull().default({}),
});

export const dossierRatings = pgTable('dossier_ratings', {
  dossierId: uuid('dossier_id').primaryKey(),
  rating: text('rating').notNull(),
  comment: text('comment'),
  userId: uuid('user_id').notNull(),
  createdAt: tz('created_at').notNull(),
});

export const dossierCodeCounters = pgTable(
  'dossier_code_counters',
  {
    agencyId: uuid('agency_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    lastSeq: integer('last_seq').notNull(),
  },
  (t) => [primaryKey({ columns: [t.agencyId, t.day] })],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    userId: uuid('user_id').notNull(),
    key: text('key').notNull(),
    scope: text('scope').notNull(),
    requestHash: text('request_hash').notNull(),
    resourceId: uuid('resource_id').notNull(),
    createdAt: tz('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.scope, t.key] })],
);

export const calendarOverrides = pgTable('calendar_overrides', {
  date: date('date', { mode: 'string' }).primaryKey(),
  year: integer('year').notNull(),
  kind: text('kind').notNull(),
  name: text('name').notNull(),
});

export const auditLog = pgTable('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: tz('at').notNull(),
  actorId: uuid('actor_id'),
  actorRole: text('actor_role'),
  action: text('action').notNull(),
  targetType: text('target_type'),
  targetId: text('target_id'),
  ip: text('ip'),
  outcome: text('outcome').notNull(),
  details: jsonb('details').notNull().default({}),
  /** Chain position and sha256(prev hash || canonical record): set by the audit_log_chain trigger (0009), whatever the caller sends. */
  seq: bigint('seq', { mode: 'number' })
    .notNull()
    .$defaultFn(() => 0),
  hash: text('hash')
    .notNull()
    .$defaultFn(() => ''),
});

export const jobs = pgTable('jobs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  type: text('type').notNull(),
  payload: jsonb('payload').notNull(),
  status: text('status').notNull().default('pending'),
  runAt: tz('run_at').notNull(),
  attempts: integer('attempts').notNull().default(0),
  maxAttempts: integer('max_attempts').notNull().default(8),
  lockedUntil: tz('locked_until'),
  lastError: text('last_error'),
  dedupeKey: text('dedupe_key').unique(),
  createdAt: tz('created_at').notNull(),
  finishedAt: tz('finished_at'),
});

export const notifications = pgTable('notifications', {
  id: id(),
  userId: uuid('user_id').notNull(),
  dossierId: uuid('dossier_id'),
  kind: text('kind').notNull(),
  title: text('title').notNull(),
  body: text('body').notNull(),
  createdAt: tz('created_at').notNull(),
  readAt: tz('read_at'),
  dedupeKey: text('dedupe_key').unique(),
});
export * from '../modules/notifications/notifications.schema.ts';
export * from '../modules/payments/payments.schema.ts';
export * from '../modules/identity/identity.schema.ts';
export * from '../modules/documents/documents.schema.ts';
export * from '../modules/security/security.schema.ts';
export * from '../modules/service-index/service-index.schema.ts';
export * from '../modules/privacy/privacy.schema.ts';
