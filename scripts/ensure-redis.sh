#!/usr/bin/env bash
# Starts a local, non-persistent Redis on 127.0.0.1 when none answers at SIFT_REDIS_URL.
set -euo pipefail
url="${SIFT_REDIS_URL:-redis://127.0.0.1:6379/0}"
hostport="${url#redis://}"; hostport="${hostport%%/*}"; hostport="${hostport##*@}"
host="${hostport%%:*}"; port="${hostport##*:}"
[ "$host" = "$port" ] && port=6379

if redis-cli -h "$host" -p "$port" ping >/dev/null 2>&1; then
  exit 0
fi
if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
  echo "Redis at $host:$port does not answer" >&2
  exit 1
fi
echo "Starting redis-server on 127.0.0.1:$port"
redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
  --dir /tmp --logfile /tmp/sift-redis.log
for _ in $(seq 50); do
  redis-cli -p "$port" ping >/dev/null 2>&1 && exit 0
  sleep 0.1
done
echo "redis-server did not start; see /tmp/sift-redis.log" >&2
exit 1
