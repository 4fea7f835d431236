#!/usr/bin/env bash
# `make test-containers`: build the images, start deploy/compose/compose.yaml with
# podman-compose, run the smoke journey through its gateway (scripts/container_smoke.py),
# check that both identity replicas took requests, kill one of them under k6 load
# (scripts/replica-kill.sh: no request may fail), stop and remove the stack; then
# `podman kube play` the Kubernetes `dev` overlay's data stores, Jobs and services until
# each service answers /readyz (scripts/kube_play.py), and remove them.
# Not part of `make test` (CI): the builds alone take 15-30 minutes on a small machine.
# SIFT_KEEP_STACK=1 leaves the Compose stack running for a look (and skips kube play);
# SIFT_SKIP_BUILD=1 reuses images; SIFT_SKIP_KUBE=1 skips kube play.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV_BIN="${VENV_BIN:-.venv/bin}"
project=sift-smoke
export SIFT_HTTPS_PORT="${SIFT_HTTPS_PORT:-18443}"
export SIFT_HTTP_PORT="${SIFT_HTTP_PORT:-18080}"
export SIFT_PUBLIC_URL="https://localhost:${SIFT_HTTPS_PORT}"
export SIFT_SECRET_KEY="${SIFT_SECRET_KEY:-$("$VENV_BIN/python" -c 'import secrets; print(secrets.token_urlsafe(48))')}"
export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-$("$VENV_BIN/python" -c 'import secrets; print(secrets.token_urlsafe(24))')}"
compose=("$VENV_BIN/podman-compose" -p "$project" -f deploy/compose/compose.yaml)

./scripts/podman-setup.sh
if [ "${SIFT_SKIP_BUILD:-}" != 1 ]; then
  ./scripts/build-images.sh all
fi

stop() {
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "--- last log lines of each container ---"
    for name in $(podman ps -a --filter "label=io.podman.compose.project=$project" --format '{{.Names}}'); do
      echo "== $name"
      podman logs --tail 15 "$name" 2>&1 || true
    done
  fi
  if [ "${SIFT_KEEP_STACK:-}" != 1 ]; then
    "${compose[@]}" down -v >/dev/null 2>&1 || true
  fi
  exit "$status"
}
trap stop EXIT

"${compose[@]}" down -v >/dev/null 2>&1 || true
started=$(date +%s)

# In phases, each waited for: podman before 4.6 cannot wait for `service_healthy` (nor run
# healthchecks without systemd), so this does what `depends_on` says with Docker Compose.
container() { echo "${project}_$1_1"; }
wait_healthy() {
  local deadline=$(( $(date +%s) + ${WAIT_SECONDS:-600} ))
  for service in "$@"; do
    until podman healthcheck run "$(container "$service")" >/dev/null 2>&1; do
      if [ "$(date +%s)" -gt "$deadline" ]; then
        echo "not healthy in time: $service" >&2
        return 1
      fi
      sleep 3
    done
    echo "healthy: $service"
  done
}
wait_done() {
  for service in "$@"; do
    code=$(podman wait "$(container "$service")")
    echo "finished: $service (exit status $code)"
    [ "$code" -eq 0 ]
  done
}
# podman without systemd says, per container, that it cannot schedule healthchecks: the
# waits above run them instead.
up() { "${compose[@]}" up -d --no-deps "$@" 2>&1 | { grep -v -e "systemd connection" -e "^[0-9a-f]\{64\}$" || true; }; }

up postgres redis storage mail web
wait_healthy postgres redis storage mail web
up migrate storage-init
wait_done migrate storage-init
services=(identity identity-2 documents search search-2 assistant notifications audit)
up "${services[@]}"
wait_healthy "${services[@]}"
background=(worker worker-ingest scheduler relay consume-identity consume-documents consume-search
  consume-assistant consume-notifications consume-audit)
up "${background[@]}" gateway
wait_healthy gateway "${background[@]}"
echo "stack: healthy $(( $(date +%s) - started )) s after \`up\`"
"$VENV_BIN/python" scripts/container_smoke.py "https://localhost:${SIFT_HTTPS_PORT}"
echo "smoke: the journey took $(( $(date +%s) - started )) s from \`up\`"

# What each container holds after the journey (docs/deploy.md's sizing starts from it).
podman stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.CPUPerc}}' \
  $(podman ps --filter "label=io.podman.compose.project=$project" --format '{{.Names}}') || true

# The gateway balances over both identity replicas: its access log names the upstream.
for _ in $(seq 20); do
  curl -ksf -o /dev/null "https://localhost:${SIFT_HTTPS_PORT}/api/identity/healthz"
done
upstreams=$(podman logs "${project}_gateway_1" 2>/dev/null \
  | "$VENV_BIN/python" scripts/gateway_upstreams.py /api/identity/healthz --distinct)
echo "smoke: identity requests went to $upstreams distinct upstream address(es)"
[ "$upstreams" -ge 2 ]

VENV_BIN="$VENV_BIN" ./scripts/replica-kill.sh
echo "replica kill: no request failed"

if [ "${SIFT_KEEP_STACK:-}" != 1 ] && [ "${SIFT_SKIP_KUBE:-}" != 1 ]; then
  "${compose[@]}" down -v >/dev/null 2>&1
  "$VENV_BIN/python" scripts/kube_play.py
fi
echo "test-containers: passed in $(( $(date +%s) - started )) s from \`up\`"
if [ "${SIFT_KEEP_STACK:-}${SIFT_SKIP_KUBE:-}${SIFT_SKIP_BUILD:-}" = "" ]; then
  ./scripts/container-inputs.sh --record  # commit it: CI skips this test until they change
fi
