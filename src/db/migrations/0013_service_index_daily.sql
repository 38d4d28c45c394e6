-- The daily roll-up of the service index (docs/SERVICE_INDEX.md, "Daily roll-up"): the additive,
-- period-independent counters of service_index_facts summed per Vietnamese calendar day ×
-- receiving agency × competent agency × procedure, kept exact in the same transaction as every
-- change to the facts (a trigger on service_index_facts subtracts a row's old contribution and
-- adds its new one). A period of whole days then sums the roll-up rows of its days instead of
-- judging every dossier it touches. Forward-only; runs on PostgreSQL 15 and on PGlite.
--
-- A dossier contributes twice, each time to the row of its own day:
-- - on the day it was received: the counters of "received in the period" (digitised, reused,
--   online dossiers, paid online, and the online/paid evidence of the procedure-based indicators);
-- - on the day it ended (end_at), unless it was ever extended: the counters of "ended in the
--   period" (progress, electronic result, dossier satisfaction). An ended dossier is judged at its
--   end, so its verdict does not depend on the period. Extended dossiers are judged against a
--   deadline recomputed on the working calendar (TypeScript), so they are read from the facts.
-- Dossiers still open at the end of a period are judged at that instant: read from the facts.

-- The Vietnamese calendar day of an instant (+07:00, no daylight saving since 1975).
CREATE FUNCTION service_index_vn_day(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT ((t AT TIME ZONE 'UTC') + interval '7 hours')::date
$fn$;

CREATE TABLE service_index_daily (
  day                   date NOT NULL,
  procedure_id          uuid NOT NULL,
  receiving_agency_id   uuid NOT NULL,
  competent_agency_id   uuid NOT NULL,
  -- received that day
  received              integer NOT NULL DEFAULT 0,
  digitised             integer NOT NULL DEFAULT 0,
  reused                integer NOT NULL DEFAULT 0,
  offered_online        integer NOT NULL DEFAULT 0,
  online_e_result       integer NOT NULL DEFAULT 0,
  fee_bearing           integer NOT NULL DEFAULT 0,
  fee_paid_online       integer NOT NULL DEFAULT 0,
  online                integer NOT NULL DEFAULT 0,
  paid_online           integer NOT NULL DEFAULT 0,
  -- ended that day (never-extended dossiers)
  ended                 integer NOT NULL DEFAULT 0,
  ended_on_time         integer NOT NULL DEFAULT 0,
  resolved              integer NOT NULL DEFAULT 0,
  resolved_on_time      integer NOT NULL DEFAULT 0,
  resolved_e_result     integer NOT NULL DEFAULT 0,
  resolved_satisfied    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (day, procedure_id, receiving_agency_id, competent_agency_id)
);

-- The same counters per calendar month (`month` is its first day), maintained with the daily rows:
-- a period sums the months it covers whole and the days at its edges.
CREATE TABLE service_index_monthly (
  month                 date NOT NULL CHECK (extract(day FROM month) = 1),
  procedure_id          uuid NOT NULL,
  receiving_agency_id   uuid NOT NULL,
  competent_agency_id   uuid NOT NULL,
  -- received that month
  received              integer NOT NULL DEFAULT 0,
  digitised             integer NOT NULL DEFAULT 0,
  reused                integer NOT NULL DEFAULT 0,
  offered_online        integer NOT NULL DEFAULT 0,
  online_e_result       integer NOT NULL DEFAULT 0,
  fee_bearing           integer NOT NULL DEFAULT 0,
  fee_paid_online       integer NOT NULL DEFAULT 0,
  online                integer NOT NULL DEFAULT 0,
  paid_online           integer NOT NULL DEFAULT 0,
  -- ended that month (never-extended dossiers)
  ended                 integer NOT NULL DEFAULT 0,
  ended_on_time         integer NOT NULL DEFAULT 0,
  resolved              integer NOT NULL DEFAULT 0,
  resolved_on_time      integer NOT NULL DEFAULT 0,
  resolved_e_result     integer NOT NULL DEFAULT 0,
  resolved_satisfied    integer NOT NULL DEFAULT 0,
  PRIMARY KEY (month, procedure_id, receiving_agency_id, competent_agency_id)
);

-- A fact's contribution, as the 9 "received" counters and the 6 "ended" counters (0 or 1 each).
-- Late for an ended dossier: more than one supplement request, or its clock (stopped at a pause)
-- ran past the due date. Only used on never-extended dossiers, whose index deadline is due_at.
CREATE FUNCTION service_index_received_part(s service_index_facts) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $fn$
  SELECT ARRAY[1,
    s.digitised::int, s.reused::int, s.offered_online::int,
    (s.offered_online AND s.channel = 'online' AND s.result_kind IN ('electronic', 'both'))::int,
    s.fee_bearing::int, (s.fee_bearing AND s.is_paid_online)::int,
    (s.channel = 'online')::int, s.is_paid_online::int]
$fn$;

CREATE FUNCTION service_index_ended_part(s service_index_facts) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE WHEN s.end_at IS NULL OR s.extension_count > 0 THEN NULL ELSE (
    SELECT ARRAY[1, (NOT l.late)::int, l.resolved::int, (l.resolved AND NOT l.late)::int,
                 (l.resolved AND s.result_kind IN ('electronic', 'both'))::int,
                 (l.resolved AND NOT l.late AND s.rating IS DISTINCT FROM 'dissatisfied')::int]
    FROM (SELECT (s.supplement_count > 1 OR (s.due_at IS NOT NULL AND LEAST(s.end_at, s.paused_at) > s.due_at)) AS late,
                 s.status IN ('done', 'returned') AS resolved) l) END
$fn$;

-- Adds sign × a contribution to the rows of (day, procedure, agencies) and of its month.
CREATE FUNCTION service_index_daily_add(p_day date, p_proc uuid, p_recv uuid, p_comp uuid, p_recd integer[], p_ended integer[], p_sign integer)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  r integer[] := coalesce(p_recd, '{0,0,0,0,0,0,0,0,0}');
  e integer[] := coalesce(p_ended, '{0,0,0,0,0,0}');
BEGIN
  INSERT INTO service_index_daily AS x (day, procedure_id, receiving_agency_id, competent_agency_id,
      received, digitised, reused, offered_online, online_e_result, fee_bearing, fee_paid_online, online, paid_online,
      ended, ended_on_time, resolved, resolved_on_time, resolved_e_result, resolved_satisfied)
    VALUES (p_day, p_proc, p_recv, p_comp,
      p_sign * r[1], p_sign * r[2], p_sign * r[3], p_sign * r[4], p_sign * r[5], p_sign * r[6], p_sign * r[7], p_sign * r[8], p_sign * r[9],
      p_sign * e[1], p_sign * e[2], p_sign * e[3], p_sign * e[4], p_sign * e[5], p_sign * e[6])
    ON CONFLICT (day, procedure_id, receiving_agency_id, competent_agency_id) DO UPDATE SET
      received = x.received + EXCLUDED.received, digitised = x.digitised + EXCLUDED.digitised, reused = x.reused + EXCLUDED.reused,
      offered_online = x.offered_online + EXCLUDED.offered_online, online_e_result = x.online_e_result + EXCLUDED.online_e_result,
      fee_bearing = x.fee_bearing + EXCLUDED.fee_bearing, fee_paid_online = x.fee_paid_online + EXCLUDED.fee_paid_online,
      online = x.online + EXCLUDED.online, paid_online = x.paid_online + EXCLUDED.paid_online,
      ended = x.ended + EXCLUDED.ended, ended_on_time = x.ended_on_time + EXCLUDED.ended_on_time,
      resolved = x.resolved + EXCLUDED.resolved, resolved_on_time = x.resolved_on_time + EXCLUDED.resolved_on_time,
      resolved_e_result = x.resolved_e_result + EXCLUDED.resolved_e_result, resolved_satisfied = x.resolved_satisfied + EXCLUDED.resolved_satisfied;
  INSERT INTO service_index_monthly AS x (month, procedure_id, receiving_agency_id, competent_agency_id,
      received, digitised, reused, offered_online, online_e_result, fee_bearing, fee_paid_online, online, paid_online,
      ended, ended_on_time, resolved, resolved_on_time, resolved_e_result, resolved_satisfied)
    VALUES (date_trunc('month', p_day)::date, p_proc, p_recv, p_comp,
      p_sign * r[1], p_sign * r[2], p_sign * r[3], p_sign * r[4], p_sign * r[5], p_sign * r[6], p_sign * r[7], p_sign * r[8], p_sign * r[9],
      p_sign * e[1], p_sign * e[2], p_sign * e[3], p_sign * e[4], p_sign * e[5], p_sign * e[6])
    ON CONFLICT (month, procedure_id, receiving_agency_id, competent_agency_id) DO UPDATE SET
      received = x.received + EXCLUDED.received, digitised = x.digitised + EXCLUDED.digitised, reused = x.reused + EXCLUDED.reused,
      offered_online = x.offered_online + EXCLUDED.offered_online, online_e_result = x.online_e_result + EXCLUDED.online_e_result,
      fee_bearing = x.fee_bearing + EXCLUDED.fee_bearing, fee_paid_online = x.fee_paid_online + EXCLUDED.fee_paid_online,
      online = x.online + EXCLUDED.online, paid_online = x.paid_online + EXCLUDED.paid_online,
      ended = x.ended + EXCLUDED.ended, ended_on_time = x.ended_on_time + EXCLUDED.ended_on_time,
      resolved = x.resolved + EXCLUDED.resolved, resolved_on_time = x.resolved_on_time + EXCLUDED.resolved_on_time,
      resolved_e_result = x.resolved_e_result + EXCLUDED.resolved_e_result, resolved_satisfied = x.resolved_satisfied + EXCLUDED.resolved_satisfied;
END
$fn$;

-- Keeps the roll-up exact: subtracts the old row's contribution and adds the new one, each part
-- only when it changed (most changes to an open dossier change neither part), in a fixed key
-- order so that two transactions never lock the same two rows in opposite orders.
CREATE FUNCTION service_index_facts_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  o_recd integer[]; n_recd integer[]; o_end integer[]; n_end integer[];
  o_key text; n_key text; o_ekey text; n_ekey text;
  ops record;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    o_recd := service_index_received_part(OLD);
    o_end := service_index_ended_part(OLD);
    o_key := concat_ws('|', service_index_vn_day(OLD.received_at), OLD.procedure_id, OLD.receiving_agency_id, OLD.competent_agency_id);
    o_ekey := concat_ws('|', service_index_vn_day(OLD.end_at), OLD.procedure_id, OLD.receiving_agency_id, OLD.competent_agency_id);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    n_recd := service_index_received_part(NEW);
    n_end := service_index_ended_part(NEW);
    n_key := concat_ws('|', service_index_vn_day(NEW.received_at), NEW.procedure_id, NEW.receiving_agency_id, NEW.competent_agency_id);
    n_ekey := concat_ws('|', service_index_vn_day(NEW.end_at), NEW.procedure_id, NEW.receiving_agency_id, NEW.competent_agency_id);
  END IF;
  IF o_key IS NOT DISTINCT FROM n_key AND o_recd IS NOT DISTINCT FROM n_recd THEN o_recd := NULL; n_recd := NULL; END IF;
  IF o_ekey IS NOT DISTINCT FROM n_ekey AND o_end IS NOT DISTINCT FROM n_end THEN o_end := NULL; n_end := NULL; END IF;
  FOR ops IN
    SELECT * FROM (VALUES
        (service_index_vn_day(OLD.received_at), OLD.procedure_id, OLD.receiving_agency_id, OLD.competent_agency_id, o_recd, NULL::integer[], -1),
        (service_index_vn_day(OLD.end_at), OLD.procedure_id, OLD.receiving_agency_id, OLD.competent_agency_id, NULL::integer[], o_end, -1),
        (service_index_vn_day(NEW.received_at), NEW.procedure_id, NEW.receiving_agency_id, NEW.competent_agency_id, n_recd, NULL::integer[], 1),
        (service_index_vn_day(NEW.end_at), NEW.procedure_id, NEW.receiving_agency_id, NEW.competent_agency_id, NULL::integer[], n_end, 1)
      ) v(day, proc, recv, comp, recd, ended, sign)
    WHERE v.recd IS NOT NULL OR v.ended IS NOT NULL
    ORDER BY v.day, v.proc, v.recv, v.comp, v.sign
  LOOP
    PERFORM service_index_daily_add(ops.day, ops.proc, ops.recv, ops.comp, ops.recd, ops.ended, ops.sign);
  END LOOP;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER service_index_daily_facts AFTER INSERT OR DELETE ON service_index_facts
  FOR EACH ROW EXECUTE FUNCTION service_index_facts_changed();
CREATE TRIGGER service_index_daily_facts_update AFTER UPDATE ON service_index_facts
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION service_index_facts_changed();

-- Rebuilds the whole roll-up (days and months) from the facts, set-based (this migration's backfill; bulk loads
-- that switch the trigger off call it once).
CREATE FUNCTION service_index_daily_rebuild() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  DELETE FROM service_index_daily;
  DELETE FROM service_index_monthly;
  INSERT INTO service_index_daily (day, procedure_id, receiving_agency_id, competent_agency_id,
      received, digitised, reused, offered_online, online_e_result, fee_bearing, fee_paid_online, online, paid_online,
      ended, ended_on_time, resolved, resolved_on_time, resolved_e_result, resolved_satisfied)
  SELECT c.day, c.procedure_id, c.receiving_agency_id, c.competent_agency_id,
      sum(c.r[1]), sum(c.r[2]), sum(c.r[3]), sum(c.r[4]), sum(c.r[5]), sum(c.r[6]), sum(c.r[7]), sum(c.r[8]), sum(c.r[9]),
      sum(c.e[1]), sum(c.e[2]), sum(c.e[3]), sum(c.e[4]), sum(c.e[5]), sum(c.e[6])
  FROM (
    SELECT service_index_vn_day(s.received_at) AS day, s.procedure_id, s.receiving_agency_id, s.competent_agency_id,
           service_index_received_part(s) AS r, '{0,0,0,0,0,0}'::integer[] AS e
      FROM service_index_facts s
    UNION ALL
    SELECT service_index_vn_day(s.end_at), s.procedure_id, s.receiving_agency_id, s.competent_agency_id,
           '{0,0,0,0,0,0,0,0,0}'::integer[], service_index_ended_part(s)
      FROM service_index_facts s WHERE s.end_at IS NOT NULL AND s.extension_count = 0
  ) c
  GROUP BY c.day, c.procedure_id, c.receiving_agency_id, c.competent_agency_id
  -- In day order, as the rows of real arrivals lie: a period reads few pages.
  ORDER BY c.day, c.procedure_id, c.receiving_agency_id, c.competent_agency_id;
  INSERT INTO service_index_monthly (month, procedure_id, receiving_agency_id, competent_agency_id,
      received, digitised, reused, offered_online, online_e_result, fee_bearing, fee_paid_online, online, paid_online,
      ended, ended_on_time, resolved, resolved_on_time, resolved_e_result, resolved_satisfied)
  SELECT date_trunc('month', d.day)::date, d.procedure_id, d.receiving_agency_id, d.competent_agency_id,
      sum(received), sum(digitised), sum(reused), sum(offered_online), sum(online_e_result), sum(fee_bearing), sum(fee_paid_online), sum(online), sum(paid_online),
      sum(ended), sum(ended_on_time), sum(resolved), sum(resolved_on_time), sum(resolved_e_result), sum(resolved_satisfied)
  FROM service_index_daily d
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4;
END
$fn$;

-- What the index still reads from the facts: extended dossiers that ended in a period, and
-- dossiers open at a period's end (received before it, ended after it or not at all), found by
-- the instant their open span (received_at, end_at] contains.
CREATE INDEX service_index_facts_extended_end_idx ON service_index_facts (end_at) WHERE extension_count > 0;
CREATE INDEX service_index_facts_extended_open_idx ON service_index_facts (received_at) WHERE extension_count > 0 AND end_at IS NULL;
CREATE INDEX service_index_facts_open_span_idx ON service_index_facts
  USING gist (tstzrange(received_at, CASE WHEN end_at IS NULL THEN NULL ELSE GREATEST(end_at, received_at) END, '(]'));

SELECT service_index_daily_rebuild();
