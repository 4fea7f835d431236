#!/usr/bin/env bash
# One identity replica killed under load (k6), on a Compose stack that
# `SIFT_KEEP_STACK=1 scripts/test-containers.sh` left running: no request may fail, and the
# survivor must carry the load. Prints k6's summary and the gateway's upstream counts.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_BIN="${VENV_BIN:-.venv/bin}"
project=sift-smoke
base="https://localhost:${SIFT_HTTPS_PORT:-18443}"
duration="${DURATION:-60s}"

email="kill-$(date +%s)@example.org"
token=$(curl -ksf "$base/api/auth/signup" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"Kill-$(date +%s%N)-x\",\"name\":\"Kill Test\"}" \
  | "$VENV_BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
since=$(date -u +%Y-%m-%dT%H:%M:%SZ)

( sleep "${KILL_AFTER:-20}"; echo "killing ${project}_identity-2_1 at $(date -u +%T)";
  podman kill "${project}_identity-2_1" >/dev/null ) &
killer=$!
status=0
SIFT_BASE_URL="$base" SIFT_TOKEN="$token" DURATION="$duration" \
  "$VENV_BIN/k6" run --quiet bench/load/replica-kill.js || status=$?
wait "$killer"

echo "gateway upstreams for /api/users/me since $since (address, status, count):"
podman logs --since "$since" "${project}_gateway_1" 2>/dev/null \
  | grep '"uri":"/api/users/me"' \
  | grep -o '"status":[0-9]*.*"upstream":"[^"]*","upstream_status":"[^"]*"' \
  | sed -E 's/.*"status":([0-9]+).*"upstream":"([^"]*)","upstream_status":"([^"]*)"/\2 -> \3 (client got \1)/' \
  | sort | uniq -c
exit "$status"
