-- Payments, third part: the test payments of the stand-in bank (development and the demo only).
-- Forward-only: never edit this file after it has landed; add a new numbered file instead.
-- Runs on PostgreSQL 15 and on PGlite.

-- The citizen's payment page has a button that pays a request through the stand-in bank
-- (src/web/payment.routes.ts, src/modules/payments/demo-payments.ts). Instances of the app
-- share nothing but the database, so the claim on a request's test payment lives here: at most
-- one row per request, inserted (or taken over) by one statement before the bank is called, so
-- a second press of the button in any process waits for the first and answers with its outcome
-- instead of sending a second transfer. `attempt_id` names the attempt holding the claim (only
-- it writes the outcome); `finished_at` with `transaction_id` (the bank's transfer) or `failure`
-- (the bank's refusal, or why it could not be reached). A later press may take over a failed
-- attempt, or one older than twice the bank's time limit while the request is still pending (its
-- process stopped, or its transfer did not pay the request).
CREATE TABLE payment_demo_transfers (
  payment_id      uuid PRIMARY KEY REFERENCES payments (id),
  attempt_id      uuid NOT NULL,
  started_at      timestamptz NOT NULL,
  finished_at     timestamptz,
  transaction_id  text,
  failure         text,
  CHECK (transaction_id IS NULL OR failure IS NULL),
  CHECK ((finished_at IS NULL) = (transaction_id IS NULL AND failure IS NULL))
);
