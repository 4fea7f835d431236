"""Sessions: rotation, reuse detection, the concurrent refresh race, CSRF, sign-out."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.csrf import CSRF_COOKIE, CSRF_HEADER
from sift.core.db import Database
from sift.identity.models import OutboxEvent, RefreshFamily
from tests.identity.conftest import ORIGIN, Identity, IdentityFactory, outbox_events


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def cookie_headers(refresh: str, csrf: str = "t0k3n-t0k3n") -> dict[str, str]:
    """What a browser sends with a refresh: both cookies, the echoed CSRF token, its origin."""
    return {
        "Cookie": f"sift_refresh={refresh}; {CSRF_COOKIE}={csrf}",
        CSRF_HEADER: csrf,
        "Origin": ORIGIN,
    }


async def test_refresh_rotates_the_token_and_the_old_one_dies(identity: Identity) -> None:
    await identity.signup("ada@example.com")
    first = identity.client.cookies.get("sift_refresh")
    answer = await identity.refresh()
    assert answer.status_code == 200
    assert answer.json()["expires_in"] == 600 and answer.json()["token_type"] == "bearer"
    second = identity.client.cookies.get("sift_refresh")
    assert second and second != first
    me = await identity.client.get("/api/users/me", headers=bearer(answer.json()["access_token"]))
    assert me.status_code == 200
    assert (await identity.refresh()).status_code == 200  # the new one works, once


async def test_a_rotated_token_presented_again_revokes_the_whole_family(
    identity: Identity, session: AsyncSession
) -> None:
    body = await identity.signup("ada@example.com")
    stolen = identity.client.cookies.get("sift_refresh")
    assert stolen is not None
    assert (await identity.refresh()).status_code == 200  # the user's browser rotates it
    current = identity.client.cookies.get("sift_refresh")
    assert current is not None

    replay = await identity.client.post("/api/auth/refresh", headers=cookie_headers(stolen))
    assert replay.status_code == 401
    assert replay.json()["type"].endswith("/invalid-refresh-token")

    # The family is dead: the legitimate token and its access tokens too.
    legit = await identity.client.post("/api/auth/refresh", headers=cookie_headers(current))
    assert legit.status_code == 401
    me = await identity.client.get("/api/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 401

    [detected] = await outbox_events(session, "auth.refresh_reuse_detected")
    assert detected["data"]["user_id"] == body["user"]["id"]
    assert detected["data"]["email"] == "ada@example.com"
    assert detected["data"]["ip"] == "203.0.113.9"
    [revoked] = await outbox_events(session, "auth.sessions_revoked")
    assert revoked["data"]["reason"] == "reuse_detected"
    assert revoked["data"]["session_ids"] == [detected["data"]["session_id"]]


async def test_concurrent_refreshes_with_one_token_exactly_one_wins(
    committed_identity: Identity, database: Database
) -> None:
    identity = committed_identity
    await identity.signup("race@example.com")
    token = identity.client.cookies.get("sift_refresh")
    assert token is not None

    async def attempt() -> httpx.Response:
        transport = identity.client._transport
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as c:
            return await c.post("/api/auth/refresh", headers=cookie_headers(token))

    answers = await asyncio.gather(*(attempt() for _ in range(2)))
    assert sorted(answer.status_code for answer in answers) == [200, 401]

    async with database.sessionmaker() as check:
        families = (await check.scalars(select(RefreshFamily))).all()
        detected = await check.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.type == "auth.refresh_reuse_detected")
        )
    # The loser presented a token the winner had just rotated: that is reuse, by design.
    assert [family.revoke_reason for family in families] == ["reuse_detected"]
    assert detected == 1


CSRF_CASES: dict[str, dict[str, Any]] = {
    "no csrf header": {"Origin": ORIGIN},
    "wrong csrf header": {"Origin": ORIGIN, CSRF_HEADER: "forged"},
    "foreign origin": {"Origin": "https://evil.example", CSRF_HEADER: "<cookie>"},
    "no origin": {CSRF_HEADER: "<cookie>"},
}


@pytest.mark.parametrize("path", ["/api/auth/refresh", "/api/auth/logout"])
@pytest.mark.parametrize("case", CSRF_CASES)
async def test_cookie_calls_without_csrf_proof_are_403(
    identity: Identity, path: str, case: str
) -> None:
    await identity.signup("ada@example.com")
    cookie = identity.client.cookies.get(CSRF_COOKIE) or ""
    headers = {k: v.replace("<cookie>", cookie) for k, v in CSRF_CASES[case].items()}
    answer = await identity.client.post(path, headers=headers)
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/csrf-failed")
    assert (await identity.refresh()).status_code == 200  # the session was not touched


async def test_refresh_without_a_cookie_or_with_garbage_is_401(identity: Identity) -> None:
    await identity.signup("ada@example.com")
    identity.client.cookies.delete("sift_refresh", path="/api/auth")
    assert (await identity.refresh()).status_code == 401
    garbage = await identity.client.post("/api/auth/refresh", headers=cookie_headers("garbage"))
    assert garbage.status_code == 401


async def test_logout_revokes_the_session_and_clears_the_cookies(
    identity: Identity, session: AsyncSession
) -> None:
    body = await identity.signup("ada@example.com")
    token = identity.client.cookies.get("sift_refresh")
    assert token is not None
    answer = await identity.client.post("/api/auth/logout", headers=identity.csrf())
    assert answer.status_code == 204
    assert any(
        c.startswith("sift_refresh=") and "max-age=0" in c.lower()
        for c in answer.headers.get_list("set-cookie")
    )
    refused = await identity.client.post("/api/auth/refresh", headers=cookie_headers(token))
    assert refused.status_code == 401
    me = await identity.client.get("/api/users/me", headers=bearer(body["access_token"]))
    assert me.status_code == 401
    [revoked] = await outbox_events(session, "auth.sessions_revoked")
    assert revoked["data"]["reason"] == "logout"
    # Signing out twice, or with an unknown session, is fine.
    again = await identity.client.post("/api/auth/logout", headers=cookie_headers(token))
    assert again.status_code == 204


async def test_sessions_list_and_revoke_one(identity_factory: IdentityFactory) -> None:
    async with identity_factory() as laptop, identity_factory() as phone:
        await laptop.signup("ada@example.com")
        phone_login = await phone.client.post(
            "/api/auth/login",
            json={"email": "ada@example.com", "password": "correct horse battery staple"},
            headers={
                "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Version/17.0 Safari/604.1"
            },
        )
        token = phone_login.json()["access_token"]
        listed = (await phone.client.get("/api/auth/sessions", headers=bearer(token))).json()
        assert len(listed["items"]) == 2 and listed["next_cursor"] is None
        mine = [s for s in listed["items"] if s["current"]]
        other = [s for s in listed["items"] if not s["current"]]
        assert mine[0]["device"] == "Safari on iOS" and mine[0]["ip"] == "203.0.113.9"

        revoke = await phone.client.delete(
            f"/api/auth/sessions/{other[0]['id']}", headers=bearer(token)
        )
        assert revoke.status_code == 204
        assert (await laptop.refresh()).status_code == 401
        assert (await phone.refresh()).status_code == 200
        missing = await phone.client.delete(
            f"/api/auth/sessions/{other[0]['id']}", headers=bearer(token)
        )
        assert missing.status_code == 404


async def test_sign_out_everywhere(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    async with identity_factory() as laptop, identity_factory() as phone:
        body = await laptop.signup("ada@example.com")
        assert (await phone.login("ada@example.com")).status_code == 200
        tokens = [device.client.cookies.get("sift_refresh") or "" for device in (laptop, phone)]
        answer = await laptop.client.delete(
            "/api/auth/sessions", headers=bearer(body["access_token"])
        )
        assert answer.status_code == 204
        for token in tokens:
            refused = await phone.client.post("/api/auth/refresh", headers=cookie_headers(token))
            assert refused.status_code == 401
    [revoked] = await outbox_events(session, "auth.sessions_revoked")
    assert revoked["data"]["reason"] == "signed_out_everywhere"
    assert len(revoked["data"]["session_ids"]) == 2


async def test_another_users_session_cannot_be_revoked(identity_factory: IdentityFactory) -> None:
    async with identity_factory() as ada, identity_factory() as eve:
        await ada.signup("ada@example.com")
        eve_body = await eve.signup("eve@example.com")
        ada_sessions = await ada.client.get(
            "/api/auth/sessions",
            headers=bearer((await ada.refresh()).json()["access_token"]),
        )
        target = ada_sessions.json()["items"][0]["id"]
        answer = await eve.client.delete(
            f"/api/auth/sessions/{target}", headers=bearer(eve_body["access_token"])
        )
        assert answer.status_code == 404
        assert (await ada.refresh()).status_code == 200
