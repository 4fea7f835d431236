"""The gateway under overload: past its in-flight limit it refuses at once with a 503
problem and Retry-After; a service's 503 or 429 always leaves with a Retry-After."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from sift.core.config import CoreSettings
from sift.runtime.gateway import GatewaySettings, check_config, prepare_gateway
from tests.runtime.gateway_helpers import layouts_on, location_block, render
from tests.runtime.test_gateway_nginx import RunningGateway, serve_gateway

FAST_SECONDS = 0.25  # generous for a shared machine; the goal is under 50 ms


class BusyHandler(BaseHTTPRequestHandler):
    """identity's stand-in: /api/users/slow takes a second, /api/users/busy* answer 503."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/api/users/slow":
            time.sleep(1)
            self._send(200, {})
        elif self.path == "/api/users/busy":
            self._send(503, {})  # what uvicorn sends past --limit-concurrency
        elif self.path == "/api/users/busy-own":
            self._send(503, {"Retry-After": "7"})
        else:
            self._send(200, {})

    def _send(self, status: int, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def busy_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BusyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture
async def gateway(core: CoreSettings, busy_port: int) -> AsyncIterator[RunningGateway]:
    async with serve_gateway(core, busy_port, max_in_flight_requests=1) as running:
        yield running


def test_the_in_flight_limit_is_in_every_service_route_and_can_be_off(
    core: CoreSettings,
) -> None:
    config = render(core, GatewaySettings(max_in_flight_requests=300))
    assert "limit_conn_zone $server_name zone=sift_in_flight:1m;" in config
    assert "limit_conn_status 503;" in config
    for location in ("= /api/documents", "/api/documents/", "= /api/auth/login"):
        assert "limit_conn sift_in_flight 300;" in location_block(config, location)
    assert "limit_conn" not in location_block(config, "= /gateway/healthz")
    off = GatewaySettings(max_in_flight_requests=0, max_in_flight_per_replica=0)
    assert "limit_conn" not in render(core, off)


def test_each_service_has_its_own_in_flight_limit_per_replica(core: CoreSettings) -> None:
    config = render(core, GatewaySettings(max_in_flight_per_replica=5), identity_replicas=2)
    assert "limit_conn_zone $server_name zone=sift_search_in_flight:1m;" in config
    # Two identity replicas take twice as many as one search replica.
    assert "limit_conn sift_identity_in_flight 10;" in location_block(config, "= /api/users")
    assert "limit_conn sift_search_in_flight 5;" in location_block(config, "/api/search/")
    # Streamed answers and the live feed hold a request for as long as a client listens.
    assert "_in_flight 5" not in location_block(config, "/api/assistant/")
    stream = location_block(config, "= /api/notifications/stream")
    assert "sift_notifications_in_flight" not in stream
    assert "proxy_buffering off;" in stream
    assert "limit_conn sift_notifications_in_flight 5;" in location_block(
        config, "/api/notifications/"
    )
    # Behind one Service address the gateway cannot count replicas: each bounds itself.
    behind_services = GatewaySettings(
        max_in_flight_per_replica=5, upstream_host_template="{service}"
    )
    assert "sift_search_in_flight" not in render(core, behind_services)


async def test_past_a_replicas_limit_its_requests_are_refused_at_once(
    core: CoreSettings, busy_port: int
) -> None:
    settings = {"max_in_flight_requests": 100, "max_in_flight_per_replica": 1}
    async with (
        serve_gateway(core, busy_port, **settings) as running,
        httpx.AsyncClient(verify=False, timeout=10) as client,
    ):
        held = asyncio.create_task(client.get(f"{running.https}/api/users/slow"))
        await asyncio.sleep(0.3)
        started = time.perf_counter()
        refused = await client.get(f"{running.https}/api/users/me")
        assert time.perf_counter() - started < FAST_SECONDS
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "2"
        assert (await held).status_code == 200
        assert (await client.get(f"{running.https}/api/users/me")).status_code == 200


def test_a_per_client_api_rate_is_off_unless_set(core: CoreSettings) -> None:
    assert "sift_api" not in render(core, GatewaySettings())
    config = render(core, GatewaySettings(api_rate="20r/s", api_burst=40))
    assert "limit_req_zone $binary_remote_addr zone=sift_api:10m rate=20r/s;" in config
    for location in ("= /api/documents", "/api/search/", "= /api/auth/login"):
        assert "limit_req zone=sift_api burst=40 nodelay;" in location_block(config, location)


def test_overload_settings_pass_nginx_t(core: CoreSettings) -> None:
    gateway = GatewaySettings(
        max_in_flight_requests=5, retry_after_seconds=3, api_rate="20r/s", api_burst=4
    )
    paths = prepare_gateway(core, gateway, layouts_on(9100))
    check_config(gateway, paths)


async def test_past_the_in_flight_limit_the_gateway_refuses_at_once(
    gateway: RunningGateway,
) -> None:
    async with httpx.AsyncClient(verify=False, timeout=10) as client:
        held = asyncio.create_task(client.get(f"{gateway.https}/api/users/slow"))
        await asyncio.sleep(0.3)
        started = time.perf_counter()
        refused = await client.get(f"{gateway.https}/api/users/me")
        seconds = time.perf_counter() - started
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "2"
        assert refused.json()["status"] == 503
        assert seconds < FAST_SECONDS
        assert (await held).status_code == 200
        # The slow one done, the next is served again.
        assert (await client.get(f"{gateway.https}/api/users/me")).status_code == 200


async def test_past_the_api_rate_a_client_gets_a_429_with_retry_after(
    core: CoreSettings, busy_port: int
) -> None:
    async with (
        serve_gateway(core, busy_port, api_rate="1r/m", api_burst=1) as running,
        httpx.AsyncClient(verify=False) as client,
    ):
        answers = [await client.get(f"{running.https}/api/users/me") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["retry-after"] == "2"
    assert answers[2].headers["content-type"] == "application/problem+json"


async def test_a_services_503_leaves_with_one_retry_after(gateway: RunningGateway) -> None:
    async with httpx.AsyncClient(verify=False) as client:
        bare = await client.get(f"{gateway.https}/api/users/busy")
        own = await client.get(f"{gateway.https}/api/users/busy-own")
        fine = await client.get(f"{gateway.https}/api/users/me")
    assert bare.status_code == 503
    assert bare.headers.get_list("retry-after") == ["2"]  # the gateway's
    assert own.headers.get_list("retry-after") == ["7"]  # the service's own, alone
    assert "retry-after" not in fine.headers
