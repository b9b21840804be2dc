#!/usr/bin/env bash
# Stops the cluster started by start-postgres.sh.
set -uo pipefail
PG_ROOT="${PG_ROOT:-/tmp/scim-gateway-ci-postgres}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -f "$PG_ROOT/data/postmaster.pid" ] && runuser -u postgres -- "$BIN/pg_ctl" -D "$PG_ROOT/data" -m fast stop >/dev/null
exit 0
