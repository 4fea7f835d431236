#!/usr/bin/env bash
# The digest of what `make test-containers` tests (Dockerfiles, deploy/, its scripts): the
# content of each tracked file as it is in the working tree.
#   scripts/container-inputs.sh           print the digest
#   scripts/container-inputs.sh --record  write it to deploy/containers-tested (done by
#                                         scripts/test-containers.sh when it passes)
#   scripts/container-inputs.sh --changed exit 0 when the files differ from the record
# Meant for .ci/run: `make test-containers` only when --changed says so (docs/deploy.md).
set -euo pipefail
cd "$(dirname "$0")/.."
record=deploy/containers-tested
inputs=(Dockerfile .dockerignore web/Dockerfile web/.dockerignore deploy/docker deploy/compose
  deploy/k8s deploy/nginx scripts/test-containers.sh scripts/build-images.sh
  scripts/podman-setup.sh scripts/kube_play.py scripts/replica-kill.sh
  scripts/container_smoke.py scripts/gateway_upstreams.py bench/load/replica-kill.js)

digest() {
  git ls-files -- "${inputs[@]}" | LC_ALL=C sort | while read -r path; do
    printf '%s %s\n' "$(git hash-object -- "$path")" "$path"
  done | sha256sum | cut -d' ' -f1
}

case "${1:-}" in
  --record)
    printf '%s\n' "$(digest)" >"$record"
    echo "recorded $(cat "$record") in $record"
    ;;
  --changed)
    [ "$(digest)" != "$(cat "$record" 2>/dev/null || true)" ]
    ;;
  *)
    digest
    ;;
esac
