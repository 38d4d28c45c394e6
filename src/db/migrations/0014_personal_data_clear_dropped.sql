-- The clear copies of personal ID numbers and phone numbers are gone: migration 0011's data step
-- moved every one into the encrypted columns (docs/PRIVACY.md). The constraints make sure none
-- comes back through a JSON document.
ALTER TABLE users DROP COLUMN id_number, DROP COLUMN phone;
ALTER TABLE sealed_documents DROP COLUMN applicant_id_number;
ALTER TABLE dossiers ADD CONSTRAINT dossiers_applicant_clear_absent CHECK (NOT (applicant ? 'idNumber') AND NOT (applicant ? 'phone'));
