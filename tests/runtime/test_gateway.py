"""The nginx gateway: the rendered config, `nginx -t` on it, and nginx running it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import re
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from sift.core.config import CoreSettings, Environment
from sift.runtime.embedded_postgres import free_port
from sift.runtime.gateway import (
    PROBLEMS,
    GatewayError,
    GatewayPaths,
    GatewaySettings,
    build_routes,
    check_config,
    nginx_command,
    prepare_gateway,
    public_url,
    render_gateway_config,
)
from sift.runtime.services import ServiceLayout, service_layouts
from sift.runtime.supervisor import ProcessSpec, Supervisor
from sift.runtime.tls import ensure_self_signed_certificate


@dataclass
class FakeServiceSettings:
    port: int
    replicas: int
    route_prefixes: tuple[str, ...]


def layouts_on(base_port: int, *, identity_replicas: int = 1) -> dict[str, ServiceLayout]:
    defaults = service_layouts()
    layouts = {}
    for index, (name, layout) in enumerate(defaults.items()):
        replicas = identity_replicas if name == "identity" else 1
        settings = FakeServiceSettings(base_port + 10 * index, replicas, layout.route_prefixes)
        layouts[name] = ServiceLayout.of(name, settings)
    return layouts


@pytest.fixture
def core(tmp_path: Path) -> CoreSettings:
    return CoreSettings(env=Environment.test, data_dir=tmp_path / "data")


def render(core: CoreSettings, gateway: GatewaySettings, **layout_args: int) -> str:
    paths = GatewayPaths.under(core.data_dir)
    tls = ensure_self_signed_certificate(paths.tls_dir)
    return render_gateway_config(
        core, gateway, layouts_on(9100, **layout_args), paths=paths, tls=tls
    )


def location_block(config: str, location: str) -> str:
    match = re.search(rf"location {re.escape(location)} \{{(.*?)\n        \}}", config, re.S)
    assert match, f"no location {location!r}"
    return match.group(1)


def test_every_service_has_an_upstream_with_one_server_per_replica(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(), identity_replicas=3)
    identity = re.search(r"upstream sift_identity \{(.*?)\}", config, re.S)
    assert identity is not None
    servers = re.findall(r"server (\S+) max_fails", identity.group(1))
    assert servers == ["127.0.0.1:9100", "127.0.0.1:9101", "127.0.0.1:9102"]
    assert "keepalive 32;" in identity.group(1)
    for name in ("documents", "search", "assistant", "notifications", "audit"):
        assert f"upstream sift_{name} {{" in config


def test_routes_by_prefix_exact_and_below_never_a_lookalike(core: CoreSettings) -> None:
    config = render(core, GatewaySettings())
    assert "proxy_pass http://sift_search;" in location_block(config, "= /api/search")
    assert "sift_search" in location_block(config, "/api/search/")
    assert "sift_search" in location_block(config, "/api/saved-searches/")
    assert "sift_identity" in location_block(config, "= /.well-known/jwks.json")
    assert "sift_audit" in location_block(config, "/api/privacy/")
    # `/api/searchx` matches no service prefix: it falls to the gateway's /api/ 404.
    assert "location /api/search {" not in config
    assert "return 404;" in location_block(config, "/api/")


def test_auth_paths_are_rate_limited_and_answer_429(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(auth_rate="5r/s", auth_burst=7))
    assert "limit_req_zone $binary_remote_addr zone=sift_auth:10m rate=5r/s;" in config
    assert "limit_req_status 429;" in config
    for path in ("login", "signup", "refresh", "password", "mfa"):
        for location in (f"= /api/auth/{path}", f"/api/auth/{path}/"):
            block = location_block(config, location)
            assert "limit_req zone=sift_auth burst=7 nodelay;" in block
            assert "proxy_pass http://sift_identity;" in block
    assert "limit_req" not in location_block(config, "/api/auth/")


def test_uploads_get_a_bigger_body_limit(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(max_body_bytes=1000, upload_max_bytes=5000))
    assert "client_max_body_size 1000;" in config
    documents = location_block(config, "= /api/documents")
    assert "client_max_body_size 5000;" in documents
    assert "proxy_request_buffering off;" in documents
    assert "client_max_body_size" not in location_block(config, "/api/search/")


def test_streamed_answers_are_not_buffered(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(stream_read_timeout_seconds=900))
    for location in ("= /api/assistant", "/api/assistant/"):
        block = location_block(config, location)
        assert "proxy_buffering off;" in block
        assert "proxy_read_timeout 900s;" in block
    assert "proxy_buffering off;" not in location_block(config, "/api/search/")


def test_gateway_problems_are_rfc9457_json(core: CoreSettings) -> None:
    config = render(core, GatewaySettings())
    for problem in PROBLEMS:
        assert f"error_page {problem.status} @sift_{problem.status};" in config
        block = location_block(config, f"@sift_{problem.status}")
        assert "default_type application/problem+json;" in block
        body = re.search(rf"return {problem.status} '(.*)';", block)
        assert body is not None
        parsed = json.loads(body.group(1))
        assert parsed["status"] == problem.status
        assert set(parsed) == {"type", "title", "status", "detail", "request_id"}
        assert parsed["request_id"] == "$sift_request_id"
    assert "Retry-After" in location_block(config, "@sift_429")


def test_headers_request_id_and_tls(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(hsts_max_age=123))
    assert 'add_header Strict-Transport-Security "max-age=123; includeSubDomains" always;' in config
    assert "add_header X-Request-ID $sift_request_id always;" in config
    assert "proxy_set_header X-Request-ID $sift_request_id;" in config
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in config
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in config
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in config
    assert "return 301 https://localhost:8443$request_uri;" in config
    assert "gzip_types application/json application/problem+json" in config


def test_production_hsts_is_one_year(tmp_path: Path) -> None:
    production = CoreSettings(
        env=Environment.production,
        data_dir=tmp_path,
        secret_key="x" * 40,
        database_url="postgresql://db/sift",
    )
    assert "max-age=31536000; includeSubDomains" in render(production, GatewaySettings())
    assert "max-age=86400; includeSubDomains" in render(
        production.model_copy(update={"env": Environment.development}), GatewaySettings()
    )


def test_public_url_follows_the_gateway_port() -> None:
    assert public_url(CoreSettings(), GatewaySettings(https_port=9443)) == "https://localhost:9443"
    assert public_url(CoreSettings(), GatewaySettings(public_https_port=443)) == "https://localhost"
    explicit = CoreSettings(public_url="https://sift.example")
    assert public_url(explicit, GatewaySettings()) == "https://sift.example"


@pytest.mark.parametrize(
    ("configured", "gateway", "origin"),
    [
        (None, GatewaySettings(https_port=9443), "https://localhost:9443"),
        (None, GatewaySettings(public_https_port=443), "https://localhost"),
        ("https://sift.example/app/", GatewaySettings(), "https://sift.example"),
        ("https://sift.example:443", GatewaySettings(), "https://sift.example"),
        ("https://[::1]:9443", GatewaySettings(), "https://[::1]:9443"),
    ],
)
def test_redirects_name_the_public_origin(
    tmp_path: Path, configured: str | None, gateway: GatewaySettings, origin: str
) -> None:
    explicit = {"public_url": configured} if configured else {}
    core = CoreSettings(env=Environment.test, data_dir=tmp_path, **explicit)
    config = render(core, gateway)
    assert f"return 301 {origin}$request_uri;" in location_block(config, "/")
    assert f"error_page 497 =301 {origin}$request_uri;" in config


@pytest.mark.parametrize("configured", ["http://sift.example", "sift.example", "https://"])
def test_a_public_url_the_gateway_cannot_redirect_to_is_refused(
    tmp_path: Path, configured: str
) -> None:
    core = CoreSettings(env=Environment.test, data_dir=tmp_path, public_url=configured)
    with pytest.raises(GatewayError, match="SIFT_PUBLIC_URL"):
        render(core, GatewaySettings())


def test_compose_and_kubernetes_name_one_host_per_service(core: CoreSettings) -> None:
    gateway = GatewaySettings(
        upstream_host_template="sift-{service}",
        listen_address="0.0.0.0",
        public_https_port=443,
        web_upstream="web:3000",
    )
    config = render(core, gateway, identity_replicas=4)
    assert "server sift-identity:9100 max_fails" in config
    assert "9101" not in config
    assert "listen 0.0.0.0:8443 ssl" in config
    assert "return 301 https://localhost$request_uri;" in config
    assert "location / {\n            proxy_pass http://sift_web;" in config
    assert "$sift_static_cache_control" in location_block(config, "/_next/static/")


def test_http2_follows_the_nginx_version(core: CoreSettings) -> None:
    paths = GatewayPaths.under(core.data_dir)
    tls = ensure_self_signed_certificate(paths.tls_dir)
    layouts = layouts_on(9100)
    old = render_gateway_config(
        core, GatewaySettings(), layouts, paths=paths, tls=tls, nginx=(1, 22, 1)
    )
    new = render_gateway_config(
        core, GatewaySettings(), layouts, paths=paths, tls=tls, nginx=(1, 27, 0)
    )
    assert "ssl http2;" in old and "http2 on;" not in old
    assert "http2 on;" in new and "ssl http2;" not in new


@pytest.mark.parametrize(
    "unsafe",
    [
        {"server_name": "evil; include /etc/passwd"},
        {"auth_rate": "1r/s; deny all"},
        {"upstream_host": "x}"},
    ],
)
def test_unsafe_values_never_reach_the_config(core: CoreSettings, unsafe: dict[str, str]) -> None:
    with pytest.raises(GatewayError, match="unsafe"):
        render(core, GatewaySettings.model_validate(unsafe))


def test_two_services_cannot_claim_one_prefix() -> None:
    clash = [
        ServiceLayout("identity", 1, 1, ("/api/x",)),
        ServiceLayout("audit", 2, 1, ("/api/x",)),
    ]
    with pytest.raises(GatewayError, match="claim"):
        build_routes(clash, GatewaySettings(rate_limited_paths=()), default_max_body=10)


def test_rendered_config_passes_nginx_t(core: CoreSettings) -> None:
    gateway = GatewaySettings(web_upstream="127.0.0.1:3999", trusted_proxies=["10.0.0.0/8"])
    paths = prepare_gateway(core, gateway, layouts_on(9100, identity_replicas=2))
    check_config(gateway, paths)
    assert paths.config.read_text().startswith("# Rendered from deploy/nginx/sift.conf.j2")


def test_nginx_t_reports_a_broken_config(core: CoreSettings) -> None:
    gateway = GatewaySettings(api_docs=False)
    paths = prepare_gateway(core, gateway, layouts_on(9100))
    paths.config.write_text(paths.config.read_text().replace("events {", "events {{"))
    with pytest.raises(GatewayError, match="nginx -t failed"):
        check_config(gateway, paths)


# --- nginx running the config, in front of a tiny upstream that echoes what it got ---


# What `next start` answers under /_next/static/ for a built asset and for a missing one.
NEXT_STATIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
NEXT_NOT_FOUND_CACHE_CONTROL = "private, no-cache, no-store, max-age=0, must-revalidate"


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        if self.path.startswith("/_next/static/"):
            self._static_asset()
            return
        body = json.dumps(
            {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}
        ).encode()
        body += b" " * 2048  # big enough for gzip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-ID", "upstream-made-this-up")
        self.send_header("Strict-Transport-Security", "max-age=1")
        self.end_headers()
        self.wfile.write(body)

    def _static_asset(self) -> None:
        """Like `next start`, or (under /_next/static/bare/) a server that sets no caching."""
        found = self.path.endswith("/built.js")
        body = b"export {};" if found else b"Not Found"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/javascript" if found else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        if not self.path.startswith("/_next/static/bare/"):
            self.send_header(
                "Cache-Control",
                NEXT_STATIC_CACHE_CONTROL if found else NEXT_NOT_FOUND_CACHE_CONTROL,
            )
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@dataclass
class RunningGateway:
    https: str
    http: str
    https_port: int


@contextlib.asynccontextmanager
async def serve_gateway(
    core: CoreSettings, echo_port: int, **settings: object
) -> AsyncIterator[RunningGateway]:
    """nginx on free ports running the rendered config (checked by `nginx -t` first), with
    the echo server as identity's upstream and as the web app."""
    gateway = GatewaySettings.model_validate(
        {
            "https_port": free_port(),
            "http_port": free_port(),
            "auth_rate": "1r/s",
            "auth_burst": 2,
            "max_body_bytes": 1024,
            "worker_processes": "1",
            "access_log": "off",
            "web_upstream": f"127.0.0.1:{echo_port}",
            **settings,
        }
    )
    layouts = layouts_on(free_port(), identity_replicas=1)
    layouts["identity"] = ServiceLayout.of(
        "identity",
        FakeServiceSettings(echo_port, 1, layouts["identity"].route_prefixes),
    )
    paths = prepare_gateway(core, gateway, layouts)
    check_config(gateway, paths)
    supervisor = Supervisor(output=io.BytesIO())
    await supervisor.start(ProcessSpec("gateway", nginx_command(gateway, paths)))
    https = f"https://127.0.0.1:{gateway.https_port}"
    async with httpx.AsyncClient(verify=False) as client:
        deadline = time.monotonic() + 10
        while True:
            try:
                await client.get(f"{https}/gateway/healthz")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "nginx did not start"
                await asyncio.sleep(0.05)
    try:
        yield RunningGateway(
            https=https,
            http=f"http://127.0.0.1:{gateway.http_port}",
            https_port=gateway.https_port,
        )
    finally:
        await supervisor.stop()


