-- Tamper-evident audit (issue 6): every audit record is chained to the one before it,
--   hash = sha256(prev_hash || canonical JSON of the record), prev_hash of the first = 64 zeros,
-- in the order of `seq`. A BEFORE INSERT trigger assigns seq and hash under a transaction-level
-- advisory lock, so concurrent writers queue for the chain head and never fork it; the lock is
-- held until commit, so seq order is also commit order (a reader that has seen seq n has seen
-- every record before it). docs/SECURITY.md explains the trade-off and src/platform/audit.ts
-- verifies the chain independently of these functions.
-- Also: the security officer role, security events and the monitor's watermark.

ALTER TABLE audit_log ADD COLUMN seq bigint;
ALTER TABLE audit_log ADD COLUMN hash text;

-- The canonical JSON of a record: [seq, id, at (UTC, microseconds), actor_id, actor_role, action,
-- target_type, target_id, ip, outcome, details]; strings escaped as JSON (to_json), details as
-- jsonb's normalised text. src/platform/audit.ts builds the same text from the stored columns.
CREATE FUNCTION tinhso_audit_canonical(p_seq bigint, p_id bigint, p_at timestamptz, p_actor_id uuid, p_actor_role text,
  p_action text, p_target_type text, p_target_id text, p_ip text, p_outcome text, p_details jsonb)
RETURNS text LANGUAGE sql STABLE AS $$
  SELECT '[' || p_seq::text || ',' || p_id::text || ','
    || to_json(to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text || ','
    || coalesce(to_json(p_actor_id::text)::text, 'null') || ','
    || coalesce(to_json(p_actor_role)::text, 'null') || ','
    || to_json(p_action)::text || ','
    || coalesce(to_json(p_target_type)::text, 'null') || ','
    || coalesce(to_json(p_target_id)::text, 'null') || ','
    || coalesce(to_json(p_ip)::text, 'null') || ','
    || to_json(p_outcome)::text || ','
    || p_details::text || ']'
$$;

-- Chain the existing records in id order (the append-only trigger is lifted for this one pass,
-- inside this migration's transaction; the table is locked while it runs).
ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only;
DO $$
DECLARE
  r record;
  prev text := repeat('0', 64);
  n bigint := 0;
BEGIN
  FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
    n := n + 1;
    prev := encode(sha256(convert_to(prev || tinhso_audit_canonical(n, r.id, r.at, r.actor_id, r.actor_role, r.action,
      r.target_type, r.target_id, r.ip, r.outcome, r.details), 'UTF8')), 'hex');
    UPDATE audit_log SET seq = n, hash = prev WHERE id = r.id;
  END LOOP;
END;
$$;
ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only;
ALTER TABLE audit_log ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash SET NOT NULL;
-- Unique: a writer that could not see the head (e.g. a REPEATABLE READ snapshot) fails loudly
-- instead of forking the chain.
CREATE UNIQUE INDEX audit_log_seq_idx ON audit_log (seq);
CREATE INDEX audit_log_action_at_idx ON audit_log (action, at);

-- Whatever the caller supplies for seq and hash is replaced here.
CREATE FUNCTION tinhso_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  last_seq bigint;
  last_hash text;
BEGIN
  PERFORM pg_advisory_xact_lock(7310009);
  SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
  NEW.seq := coalesce(last_seq, 0) + 1;
  NEW.hash := encode(sha256(convert_to(coalesce(last_hash, repeat('0', 64)) || tinhso_audit_canonical(NEW.seq, NEW.id, NEW.at,
    NEW.actor_id, NEW.actor_role, NEW.action, NEW.target_type, NEW.target_id, NEW.ip, NEW.outcome, NEW.details), 'UTF8')), 'hex');
  RETURN NEW;
END;
$$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION tinhso_audit_chain();

-- The security officer role (province-wide, like administrators: no agency needed). The role
-- checks are extended in place, keeping whatever roles earlier migrations allow.
DO $$
DECLARE
  c record;
BEGIN
  FOR c IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
           WHERE conrelid = 'user_roles'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%''admin''%'
  LOOP
    IF position('''security''' IN c.def) = 0 THEN
      EXECUTE format('ALTER TABLE user_roles DROP CONSTRAINT %I', c.conname);
      EXECUTE format('ALTER TABLE user_roles ADD CONSTRAINT %I %s', c.conname, regexp_replace(c.def, '\]', ', ''security''::text]'));
    END IF;
  END LOOP;
END;
$$;

-- Security events raised by the monitoring rules (src/modules/security). One per dedupe key, so
-- re-evaluating the same audit records never raises an event twice.
CREATE TABLE security_events (
  id           uuid PRIMARY KEY,
  rule         text NOT NULL,
  severity     text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
  at           timestamptz NOT NULL,
  detected_at  timestamptz NOT NULL,
  actor_id     uuid,
  ip           text,
  subject      text,
  summary      text NOT NULL,
  details      jsonb NOT NULL DEFAULT '{}',
  audit_seq    bigint,
  dedupe_key   text NOT NULL UNIQUE
);
CREATE INDEX security_events_at_idx ON security_events (at DESC);
CREATE INDEX security_events_severity_idx ON security_events (severity, at DESC);

-- How far the monitor has read the audit chain: the last record evaluated and its hash, so the
-- next run also checks that the new records continue the chain from there.
CREATE TABLE security_monitor_state (
  name        text PRIMARY KEY,
  last_seq    bigint NOT NULL,
  last_hash   text NOT NULL,
  updated_at  timestamptz NOT NULL
);
