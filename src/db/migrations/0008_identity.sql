-- Identity: how each session was authenticated, national-identity (VNeID) links, TOTP second
-- factor with recovery codes, sign-in challenges between the two factors, and the sign-in
-- attempts that throttling and lockout count (docs/IDENTITY.md).

ALTER TABLE sessions ADD COLUMN auth_method text NOT NULL DEFAULT 'password'
  CHECK (auth_method IN ('password', 'password+totp', 'password+recovery', 'vneid'));
ALTER TABLE sessions ADD COLUMN last_seen_at timestamptz;
CREATE INDEX sessions_user_active_idx ON sessions (user_id, created_at DESC) WHERE revoked_at IS NULL;

-- Set when the applicant created the dossier in a session verified by the national identity.
ALTER TABLE dossiers ADD COLUMN applicant_verified_by text CHECK (applicant_verified_by IN ('vneid'));

-- An account linked to an identity at an OpenID provider (issuer + subject); first linked by the
-- personal ID number the provider asserts.
CREATE TABLE external_identities (
  issuer         text NOT NULL,
  subject        text NOT NULL,
  user_id        uuid NOT NULL REFERENCES users (id),
  identity_level integer,
  created_at     timestamptz NOT NULL,
  last_login_at  timestamptz NOT NULL,
  PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_user_idx ON external_identities (user_id);

-- TOTP (RFC 6238) secret, encrypted (platform/crypto.ts). confirmed_at is null while enrolment
-- waits for its first code; last_step refuses a code used twice.
CREATE TABLE user_totp (
  user_id       uuid PRIMARY KEY REFERENCES users (id),
  secret_enc    text NOT NULL,
  created_at    timestamptz NOT NULL,
  confirmed_at  timestamptz,
  last_step     bigint
);

-- One-time recovery codes, kept only as keyed hashes.
CREATE TABLE recovery_codes (
  user_id     uuid NOT NULL REFERENCES users (id),
  code_hash   text NOT NULL,
  created_at  timestamptz NOT NULL,
  used_at     timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Between the password and the second factor: an opaque token (stored as an HMAC) that the
-- client presents with the code. Short-lived, single use, a few attempts.
CREATE TABLE auth_challenges (
  id          uuid PRIMARY KEY,
  user_id     uuid NOT NULL REFERENCES users (id),
  token_hash  text NOT NULL UNIQUE,
  kind        text NOT NULL CHECK (kind IN ('totp', 'totp_enrolment')),
  created_at  timestamptz NOT NULL,
  expires_at  timestamptz NOT NULL,
  attempts    integer NOT NULL DEFAULT 0,
  used_at     timestamptz,
  ip          text,
  user_agent  text
);
CREATE INDEX auth_challenges_user_idx ON auth_challenges (user_id);

-- Every sign-in attempt (password or second factor), for throttling and lockout across
-- instances. account_key is the lower-cased username tried, known or not, so an unknown name is
-- throttled exactly like a real one.
CREATE TABLE auth_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           timestamptz NOT NULL,
  account_key  text NOT NULL,
  user_id      uuid REFERENCES users (id),
  ip           text,
  factor       text NOT NULL CHECK (factor IN ('password', 'totp', 'recovery')),
  outcome      text NOT NULL CHECK (outcome IN ('success', 'failure', 'locked', 'blocked'))
);
CREATE INDEX auth_attempts_account_idx ON auth_attempts (account_key, at);
CREATE INDEX auth_attempts_ip_idx ON auth_attempts (ip, at);
