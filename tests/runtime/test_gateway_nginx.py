"""The nginx gateway running its config in front of a tiny upstream that echoes what it got."""

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
    GatewaySettings,
    check_config,
    nginx_command,
    prepare_gateway,
)
from sift.runtime.services import ServiceLayout
from sift.runtime.supervisor import ProcessSpec, Supervisor
from sift.runtime.tls import ensure_self_signed_certificate
from tests.runtime.gateway_helpers import FakeServiceSettings, layouts_on

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
