-- tinhso foundation: reference data, identity, procedure catalogue, dossiers, history, audit, jobs.
-- Forward-only: never edit this file after it has landed; add a new numbered file instead.
-- Runs on PostgreSQL 15 and on PGlite.

CREATE TABLE settings (
  key         text PRIMARY KEY,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  uuid
);

-- Administrative units are effective-dated: the same code may be reused by a new unit after a
-- reorganisation, so (code, valid_from) identifies a unit version.
CREATE TABLE admin_units (
  id          uuid PRIMARY KEY,
  code        text NOT NULL CHECK (code ~ '^[0-9]{2}$|^[0-9]{3}$|^[0-9]{5}$'),
  name        text NOT NULL,
  type        text NOT NULL CHECK (type IN ('province', 'city', 'district', 'town', 'ward', 'commune', 'special_zone', 'township')),
  parent_code text,
  valid_from  date NOT NULL,
  valid_to    date,
  search_text text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (code, valid_from),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX admin_units_parent_idx ON admin_units (parent_code);

CREATE TABLE admin_unit_successions (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  from_code      text NOT NULL,
  to_code        text NOT NULL,
  effective_date date NOT NULL,
  note           text,
  UNIQUE (from_code, to_code, effective_date)
);

CREATE TABLE agencies (
  id            uuid PRIMARY KEY,
  code          text NOT NULL UNIQUE,
  name          text NOT NULL,
  short_name    text NOT NULL,
  identity_code text NOT NULL UNIQUE,
  parent_id     uuid REFERENCES agencies (id),
  unit_code     text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('service_centre', 'department', 'commune_committee', 'other')),
  is_active     boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  password_hash text,
  kind          text NOT NULL CHECK (kind IN ('citizen', 'organisation', 'staff')),
  id_number     text CHECK (id_number IS NULL OR id_number ~ '^[0-9]{12}$'),
  tax_code      text CHECK (tax_code IS NULL OR tax_code ~ '^[0-9]{10}([0-9]{3})?$'),
  phone         text,
  email         text,
  is_active     boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- A staff role is scoped to an agency, and to its child agencies when include_children is set.
CREATE TABLE user_roles (
  user_id          uuid NOT NULL REFERENCES users (id),
  role             text NOT NULL CHECK (role IN ('citizen', 'organisation', 'reception', 'specialist', 'leader', 'admin')),
  agency_id        uuid REFERENCES agencies (id),
  include_children boolean NOT NULL DEFAULT false,
  PRIMARY KEY (user_id, role),
  CHECK (role IN ('citizen', 'organisation', 'admin') OR agency_id IS NOT NULL)
);
CREATE INDEX user_roles_agency_idx ON user_roles (agency_id, role);

CREATE TABLE sessions (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id),
  token_hash  text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  revoked_at  timestamptz,
  ip          text,
  user_agent  text
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE procedure_fields (
  code  text PRIMARY KEY,
  name  text NOT NULL
);

-- A procedure is identified by its national code; each publication is an immutable version.
CREATE TABLE procedures (
  id                   uuid PRIMARY KEY,
  code                 text NOT NULL UNIQUE,
  current_version_id   uuid,
  current_version      integer,
  name                 text NOT NULL,
  search_text          text NOT NULL,
  field_code           text NOT NULL REFERENCES procedure_fields (code),
  tier                 text NOT NULL CHECK (tier IN ('province', 'commune')),
  online_level         text NOT NULL CHECK (online_level IN ('full', 'partial')),
  competent_agency_id  uuid NOT NULL REFERENCES agencies (id),
  popularity           integer NOT NULL DEFAULT 0,
  is_active            boolean NOT NULL DEFAULT true,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX procedures_field_idx ON procedures (field_code);

CREATE TABLE procedure_versions (
  id            uuid PRIMARY KEY,
  procedure_id  uuid NOT NULL REFERENCES procedures (id),
  version       integer NOT NULL CHECK (version > 0),
  status        text NOT NULL CHECK (status IN ('draft', 'published', 'superseded')),
  definition    jsonb NOT NULL,
  decision_ref  text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    uuid,
  published_at  timestamptz,
  published_by  uuid,
  UNIQUE (procedure_id, version)
);

-- Which service centres receive a procedure (the provincial centre receives all of them).
CREATE TABLE procedure_agencies (
  procedure_id uuid NOT NULL REFERENCES procedures (id),
  agency_id    uuid NOT NULL REFERENCES agencies (id),
  PRIMARY KEY (procedure_id, agency_id)
);
CREATE INDEX procedure_agencies_agency_idx ON procedure_agencies (agency_id);

CREATE TABLE dossiers (
  id                    uuid PRIMARY KEY,
  code                  text UNIQUE,
  procedure_id          uuid NOT NULL REFERENCES procedures (id),
  procedure_version_id  uuid NOT NULL REFERENCES procedure_versions (id),
  procedure_code        text NOT NULL,
  procedure_version     integer NOT NULL,
  receiving_agency_id   uuid NOT NULL REFERENCES agencies (id),
  competent_agency_id   uuid NOT NULL REFERENCES agencies (id),
  status                text NOT NULL CHECK (status IN ('draft', 'submitted', 'received', 'refused', 'in_progress',
                          'supplement_requested', 'payment_requested', 'withdrawn', 'stopped', 'done', 'returned')),
  channel               text NOT NULL CHECK (channel IN ('online', 'in_person', 'post')),
  applicant_type        text NOT NULL CHECK (applicant_type IN ('citizen', 'organisation')),
  applicant             jsonb NOT NULL,
  applicant_user_id     uuid REFERENCES users (id),
  created_by            uuid NOT NULL REFERENCES users (id),
  form                  jsonb NOT NULL DEFAULT '{}',
  unit_code             text,
  assignee_id           uuid REFERENCES users (id),
  step_index            integer,
  submitted_at          timestamptz,
  received_at           timestamptz,
  due_at                timestamptz,
  original_due_at       timestamptz,
  finished_at           timestamptz,
  returned_at           timestamptz,
  paused_at             timestamptz,
  pauses                jsonb NOT NULL DEFAULT '[]',
  supplement_count      integer NOT NULL DEFAULT 0,
  extension_count       integer NOT NULL DEFAULT 0,
  is_paid_online        boolean NOT NULL DEFAULT false,
  search_text           text NOT NULL DEFAULT '',
  version               integer NOT NULL DEFAULT 1,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL
);
CREATE INDEX dossiers_applicant_idx ON dossiers (applicant_user_id, created_at DESC);
CREATE INDEX dossiers_receiving_status_idx ON dossiers (receiving_agency_id, status, due_at);
CREATE INDEX dossiers_competent_status_idx ON dossiers (competent_agency_id, status, due_at);
CREATE INDEX dossiers_assignee_idx ON dossiers (assignee_id, status);
CREATE INDEX dossiers_received_at_idx ON dossiers (received_at);

CREATE TABLE dossier_files (
  id              uuid PRIMARY KEY,
  dossier_id      uuid NOT NULL REFERENCES dossiers (id),
  component_code  text NOT NULL,
  file_name       text NOT NULL,
  media_type      text NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
  size            bigint NOT NULL CHECK (size > 0),
  sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key     text NOT NULL,
  reused_from_id  uuid REFERENCES dossier_files (id),
  uploaded_by     uuid NOT NULL REFERENCES users (id),
  created_at      timestamptz NOT NULL,
  removed_at      timestamptz
);
CREATE INDEX dossier_files_dossier_idx ON dossier_files (dossier_id);

-- Append-only: the history of a dossier is never updated or deleted (trigger below).
CREATE TABLE dossier_history (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dossier_id   uuid NOT NULL REFERENCES dossiers (id),
  at           timestamptz NOT NULL,
  action       text NOT NULL,
  actor_id     uuid REFERENCES users (id),
  actor_role   text NOT NULL,
  from_status  text,
  to_status    text NOT NULL,
  note         text,
  data         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX dossier_history_dossier_idx ON dossier_history (dossier_id, id);

CREATE TABLE dossier_ratings (
  dossier_id  uuid PRIMARY KEY REFERENCES dossiers (id),
  rating      text NOT NULL CHECK (rating IN ('very_satisfied', 'satisfied', 'dissatisfied')),
  comment     text,
  user_id     uuid NOT NULL REFERENCES users (id),
  created_at  timestamptz NOT NULL
);

-- Gap-free daily sequence per receiving agency: incremented inside the transaction that issues
-- the code, so a rolled-back submission gives its number back and concurrent ones queue on the row.
CREATE TABLE dossier_code_counters (
  agency_id  uuid NOT NULL REFERENCES agencies (id),
  day        date NOT NULL,
  last_seq   integer NOT NULL,
  PRIMARY KEY (agency_id, day)
);

CREATE TABLE idempotency_keys (
  user_id       uuid NOT NULL REFERENCES users (id),
  key           text NOT NULL,
  scope         text NOT NULL,
  request_hash  text NOT NULL,
  resource_id   uuid NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (user_id, scope, key)
);

CREATE TABLE calendar_overrides (
  date  date PRIMARY KEY,
  year  integer NOT NULL,
  kind  text NOT NULL CHECK (kind IN ('day_off', 'working_day')),
  name  text NOT NULL
);
CREATE INDEX calendar_overrides_year_idx ON calendar_overrides (year);

-- Append-only audit log (trigger below; on PostgreSQL the application role is also denied
-- UPDATE and DELETE by scripts/db-roles.sql).
CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL,
  actor_id     uuid,
  actor_role   text,
  action       text NOT NULL,
  target_type  text,
  target_id    text,
  ip           text,
  outcome      text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
  details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);

CREATE TABLE jobs (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type          text NOT NULL,
  payload       jsonb NOT NULL,
  status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
  run_at        timestamptz NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  max_attempts  integer NOT NULL DEFAULT 8,
  locked_until  timestamptz,
  last_error    text,
  dedupe_key    text UNIQUE,
  created_at    timestamptz NOT NULL,
  finished_at   timestamptz
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status IN ('pending', 'running');

CREATE FUNCTION tinhso_forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END;
$$;

CREATE TRIGGER dossier_history_append_only BEFORE UPDATE OR DELETE ON dossier_history
  FOR EACH ROW EXECUTE FUNCTION tinhso_forbid_change();
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION tinhso_forbid_change();
