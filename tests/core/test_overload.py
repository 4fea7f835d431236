"""Graceful overload: a saturated service refuses at once with 503 and Retry-After, under a
real uvicorn with real concurrent requests, and recovers as soon as the load is gone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from fastapi import APIRouter, FastAPI
from sqlalchemy import text

from sift.core.app import create_service_app
from sift.core.config import CoreSettings, OverloadSettings
from sift.core.db import Database, SessionDep
from sift.runtime.embedded_postgres import free_port
from sift.runtime.services import uvicorn_options

# Refusals must not wait behind the work they refuse; generous for a shared test machine
# (the goal in production is under 50 ms).
FAST_SECONDS = 0.25


def probe_app(settings: CoreSettings, release: asyncio.Event, **overload: Any) -> FastAPI:
    router = APIRouter(prefix="/api/probe", tags=["probe"])

    @router.get("/slow")
    async def slow() -> dict[str, str]:
        await release.wait()
        return {"status": "done"}

    @router.get("/pid")
    async def pid(session: SessionDep) -> dict[str, int]:
        return {"pid": await session.scalar(text("SELECT pg_backend_pid()"))}

    @router.get("/db")
    async def db(session: SessionDep) -> dict[str, str]:
        await session.execute(text("SELECT pg_sleep(1)"))
        return {"status": "done"}

    @router.get("/too-slow")
    async def too_slow(session: SessionDep) -> None:
        await session.execute(text("SET LOCAL statement_timeout = 50"))
        await session.execute(text("SELECT pg_sleep(1)"))

    @router.get("/broken")
    async def broken(session: SessionDep) -> None:
        await session.execute(text("SELECT * FROM no_such_table"))

    config = settings.model_copy(
        update={"overload": OverloadSettings(**overload), "db_pool_size": 1}
    )
    return create_service_app("probe", routers=[router], settings=config)


@asynccontextmanager
async def serving(app: FastAPI, **options: Any) -> AsyncIterator[httpx.AsyncClient]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **options)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        server.should_exit = True
        await task


async def wait_in_flight(app: FastAPI, count: int) -> None:
    # The limiter is the outermost app middleware but one; find it to watch its counter.
    stack = app.middleware_stack
    while stack is not None and type(stack).__name__ != "ConcurrencyLimitMiddleware":
        stack = getattr(stack, "app", None)
    assert stack is not None, "no ConcurrencyLimitMiddleware in the stack"
    for _ in range(500):
        if stack.in_flight >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"never {count} requests in flight")


async def timed(client: httpx.AsyncClient, path: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await client.get(path)
    return response, time.perf_counter() - started


async def test_past_the_limit_a_request_is_refused_at_once_and_service_recovers(
    settings: CoreSettings,
) -> None:
    release = asyncio.Event()
    app = probe_app(settings, release, max_concurrent_requests=2, retry_after_seconds=3)
    async with serving(app) as client:
        held = [asyncio.create_task(client.get("/api/probe/slow")) for _ in range(2)]
        await wait_in_flight(app, 2)

        refused, seconds = await timed(client, "/api/probe/slow")
        assert refused.status_code == 503
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["retry-after"] == "3"
        assert refused.json()["type"].endswith("/overloaded")
        assert refused.headers["x-request-id"]  # inside the request-ID middleware
        assert seconds < FAST_SECONDS
        # Liveness and readiness still answer: the process is busy, not broken.
        assert (await client.get("/api/probe/healthz")).status_code == 200

        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        after, _ = await timed(client, "/api/probe/slow")
        assert after.status_code == 200
        metrics = (await client.get("/metrics")).text
        assert 'status="503"' in metrics  # refusals are counted


async def test_without_a_limit_nothing_is_refused(settings: CoreSettings) -> None:
    release = asyncio.Event()
    app = probe_app(settings, release, max_concurrent_requests=0)
    async with serving(app) as client:
        held = [asyncio.create_task(client.get("/api/probe/slow")) for _ in range(5)]
        await asyncio.sleep(0.3)
        release.set()
        assert {r.status_code for r in await asyncio.gather(*held)} == {200}


async def test_a_request_that_gets_no_database_connection_in_time_is_a_503_problem(
    settings: CoreSettings,
) -> None:
    # A pool of two (twice `db_pool_size`): two requests hold both connections for a second.
    app = probe_app(settings, asyncio.Event(), db_pool_timeout_seconds=0.2)
    async with serving(app) as client:
        held = [asyncio.create_task(client.get("/api/probe/db")) for _ in range(2)]
        await asyncio.sleep(0.3)

        refused, seconds = await timed(client, "/api/probe/db")
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["type"].endswith("/overloaded")
        assert seconds < 0.2 + FAST_SECONDS
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]


async def test_a_request_on_a_connection_the_server_closed_is_a_503_and_the_next_succeeds(
    settings: CoreSettings, database: Database
) -> None:
    # The pool does not ping before each use: a dropped connection fails one request.
    app = probe_app(settings, asyncio.Event())
    async with serving(app) as client:
        pid = (await client.get("/api/probe/pid")).json()["pid"]
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        lost = await client.get("/api/probe/pid")
        assert lost.status_code == 503, lost.text
        assert lost.headers["retry-after"] == "1"
        assert lost.json()["type"].endswith("/overloaded")
        again = await client.get("/api/probe/pid")
        assert again.status_code == 200
        assert again.json()["pid"] != pid


async def test_a_statement_the_server_cancels_at_its_timeout_is_a_503_problem(
    settings: CoreSettings,
) -> None:
    app = probe_app(settings, asyncio.Event())
    async with serving(app) as client:
        cancelled = await client.get("/api/probe/too-slow")
        assert cancelled.status_code == 503, cancelled.text
        assert cancelled.headers["retry-after"] == "1"
        assert cancelled.json()["type"].endswith("/overloaded")
        assert (await client.get("/api/probe/pid")).status_code == 200


async def test_any_other_database_error_is_still_a_500(settings: CoreSettings) -> None:
    app = probe_app(settings, asyncio.Event())
    async with serving(app) as client:
        failed = await client.get("/api/probe/broken")
        assert failed.status_code == 500
        assert failed.json()["status"] == 500


async def test_uvicorn_refuses_past_its_own_limit_concurrency(settings: CoreSettings) -> None:
    release = asyncio.Event()
    app = probe_app(settings, release, max_concurrent_requests=0)
    # uvicorn counts open connections as well as running requests: 2 lets one through.
    options = uvicorn_options(OverloadSettings(uvicorn_limit_concurrency=2))
    assert options["limit_concurrency"] == 2
    async with serving(app, **options) as client:
        held = asyncio.create_task(client.get("/api/probe/slow"))
        await asyncio.sleep(0.3)
        async with httpx.AsyncClient(base_url=client.base_url) as other:  # a new connection
            refused = await other.get("/api/probe/slow")
        assert refused.status_code == 503  # uvicorn's plain one: the gateway adds Retry-After
        release.set()
        assert (await held).status_code == 200
