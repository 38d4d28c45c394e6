-- Personal ID numbers and phone numbers encrypted at rest (docs/PRIVACY.md, "Encryption at rest").
--
-- New columns hold the AES-256-GCM ciphertext (bound to row and column) and, for ID numbers, a
-- keyed hash (HMAC-SHA-256) for exact lookups. The key lives in the configuration
-- (DATA_ENCRYPTION_KEY), never in the database, so the values already stored in clear are moved
-- by the data step registered for this migration (src/db/data-steps.ts), in this migration's
-- transaction, right after this script. Migration 0014 then drops the clear columns.

ALTER TABLE users
  ADD COLUMN id_number_enc  text CHECK (id_number_enc IS NULL OR id_number_enc LIKE 'enc:v1:%'),
  ADD COLUMN id_number_hash text CHECK (id_number_hash IS NULL OR id_number_hash ~ '^[0-9a-f]{64}$'),
  ADD COLUMN phone_enc      text CHECK (phone_enc IS NULL OR phone_enc LIKE 'enc:v1:%'),
  ADD CONSTRAINT users_id_number_sealed_pair CHECK ((id_number_enc IS NULL) = (id_number_hash IS NULL));
CREATE INDEX users_id_number_hash_idx ON users (id_number_hash) WHERE id_number_hash IS NOT NULL;

ALTER TABLE dossiers
  ADD COLUMN applicant_id_number_enc  text CHECK (applicant_id_number_enc IS NULL OR applicant_id_number_enc LIKE 'enc:v1:%'),
  ADD COLUMN applicant_id_number_hash text CHECK (applicant_id_number_hash IS NULL OR applicant_id_number_hash ~ '^[0-9a-f]{64}$'),
  ADD COLUMN applicant_phone_enc      text CHECK (applicant_phone_enc IS NULL OR applicant_phone_enc LIKE 'enc:v1:%'),
  ADD CONSTRAINT dossiers_applicant_id_sealed_pair CHECK ((applicant_id_number_enc IS NULL) = (applicant_id_number_hash IS NULL));
-- A walk-in applicant without an account agrees to SMS notifications at the desk (consent,
-- Decree 13/2023): when it was given. Applicants with accounts use their account's consent.
ALTER TABLE dossiers ADD COLUMN applicant_sms_consent_at timestamptz;
CREATE INDEX dossiers_applicant_id_hash_idx ON dossiers (applicant_id_number_hash, created_at DESC) WHERE applicant_id_number_hash IS NOT NULL;

-- The applicant's identifier on a sealed result: its keyed hash only (the result itself carries it).
ALTER TABLE sealed_documents ADD COLUMN applicant_id_hash text CHECK (applicant_id_hash IS NULL OR applicant_id_hash ~ '^[0-9a-f]{64}$');
ALTER TABLE sealed_documents ALTER COLUMN applicant_id_number DROP NOT NULL;
DROP INDEX sealed_documents_applicant_idx;
CREATE INDEX sealed_documents_applicant_idx ON sealed_documents (applicant_id_hash, issued_at DESC);
