"""The revocation list: what its markers refuse, how long they live, Redis unavailable."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI
from redis.asyncio import Redis

from sift.core.app import create_service_app
from sift.core.auth import Authorize, Principal
from sift.core.auth.config import MAX_ACCESS_TOKEN_SECONDS, AuthSettings
from sift.core.auth.permissions import Role
from sift.core.auth.revocation import MARKER_SECONDS, Revocations, RevocationUnavailable
from sift.core.config import CoreSettings
from sift.runtime.embedded_postgres import free_port
from tests.core.auth.conftest import JwksServer, SigningKey, claims_for, ed25519_key

router = APIRouter(prefix="/api/things", tags=["things"])
ThingsRead = Annotated[Principal, Depends(Authorize("documents:read"))]


@router.get("")
async def read(principal: ThingsRead) -> dict[str, str]:
    return {"user": str(principal.user_id)}


@pytest.fixture
def key(jwks_server: JwksServer) -> SigningKey:
    signing = ed25519_key()
    jwks_server.publish(signing)
    return signing


@pytest.fixture
async def app(
    settings: CoreSettings, auth_config: AuthSettings, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[FastAPI]:
    monkeypatch.setenv("SIFT_AUTH_JWKS_URL", auth_config.jwks_url)
    application = create_service_app("things", routers=[router], settings=settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def revocations(app: FastAPI) -> Revocations:
    """identity's side of the list, writing into the same Redis (prefix) as the app reads;
    without clock-skew leeway, so that "issued after the change" is the next second."""
    return Revocations(app.state.redis, app.state.settings, AuthSettings(leeway_seconds=0))


class Tokens:
    def __init__(self, key: SigningKey, settings: CoreSettings) -> None:
        self.key, self.settings = key, settings
        self.user, self.org = uuid.uuid4(), uuid.uuid4()

    def headers(self, **claims: object) -> dict[str, str]:
        values: dict[str, object] = {"sub": str(self.user), "org": str(self.org), **claims}
        return {"Authorization": f"Bearer {self.key.sign(claims_for(self.settings, **values))}"}


async def status(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/things", headers=headers)).status_code


async def test_a_revoked_session_refuses_its_tokens_only(
    client: httpx.AsyncClient, revocations: Revocations, key: SigningKey, settings: CoreSettings
) -> None:
    tokens = Tokens(key, settings)
    signed_out, other = uuid.uuid4(), uuid.uuid4()
    assert await status(client, tokens.headers(sid=str(signed_out))) == 200
    await revocations.revoke_sessions([signed_out])
    refused = await client.get("/api/things", headers=tokens.headers(sid=str(signed_out)))
    assert refused.status_code == 401
    assert refused.json()["type"].endswith("/invalid-token")
    assert refused.headers["www-authenticate"] == "Bearer"
    assert await status(client, tokens.headers(sid=str(other))) == 200
    await revocations.revoke_sessions([])  # nothing to write: no round trip, no error


async def test_a_revoked_api_key_refuses_its_tokens_only(
    client: httpx.AsyncClient, revocations: Revocations, key: SigningKey, settings: CoreSettings
) -> None:
    tokens = Tokens(key, settings)
    deleted, kept = uuid.uuid4(), uuid.uuid4()
    as_key = {"kind": "api_key", "perms": ["documents:read"], "sid": None}
    await revocations.revoke_api_key(deleted)
    assert await status(client, tokens.headers(akid=str(deleted), **as_key)) == 401
    assert await status(client, tokens.headers(akid=str(kept), **as_key)) == 200
    assert await status(client, tokens.headers()) == 200  # the creator's own session


async def test_a_changed_membership_refuses_tokens_issued_before_it_except_the_new_role(
    client: httpx.AsyncClient, revocations: Revocations, key: SigningKey, settings: CoreSettings
) -> None:
    tokens = Tokens(key, settings)
    before = int(time.time()) - 1
    await revocations.revoke_membership(tokens.org, tokens.user, Role.viewer)
    now = int(time.time())
    assert await status(client, tokens.headers(role="editor", iat=before, nbf=before)) == 401
    assert await status(client, tokens.headers(role="editor", iat=now, nbf=now)) == 401
    # The new role's token works at once, even within the same second.
    assert await status(client, tokens.headers(role="viewer", iat=now, nbf=now)) == 200
    later = now + 1
    assert await status(client, tokens.headers(role="editor", iat=later, nbf=now)) == 200
    other_org = {"org": str(uuid.uuid4()), "role": "editor", "iat": before, "nbf": before}
    assert await status(client, tokens.headers(**other_org)) == 200


async def test_a_membership_marker_covers_tokens_issued_up_to_the_leeway_after_it(
    app: FastAPI, client: httpx.AsyncClient, key: SigningKey, settings: CoreSettings
) -> None:
    # A replica whose clock runs ahead, or a refresh that read the old role just before
    # the change committed, issues the old role a little "after" the change.
    tokens = Tokens(key, settings)
    skewed = Revocations(app.state.redis, settings, AuthSettings(leeway_seconds=5))
    await skewed.revoke_membership(tokens.org, tokens.user, Role.viewer)
    ahead = int(time.time()) + 3
    assert await status(client, tokens.headers(role="editor", iat=ahead, nbf=ahead - 3)) == 401
    assert await status(client, tokens.headers(role="viewer", iat=ahead, nbf=ahead - 3)) == 200


async def test_a_removed_member_is_refused_whatever_the_role_until_added_back(
    client: httpx.AsyncClient, revocations: Revocations, key: SigningKey, settings: CoreSettings
) -> None:
    tokens = Tokens(key, settings)
    # Read before the change: the marker's second is this one or, if the clock ticks in
    # between, the next one; tokens of this second are issued before or with it either way.
    now = int(time.time())
    await revocations.revoke_membership(tokens.org, tokens.user, None)
    for role in Role:
        assert await status(client, tokens.headers(role=role.value, iat=now, nbf=now)) == 401
    # Added back later: the tokens issued after the marker's second work.
    assert await status(client, tokens.headers(iat=now + 2, nbf=now)) == 200


async def test_markers_expire_with_the_longest_token_they_can_match(
    revocations: Revocations, redis: Redis, settings: CoreSettings
) -> None:
    await revocations.revoke_sessions([uuid.uuid4(), uuid.uuid4()])
    await revocations.revoke_api_key(uuid.uuid4())
    await revocations.revoke_membership(uuid.uuid4(), uuid.uuid4(), Role.admin)
    keys = [key async for key in redis.scan_iter(match=settings.redis_key("auth", "revoked", "*"))]
    assert len(keys) == 4
    for marker in keys:
        ttl = await redis.ttl(marker)
        assert MAX_ACCESS_TOKEN_SECONDS < ttl <= MARKER_SECONDS


def unreachable_redis() -> Redis:
    return Redis.from_url(f"redis://127.0.0.1:{free_port()}", socket_connect_timeout=1)


@pytest.fixture
async def silent_redis() -> AsyncIterator[Redis]:
    """A server that accepts connections and never answers (a Redis that hangs)."""
    connections: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = Redis.from_url(f"redis://127.0.0.1:{port}", socket_timeout=30)
    try:
        yield client
    finally:
        await client.aclose(close_connection_pool=True)
        for writer in connections:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_redis_unavailable_refuses_requests_with_503_by_default(
    app: FastAPI, client: httpx.AsyncClient, key: SigningKey, settings: CoreSettings
) -> None:
    down = unreachable_redis()
    app.state.revocations = Revocations(down, settings, AuthSettings())
    try:
        answer = await client.get("/api/things", headers=Tokens(key, settings).headers())
    finally:
        await down.aclose()
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/revocation-unavailable")


async def test_a_hanging_redis_costs_at_most_the_timeout(
    app: FastAPI,
    client: httpx.AsyncClient,
    key: SigningKey,
    settings: CoreSettings,
    silent_redis: Redis,
) -> None:
    config = AuthSettings(revocation_timeout_seconds=0.2)
    app.state.revocations = Revocations(silent_redis, settings, config)
    started = time.monotonic()
    answer = await client.get("/api/things", headers=Tokens(key, settings).headers())
    assert answer.status_code == 503
    assert time.monotonic() - started < 1.0


async def test_fail_open_lets_requests_through_while_redis_is_unavailable(
    app: FastAPI, client: httpx.AsyncClient, key: SigningKey, settings: CoreSettings
) -> None:
    down = unreachable_redis()
    app.state.revocations = Revocations(down, settings, AuthSettings(revocation_fail_open=True))
    try:
        assert await status(client, Tokens(key, settings).headers()) == 200
    finally:
        await down.aclose()


async def test_a_revocation_that_cannot_be_written_raises(settings: CoreSettings) -> None:
    down = unreachable_redis()
    try:
        with pytest.raises(RevocationUnavailable):
            await Revocations(down, settings, AuthSettings()).revoke_sessions([uuid.uuid4()])
    finally:
        await down.aclose()
