"""The nginx gateway: the rendered config, `nginx -t` on it, and nginx running it."""

from __future__ import annotations

import asyncio
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
    assert "return 301 https://$host:8443$request_uri;" in config
    assert "gzip_types application/json application/problem+json" in config


def test_production_hsts_is_two_years(tmp_path: Path) -> None:
    production = CoreSettings(
        env=Environment.production,
        data_dir=tmp_path,
        secret_key="x" * 40,
        database_url="postgresql://db/sift",
    )
    assert "max-age=63072000; includeSubDomains" in render(production, GatewaySettings())


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
    assert "return 301 https://$host$request_uri;" in config
    assert "location / {\n            proxy_pass http://sift_web;" in config
    assert "immutable" in location_block(config, "/_next/static/")


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


class EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
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


@pytest.fixture
async def running_gateway(core: CoreSettings, echo_port: int) -> AsyncIterator[RunningGateway]:
    gateway = GatewaySettings(
        https_port=free_port(),
        http_port=free_port(),
        auth_rate="1r/s",
        auth_burst=2,
        max_body_bytes=1024,
        worker_processes="1",
        access_log="off",
    )
    layouts = layouts_on(free_port(), identity_replicas=1)
    layouts["identity"] = ServiceLayout.of(
        "identity",
        FakeServiceSettings(echo_port, 1, layouts["identity"].route_prefixes),
    )
    paths = prepare_gateway(core, gateway, layouts)
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
        yield RunningGateway(https=https, http=f"http://127.0.0.1:{gateway.http_port}")
    finally:
        await supervisor.stop()


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
    assert plain_http.headers["location"].startswith("https://127.0.0.1:")


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
