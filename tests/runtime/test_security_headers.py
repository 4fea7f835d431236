"""Security headers as a browser receives them, through the real nginx gateway: from a
real service (identity, served by uvicorn), from the web app's pages, and from the
gateway's own answers. Each carries HSTS, a CSP that forbids framing, nosniff,
X-Frame-Options, a Referrer-Policy, once each, and no server name with a version."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import uvicorn

from sift.core.config import CoreSettings
from sift.identity.app import create_app
from sift.runtime.embedded_postgres import free_port
from sift.runtime.tls import ensure_self_signed_certificate
from tests.runtime.test_gateway_nginx import serve_gateway

# What the web app's middleware sets on a page (web/src/lib/csp.ts; its own tests check
# the policy): the gateway must pass it on unchanged, and add the rest.
PAGE_CSP = "default-src 'self'; script-src 'self' 'nonce-abc'; frame-ancestors 'none'"
HSTS = "max-age=31536000; includeSubDomains"


class PageHandler(BaseHTTPRequestHandler):
    """A web app answering a page, telling who it is (as `next start` does by default)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = b"<!DOCTYPE html><html><body>Sift</body></html>"
        self.send_response(200)  # also sends `Server: BaseHTTP/0.6 Python/3.x`
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", PAGE_CSP)
        self.send_header("X-Powered-By", "Next.js")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def web_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture
def identity_port(settings: CoreSettings) -> Iterator[int]:
    """The real identity app on uvicorn (which names itself in `server`), on a thread."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "identity did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def assert_secure_headers(response: httpx.Response) -> None:
    headers, what = response.headers, f"{response.request.url.path} ({response.status_code})"
    assert headers.get_list("strict-transport-security") == [HSTS], what
    assert headers.get_list("x-content-type-options") == ["nosniff"], what
    assert headers.get_list("x-frame-options") == ["DENY"], what
    assert headers.get_list("referrer-policy") == ["strict-origin-when-cross-origin"], what
    policies = headers.get_list("content-security-policy")
    assert len(policies) == 1, f"{what}: {policies}"
    policy = policies[0]
    assert "frame-ancestors 'none'" in policy, what
    assert headers.get_list("server") == ["nginx"], what  # no version, no upstream's name
    assert "x-powered-by" not in headers, what


async def test_api_answers_web_pages_and_the_gateways_own_carry_the_security_headers(
    core: CoreSettings, identity_port: int, web_port: int, tmp_path: Path
) -> None:
    operator = ensure_self_signed_certificate(tmp_path / "operator-tls")
    async with (
        serve_gateway(
            core,
            identity_port,
            web_upstream=f"127.0.0.1:{web_port}",
            cert_file=operator.cert,
            key_file=operator.key,
        ) as gateway,
        httpx.AsyncClient(verify=False, base_url=gateway.https) as client,
    ):
        answers = await asyncio.gather(
            client.get("/api/users/me"),  # identity's 401 problem
            client.get("/api/identity/healthz"),
            client.post("/api/auth/login", json={"email": "x"}),  # identity's 422 problem
            client.get("/collections"),  # a page of the web app
            client.get("/api/nothing-here"),  # the gateway's own 404 problem
            client.get("/gateway/healthz"),
        )
    statuses = [answer.status_code for answer in answers]
    assert statuses == [401, 200, 422, 200, 404, 200]
    assert answers[0].headers["content-type"] == "application/problem+json"
    for answer in answers:
        assert_secure_headers(answer)
    assert answers[3].headers["content-security-policy"] == PAGE_CSP


async def test_api_answers_are_not_cached_unless_the_service_says_how(
    core: CoreSettings, identity_port: int
) -> None:
    """What a CDN or a browser may keep of identity's answers, through the gateway."""
    async with (
        serve_gateway(core, identity_port) as gateway,
        httpx.AsyncClient(verify=False, base_url=gateway.https) as client,
    ):
        answers = await asyncio.gather(
            client.get("/api/users/me"),  # a problem (401)
            client.get("/api/identity/healthz"),
            client.post("/api/auth/login", json={"email": "x"}),  # a problem (422)
            client.get("/api/nothing-here"),  # the gateway's own problem
        )
        keys = await client.get("/.well-known/jwks.json")
    assert [answer.status_code for answer in answers] == [401, 200, 422, 404]
    for answer in answers:
        assert answer.headers.get_list("cache-control") == ["no-store"], answer.request.url
    # The service's own caching goes through, once: public keys may be kept a minute.
    assert keys.status_code == 200
    assert keys.headers.get_list("cache-control") == ["public, max-age=60"]
