#!/bin/sh
# Run by the postgres image once, when its data volume is new: the read model's role and database,
# and Temporal's role, which creates its own two databases (the temporal-schema service does).
set -eu
psql --username "$POSTGRES_USER" --dbname postgres -v ON_ERROR_STOP=1 \
  -v app_password="$APP_DB_PASSWORD" -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE recall LOGIN PASSWORD :'app_password';
CREATE DATABASE recall OWNER recall;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
SQL
