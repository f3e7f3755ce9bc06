-- The server connects as clusterfund_app, which owns nothing and gets only the privileges each table grants it.
-- The owner role (whoever runs migrations) owns the schema. Roles are cluster-wide, so this is idempotent.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'clusterfund_app') THEN
        CREATE ROLE clusterfund_app LOGIN;
    END IF;
END
$$;

-- Nobody but the owner creates objects in public (PostgreSQL 15 already revokes CREATE from PUBLIC; say so anyway).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO clusterfund_app;

-- The server checks, read-only, that the database's migrations match its own files.
GRANT SELECT ON schema_migrations TO clusterfund_app;
