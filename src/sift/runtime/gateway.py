"""The Nginx gateway: render `deploy/nginx/sift.conf.j2` and run nginx in the foreground.

One template serves local, Compose and Kubernetes; only the values differ. Locally the
upstreams are the replicas on 127.0.0.1 and consecutive ports; in Compose or Kubernetes
`SIFT_GATEWAY_UPSTREAM_HOST_TEMPLATE` (e.g. `{service}` or `sift-{service}`) names one
host per service, which the orchestrator balances.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import jinja2
import structlog
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import sift
from sift.core.config import CoreSettings, Environment
from sift.core.errors import PROBLEM_BASE
from sift.runtime.apidocs import write_api_docs
from sift.runtime.services import GATEWAY_KEEPALIVE_SECONDS, ServiceLayout
from sift.runtime.tls import TlsFiles, ensure_self_signed_certificate

log = structlog.get_logger()

TEMPLATE_NAME = "sift.conf.j2"
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

# Characters allowed in a bare nginx token and in a quoted nginx string.
_BARE_TOKEN = re.compile(r"^[A-Za-z0-9._:/\[\]*~@=+%,-]+$")
_QUOTED_FORBIDDEN = re.compile(r'["\\$;{}\n\r\x00]')


class GatewayError(RuntimeError):
    pass


class GatewaySettings(BaseSettings):
    """Environment variables `SIFT_GATEWAY_*`."""

    model_config = SettingsConfigDict(env_prefix="SIFT_GATEWAY_", env_file=".env", extra="ignore")

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
    rate_limited_paths: tuple[str, ...] = RATE_LIMITED_PATHS
    # Serve the merged OpenAPI document at /api/openapi.json and Swagger UI at /api/docs/.
    api_docs: bool = True
    auth_rate: str = "30r/m"
    auth_burst: int = 20
    retry_after_seconds: int = 2
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


@dataclass(frozen=True)
class Upstream:
    name: str
    servers: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    match: Literal["= ", ""]
    path: str
    upstream: str
    max_body: int | None
    stream_body: bool
    rate_limited: bool
    stream_response: bool = False


@dataclass(frozen=True)
class GatewayProblem:
    status: int
    code: str
    title: str
    detail: str

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.code

    @property
    def body(self) -> str:
        """RFC 9457 JSON; nginx fills in `$sift_request_id` when it answers."""
        return json.dumps(
            {
                "type": self.type,
                "title": self.title,
                "status": self.status,
                "detail": self.detail,
                "request_id": "$sift_request_id",
            },
            separators=(",", ":"),
        )


PROBLEMS = (
    GatewayProblem(404, "not-found", "Not found", "No resource at this path."),
    GatewayProblem(
        413,
        "payload-too-large",
        "Request body too large",
        "The request body exceeds the size limit for this path.",
    ),
    GatewayProblem(429, "rate-limited", "Too many requests", "Rate limit exceeded; retry later."),
    GatewayProblem(502, "bad-gateway", "Bad gateway", "The service did not answer."),
    GatewayProblem(
        503, "service-unavailable", "Service unavailable", "The service is unavailable."
    ),
    GatewayProblem(504, "gateway-timeout", "Gateway timeout", "The service answered too late."),
)


def template_path(gateway: GatewaySettings) -> Path:
    if gateway.template is not None:
        return gateway.template
    # src/sift/__init__.py -> the source tree's deploy/nginx/ (the image copies it too).
    candidate = Path(sift.__file__).resolve().parents[2] / "deploy" / "nginx" / TEMPLATE_NAME
    if not candidate.is_file():
        raise GatewayError(f"gateway template not found at {candidate}; set SIFT_GATEWAY_TEMPLATE")
    return candidate


def nginx_version(binary: str = "nginx") -> tuple[int, int, int] | None:
    path = shutil.which(binary)
    if path is None:
        return None
    result = subprocess.run([path, "-v"], capture_output=True, text=True, check=False)
    match = re.search(r"nginx/(\d+)\.(\d+)\.(\d+)", result.stderr + result.stdout)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def http2_style(version: tuple[int, int, int] | None) -> Literal["listen", "directive"]:
    # `http2 on;` exists from 1.25.1; older servers take `listen ... http2`.
    return "directive" if version is not None and version >= (1, 25, 1) else "listen"


def _bare(value: object) -> str:
    text = str(value)
    if not _BARE_TOKEN.match(text):
        raise GatewayError(f"unsafe value for the nginx config: {text!r}")
    return text


def _single_quoted(value: object) -> str:
    text = str(value)
    if "'" in text or "\\" in text or "\n" in text:
        raise GatewayError(f"unsafe value for the nginx config: {text!r}")
    return f"'{text}'"


def _quoted(value: object) -> str:
    text = str(value)
    if _QUOTED_FORBIDDEN.search(text):
        raise GatewayError(f"unsafe value for the nginx config: {text!r}")
    return f'"{text}"'


def _upstream_servers(layout: ServiceLayout, gateway: GatewaySettings) -> tuple[str, ...]:
    if gateway.upstream_host_template:
        host = gateway.upstream_host_template.format(service=layout.name)
        return (f"{host}:{layout.port}",)
    return tuple(f"{gateway.upstream_host}:{port}" for port in layout.ports)


def _owner(path: str, layouts: Sequence[ServiceLayout]) -> ServiceLayout:
    best: tuple[int, ServiceLayout] | None = None
    for layout in layouts:
        for prefix in layout.route_prefixes:
            if (path == prefix or path.startswith(prefix.rstrip("/") + "/")) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), layout)
    if best is None:
        raise GatewayError(f"no service routes {path!r}")
    return best[1]


def build_routes(
    layouts: Sequence[ServiceLayout], gateway: GatewaySettings, *, default_max_body: int
) -> list[Route]:
    """Every public prefix as an exact and a sub-path location (`/api/search` and
    `/api/search/...`, never `/api/searchx`), rate-limited paths as their own locations."""
    routes: dict[tuple[str, str], Route] = {}

    def add(path: str, upstream: str, *, rate_limited: bool) -> None:
        path = path.rstrip("/") or "/"
        is_upload = any(
            path == prefix or path.startswith(prefix.rstrip("/") + "/")
            for prefix in gateway.upload_prefixes
        )
        is_streaming = any(
            path == prefix or path.startswith(prefix.rstrip("/") + "/")
            for prefix in gateway.streaming_prefixes
        )
        max_body = gateway.upload_max_bytes if is_upload else None
        if max_body == default_max_body:
            max_body = None
        for match, location in (("= ", path), ("", path.rstrip("/") + "/")):
            key = (match, location)
            if key in routes and not rate_limited:
                raise GatewayError(f"two services claim the path {location!r}")
            routes[key] = Route(
                match="= " if match else "",
                path=location,
                upstream=upstream,
                max_body=max_body,
                stream_body=is_upload,
                rate_limited=rate_limited,
                stream_response=is_streaming,
            )

    for layout in layouts:
        for prefix in layout.route_prefixes:
            add(prefix, f"sift_{layout.name}", rate_limited=False)
    for path in gateway.rate_limited_paths:
        add(path, f"sift_{_owner(path, layouts).name}", rate_limited=True)
    return sorted(routes.values(), key=lambda route: (route.path, route.match))


def render_gateway_config(
    settings: CoreSettings,
    gateway: GatewaySettings,
    layouts: Mapping[str, ServiceLayout],
    *,
    paths: GatewayPaths,
    tls: TlsFiles,
    run_user: str | None = None,
    nginx: tuple[int, int, int] | None = None,
) -> str:
    default_max_body = gateway.max_body_bytes or settings.max_body_bytes
    ordered = list(layouts.values())
    upstreams = [
        Upstream(f"sift_{layout.name}", _upstream_servers(layout, gateway)) for layout in ordered
    ]
    if gateway.web_upstream:
        upstreams.append(Upstream("sift_web", (gateway.web_upstream,)))
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_path(gateway).parent)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - nginx config, not HTML; values pass `ngx`/`q`
    )
    environment.filters["ngx"] = _bare
    environment.filters["q"] = _quoted
    environment.filters["sq"] = _single_quoted
    template = environment.get_template(template_path(gateway).name)
    return template.render(
        run_user=_bare(run_user) if run_user else None,
        worker_processes=_bare(gateway.worker_processes),
        worker_connections=gateway.worker_connections,
        shutdown_timeout=gateway.shutdown_timeout_seconds,
        pid_file=paths.pid_file,
        error_log="stderr",
        error_log_level=gateway.error_log_level,
        temp_dir=paths.temp_dir,
        max_body_bytes=default_max_body,
        access_log=gateway.access_log,
        trusted_proxies=gateway.trusted_proxies,
        auth_rate=gateway.auth_rate,
        auth_burst=gateway.auth_burst,
        retry_after=gateway.retry_after_seconds,
        proxy_connect_timeout=gateway.proxy_connect_timeout_seconds,
        proxy_read_timeout=gateway.proxy_read_timeout_seconds,
        stream_read_timeout=gateway.stream_read_timeout_seconds,
        api_docs_dir=paths.api_docs if gateway.api_docs else None,
        upstreams=upstreams,
        upstream_keepalive=gateway.upstream_keepalive,
        upstream_keepalive_timeout=GATEWAY_KEEPALIVE_SECONDS,
        listen_address=gateway.listen_address,
        http_port=gateway.http_port,
        https_port=gateway.https_port,
        public_origin=public_origin(settings, gateway),
        server_name=gateway.server_name,
        http2=http2_style(nginx),
        cert_file=tls.cert,
        key_file=tls.key,
        hsts=f"max-age={hsts_max_age(settings, gateway)}; includeSubDomains",
        problems=PROBLEMS,
        routes=build_routes(ordered, gateway, default_max_body=default_max_body),
        web=bool(gateway.web_upstream),
    )


def gateway_tls(settings: CoreSettings, gateway: GatewaySettings, paths: GatewayPaths) -> TlsFiles:
    configured = operator_tls(gateway)
    if configured is not None:
        return configured
    host = urlsplit(settings.public_url).hostname
    hostnames = [host] if host and not _is_ip(host) else []
    ips = [host] if host and _is_ip(host) else []
    return ensure_self_signed_certificate(paths.tls_dir, hostnames=hostnames, ips=ips)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def prepare_gateway(
    settings: CoreSettings,
    gateway: GatewaySettings,
    layouts: Mapping[str, ServiceLayout],
) -> GatewayPaths:
    """Certificate (created once), runtime directories and the rendered config."""
    paths = GatewayPaths.under(settings.data_dir)
    paths.create()
    tls = gateway_tls(settings, gateway, paths)
    if gateway.api_docs:
        write_api_docs(settings, paths.api_docs)
    config = render_gateway_config(
        settings,
        gateway,
        layouts,
        paths=paths,
        tls=tls,
        run_user=gateway.run_user or ("root" if os.geteuid() == 0 else None),
        nginx=nginx_version(gateway.nginx_binary),
    )
    tmp = paths.config.with_name(paths.config.name + ".tmp")
    tmp.write_text(config)
    tmp.replace(paths.config)
    log.info("gateway.config_written", path=str(paths.config))
    return paths


def nginx_binary(gateway: GatewaySettings) -> str:
    path = shutil.which(gateway.nginx_binary)
    if path is None:
        raise GatewayError(
            f"{gateway.nginx_binary!r} not found: install nginx (apt-get install nginx) "
            "or run without the gateway (--no-gateway)"
        )
    return path


def nginx_command(gateway: GatewaySettings, paths: GatewayPaths) -> list[str]:
    """nginx in the foreground, error log on stderr, everything else under `paths`."""
    return [
        nginx_binary(gateway),
        "-p",
        f"{paths.root}/",
        "-e",
        "stderr",
        "-c",
        str(paths.config),
        "-g",
        "daemon off;",
    ]


def check_config(gateway: GatewaySettings, paths: GatewayPaths) -> str:
    """`nginx -t` on the rendered config; raises with nginx's own words when it fails."""
    command = [*nginx_command(gateway, paths)[:-2], "-t", "-q"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise GatewayError(f"nginx -t failed: {result.stderr.strip()}")
    return result.stderr
