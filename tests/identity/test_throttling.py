"""Rate limits (429 with Retry-After), the progressive lockout, and no enumeration."""

from __future__ import annotations

import statistics
import time
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.config import CoreSettings
from sift.identity.hashing import pseudonym
from tests.identity.conftest import PASSWORD, IdentityFactory, cheap_config, outbox_events


def comparable(answer: httpx.Response) -> tuple[int, dict[str, Any], str | None]:
    body = {k: v for k, v in answer.json().items() if k != "request_id"}
    return answer.status_code, body, answer.headers.get("www-authenticate")


async def test_unknown_address_and_wrong_password_answer_alike(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    # Realistic Argon2 cost, so that skipping the hash would show in the timings.
    config = cheap_config(argon2_time_cost=2, argon2_memory_kib=32768, lockout_threshold=100)
    async with identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        timings: dict[str, list[float]] = {"unknown": [], "wrong": []}
        answers: dict[str, httpx.Response] = {}
        for _ in range(5):
            for case, email in (("unknown", "nobody@example.com"), ("wrong", "ada@example.com")):
                start = time.perf_counter()
                answers[case] = await identity.login(email, "not the right passphrase")
                timings[case].append(time.perf_counter() - start)
    assert comparable(answers["unknown"]) == comparable(answers["wrong"])
    assert answers["wrong"].status_code == 401
    assert answers["wrong"].json()["type"].endswith("/invalid-credentials")
    unknown, wrong = (statistics.median(timings[case]) for case in ("unknown", "wrong"))
    assert 0.5 < unknown / wrong < 2.0, timings
    failed = await outbox_events(session, "auth.login_failed")
    assert {event["data"]["reason"] for event in failed} == {"invalid_credentials"}
    assert {event["data"]["user_id"] is None for event in failed} == {True, False}


async def test_forgot_password_is_always_202_and_says_nothing(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    async with identity_factory() as identity:
        await identity.signup("ada@example.com")
        answers = [
            await identity.client.post("/api/auth/password/forgot", json={"email": email})
            for email in ("ada@example.com", "nobody@example.com")
        ]
    assert [(a.status_code, a.content) for a in answers] == [(202, b""), (202, b"")]
    assert len(await outbox_events(session, "auth.password_reset_requested")) == 1


async def test_login_is_limited_per_ip(identity_factory: IdentityFactory) -> None:
    async with identity_factory(config=cheap_config(login_limit_per_ip="3/minute")) as identity:
        statuses = [(await identity.login(f"u{n}@example.com")).status_code for n in range(4)]
        assert statuses == [401, 401, 401, 429]
        refused = await identity.login("u9@example.com")
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.json()["type"].endswith("/rate-limited")


async def test_a_burst_of_wrong_passwords_locks_progressively_and_alerts_the_owner(
    identity_factory: IdentityFactory, session: AsyncSession, redis: Redis, settings: CoreSettings
) -> None:
    config = cheap_config(lockout_threshold=3, lockout_base_seconds=30, lockout_max_seconds=45)
    async with identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        statuses = [
            (await identity.login("ada@example.com", "wrong guess!")).status_code for _ in range(3)
        ]
        assert statuses == [401, 401, 401]
        locked = await identity.login("ada@example.com")  # even the right password waits
        assert locked.status_code == 429
        assert locked.json()["type"].endswith("/account-locked")
        assert 25 <= int(locked.headers["retry-after"]) <= 30

        # The next lockout lasts twice as long, but never longer than the cap.
        subject = pseudonym(settings, "ada@example.com")
        await redis.delete(settings.redis_key("identity", "login", "lock", subject))
        for _ in range(3):
            await identity.login("ada@example.com", "wrong guess!")
        again = await identity.login("ada@example.com")
        assert 40 <= int(again.headers["retry-after"]) <= 45

        # Unknown addresses lock the same way: locking reveals nothing.
        for _ in range(3):
            await identity.login("nobody@example.com", "wrong guess!")
        assert (await identity.login("nobody@example.com")).status_code == 429

    [first, second] = await outbox_events(session, "auth.account_locked")
    assert first["data"]["email"] == "ada@example.com"
    assert (first["data"]["locked_seconds"], second["data"]["locked_seconds"]) == (30, 45)
    reasons = [e["data"]["reason"] for e in await outbox_events(session, "auth.login_failed")]
    assert "account_locked" in reasons


async def test_a_password_reset_lifts_the_lockout(
    identity_factory: IdentityFactory, session: AsyncSession, settings: CoreSettings
) -> None:
    from sift.contracts.events.identity import LINK_SEAL_PURPOSE
    from sift.core.auth.sealing import unseal

    async with identity_factory(config=cheap_config(lockout_threshold=2)) as identity:
        await identity.signup("ada@example.com")
        for _ in range(2):
            await identity.login("ada@example.com", "wrong guess!")
        assert (await identity.login("ada@example.com")).status_code == 429
        await identity.client.post("/api/auth/password/forgot", json={"email": "ada@example.com"})
        [requested] = await outbox_events(session, "auth.password_reset_requested")
        token = unseal(settings, LINK_SEAL_PURPOSE, requested["data"]["link"]).split("token=")[1]
        new = "a new and better passphrase"
        reset = await identity.client.post(
            "/api/auth/password/reset", json={"token": token, "password": new}
        )
        assert reset.status_code == 204
        assert (await identity.login("ada@example.com", new)).status_code == 200


async def test_signup_forgot_and_refresh_are_limited(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    config = cheap_config(
        signup_limit="1/minute",
        forgot_limit_per_ip="2/minute",
        forgot_limit_per_account="1/hour",
        refresh_limit="1/minute",
        reset_limit="1/minute",
        verify_limit="1/minute",
    )
    async with identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        again = await identity.client.post(
            "/api/auth/signup", json={"email": "b@example.com", "password": PASSWORD, "name": "B"}
        )
        assert again.status_code == 429

        forgot = [
            (
                await identity.client.post(
                    "/api/auth/password/forgot", json={"email": "ada@example.com"}
                )
            ).status_code
            for _ in range(3)
        ]
        assert forgot == [202, 202, 429]
        # The second one was swallowed by the per-account limit: one e-mail only.
        assert len(await outbox_events(session, "auth.password_reset_requested")) == 1

        assert [(await identity.refresh()).status_code for _ in range(2)] == [200, 429]
        for path in ("/api/auth/password/reset", "/api/auth/email/verify"):
            body = {"token": "T" * 43, "password": "whatever passphrase"}
            statuses = [(await identity.client.post(path, json=body)).status_code for _ in range(2)]
            assert statuses == [400, 429]


async def test_without_redis_sign_in_still_works_unthrottled(
    identity_factory: IdentityFactory, settings: CoreSettings
) -> None:
    offline = settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})
    async with identity_factory(app_settings=offline) as identity:
        await identity.signup("ada@example.com")
        assert (await identity.login("ada@example.com", "wrong guess!")).status_code == 401
        assert (await identity.login("ada@example.com")).status_code == 200
        forgot = await identity.client.post(
            "/api/auth/password/forgot", json={"email": "ada@example.com"}
        )
        assert forgot.status_code == 202
