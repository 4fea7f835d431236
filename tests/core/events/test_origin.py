"""Events added while a request is served carry its origin; others carry none."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from sift.contracts.events import EventContext
from sift.core.app import create_service_app
from sift.core.config import CoreSettings
from sift.core.events.origin import USER_AGENT_LENGTH, current_origin
from sift.core.ratelimit import RateLimiting, RateLimitSettings


def test_outside_a_request_there_is_no_origin() -> None:
    assert current_origin() is None


async def test_a_request_gives_its_client_address_user_agent_and_id(
    settings: CoreSettings,
) -> None:
    router = APIRouter()
    seen: list[EventContext | None] = []

    @router.get("/api/probe/origin")
    async def origin() -> None:
        seen.append(current_origin())

    app = create_service_app("probe", routers=[router], settings=settings)
    async with app.router.lifespan_context(app):
        # The gateway is trusted: the client is the address it forwarded.
        RateLimiting.install(app, RateLimitSettings(trusted_proxies=["127.0.0.1/32"]))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            await client.get(
                "/api/probe/origin",
                headers={
                    "User-Agent": "x" * (USER_AGENT_LENGTH + 50),
                    "X-Forwarded-For": "198.51.100.23",
                    "X-Request-ID": "req-0123456789",
                },
            )
            await client.get("/api/probe/origin", headers={"User-Agent": ""})
    first, second = seen
    assert first == EventContext(
        ip="198.51.100.23", user_agent="x" * USER_AGENT_LENGTH, request_id="req-0123456789"
    )
    assert second is not None and second.user_agent is None and second.ip == "127.0.0.1"
    assert current_origin() is None  # reset once the request is over