@pytest.fixture
async def running_gateway(core: CoreSettings, echo_port: int) -> AsyncIterator[RunningGateway]:
    async with serve_gateway(core, echo_port) as running:
        yield running


async def test_gateway_passes_forwarding_headers_and_one_request_id(
    running_gateway: RunningGateway,
) -> None:
    async with httpx.AsyncClient(verify=False) as client:
        response = await client.get(
            f"{running_gateway.https}/api/users/me",
            headers={"X-Request-ID": "client-id-1234", "Accept-Encoding": "gzip"},
        )
        forged = await client.get(
            f"{running_gateway.https}/api/users/me", headers={"X-Request-ID": "bad id;"}
        )
    assert response.status_code == 200
    seen = response.json()["headers"]
    assert seen["x-request-id"] == "client-id-1234"
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["x-real-ip"] == "127.0.0.1"
    assert seen["x-forwarded-proto"] == "https"
    # The gateway's headers replace the upstream's: one of each, never two.
    assert response.headers.get_list("x-request-id") == ["client-id-1234"]
    assert response.headers.get_list("strict-transport-security") == [
        "max-age=86400; includeSubDomains"
    ]
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["x-frame-options"] == "DENY"
    # A malformed client ID is replaced by nginx's own, upstream and downstream alike.
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["x-request-id"])
    assert forged.json()["headers"]["x-request-id"] == forged.headers["x-request-id"]


