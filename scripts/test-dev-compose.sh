#!/usr/bin/env bash
# The development Compose stack (compose.yaml + compose.dev.yaml) reloads what is edited:
# starts the data stores, migrations, identity (`sift serve --reload`, src/ mounted) and
# the web app (`next dev`, web/src mounted); adds a Python module under src/sift/identity
# and waits for identity to restart and be healthy again; adds a page under web/src/app
# and waits for `next dev` to serve it. Removes both files and the stack afterwards.
#   scripts/test-dev-compose.sh     (after scripts/build-images.sh backend infra web-dev)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV_BIN="${VENV_BIN:-.venv/bin}"
project=sift-devcheck
export SIFT_SECRET_KEY="${SIFT_SECRET_KEY:-dev-check-secret-key-0123456789-0123456789-abcdef}"
export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-dev-check-password}"
export SIFT_HTTPS_PORT=18444 SIFT_HTTP_PORT=18081
compose=("$VENV_BIN/podman-compose" -p "$project" -f deploy/compose/compose.yaml
  -f deploy/compose/compose.dev.yaml)
token="reload-$(date +%s)"
module=src/sift/identity/_hot_reload_probe.py
page_dir=web/src/app/hot-reload-probe

cleanup() {
  status=$?
  rm -rf "$module" "$page_dir"
  if [ "$status" -ne 0 ]; then
    for name in identity web; do
      echo "== $name"; podman logs --tail 20 "${project}_${name}_1" 2>&1 || true
    done
  fi
  "${compose[@]}" down -v >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT

container() { echo "${project}_$1_1"; }
up() { "${compose[@]}" up -d --no-deps "$@" 2>&1 | { grep -v -e "systemd connection" -e "^[0-9a-f]\{64\}$" || true; }; }
wait_for() {  # wait_for WHAT SECONDS COMMAND...
  local what=$1 deadline=$(( $(date +%s) + $2 )); shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -le "$deadline" ] || { echo "dev compose: timed out: $what" >&2; return 1; }
    sleep 3
  done
  echo "dev compose: $what ($(( $(date +%s) - started )) s)"
}
healthy() { podman healthcheck run "$(container "$1")"; }
web_get() {  # web_get PATH NEEDLE: the page answers 200 and holds NEEDLE
  podman exec "$(container web)" node -e "fetch('http://127.0.0.1:3000$1').then(async (r) => \
    process.exit(r.ok && (await r.text()).includes('$2') ? 0 : 1), () => process.exit(1))"
}
starts() { podman logs "$(container identity)" 2>&1 | grep -c "Started server process" || true; }

"${compose[@]}" down -v >/dev/null 2>&1 || true
started=$(date +%s)
up postgres redis storage mail
for service in postgres redis storage mail; do wait_for "$service healthy" 300 healthy "$service"; done
up migrate storage-init
for job in migrate storage-init; do
  [ "$(podman wait "$(container "$job")")" = 0 ] || { podman logs --tail 30 "$(container "$job")"; exit 1; }
done
up identity web
wait_for "identity healthy" 600 healthy identity
wait_for "next dev serves /sign-in" 600 web_get /sign-in Sift

# Backend: a new module under the mounted sources restarts the service process.
before=$(starts)
printf '"""Written by scripts/test-dev-compose.sh; removed when it ends."""\nTOKEN = "%s"\n' \
  "$token" >"$module"
reloaded() { [ "$(starts)" -gt "$before" ]; }  # counted at each try, not once
wait_for "identity reloaded after an edit" 120 reloaded
podman logs "$(container identity)" 2>&1 | grep -m1 "WatchFiles detected changes" || true
wait_for "identity healthy again" 300 healthy identity

# Web: a new page under the mounted web/src is served without a rebuild.
mkdir -p "$page_dir"
printf 'export default function Probe() {\n  return <p>%s</p>;\n}\n' "$token" >"$page_dir/page.tsx"
wait_for "next dev serves the new page" 300 web_get /hot-reload-probe "$token"
echo "dev compose: hot reload works for the services and the web app"
