-- Email and SMS deliveries of dossier notifications (one row per dossier change, channel and
-- recipient), and consents of people to optional uses of their data (e.g. SMS notifications).
-- `recipient` is encrypted at rest (platform/crypto.ts, bound to the row id); `recipient_masked`
-- (a***@example.vn, 091****678) is what pages and the API show.

CREATE TABLE notification_deliveries (
  id                  uuid PRIMARY KEY,
  dossier_id          uuid NOT NULL REFERENCES dossiers (id),
  user_id             uuid REFERENCES users (id),
  channel             text NOT NULL CHECK (channel IN ('email', 'sms')),
  recipient           text NOT NULL,
  recipient_masked    text NOT NULL,
  template            text NOT NULL,
  subject             text,
  body                text NOT NULL,
  status              text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'retrying', 'sent', 'failed')),
  attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error          text,
  provider_message_id text,
  history             jsonb NOT NULL DEFAULT '[]'::jsonb,
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  sent_at             timestamptz,
  dedupe_key          text NOT NULL UNIQUE
);
CREATE INDEX notification_deliveries_dossier_idx ON notification_deliveries (dossier_id, created_at);
CREATE INDEX notification_deliveries_open_idx ON notification_deliveries (status) WHERE status IN ('queued', 'retrying');

-- The current answer of each person for each purpose; every change is also in audit_log.
CREATE TABLE consents (
  user_id  uuid NOT NULL REFERENCES users (id),
  purpose  text NOT NULL,
  granted  boolean NOT NULL,
  at       timestamptz NOT NULL,
  source   text NOT NULL,
  PRIMARY KEY (user_id, purpose)
);