async def test_gateway_serves_the_merged_openapi_and_swagger_ui(
    running_gateway: RunningGateway,
) -> None:
    async with httpx.AsyncClient(verify=False) as client:
        spec = await client.get(f"{running_gateway.https}/api/openapi.json")
        bare = await client.get(f"{running_gateway.https}/api/docs")
        page = await client.get(f"{running_gateway.https}/api/docs/")
        script = await client.get(f"{running_gateway.https}/api/docs/swagger-ui-bundle.js")
    assert spec.status_code == 200
    assert spec.headers["content-type"] == "application/json"
    assert "/api/auth/login" in spec.json()["paths"]
    assert bare.status_code == 301
    assert bare.headers["location"].endswith("/api/docs/")
    assert page.status_code == 200
    assert "swagger-ui-bundle.js" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers.get_list("x-frame-options") == ["DENY"]
    assert script.status_code == 200


async def test_gateway_rate_limits_login_with_a_problem(running_gateway: RunningGateway) -> None:
    async with httpx.AsyncClient(verify=False) as client:
        answers = [
            await client.post(f"{running_gateway.https}/api/auth/login", json={}) for _ in range(6)
        ]
        other = await client.get(f"{running_gateway.https}/api/auth/sessions")
    statuses = [answer.status_code for answer in answers]
    assert statuses[:3] == [200, 200, 200]  # the rate plus a burst of 2
    assert 429 in statuses
    limited = next(answer for answer in answers if answer.status_code == 429)
    assert limited.headers["content-type"] == "application/problem+json"
    assert limited.headers["retry-after"] == "2"
    assert limited.json()["title"] == "Too many requests"
    assert limited.json()["request_id"] == limited.headers["x-request-id"]
    assert other.status_code == 200  # only the sensitive paths are limited


