-- The Decision 766 service index (docs/SERVICE_INDEX.md): versioned configuration and the
-- indexes its set-based queries need. Forward-only; runs on PostgreSQL 15 and on PGlite.

-- Targets, points per sub-indicator and group maxima. A version applies from `valid_from`; a
-- period is scored with the version in force on its last day (ties: the highest version), so a
-- change never rewrites periods that ended before it.
CREATE TABLE service_index_config_versions (
  version     integer PRIMARY KEY CHECK (version > 0),
  valid_from  date NOT NULL,
  config      jsonb NOT NULL,
  note        text,
  created_at  timestamptz NOT NULL,
  created_by  uuid REFERENCES users (id)
);
CREATE INDEX service_index_config_valid_idx ON service_index_config_versions (valid_from, version);

-- Version 1: DOMAIN section 7 (Decision 766/QĐ-TTg of 23 June 2022).
INSERT INTO service_index_config_versions (version, valid_from, config, note, created_at, created_by) VALUES (
  1, DATE '2022-06-23',
  '{"groups":[{"key":"transparency","max":18},{"key":"progress","max":20},{"key":"digitisation","max":22},{"key":"online","max":22},{"key":"satisfaction","max":18}],
    "indicators":[
      {"key":"transparency.published_on_time","points":4,"target":0.8},
      {"key":"transparency.updated_on_time","points":4,"target":0.8},
      {"key":"transparency.complete_content","points":4,"target":0.8},
      {"key":"transparency.synced","points":6,"target":0.8},
      {"key":"progress.on_time","points":20,"target":0.8},
      {"key":"digitisation.electronic_result","points":6,"target":0.8},
      {"key":"digitisation.digitised","points":6,"target":0.8},
      {"key":"digitisation.reused","points":4,"target":0.8},
      {"key":"digitisation.data_store_links","points":3,"target":0.8},
      {"key":"digitisation.vneid","points":3,"target":0.8},
      {"key":"online.offered","points":4,"target":0.8},
      {"key":"online.used","points":4,"target":0.8},
      {"key":"online.online_dossiers","points":6,"target":0.5},
      {"key":"online.payment_integrated","points":4,"target":0.8},
      {"key":"online.paid_online","points":4,"target":0.8},
      {"key":"satisfaction.feedback_on_time","points":6,"target":0.8},
      {"key":"satisfaction.feedback_satisfaction","points":6,"target":0.8},
      {"key":"satisfaction.dossier_satisfaction","points":6,"target":0.9}]}'::jsonb,
  'Quyết định 766/QĐ-TTg (DOMAIN mục 7)', now(), NULL);

