-- The service index judges a dossier's electronic result and its payment request by what was
-- recorded for that dossier (docs/SERVICE_INDEX.md), no longer by its procedure's published
-- result kind or fee alone. Forward-only; runs on PostgreSQL 15 and on PGlite.
-- - e_result: the dossier was given an electronic result, i.e. a sealed result is recorded for
--   it in sealed_documents (docs/DOCUMENTS.md; the table is append-only, so once true it stays).
-- - payment_requested: a payment request was issued for it (payments), or it was paid online.
ALTER TABLE service_index_facts
  ADD COLUMN e_result boolean NOT NULL DEFAULT false,
  ADD COLUMN payment_requested boolean NOT NULL DEFAULT false;

CREATE OR REPLACE FUNCTION service_index_refresh(p_dossier uuid) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE 'INSERT INTO service_index_facts AS s (dossier_id, version, procedure_id, procedure_version_id, receiving_agency_id, competent_agency_id,
      status, channel, received_at, end_at, due_at, paused_at, pauses, supplement_count, extension_count, is_paid_online,
      result_kind, offered_online, fee_bearing, digitised, reused, rating, e_result, payment_requested)
    SELECT d.id, d.version, d.procedure_id, d.procedure_version_id, d.receiving_agency_id, d.competent_agency_id,
      d.status, d.channel, d.received_at, COALESCE(d.finished_at, d.returned_at), d.due_at, d.paused_at, d.pauses, d.supplement_count,
      d.extension_count, d.is_paid_online,
      pv.result_kind, pv.offered_online, pv.fee_bearing,
      NOT EXISTS (SELECT 1 FROM unnest(pv.required) rc(code)
                  WHERE NOT EXISTS (SELECT 1 FROM dossier_files fl WHERE fl.dossier_id = d.id AND fl.component_code = rc.code AND fl.removed_at IS NULL)),
      EXISTS (SELECT 1 FROM dossier_files fl WHERE fl.dossier_id = d.id AND fl.reused_from_id IS NOT NULL AND fl.removed_at IS NULL),
      (SELECT r.rating FROM dossier_ratings r WHERE r.dossier_id = d.id),
      EXISTS (SELECT 1 FROM sealed_documents sd WHERE sd.dossier_id = d.id),
      d.is_paid_online OR EXISTS (SELECT 1 FROM payments py WHERE py.dossier_id = d.id)
    FROM dossiers d
    JOIN (SELECT v.id,
                 coalesce(v.definition->>''resultKind'', ''paper'') AS result_kind,
                 coalesce((v.definition->''channels'') @> ''["online"]''::jsonb, false) AS offered_online,
                 EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(v.definition->''fees'', ''[]''::jsonb)) fe WHERE (fe->>''amount'')::numeric > 0) AS fee_bearing,
                 ARRAY(SELECT c->>''code'' FROM jsonb_array_elements(coalesce(v.definition->''components'', ''[]''::jsonb)) c WHERE (c->>''required'')::boolean) AS required
          FROM procedure_versions v) pv ON pv.id = d.procedure_version_id
    WHERE d.received_at IS NOT NULL' || CASE WHEN p_dossier IS NULL THEN '' ELSE ' AND d.id = $1' END || '
    ON CONFLICT (dossier_id) DO UPDATE SET version = EXCLUDED.version, procedure_id = EXCLUDED.procedure_id,
      procedure_version_id = EXCLUDED.procedure_version_id, receiving_agency_id = EXCLUDED.receiving_agency_id,
      competent_agency_id = EXCLUDED.competent_agency_id, status = EXCLUDED.status, channel = EXCLUDED.channel,
      received_at = EXCLUDED.received_at, end_at = EXCLUDED.end_at, due_at = EXCLUDED.due_at, paused_at = EXCLUDED.paused_at,
      pauses = EXCLUDED.pauses, supplement_count = EXCLUDED.supplement_count, extension_count = EXCLUDED.extension_count,
      is_paid_online = EXCLUDED.is_paid_online, result_kind = EXCLUDED.result_kind, offered_online = EXCLUDED.offered_online,
      fee_bearing = EXCLUDED.fee_bearing, digitised = EXCLUDED.digitised, reused = EXCLUDED.reused, rating = EXCLUDED.rating,
      e_result = EXCLUDED.e_result, payment_requested = EXCLUDED.payment_requested'
  USING p_dossier;
END
$fn$;

-- A sealed result or a payment request changes the dossier's facts (same transaction).
CREATE TRIGGER service_index_sealed_documents AFTER INSERT ON sealed_documents
  FOR EACH ROW EXECUTE FUNCTION service_index_related_changed();
CREATE TRIGGER service_index_payments AFTER INSERT ON payments
  FOR EACH ROW EXECUTE FUNCTION service_index_related_changed();

-- Online dossiers: submitted online and, where the procedure may return a paper result ('paper'
-- or 'both'), given an electronic result; a procedure whose result is only electronic needs none.
-- Paid online: the denominator is the fee-bearing dossiers that were asked to pay.
CREATE OR REPLACE FUNCTION service_index_received_part(s service_index_facts) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $fn$
  SELECT ARRAY[1,
    s.digitised::int, s.reused::int, s.offered_online::int,
    (s.offered_online AND s.channel = 'online' AND (s.result_kind = 'electronic' OR s.e_result))::int,
    (s.fee_bearing AND s.payment_requested)::int, (s.fee_bearing AND s.payment_requested AND s.is_paid_online)::int,
    (s.channel = 'online')::int, s.is_paid_online::int]
$fn$;

-- Electronic result: a resolved dossier that was given one.
CREATE OR REPLACE FUNCTION service_index_ended_part(s service_index_facts) RETURNS integer[] LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE WHEN s.end_at IS NULL OR s.extension_count > 0 THEN NULL ELSE (
    SELECT ARRAY[1, (NOT l.late)::int, l.resolved::int, (l.resolved AND NOT l.late)::int,
                 (l.resolved AND s.e_result)::int,
                 (l.resolved AND NOT l.late AND s.rating IS DISTINCT FROM 'dissatisfied')::int]
    FROM (SELECT (s.supplement_count > 1 OR (s.due_at IS NOT NULL AND LEAST(s.end_at, s.paused_at) > s.due_at)) AS late,
                 s.status IN ('done', 'returned') AS resolved) l) END
$fn$;

-- Back-fill: every fact once (without the row-by-row roll-up trigger), then the roll-up rebuilt.
ALTER TABLE service_index_facts DISABLE TRIGGER service_index_daily_facts_update;
SELECT service_index_refresh(NULL);
ALTER TABLE service_index_facts ENABLE TRIGGER service_index_daily_facts_update;
SELECT service_index_daily_rebuild();