async def test_gateway_body_limit_and_gzip_of_problems(running_gateway: RunningGateway) -> None:
    async with httpx.AsyncClient(verify=False) as client:
        too_big = await client.post(f"{running_gateway.https}/api/users/me", content=b"x" * 2048)
        small = await client.post(f"{running_gateway.https}/api/users/me", content=b"x" * 100)
        plain_http = await client.get(
            f"http://127.0.0.1:{running_gateway.https.rsplit(':', 1)[1]}/"
        )
    assert too_big.status_code == 413
    assert too_big.headers["content-type"] == "application/problem+json"
    assert too_big.json()["status"] == 413
    assert small.status_code == 200
    # Plain HTTP to the HTTPS port is redirected, not refused with nginx's HTML page.
    assert plain_http.status_code == 301
    assert plain_http.headers["location"] == f"https://localhost:{running_gateway.https_port}/"


async def test_redirects_to_https_go_to_the_public_url_whatever_the_host_header(
    running_gateway: RunningGateway,
) -> None:
    forged = {"Host": "evil.example:8443"}
    async with httpx.AsyncClient(verify=False) as client:
        from_http_port = await client.get(
            f"{running_gateway.http}/api/users/me?x=1", headers=forged
        )
        to_https_port = await client.get(
            f"http://127.0.0.1:{running_gateway.https_port}/search?q=a", headers=forged
        )
    public = f"https://localhost:{running_gateway.https_port}"
    assert from_http_port.status_code == 301
    assert from_http_port.headers["location"] == f"{public}/api/users/me?x=1"
    assert to_https_port.status_code == 301
    assert to_https_port.headers["location"] == f"{public}/search?q=a"


