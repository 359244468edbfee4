#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL on loopback and stops it after,
# whatever the command's outcome. The command sees the server's URL in
# LICDESK_TEST_POSTGRES, which the store tests run against.
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PGBIN" ]; then
  echo "with-postgres: PostgreSQL is not installed (make test installs it)" >&2
  exit 1
fi

D=$(mktemp -d /tmp/licdesk-pg.XXXXXX)
PORT=${LICDESK_PG_PORT:-$(( 20000 + RANDOM % 20000 ))}
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$D"
  as_pg=(runuser -u postgres --)
fi

stop() {
  "${as_pg[@]}" "$PGBIN/pg_ctl" -D "$D/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$D"
}
trap stop EXIT

"${as_pg[@]}" "$PGBIN/initdb" -D "$D/data" -U postgres --auth=trust -E UTF8 --no-locale >"$D/initdb.log" 2>&1 \
  || { cat "$D/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$PGBIN/pg_ctl" -D "$D/data" -l "$D/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $D -c fsync=off -c max_connections=300" start >/dev/null \
  || { cat "$D/log" >&2; exit 1; }
"${as_pg[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres licensing

export LICDESK_TEST_POSTGRES="postgres://postgres@127.0.0.1:$PORT/licensing?sslmode=disable"
"$@"
