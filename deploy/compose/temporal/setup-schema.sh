#!/bin/sh
# Temporal's databases on PostgreSQL: created when missing, their schemas brought to this
# admin-tools image's version (keep it the server's). Safe to run on every start.
# Reads SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD.
set -eu
schemas=/etc/temporal/schema/postgresql/v12
for pair in temporal:temporal temporal_visibility:visibility; do
  database=${pair%%:*}
  schema=${pair#*:}
  SQL_DATABASE=$database temporal-sql-tool create-database
  SQL_DATABASE=$database temporal-sql-tool setup-schema -v 0.0
  SQL_DATABASE=$database temporal-sql-tool update-schema --schema-dir "$schemas/$schema/versioned"
done