async def test_redirects_go_to_the_configured_public_url(tmp_path: Path, echo_port: int) -> None:
    core = CoreSettings(
        env=Environment.test, data_dir=tmp_path / "data", public_url="https://sift.example/"
    )
    async with (
        serve_gateway(core, echo_port) as running,
        httpx.AsyncClient(verify=False) as client,
    ):
        response = await client.get(f"{running.http}/collections", headers={"Host": "evil.example"})
    assert response.status_code == 301
    assert response.headers["location"] == "https://sift.example/collections"


async def test_hsts_is_one_year_with_the_operators_certificate(
    core: CoreSettings, echo_port: int, tmp_path: Path
) -> None:
    operator = ensure_self_signed_certificate(tmp_path / "operator-tls")
    async with (
        serve_gateway(core, echo_port, cert_file=operator.cert, key_file=operator.key) as running,
        httpx.AsyncClient(verify=False) as client,
    ):
        response = await client.get(f"{running.https}/api/users/me")
        missing = await client.get(f"{running.https}/api/nothing-here")
    for answer in (response, missing):
        assert answer.headers.get_list("strict-transport-security") == [
            "max-age=31536000; includeSubDomains"
        ]


async def test_static_assets_have_one_cache_control_and_a_missing_one_is_not_cached(
    running_gateway: RunningGateway,
) -> None:
    static = f"{running_gateway.https}/_next/static"
    async with httpx.AsyncClient(verify=False) as client:
        built = await client.get(f"{static}/chunks/built.js")
        missing = await client.get(f"{static}/chunks/gone-1a2b.js")
        bare_built = await client.get(f"{static}/bare/built.js")
        bare_missing = await client.get(f"{static}/bare/gone-1a2b.js")
    assert (built.status_code, missing.status_code) == (200, 404)
    assert built.headers.get_list("cache-control") == [NEXT_STATIC_CACHE_CONTROL]
    assert missing.headers.get_list("cache-control") == [NEXT_NOT_FOUND_CACHE_CONTROL]
    # An upstream that sets no caching gets the gateway's, by status.
    assert (bare_built.status_code, bare_missing.status_code) == (200, 404)
    assert bare_built.headers.get_list("cache-control") == [NEXT_STATIC_CACHE_CONTROL]
    assert bare_missing.headers.get_list("cache-control") == ["no-store"]
    assert missing.headers.get_list("x-content-type-options") == ["nosniff"]


def test_worker_user_only_when_asked_or_root(core: CoreSettings) -> None:
    paths = GatewayPaths.under(core.data_dir)
    tls = ensure_self_signed_certificate(paths.tls_dir)
    layouts = layouts_on(9100)
    plain = render_gateway_config(core, GatewaySettings(), layouts, paths=paths, tls=tls)
    as_nginx = render_gateway_config(
        core, GatewaySettings(), layouts, paths=paths, tls=tls, run_user="nginx"
    )
    assert "\nuser " not in plain
    assert "\nuser nginx;\n" in as_nginx
