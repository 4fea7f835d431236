#!/bin/bash
# The infra image's roles: `postgres`, `redis` or `s3`. PostgreSQL takes the official
# image's variables (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB; PGDATA).
set -euo pipefail

role="${1:-postgres}"
shift || true
case "$role" in
  postgres)
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
      install -d -m 0700 "$PGDATA"
      pwfile="$(mktemp)"
      printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
      initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
      rm -f "$pwfile"
      printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
      pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/tmp" -w start >/dev/null
      if [ "$db" != postgres ]; then
        createdb -h /tmp -U "$user" "$db"
      fi
      psql -h /tmp -U "$user" -d "$db" -v ON_ERROR_STOP=1 -qc 'CREATE EXTENSION IF NOT EXISTS vector'
      pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
      echo "initialized $PGDATA (database $db, user $user)"
    fi
    exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories=/tmp "$@"
    ;;
  redis)
    # Append-only: the event streams and queued tasks survive a restart.
    exec redis-server --bind 0.0.0.0 --protected-mode no --port 6379 --dir /data \
      --appendonly yes --save "" "$@"
    ;;
  s3)
    exec moto_server -H 0.0.0.0 -p 9000 "$@"
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
