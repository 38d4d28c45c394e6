-- In-app notifications for applicants and staff, written by background jobs.
CREATE TABLE notifications (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id),
  dossier_id  uuid REFERENCES dossiers (id),
  kind        text NOT NULL,
  title       text NOT NULL,
  body        text NOT NULL,
  created_at  timestamptz NOT NULL,
  read_at     timestamptz,
  dedupe_key  text UNIQUE
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC);
