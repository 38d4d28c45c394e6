-- Personal-data requests (Decree 13/2023 on personal data protection): a person asks for
-- correction or deletion of what the platform holds about them. Deletion is carried out at once
-- for citizen and organisation accounts (what the law lets go is anonymised or deleted, what it
-- requires is kept) and the outcome, category by category, is stored with the request.
CREATE TABLE data_requests (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id),
  kind text NOT NULL CHECK (kind IN ('correction', 'deletion')),
  status text NOT NULL CHECK (status IN ('open', 'done', 'rejected')),
  details text NOT NULL DEFAULT '',
  outcome jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by uuid,
  resolution text
);
CREATE INDEX data_requests_by_status ON data_requests (status, created_at);
CREATE INDEX data_requests_by_user ON data_requests (user_id, created_at);
