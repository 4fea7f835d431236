#!/usr/bin/env bash
# Makes this machine able to build and run Sift's images with podman (docs/deploy.md):
# - Debian's podman, runc and podman-compose, iptables (netavark sets up container networks
#   with it) and catatonit (the pause process of `podman kube play`'s pods);
# - runc as the runtime and fixed ulimits: crun refuses this kind of machine's hybrid
#   cgroups and its rlimits;
# - the base image `debian:bookworm-slim` made locally with debootstrap, as no image
#   registry is reachable here; the Dockerfiles' `FROM debian:bookworm-slim` then builds
#   unchanged here and anywhere else. Skipped when the image is already there.
# Idempotent; needs root. SIFT_DEBIAN_MIRROR overrides the mirror apt's sources name.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "podman-setup: run as root" >&2
  exit 1
fi

missing=()
for pkg in podman runc podman-compose debootstrap iptables catatonit; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" uidmap slirp4netns \
    fuse-overlayfs aardvark-dns netavark >/dev/null
fi

conf=/etc/containers/containers.conf
if ! grep -q '^runtime = "runc"' "$conf" 2>/dev/null; then
  mkdir -p /etc/containers
  cat >"$conf" <<'CONF'
# Written by Sift's scripts/podman-setup.sh.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
  echo "wrote $conf"
fi

if podman image exists docker.io/library/debian:bookworm-slim; then
  exit 0
fi
mirror="${SIFT_DEBIAN_MIRROR:-$( { grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
  /etc/apt/sources.list.d/*.sources || true; } \
  | grep -oE 'https?://[^ ]+/debian/?$' | head -1 || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"
root="$(mktemp -d /var/tmp/sift-bookworm.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "debootstrap bookworm from $mirror (about a minute)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
# As the official slim image: the usual sources, no package cache, no apt lists.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: ${mirror%/}
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/}-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*
tar -C "$root" -c . | podman import --quiet - docker.io/library/debian:bookworm-slim >/dev/null
echo "imported docker.io/library/debian:bookworm-slim"
