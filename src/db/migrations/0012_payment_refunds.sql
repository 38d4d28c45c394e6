-- Payments, second part (issue 5): requests settled at the desk, and refunds sent to the bank.
-- Forward-only: never edit this file after it has landed; add a new numbered file instead.
-- Runs on PostgreSQL 15 and on PGlite.

-- A request the desk settled by hand (the fee collected at the counter) is closed as
-- `settled_at_desk`, so its QR is no longer offered; who closed a request and when is kept for
-- both ways a request ends without an online payment (settled at the desk, or superseded by a
-- newer request: `cancelled`).
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'held', 'paid', 'cancelled', 'settled_at_desk'));
ALTER TABLE payments ADD COLUMN closed_at timestamptz;
ALTER TABLE payments ADD COLUMN closed_by uuid REFERENCES users (id);
ALTER TABLE payments ADD CONSTRAINT payments_settled_check CHECK (status <> 'settled_at_desk' OR closed_at IS NOT NULL);

-- A bank transfer for a request already settled at the desk is held as a possible double payment.
ALTER TABLE payment_transactions DROP CONSTRAINT payment_transactions_hold_reason_check;
ALTER TABLE payment_transactions ADD CONSTRAINT payment_transactions_hold_reason_check
  CHECK (hold_reason IN ('amount_mismatch', 'unknown_reference', 'already_paid', 'not_awaiting_payment', 'currency', 'paid_at_desk'));

-- Money sent back to the payer through the bank's refund API. One refund per bank transaction
-- (the whole amount received, or less for an accepted overpayment); the idempotency key is sent
-- with every attempt, so a retry after a lost answer never refunds twice.
-- requested → sent (an attempt was made) → completed (the bank refunded) | failed (the bank
-- refused, or could not be reached after every retry; a reviewer may try again).
CREATE TABLE payment_refunds (
  id               uuid PRIMARY KEY,
  transaction_id   uuid NOT NULL REFERENCES payment_transactions (id),
  payment_id       uuid REFERENCES payments (id),
  amount           bigint NOT NULL CHECK (amount > 0),
  currency         text NOT NULL DEFAULT 'VND' CHECK (currency = 'VND'),
  status           text NOT NULL CHECK (status IN ('requested', 'sent', 'completed', 'failed')),
  idempotency_key  text NOT NULL UNIQUE,
  reason           text NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  bank_refund_id   text,
  failure_code     text,
  failure_message  text,
  requested_by     uuid REFERENCES users (id),
  requested_at     timestamptz NOT NULL,
  sent_at          timestamptz,
  completed_at     timestamptz,
  failed_at        timestamptz,
  updated_at       timestamptz NOT NULL,
  CHECK ((status = 'completed') = (completed_at IS NOT NULL)),
  CHECK (status <> 'failed' OR failure_code IS NOT NULL)
);
CREATE UNIQUE INDEX payment_refunds_transaction_idx ON payment_refunds (transaction_id);
CREATE INDEX payment_refunds_status_idx ON payment_refunds (status, requested_at);
