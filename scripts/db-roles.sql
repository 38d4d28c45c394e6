-- Production PostgreSQL roles (run once as a superuser, after the first migration, with
-- psql -v owner=tinhso_owner -v app=tinhso_app -f scripts/db-roles.sql). The owner role owns the
-- schema and runs migrations (start the app once with DATABASE_URL as the owner, or run
-- `npm run db:migrate`); the application then connects as the app role, which may read and write
-- data but can never rewrite history: no UPDATE, DELETE or TRUNCATE on dossier_history and
-- audit_log (the triggers of migrations 0001 and 0003 refuse them for every role as well).
GRANT USAGE ON SCHEMA public TO :app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :app;
REVOKE UPDATE, DELETE, TRUNCATE ON dossier_history, audit_log FROM :app;
ALTER DEFAULT PRIVILEGES FOR ROLE :owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :app;
ALTER DEFAULT PRIVILEGES FOR ROLE :owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :app;
