#!/usr/bin/env bash
# Everything the web app is checked with: install (when the lockfile changed), lint,
# format, types, unit tests, then Playwright against a real `sift up` it starts itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NEXT_TELEMETRY_DISABLED=1

stamp=node_modules/.sift-lock-sha256
wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$wanted" ]]; then
  npm ci --no-audit --no-fund
  echo "$wanted" > "$stamp"
fi

step() { printf '\n== %s\n' "$1"; }
step lint && npm run --silent lint
step format && npm run --silent format:check
step typecheck && npm run --silent typecheck
step "unit tests" && npx vitest run
step "end-to-end tests" && npx playwright test "$@"
