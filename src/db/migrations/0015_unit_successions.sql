-- Administrative-unit successions become importable (CSV, admin command and API) and are read
-- by code in both directions: successors by from_code (the unique key covers it), predecessors
-- by to_code. Codes have the shape of admin_units codes, and a unit does not succeed itself.
ALTER TABLE admin_unit_successions
  ADD CONSTRAINT admin_unit_successions_codes_check
  CHECK (from_code ~ '^[0-9]{2}$|^[0-9]{3}$|^[0-9]{5}$'
     AND to_code ~ '^[0-9]{2}$|^[0-9]{3}$|^[0-9]{5}$'
     AND from_code <> to_code);

CREATE INDEX admin_unit_successions_to_idx ON admin_unit_successions (to_code, effective_date);
