-- Production PostgreSQL roles (run once as a superuser, after the first migration, and again after
-- migrations that add tables, with
--   psql -v owner=tinhso_owner -v app=tinhso_app -f scripts/db-roles.sql "$SUPERUSER_URL").
-- The owner role owns the schema and runs migrations (start the app once with DATABASE_URL as the
-- owner, or run `npm run db:migrate`); the application then connects as the app role, which may
-- read and write data but can never rewrite history: no UPDATE, DELETE or TRUNCATE on
-- dossier_history, audit_log and security_events (the triggers of migrations 0001 and 0003 refuse
-- them for every role as well, and only the owner could disable those triggers). The audit hash
-- chain (migration 0009, docs/SECURITY.md) exposes tampering by the owner itself.
GRANT USAGE ON SCHEMA public TO :app;
REVOKE CREATE ON SCHEMA public FROM :app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :app;
REVOKE TRUNCATE ON ALL TABLES IN SCHEMA public FROM :app;
REVOKE UPDATE, DELETE, TRUNCATE ON dossier_history, audit_log, security_events FROM :app;
ALTER DEFAULT PRIVILEGES FOR ROLE :owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :app;
ALTER DEFAULT PRIVILEGES FOR ROLE :owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :app;