-- Per-dossier facts of the index: one narrow row per received dossier, kept exact by triggers in
-- the same transaction as every change to the dossier, its files or its rating, so the index
-- reads a small table instead of recomputing file and rating lookups for each dossier (the
-- index of a province's year touches ~100,000 dossiers). Procedure versions are immutable once
-- published, so their properties are copied here.
CREATE TABLE service_index_facts (
  dossier_id           uuid PRIMARY KEY REFERENCES dossiers (id),
  version              integer NOT NULL,
  procedure_id         uuid NOT NULL,
  procedure_version_id uuid NOT NULL,
  receiving_agency_id  uuid NOT NULL,
  competent_agency_id  uuid NOT NULL,
  status               text NOT NULL,
  channel              text NOT NULL,
  received_at          timestamptz NOT NULL,
  end_at               timestamptz,
  due_at               timestamptz,
  paused_at            timestamptz,
  pauses               jsonb NOT NULL,
  supplement_count     integer NOT NULL,
  extension_count      integer NOT NULL,
  is_paid_online       boolean NOT NULL,
  result_kind          text NOT NULL,
  offered_online       boolean NOT NULL,
  fee_bearing          boolean NOT NULL,
  digitised            boolean NOT NULL,
  reused               boolean NOT NULL,
  rating               text
);
CREATE INDEX service_index_facts_received_idx ON service_index_facts (received_at);
CREATE INDEX service_index_facts_end_idx ON service_index_facts (end_at);
CREATE INDEX service_index_facts_open_idx ON service_index_facts (received_at) WHERE end_at IS NULL;
CREATE INDEX service_index_facts_extended_idx ON service_index_facts (received_at) WHERE extension_count > 0;
-- Digitisation lookups of the refresh: live files per component, and reused files.
CREATE INDEX dossier_files_live_component_idx ON dossier_files (dossier_id, component_code) WHERE removed_at IS NULL;
CREATE INDEX dossier_files_reused_idx ON dossier_files (dossier_id) WHERE reused_from_id IS NOT NULL AND removed_at IS NULL;

-- Recomputes the facts of one dossier (or of every received dossier when p_dossier is NULL).
-- End time: finished_at (approval, refusal, stop, withdrawal), else returned_at. Digitised: every
-- required component of the procedure version has a live file. Reused: a live file taken from
-- the applicant's earlier dossiers.
CREATE FUNCTION service_index_refresh(p_dossier uuid) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE 'INSERT INTO service_index_facts AS s (dossier_id, version, procedure_id, procedure_version_id, receiving_agency_id, competent_agency_id,
      status, channel, received_at, end_at, due_at, paused_at, pauses, supplement_count, extension_count, is_paid_online,
      result_kind, offered_online, fee_bearing, digitised, reused, rating)
    SELECT d.id, d.version, d.procedure_id, d.procedure_version_id, d.receiving_agency_id, d.competent_agency_id,
      d.status, d.channel, d.received_at, COALESCE(d.finished_at, d.returned_at), d.due_at, d.paused_at, d.pauses, d.supplement_count,
      d.extension_count, d.is_paid_online,
      pv.result_kind, pv.offered_online, pv.fee_bearing,
      NOT EXISTS (SELECT 1 FROM unnest(pv.required) rc(code)
                  WHERE NOT EXISTS (SELECT 1 FROM dossier_files fl WHERE fl.dossier_id = d.id AND fl.component_code = rc.code AND fl.removed_at IS NULL)),
      EXISTS (SELECT 1 FROM dossier_files fl WHERE fl.dossier_id = d.id AND fl.reused_from_id IS NOT NULL AND fl.removed_at IS NULL),
      (SELECT r.rating FROM dossier_ratings r WHERE r.dossier_id = d.id)
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
      fee_bearing = EXCLUDED.fee_bearing, digitised = EXCLUDED.digitised, reused = EXCLUDED.reused, rating = EXCLUDED.rating'
  USING p_dossier;
END
$fn$;

CREATE FUNCTION service_index_dossier_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM service_index_refresh(NEW.id);
  RETURN NULL;
END
$fn$;
-- Drafts and submissions not yet received (the hot path of submission) are skipped.
CREATE TRIGGER service_index_dossiers AFTER INSERT OR UPDATE ON dossiers
  FOR EACH ROW WHEN (NEW.received_at IS NOT NULL) EXECUTE FUNCTION service_index_dossier_changed();

CREATE FUNCTION service_index_related_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  v_dossier uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN v_dossier := OLD.dossier_id; ELSE v_dossier := NEW.dossier_id; END IF;
  -- Only dossiers already received have facts; files of drafts are read at reception.
  IF EXISTS (SELECT 1 FROM service_index_facts WHERE dossier_id = v_dossier) THEN
    PERFORM service_index_refresh(v_dossier);
  END IF;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER service_index_files AFTER INSERT OR UPDATE ON dossier_files
  FOR EACH ROW EXECUTE FUNCTION service_index_related_changed();
CREATE TRIGGER service_index_ratings AFTER INSERT OR UPDATE OR DELETE ON dossier_ratings
  FOR EACH ROW EXECUTE FUNCTION service_index_related_changed();

-- Dossiers received before this migration.
SELECT service_index_refresh(NULL);
