-- History and audit are append-only: besides UPDATE and DELETE (0001), refuse TRUNCATE too.
CREATE FUNCTION tinhso_forbid_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = '42501';
END;
$$;

CREATE TRIGGER dossier_history_no_truncate BEFORE TRUNCATE ON dossier_history
  FOR EACH STATEMENT EXECUTE FUNCTION tinhso_forbid_truncate();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION tinhso_forbid_truncate();
