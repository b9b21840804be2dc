#!/usr/bin/env bash
# Installs Debian's PostgreSQL if it is missing, starts a throwaway cluster on 127.0.0.1:$PG_PORT owned by
# the postgres user, creates database $PG_DATABASE, and prints the DATABASE_URL to use.
# Usage: eval "$(scripts/ci/start-postgres.sh)"   (stop it with scripts/ci/stop-postgres.sh)
set -euo pipefail
PG_PORT="${PG_PORT:-54329}"
PG_DATABASE="${PG_DATABASE:-scim_ci}"
PG_ROOT="${PG_ROOT:-/tmp/scim-gateway-ci-postgres}"

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "installing Debian's postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BIN="$(find_bin)"
fi
id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres

as_postgres() { runuser -u postgres -- "$@"; }
if [ -f "$PG_ROOT/data/postmaster.pid" ]; then
  as_postgres "$BIN/pg_ctl" -D "$PG_ROOT/data" -m fast stop >&2 || true
fi
rm -rf "$PG_ROOT"
mkdir -p "$PG_ROOT"
chown postgres "$PG_ROOT"
as_postgres "$BIN/initdb" -D "$PG_ROOT/data" -A trust -U postgres --encoding=UTF8 >/dev/null
as_postgres "$BIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w -t 60 \
  -o "-p $PG_PORT -k $PG_ROOT -c listen_addresses=127.0.0.1 -c max_connections=300" start >&2
as_postgres "$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE $PG_DATABASE" >&2
echo "PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') running on 127.0.0.1:$PG_PORT ($PG_ROOT)" >&2
echo "export DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/$PG_DATABASE"
