#!/usr/bin/env bash
# Run by the postgres image, as its bootstrap superuser, on the first start of an empty volume (docker-compose.yml
# mounts it). Creates the schema's owner (no superuser, no CREATEROLE: it owns what migrations create and nothing
# more) and the login role the server uses; migrations grant that one only what it needs.
set -euo pipefail
owner="${CLUSTERFUND_OWNER_ROLE:?set CLUSTERFUND_OWNER_ROLE}"
echo "docker-initdb: creating roles $owner and clusterfund_app"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=owner="$owner" \
    --set=owner_password="${CLUSTERFUND_OWNER_PASSWORD:?set CLUSTERFUND_OWNER_PASSWORD}" \
    --set=app_password="${CLUSTERFUND_APP_PASSWORD:?set CLUSTERFUND_APP_PASSWORD}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L', :'owner', :'owner_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE clusterfund_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'clusterfund_app') \gexec
-- The owner owns the database, and so (PostgreSQL 15's pg_database_owner) the public schema it migrates.
SELECT format('ALTER DATABASE %I OWNER TO %I', current_database(), :'owner') \gexec
SQL
