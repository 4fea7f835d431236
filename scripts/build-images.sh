#!/usr/bin/env bash
# Builds Sift's two images with podman (or docker): sift-backend and sift-web.
#   scripts/build-images.sh [backend|web|infra|web-dev|all]...     (default: all)
# infra is the Compose stack's and the `dev` overlay's PostgreSQL, Redis and S3; web-dev is
# the web image's build stage, which compose.dev.yaml runs `next dev` in (not in `all`).
# SIFT_IMAGE_TAG (default dev), SIFT_CONTAINER_ENGINE (default podman).
# SIFT_CA_BUNDLE: a CA bundle the build trusts, given as a build secret (a TLS-intercepting
#   proxy's); default: the host's bundle. It is never copied into an image.
# SIFT_TORCH_WHEELS: a directory holding the CPU torch wheel, mounted into the build
#   (default /opt/wheels when it exists); without it the PyTorch CPU index is used.
set -euo pipefail
cd "$(dirname "$0")/.."

engine="${SIFT_CONTAINER_ENGINE:-podman}"
tag="${SIFT_IMAGE_TAG:-dev}"
targets=" ${*:-all} "
wants() { [[ "$targets" == *" $1 "* || ( "$1" != web-dev && "$targets" == *" all "* ) ]]; }
ca="${SIFT_CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}"
wheels="${SIFT_TORCH_WHEELS:-/opt/wheels}"

args=(build --network host --format docker)
[ -s "$ca" ] && args+=(--secret "id=ca-bundle,src=$ca")

if wants backend; then
  backend=("${args[@]}")
  if [ -d "$wheels" ] && compgen -G "$wheels/torch-*+cpu-*.whl" >/dev/null; then
    backend+=(--volume "$wheels:/wheels:ro" --build-arg TORCH_INDEX_URL= --build-arg TORCH_FIND_LINKS=/wheels)
  fi
  echo "building sift-backend:$tag"
  "$engine" "${backend[@]}" -t "sift-backend:$tag" -f Dockerfile .
fi
if wants web; then
  echo "building sift-web:$tag"
  "$engine" "${args[@]}" -t "sift-web:$tag" -f web/Dockerfile web
fi
if wants infra; then
  echo "building sift-infra:$tag"
  "$engine" "${args[@]}" -t "sift-infra:$tag" -f deploy/docker/infra.Dockerfile .
fi
if wants web-dev; then
  echo "building sift-web-dev:$tag"
  "$engine" "${args[@]}" --target build -t "sift-web-dev:$tag" -f web/Dockerfile web
fi
"$engine" images --filter "reference=sift-*:$tag"
