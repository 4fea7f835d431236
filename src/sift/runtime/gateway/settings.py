"""The gateway's settings (`SIFT_GATEWAY_*`), the public address, where its files live."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import CoreSettings, Environment, SiftSettings
from sift.runtime.tls import TlsFiles

RATE_LIMITED_PATHS = (
    "/api/auth/login",
    "/api/auth/signup",
    "/api/auth/refresh",
    "/api/auth/password",
    "/api/auth/mfa",
)
HSTS_SECONDS = 31_536_000  # one year: Chromium's cap, and the HSTS preload list's minimum
# Only while the gateway serves its own self-signed certificate outside production: a
# browser keeps HSTS for a host on every port, so a developer's localhost stays usable
# for other servers once they stop Sift.
HSTS_SELF_SIGNED_SECONDS = 86_400


class GatewayError(RuntimeError):
    pass


class GatewaySettings(SiftSettings):
    """Environment variables `SIFT_GATEWAY_*`."""

    model_config = SettingsConfigDict(env_prefix="SIFT_GATEWAY_")

    listen_address: str = "127.0.0.1"  # "0.0.0.0" in a container
    https_port: int = 8443
    http_port: int = 8080
    # The HTTPS port clients see (redirects use it): 443 behind a port mapping.
    public_https_port: int | None = None
    server_name: str = "_"
    cert_file: Path | None = None  # a real certificate; self-signed under data_dir if unset
    key_file: Path | None = None
    upstream_host: str = "127.0.0.1"
    upstream_host_template: str | None = None  # "{service}" in Compose
    upstream_keepalive: int = 32
    web_upstream: str | None = None  # "127.0.0.1:3000" once the web app runs beside
    max_body_bytes: int | None = None  # defaults to SIFT_MAX_BODY_BYTES
    # The documents cap (100 MB) plus room for the multipart envelope.
    upload_max_bytes: int = 101 * 1024 * 1024
    upload_prefixes: tuple[str, ...] = ("/api/documents",)
    # Server-sent events: answers stream token by token, so nginx must not buffer them.
    streaming_prefixes: tuple[str, ...] = ("/api/assistant",)
    stream_read_timeout_seconds: int = 3600
    # Streams a client keeps open for as long as it listens (the live notification feed):
    # unbuffered like the answers, and outside the per-replica in-flight limit.
    long_lived_paths: tuple[str, ...] = ("/api/notifications/stream",)
    rate_limited_paths: tuple[str, ...] = RATE_LIMITED_PATHS
    # Serve the merged OpenAPI document at /api/openapi.json and Swagger UI at /api/docs/.
    api_docs: bool = True
    auth_rate: str = "30r/m"
    auth_burst: int = 20
    retry_after_seconds: int = 2
    # Every API request of one client address (e.g. "20r/s"); unset: no such limit, as
    # many people may share one address (an office's NAT). Past it: 429 with Retry-After.
    api_rate: str | None = None
    api_burst: int = Field(default=100, ge=0)
    # Requests the gateway passes to the services at once (every client together); more
    # are answered 503 with Retry-After at once, not queued. 0: no limit.
    max_in_flight_requests: int = Field(default=2048, ge=0)
    # Requests the gateway passes to one service replica at once; more are refused the
    # same way. At twice the sustainable rate a replica then works off a short queue at
    # near its normal latency instead of admitting dozens that each wait (bench/load,
    # 2 cores at 334/s: 24 gave a p95 of 454 ms to the requests served, 12 gave 226 ms,
    # 8 gave 140 ms but refused some at 167/s too). Applies where the gateway knows each
    # replica's address (`sift up`); behind one Service address (Compose, Kubernetes)
    # each replica's own limit (`SIFT_OVERLOAD_MAX_CONCURRENT_REQUESTS`) bounds it.
    # Streamed answers and the live feed don't count. 0: no limit.
    max_in_flight_per_replica: int = Field(default=12, ge=0)
    proxy_connect_timeout_seconds: int = 5
    # Long enough for streamed answers (SSE), which also send heartbeats.
    proxy_read_timeout_seconds: int = 300
    shutdown_timeout_seconds: int = 10
    worker_processes: str = "auto"
    worker_connections: int = 4096
    trusted_proxies: list[str] = Field(default_factory=list)
    hsts_max_age: int | None = None  # by certificate and environment when unset
    access_log: str = "/dev/stdout"  # a file path, or "off"
    error_log_level: Literal["debug", "info", "notice", "warn", "error", "crit"] = "warn"
    template: Path | None = None  # deploy/nginx/sift.conf.j2 of the source tree if unset
    nginx_binary: str = "nginx"
    # nginx's `user` for its workers; unset: `root` when rendered as root, else none.
    run_user: str | None = None


@lru_cache
def get_gateway_settings() -> GatewaySettings:
    return GatewaySettings()


def public_url(settings: CoreSettings, gateway: GatewaySettings) -> str:
    """`SIFT_PUBLIC_URL`, or the gateway's own HTTPS address on localhost when it is unset."""
    if "public_url" in settings.model_fields_set:
        return settings.public_url
    port = gateway.public_https_port or gateway.https_port
    return "https://localhost" + ("" if port == 443 else f":{port}")


def public_origin(settings: CoreSettings, gateway: GatewaySettings) -> str:
    """Where the HTTP redirects go: never the request's `Host`, which the client chooses."""
    url = public_url(settings, gateway)
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise GatewayError(
            f"SIFT_PUBLIC_URL must be an https:// URL for the gateway to redirect to: {url!r}"
        )
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"https://{host}" + ("" if parts.port in (None, 443) else f":{parts.port}")


def operator_tls(gateway: GatewaySettings) -> TlsFiles | None:
    """The certificate the operator configured; None when Sift makes a self-signed one."""
    if gateway.cert_file is None or gateway.key_file is None:
        return None
    return TlsFiles(cert=gateway.cert_file, key=gateway.key_file)


def hsts_max_age(settings: CoreSettings, gateway: GatewaySettings) -> int:
    if gateway.hsts_max_age is not None:
        return gateway.hsts_max_age
    if operator_tls(gateway) is not None or settings.env is Environment.production:
        return HSTS_SECONDS
    return HSTS_SELF_SIGNED_SECONDS


@dataclass(frozen=True)
class GatewayPaths:
    """Where the rendered config and nginx's runtime files live (`<data_dir>/gateway`)."""

    root: Path

    @classmethod
    def under(cls, data_dir: Path) -> GatewayPaths:
        return cls(data_dir.resolve() / "gateway")

    @property
    def config(self) -> Path:
        return self.root / "nginx.conf"

    @property
    def pid_file(self) -> Path:
        return self.root / "nginx.pid"

    @property
    def temp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"

    @property
    def api_docs(self) -> Path:
        return self.root / "apidocs"

    def create(self) -> None:
        for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.temp_dir / sub).mkdir(parents=True, exist_ok=True)
