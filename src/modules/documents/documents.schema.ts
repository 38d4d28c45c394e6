/** Drizzle mirror of src/db/migrations/0006_documents.sql (checked by test/schema.int.test.ts). */
import { bigint, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const sealedDocuments = pgTable('sealed_documents', {
  id: uuid('id').primaryKey(),
  dossierId: uuid('dossier_id').notNull(),
  fileId: uuid('file_id'),
  kind: text('kind').notNull(),
  title: text('title').notNull(),
  fileName: text('file_name').notNull(),
  mediaType: text('media_type').notNull(),
  size: bigint('size', { mode: 'number' }).notNull(),
  sha256: text('sha256').notNull(),
  keyId: text('key_id').notNull(),
  signature: text('signature').notNull(),
  issuerAgencyId: uuid('issuer_agency_id').notNull(),
  issuedBy: uuid('issued_by'),
  issuedAt: tz('issued_at').notNull(),
  storageKey: text('storage_key').notNull(),
  applicantIdHash: text('applicant_id_hash'),
  applicantUserId: uuid('applicant_user_id'),
});
