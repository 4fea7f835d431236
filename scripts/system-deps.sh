#!/usr/bin/env bash
# Installs the few Debian packages Sift needs beside Python: nginx (the gateway), Node.js
# and npm (the web app) and, when no Redis answers and none is installed, redis-server.
# With --test also Chromium, which the browser tests drive, Prometheus (its promtool
# unit-tests the alert rules) and its PostgreSQL and Redis exporters (the dashboards'
# queries are checked against them), and (with --test or --deploy) kubectl, which renders
# the Kubernetes overlays. Idempotent and quick when everything is present.
set -euo pipefail

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${1:-}" = "--test" ]; then
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
  [ -x /usr/bin/prometheus-postgres-exporter ] || missing+=(prometheus-postgres-exporter)
  [ -x /usr/bin/prometheus-redis-exporter ] || missing+=(prometheus-redis-exporter)
fi
if [ "${1:-}" = "--test" ] || [ "${1:-}" = "--deploy" ]; then
  # `kubectl kustomize` renders deploy/k8s (Debian's kubectl 1.20 carries kustomize v2.0.3,
  # which the overlays are written for; a newer kubectl already here is used as it is).
  command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
fi
if ! command -v redis-server >/dev/null 2>&1 && ! command -v redis-cli >/dev/null 2>&1; then
  missing+=(redis-server)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a system nginx on port 80; Sift runs its own.
if [[ " ${missing[*]} " == *" nginx "* ]]; then
  $SUDO service nginx stop >/dev/null 2>&1 || $SUDO nginx -s stop >/dev/null 2>&1 || true
fi
# Likewise what the Prometheus packages start (a Prometheus on port 9090, its node
# exporter, the PostgreSQL and Redis exporters): tests start their own.
if [[ " ${missing[*]} " == *" prometheus"* ]]; then
  for unit in prometheus prometheus-node-exporter prometheus-postgres-exporter \
    prometheus-redis-exporter; do
    $SUDO service "$unit" stop >/dev/null 2>&1 || true
  done
fi
