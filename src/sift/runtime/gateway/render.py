"""The nginx config, rendered from `deploy/nginx/sift.conf.j2`: upstreams, routes, problems.

Every value passes a filter that refuses what could break out of its nginx token or string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import jinja2

import sift
from sift.core.config import CoreSettings
from sift.core.errors import PROBLEM_BASE
from sift.core.tracing import TracingSettings
from sift.runtime.gateway.settings import (
    GatewayError,
    GatewayPaths,
    GatewaySettings,
    hsts_max_age,
    public_origin,
)
from sift.runtime.services import GATEWAY_KEEPALIVE_SECONDS, ServiceLayout
from sift.runtime.tls import TlsFiles

TEMPLATE_NAME = "sift.conf.j2"

# Characters allowed in a bare nginx token and in a quoted nginx string.
_BARE_TOKEN = re.compile(r"^[A-Za-z0-9._:/\[\]*~@=+%,-]+$")
_QUOTED_FORBIDDEN = re.compile(r'["\\$;{}\n\r\x00]')


@dataclass(frozen=True)
class Upstream:
    name: str
    servers: tuple[str, ...]
    # Requests in flight to all its servers at once (nginx `limit_conn`); None: no bound.
    max_in_flight: int | None = None


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


def http2_style(version: tuple[int, int, int] | None) -> Literal["listen", "directive"]:
    # `http2 on;` exists from 1.25.1; older servers take `listen ... http2`.
    return "directive" if version is not None and version >= (1, 25, 1) else "listen"


@dataclass(frozen=True)
class GatewayTracing:
    """What the template needs to trace: where span lines go, and the sampling."""

    spans_address: str
    sample_percent: str | None  # split_clients' share, when neither 0 nor 100 %
    all_or_none: str  # the flags of every new trace otherwise: "01" or "00"

    @classmethod
    def of(cls, tracing: TracingSettings) -> GatewayTracing | None:
        if not tracing.enabled:
            return None
        ratio = tracing.sample_ratio
        percent = f"{ratio * 100:.2f}".rstrip("0").rstrip(".")
        return cls(
            spans_address=f"{tracing.gateway_spans_host}:{tracing.gateway_spans_port}",
            sample_percent=None if ratio in (0.0, 1.0) or percent in ("0", "100") else percent,
            all_or_none="00" if ratio < 0.5 else "01",
        )


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


def _upstream_in_flight(gateway: GatewaySettings, servers: tuple[str, ...]) -> int | None:
    if gateway.upstream_host_template or not gateway.max_in_flight_per_replica:
        return None  # one address in front of an unknown number of replicas
    return gateway.max_in_flight_per_replica * len(servers)


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

    def add(path: str, upstream: str, *, rate_limited: bool, override: bool = False) -> None:
        path = path.rstrip("/") or "/"
        is_upload = any(
            path == prefix or path.startswith(prefix.rstrip("/") + "/")
            for prefix in gateway.upload_prefixes
        )
        is_streaming = any(
            path == prefix or path.startswith(prefix.rstrip("/") + "/")
            for prefix in (*gateway.streaming_prefixes, *gateway.long_lived_paths)
        )
        max_body = gateway.upload_max_bytes if is_upload else None
        if max_body == default_max_body:
            max_body = None
        for match, location in (("= ", path), ("", path.rstrip("/") + "/")):
            key = (match, location)
            if key in routes and not (rate_limited or override):
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
    for path in gateway.long_lived_paths:
        add(path, f"sift_{_owner(path, layouts).name}", rate_limited=False, override=True)
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
    tracing: TracingSettings | None = None,
) -> str:
    default_max_body = gateway.max_body_bytes or settings.max_body_bytes
    ordered = list(layouts.values())
    upstreams = [
        Upstream(
            f"sift_{layout.name}",
            servers := _upstream_servers(layout, gateway),
            _upstream_in_flight(gateway, servers),
        )
        for layout in ordered
    ]
    if gateway.web_upstream:
        upstreams.append(Upstream("sift_web", (gateway.web_upstream,)))
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_path(gateway).parent)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - nginx config, not HTML; values pass `ngx`/`q`  # nosec B701
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
        max_in_flight=gateway.max_in_flight_requests,
        api_rate=gateway.api_rate,
        api_burst=gateway.api_burst,
        proxy_connect_timeout=gateway.proxy_connect_timeout_seconds,
        proxy_read_timeout=gateway.proxy_read_timeout_seconds,
        stream_read_timeout=gateway.stream_read_timeout_seconds,
        api_docs_dir=paths.api_docs if gateway.api_docs else None,
        upstreams=upstreams,
        upstream_limits={u.name: u.max_in_flight for u in upstreams if u.max_in_flight},
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
        tracing=GatewayTracing.of(tracing or TracingSettings()),
    )
