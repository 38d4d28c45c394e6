-- Payments (issue 5): payment requests with VietQR references, and the bank's notifications.
-- Forward-only: never edit this file after it has landed; add a new numbered file instead.
-- Runs on PostgreSQL 15 and on PGlite.

-- One request per `request_payment` of a dossier with a fee: integer đồng, a short unique
-- reference carried in the VietQR purpose (62.08), a due time. A request is paid by exactly one
-- accepted bank transaction; `held` while a mismatching transaction for it awaits review.
CREATE TABLE payments (
  id              uuid PRIMARY KEY,
  dossier_id      uuid NOT NULL REFERENCES dossiers (id),
  amount          bigint NOT NULL CHECK (amount > 0),
  currency        text NOT NULL DEFAULT 'VND' CHECK (currency = 'VND'),
  reference       text NOT NULL UNIQUE CHECK (reference ~ '^[0-9A-Z]{6,25}$'),
  status          text NOT NULL CHECK (status IN ('pending', 'held', 'paid', 'cancelled')),
  fee_lines       jsonb NOT NULL DEFAULT '[]',
  due_at          timestamptz NOT NULL,
  paid_at         timestamptz,
  paid_amount     bigint,
  transaction_id  text,
  requested_by    uuid REFERENCES users (id),
  created_at      timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL,
  CHECK ((status = 'paid') = (paid_at IS NOT NULL))
);
CREATE INDEX payments_dossier_idx ON payments (dossier_id, created_at);
CREATE INDEX payments_paid_at_idx ON payments (paid_at);

-- Every notification the bank (or gateway) sent, once per bank transaction id: the idempotency
-- key. `confirmed` paid a request automatically; `held` awaits review (wrong amount, unknown
-- reference, already paid, dossier no longer awaiting payment); review ends in `accepted` or
-- `rejected` (refunded outside the system).
CREATE TABLE payment_transactions (
  id               uuid PRIMARY KEY,
  provider_txn_id  text NOT NULL UNIQUE,
  payment_id       uuid REFERENCES payments (id),
  reference        text,
  amount           bigint NOT NULL,
  currency         text NOT NULL,
  paid_at          timestamptz,
  received_at      timestamptz NOT NULL,
  status           text NOT NULL CHECK (status IN ('confirmed', 'held', 'accepted', 'rejected')),
  hold_reason      text CHECK (hold_reason IN ('amount_mismatch', 'unknown_reference', 'already_paid', 'not_awaiting_payment', 'currency')),
  payload          jsonb NOT NULL,
  resolved_by      uuid REFERENCES users (id),
  resolved_at      timestamptz,
  resolution_note  text,
  CHECK ((status = 'held') = (hold_reason IS NOT NULL) OR status IN ('accepted', 'rejected'))
);
CREATE INDEX payment_transactions_received_idx ON payment_transactions (received_at);
CREATE INDEX payment_transactions_payment_idx ON payment_transactions (payment_id);
CREATE INDEX payment_transactions_status_idx ON payment_transactions (status, received_at);
