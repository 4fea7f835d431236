"""Rate limits: a real app, real Redis, real HTTP semantics (429, Retry-After)."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Request
from redis.asyncio import Redis
from starlette.datastructures import Headers
from structlog.testing import capture_logs

from sift.core.app import create_service_app
from sift.core.config import CoreSettings
from sift.core.ratelimit import (
    ConfiguredLimit,
    RateLimit,
    RateLimiting,
    RateLimitSettings,
    by_ip,
    by_organization,
    by_principal,
    client_ip,
)

login_limit = RateLimit("test.login", "3/minute")
LoginLimit = Annotated[None, Depends(login_limit)]
# The longer window first: a refusal by the second limit must not cost room in the first.
burst_limit = RateLimit("test.burst", "3/minute;2/second")
short_limit = RateLimit("test.short", "1/2second")


@dataclass
class Principal:
    id: str


def current_principal(request: Request) -> Principal | None:
    user = request.headers.get("x-user")
    principal = Principal(user) if user else None
    request.state.principal = principal
    return principal


async def by_api_key(request: Request) -> str:
    await asyncio.sleep(0)
    return "key:" + request.headers.get("x-api-key", "none")


router = APIRouter(prefix="/api/limited", tags=["limited"])


@router.post("/login")
async def login(_: LoginLimit) -> dict[str, str]:
    return {"status": "ok"}


@router.post("/burst", dependencies=[Depends(burst_limit)])
async def burst() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/short", dependencies=[Depends(short_limit)])
async def short() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/ask")
async def ask(
    principal: Annotated[Principal | None, Depends(current_principal)],
    _: Annotated[None, Depends(RateLimit("test.ask", "2/minute", key=by_principal))],
) -> dict[str, str]:
    return {"status": "ok"}


@router.post("/api-key", dependencies=[Depends(RateLimit("test.key", "1/minute", key=by_api_key))])
async def api_key() -> dict[str, str]:
    return {"status": "ok"}


@dataclass
class ExportSettings:
    export_limit: str = "1/minute"


def export_settings(request: Request) -> ExportSettings:
    settings: ExportSettings = request.app.state.export_settings
    return settings


@dataclass
class Member:
    id: str
    org_id: str


def current_member(request: Request) -> None:
    request.state.principal = Member(request.headers["x-user"], request.headers["x-org"])


@router.post(
    "/export",
    dependencies=[
        Depends(current_member),
        Depends(
            ConfiguredLimit(
                "test.export", "export_limit", settings_of=export_settings, key=by_organization
            )
        ),
    ],
)
async def export() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/reset")
async def reset(request: Request) -> dict[str, str]:
    await login_limit.reset(request)
    return {"status": "reset"}


AppClient = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]


@pytest.fixture
def limited_app(settings: CoreSettings) -> AppClient:
    @asynccontextmanager
    async def factory(
        config: RateLimitSettings | None = None,
        *,
        peer: str = "198.51.100.7",
        app_settings: CoreSettings | None = None,
    ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        app = create_service_app("limited", routers=[router], settings=app_settings or settings)
        async with app.router.lifespan_context(app):
            # Generous by default: on a loaded CI machine a 0.5 s Redis call can time out and
            # fail open, and these tests are about the limits' logic (timeouts have their own).
            RateLimiting.install(app, config or RateLimitSettings(timeout=5.0))
            transport = httpx.ASGITransport(app=app, client=(peer, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                yield app, client

    return factory


async def test_excess_requests_get_429_with_retry_after(
    limited_app: AppClient, redis: Redis, settings: CoreSettings
) -> None:
    async with limited_app() as (_, client):
        answers = [await client.post("/api/limited/login") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    assert 58 <= int(refused.headers["retry-after"]) <= 60
    # Counted under the app's prefix, so tests and deployments never share budgets.
    keys = [key async for key in redis.scan_iter(match=settings.redis_key("ratelimit") + "*")]
    assert len(keys) == 1 and b"test.login" in keys[0]


async def test_retry_after_is_when_a_slot_frees(limited_app: AppClient) -> None:
    async with limited_app() as (_, client):
        assert (await client.post("/api/limited/short")).status_code == 200
        refused = await client.post("/api/limited/short")
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "2"
        await asyncio.sleep(1.0)
        still = await client.post("/api/limited/short")
        assert still.status_code == 429
        assert still.headers["retry-after"] == "1"
        await asyncio.sleep(float(still.headers["retry-after"]) + 0.05)
        assert (await client.post("/api/limited/short")).status_code == 200


async def test_several_limits_and_refusals_cost_nothing(limited_app: AppClient) -> None:
    async with limited_app() as (_, client):
        assert [(await client.post("/api/limited/burst")).status_code for _ in range(2)] == [
            200,
            200,
        ]
        per_second = await client.post("/api/limited/burst")
        assert per_second.status_code == 429
        assert per_second.headers["retry-after"] == "1"
        await asyncio.sleep(1.05)
        # The refused call used no room in the minute limit: this third call fits.
        assert (await client.post("/api/limited/burst")).status_code == 200
        await asyncio.sleep(1.05)
        per_minute = await client.post("/api/limited/burst")
        assert per_minute.status_code == 429
        assert 56 <= int(per_minute.headers["retry-after"]) <= 60


async def test_concurrent_requests_never_exceed_the_limit(limited_app: AppClient) -> None:
    async with limited_app() as (_, client):
        answers = await asyncio.gather(*(client.post("/api/limited/burst") for _ in range(12)))
    assert sorted(r.status_code for r in answers) == [200] * 2 + [429] * 10
    # Each limit is atomic; across limits a request losing the race may keep the room it
    # took in the first one, so some refusals wait for the minute limit.
    assert all(1 <= int(r.headers["retry-after"]) <= 60 for r in answers if r.status_code == 429)


async def test_untrusted_peer_cannot_dodge_by_forging_x_forwarded_for(
    limited_app: AppClient,
) -> None:
    async with limited_app() as (_, client):
        codes = [
            (
                await client.post(
                    "/api/limited/login", headers={"X-Forwarded-For": f"203.0.113.{i}"}
                )
            ).status_code
            for i in range(4)
        ]
    assert codes == [200, 200, 200, 429]


async def test_behind_a_trusted_proxy_each_client_has_its_own_budget(
    limited_app: AppClient,
) -> None:
    config = RateLimitSettings(trusted_proxies=[ipaddress.ip_network("10.0.0.0/8")])
    async with limited_app(config, peer="10.1.2.3") as (_, client):
        for _ in range(3):
            ok = await client.post(
                "/api/limited/login", headers={"X-Forwarded-For": "forged, 203.0.113.9"}
            )
            assert ok.status_code == 200
        blocked = await client.post(
            "/api/limited/login", headers={"X-Forwarded-For": "203.0.113.9"}
        )
        other = await client.post("/api/limited/login", headers={"X-Real-IP": "203.0.113.10"})
    assert blocked.status_code == 429
    assert other.status_code == 200


async def test_by_principal_counts_per_user_and_anonymous_per_ip(limited_app: AppClient) -> None:
    async with limited_app() as (_, client):

        async def ask(user: str | None) -> int:
            headers = {"X-User": user} if user else {}
            return (await client.post("/api/limited/ask", headers=headers)).status_code

        assert [await ask("alice") for _ in range(3)] == [200, 200, 429]
        assert [await ask("bob") for _ in range(2)] == [200, 200]
        assert [await ask(None) for _ in range(3)] == [200, 200, 429]


async def test_custom_async_key(limited_app: AppClient) -> None:
    async with limited_app() as (_, client):
        first = await client.post("/api/limited/api-key", headers={"X-API-Key": "a"})
        again = await client.post("/api/limited/api-key", headers={"X-API-Key": "a"})
        other = await client.post("/api/limited/api-key", headers={"X-API-Key": "b"})
    assert (first.status_code, again.status_code, other.status_code) == (200, 429, 200)


async def test_reset_forgets_the_callers_hits(limited_app: AppClient) -> None:
    async with limited_app() as (_, client):
        for _ in range(3):
            await client.post("/api/limited/login")
        assert (await client.post("/api/limited/login")).status_code == 429
        await client.post("/api/limited/reset")
        assert (await client.post("/api/limited/login")).status_code == 200


async def test_disabled_limits_never_refuse(limited_app: AppClient) -> None:
    async with limited_app(RateLimitSettings(enabled=False)) as (_, client):
        codes = {(await client.post("/api/limited/login")).status_code for _ in range(5)}
    assert codes == {200}


async def test_redis_down_fails_open_with_a_warning(
    limited_app: AppClient, settings: CoreSettings
) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with limited_app(app_settings=down) as (_, client):
        with capture_logs() as logs:
            response = await client.post("/api/limited/login")
    assert response.status_code == 200
    assert any(entry["event"] == "ratelimit.unavailable" for entry in logs)


async def test_redis_down_fails_closed_when_configured(
    limited_app: AppClient, settings: CoreSettings
) -> None:
    down = settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    async with limited_app(RateLimitSettings(fail_open=False), app_settings=down) as (_, client):
        response = await client.post("/api/limited/login")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_hung_redis_costs_at_most_the_timeout(
    limited_app: AppClient, settings: CoreSettings, silent_server: str
) -> None:
    hung = settings.model_copy(update={"redis_url": silent_server})
    async with limited_app(RateLimitSettings(timeout=0.1), app_settings=hung) as (_, client):
        started = time.perf_counter()
        with capture_logs() as logs:
            response = await client.post("/api/limited/login")
    assert response.status_code == 200
    assert time.perf_counter() - started < 1.0
    [entry] = [entry for entry in logs if entry["event"] == "ratelimit.unavailable"]
    assert entry["error_type"] == "TimeoutError"


async def test_limiter_is_created_once_per_app(limited_app: AppClient) -> None:
    async with limited_app() as (app, client):
        await client.post("/api/limited/login")
        first = app.state.rate_limiting
        await client.post("/api/limited/login")
        assert app.state.rate_limiting is first
        # It shares the app's connection pool instead of opening its own.
        assert first.storage.bridge.storage.connection_pool is app.state.redis.connection_pool


def test_invalid_limit_strings_are_refused_at_import() -> None:
    with pytest.raises(ValueError):
        RateLimit("bad", "five per fortnight")


def _request(peer: str | None, headers: dict[str, str] | None = None) -> Request:
    raw = Headers(headers or {}).raw
    scope = {"type": "http", "headers": raw, "client": (peer, 1234) if peer else None}
    return Request(scope)


NETS = [ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")]


@pytest.mark.parametrize(
    ("peer", "headers", "expected"),
    [
        ("203.0.113.1", {"x-forwarded-for": "1.2.3.4"}, "203.0.113.1"),
        ("10.0.0.1", {"x-forwarded-for": "1.2.3.4"}, "1.2.3.4"),
        ("10.0.0.1", {"x-forwarded-for": "6.6.6.6, 1.2.3.4, 10.0.0.9"}, "1.2.3.4"),
        ("10.0.0.1", {"x-forwarded-for": "10.0.0.3, 10.0.0.2"}, "10.0.0.3"),
        ("10.0.0.1", {"x-forwarded-for": "junk, 10.0.0.2"}, "10.0.0.2"),
        ("10.0.0.1", {"x-real-ip": "1.2.3.4"}, "1.2.3.4"),
        ("10.0.0.1", {}, "10.0.0.1"),
        ("fd00::1", {"x-forwarded-for": "[2001:db8::1]"}, "2001:db8::1"),
        (None, {"x-forwarded-for": "1.2.3.4"}, "unknown"),
        ("not-an-ip", {}, "unknown"),
    ],
)
def test_client_ip(peer: str | None, headers: dict[str, str], expected: str) -> None:
    assert client_ip(_request(peer, headers), NETS) == expected


async def test_ipv6_clients_are_counted_per_64(limited_app: AppClient) -> None:
    async with limited_app(peer="2001:db8:1:2::1") as (app, _):
        request = _request("2001:db8:1:2:aaaa::5")
        request.scope["app"] = app
        assert by_ip(request) == "ip:2001:db8:1:2::/64"
        mapped = _request("::ffff:198.51.100.1")
        mapped.scope["app"] = app
        assert by_ip(mapped) == "ip:198.51.100.1"


async def test_a_configured_limit_follows_its_app_setting_per_organization(
    limited_app: AppClient,
) -> None:
    def export(user: str, org: str) -> Awaitable[httpx.Response]:
        return client.post("/api/limited/export", headers={"x-user": user, "x-org": org})

    async with limited_app() as (app, client):
        app.state.export_settings = ExportSettings()
        assert [(await export("ann", "o1")).status_code for _ in range(2)] == [200, 429]
        # Another member of the same organization shares its budget; another org does not.
        assert (await export("bob", "o1")).status_code == 429
        assert (await export("cat", "o2")).status_code == 200
        # The rule is read per request: a changed setting applies to the next one.
        app.state.export_settings = ExportSettings(export_limit="3/minute")
        assert (await export("bob", "o1")).status_code == 200
