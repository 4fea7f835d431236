"""Through nginx: a request that fails never costs the next caller a 502.

Services run in their own processes under uvicorn as `sift serve` runs them, behind the
rendered gateway template run by a real nginx. Nginx keeps its upstream connections alive
and does not retry a POST on one that the service has closed in the meantime: a service
that closes a connection after answering turns the next caller's POST into a 502.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.runtime.embedded_postgres import free_port
from sift.runtime.gateway import (
    GatewayPaths,
    GatewaySettings,
    nginx_command,
    prepare_gateway,
    render_gateway_config,
)
from sift.runtime.services import (
    GATEWAY_KEEPALIVE_SECONDS,
    ServiceLayout,
    service_layouts,
    uvicorn_options,
)
from sift.runtime.supervisor import ProcessSpec, Supervisor
from sift.runtime.tls import ensure_self_signed_certificate
from tests.core.auth.conftest import JwksServer, claims_for, ed25519_key, jwks_server

__all__ = ["jwks_server"]  # a fixture

pytestmark = pytest.mark.e2e

ROUNDS = 20
ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 60.0


@asynccontextmanager
async def service_process(
    argv: Sequence[str], port: int, service: str, env: dict[str, str], log: Path
) -> AsyncIterator[None]:
    """A service in its own process, once its health endpoint answers."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *argv],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                assert process.poll() is None, log.read_text(errors="replace")[-3000:]
                assert time.monotonic() < deadline, "the service did not start"
                try:
                    if (await client.get(f"/api/{service}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@asynccontextmanager
async def gateway_to(
    settings: CoreSettings, service: str, port: int
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of nginx (HTTPS) running the rendered template; `service` is on `port`."""
    gateway = GatewaySettings(
        https_port=free_port(),
        http_port=free_port(),
        worker_processes="1",
        access_log="off",
        api_docs=False,
    )
    layouts = service_layouts()
    layouts[service] = ServiceLayout(service, port, 1, layouts[service].route_prefixes)
    paths = prepare_gateway(settings, gateway, layouts)
    supervisor = Supervisor(output=io.BytesIO())
    await supervisor.start(ProcessSpec("gateway", nginx_command(gateway, paths)))
    base = f"https://127.0.0.1:{gateway.https_port}"
    try:
        async with httpx.AsyncClient(base_url=base, verify=False, timeout=10) as client:
            deadline = time.monotonic() + 10
            while True:
                try:
                    await client.get("/gateway/healthz")
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline, "nginx did not start"
                    await asyncio.sleep(0.05)
            yield client
    finally:
        await supervisor.stop()


@pytest.fixture
def work_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gateway-errors")


@pytest.fixture
def gateway_settings(settings: CoreSettings, work_dir: Path) -> CoreSettings:
    return settings.model_copy(update={"data_dir": work_dir / "data"})


@pytest.fixture
async def org_id(database: Database, clean_outboxes: None) -> AsyncIterator[uuid.UUID]:
    """An organization of this test only; its collections (they commit) go afterwards."""
    org = uuid.uuid4()
    yield org
    async with database.engine.begin() as connection:
        await connection.execute(
            text("DELETE FROM documents.collections WHERE org_id = :org"), {"org": org}
        )


async def test_a_nul_byte_is_refused_and_the_next_callers_post_goes_through(
    settings: CoreSettings,
    gateway_settings: CoreSettings,
    jwks_server: JwksServer,
    org_id: uuid.UUID,
    work_dir: Path,
) -> None:
    key = ed25519_key()
    jwks_server.publish(key)

    def admin() -> dict[str, str]:
        claims = claims_for(settings, role="admin", sub=str(uuid.uuid4()), org=str(org_id))
        return {"Authorization": f"Bearer {key.sign(claims)}"}

    port = free_port()
    env = {
        "SIFT_ENV": "test",
        "SIFT_DATABASE_URL": str(settings.database_url),
        "SIFT_REDIS_URL": settings.redis_url,
        "SIFT_REDIS_PREFIX": settings.redis_prefix,
        "SIFT_DATA_DIR": str(work_dir / "data"),
        "SIFT_AUTH_JWKS_URL": jwks_server.url,
        "SIFT_LOG_JSON": "true",
    }
    argv = ["-m", "sift.runtime", "serve", "documents", "--port", str(port), "--no-reload"]
    mallory, alice = admin(), admin()
    statuses = []
    async with (
        service_process(argv, port, "documents", env, work_dir / "documents.log"),
        gateway_to(gateway_settings, "documents", port) as client,
    ):
        for round_ in range(ROUNDS):
            nul = await client.post(
                "/api/collections", headers=mallory, json={"name": f"bad\x00{round_}"}
            )
            other = await client.post(
                "/api/collections", headers=alice, json={"name": f"Reports {round_}"}
            )
            statuses.append((nul.status_code, other.status_code))
    assert statuses == [(422, 201)] * ROUNDS


async def test_an_unexpected_error_leaves_a_connection_that_nginx_may_reuse(
    gateway_settings: CoreSettings, work_dir: Path
) -> None:
    port = free_port()
    argv = ["-m", "tests.e2e.failing_service", str(port)]
    env = {"SIFT_ENV": "test", "SIFT_LOG_JSON": "true"}
    statuses = []
    async with (
        service_process(argv, port, "search", env, work_dir / "failing.log"),
        gateway_to(gateway_settings, "search", port) as client,
    ):
        for _ in range(ROUNDS):
            failed = await client.post("/api/search/boom")
            other = await client.post("/api/search/echo")
            statuses.append((failed.status_code, other.status_code))
            assert failed.headers["content-type"] == "application/problem+json"
            assert "unforeseen" not in failed.text
    assert statuses == [(500, 200)] * ROUNDS


def test_nginx_drops_an_idle_upstream_connection_before_the_service_does(
    gateway_settings: CoreSettings,
) -> None:
    paths = GatewayPaths.under(gateway_settings.data_dir)
    config = render_gateway_config(
        gateway_settings,
        GatewaySettings(),
        service_layouts(),
        paths=paths,
        tls=ensure_self_signed_certificate(paths.tls_dir),
    )
    upstream_timeouts = {
        int(seconds) for seconds in re.findall(r"\n        keepalive_timeout (\d+)s;", config)
    }
    assert upstream_timeouts == {GATEWAY_KEEPALIVE_SECONDS}
    assert uvicorn_options()["timeout_keep_alive"] > GATEWAY_KEEPALIVE_SECONDS
