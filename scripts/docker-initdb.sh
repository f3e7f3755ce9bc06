#!/usr/bin/env bash
# Run by the postgres image on the first start of an empty volume (docker-compose.yml mounts it).
# Creates the login role the server uses; migrations grant it only what it needs.
set -euo pipefail
echo "docker-initdb: creating role clusterfund_app"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    --set=app_password="${CLUSTERFUND_APP_PASSWORD:?set CLUSTERFUND_APP_PASSWORD}" <<'SQL'
SELECT format('CREATE ROLE clusterfund_app LOGIN PASSWORD %L', :'app_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'clusterfund_app') \gexec
SQL
