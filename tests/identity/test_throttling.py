"""Rate limits (429 with Retry-After), the progressive lockout, device cookies, and no
enumeration."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import LINK_SEAL_PURPOSE
from sift.core.auth.sealing import unseal
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.identity.accounts.devices import DEVICE_COOKIE_PREFIX, DeviceCookies
from sift.identity.hashing import pseudonym
from sift.identity.models import User
from tests.identity.conftest import (
    PASSWORD,
    Identity,
    IdentityFactory,
    cheap_config,
    outbox_events,
)


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
        identity.client.cookies.clear()  # a browser without Ada's device cookie
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


async def test_the_reset_link_clears_the_lock_and_the_counters(
    identity_factory: IdentityFactory, session: AsyncSession, settings: CoreSettings
) -> None:
    config = cheap_config(lockout_threshold=3, login_limit_per_account="5/hour")
    async with identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        identity.client.cookies.clear()
        for _ in range(3):
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
        # The run of failures, the hourly budget (3 of 5 spent) and the lockout count are
        # gone: three more wrong passwords are answered, and lock for the base time again.
        statuses = [
            (await identity.login("ada@example.com", "wrong guess!")).status_code for _ in range(3)
        ]
        assert statuses == [401, 401, 401]
        locked = await identity.login("ada@example.com", new)
        assert locked.status_code == 429 and int(locked.headers["retry-after"]) <= 30


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
        for path, body in (
            ("/api/auth/password/reset", {"token": "T" * 43, "password": "whatever passphrase"}),
            ("/api/auth/email/verify", {"token": "T" * 43}),
        ):
            statuses = [(await identity.client.post(path, json=body)).status_code for _ in range(2)]
            assert statuses == [400, 429]


async def test_without_redis_sign_in_still_works_unthrottled(
    identity_factory: IdentityFactory, settings: CoreSettings, session: AsyncSession
) -> None:
    """The throttle fails open; a reset, which must revoke sessions everywhere, waits."""
    offline = settings.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})
    async with identity_factory(app_settings=offline) as identity:
        await identity.signup("ada@example.com")
        assert (await identity.login("ada@example.com", "wrong guess!")).status_code == 401
        assert (await identity.login("ada@example.com")).status_code == 200
        forgot = await identity.client.post(
            "/api/auth/password/forgot", json={"email": "ada@example.com"}
        )
        assert forgot.status_code == 202
        [requested] = await outbox_events(session, "auth.password_reset_requested")
        token = unseal(offline, LINK_SEAL_PURPOSE, requested["data"]["link"]).split("token=")[1]
        reset = await identity.client.post(
            "/api/auth/password/reset", json={"token": token, "password": "a new long passphrase"}
        )
        # Revoking the other sessions' tokens needs Redis: refused whole, nothing changed.
        assert reset.status_code == 503
        assert reset.json()["type"].endswith("revocation-unavailable")
        assert (await identity.login("ada@example.com")).status_code == 200


# --- Device cookies: the owner's browsers cannot be locked out from elsewhere ---------------


async def login_from(
    browser: httpx.AsyncClient, email: str, password: str = PASSWORD
) -> httpx.Response:
    return await browser.post("/api/auth/login", json={"email": email, "password": password})


def device_cookies(browser: httpx.AsyncClient) -> dict[str, str]:
    return {
        cookie.name: cookie.value
        for cookie in browser.cookies.jar
        if cookie.name.startswith(DEVICE_COOKIE_PREFIX)
    }


async def test_the_owner_signs_in_from_a_known_browser_during_an_attack(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    async with identity_factory() as identity, identity.browser() as attacker:
        await identity.signup("ada@example.com")  # Ada's browser now has her device cookie
        statuses = [
            (await login_from(attacker, "ada@example.com", f"guess number {n}")).status_code
            for n in range(50)
        ]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}

        owner = await identity.login("ada@example.com")
        assert owner.status_code == 200, owner.text
        # Her known browser is trusted, not her network: a new browser there is locked.
        async with identity.browser(ip="203.0.113.9") as new_browser:
            refused = await login_from(new_browser, "ada@example.com")
        assert refused.status_code == 429
        assert refused.json()["type"].endswith("/account-locked")

    # One alert per lockout window, however long the attack.
    [locked] = await outbox_events(session, "auth.account_locked")
    assert locked["data"]["scope"] == "unknown_devices"
    assert (locked["data"]["email"], locked["data"]["failed_attempts"]) == ("ada@example.com", 5)


async def test_untrusted_attempts_are_limited_per_address_and_per_source(
    identity_factory: IdentityFactory,
) -> None:
    config = cheap_config(lockout_threshold=3, login_limit_per_ip="5/minute")
    async with identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        async with (
            identity.browser("198.51.100.7") as first,
            identity.browser("192.0.2.1") as other,
        ):
            for _ in range(3):
                await login_from(first, "ada@example.com", "wrong guess!")
            # Per address: another network is locked out of Ada's account too...
            moved = await login_from(other, "ada@example.com")
            assert moved.status_code == 429 and moved.json()["type"].endswith("/account-locked")
            # ...and per source: the first network has two wrong passwords left, for any address.
            statuses = [
                (await login_from(first, f"u{n}@example.com", "wrong guess!")).status_code
                for n in range(3)
            ]
            assert statuses == [401, 401, 429]
            assert (
                (await login_from(first, "u9@example.com")).json()["type"].endswith("/rate-limited")
            )
        # A known browser on the same network is counted apart: Ada signs in.
        async with identity.browser("198.51.100.7") as ada_elsewhere:
            ada_elsewhere.cookies.update(device_cookies(identity.client))
            assert (await login_from(ada_elsewhere, "ada@example.com")).status_code == 200


async def test_a_device_cookie_of_another_account_forged_or_expired_is_not_trusted(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    config = cheap_config(lockout_threshold=3)
    async with identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        [(ada_name, ada_value)] = device_cookies(identity.client).items()
        async with identity.browser() as bobs:
            await bobs.post(
                "/api/auth/signup",
                json={"email": "bob@example.com", "password": PASSWORD, "name": "Bob"},
            )
            [bob_value] = device_cookies(bobs).values()
        async with identity.browser() as attacker:
            for _ in range(3):
                await login_from(attacker, "ada@example.com", "wrong guess!")

        account, nonce, expires, signature = ada_value.split(".")[1:]
        ada = await session.scalar(select(User).where(User.email == "ada@example.com"))
        assert ada is not None
        expired = DeviceCookies(identity.app.state.identity).sign(ada, nonce, int(time.time()) - 1)
        later = str(int(expires) + 86400)
        presented = {
            "bob's": bob_value,
            "forged nonce": f"v1.{account}.{nonce}x.{expires}.{signature}",
            "extended": f"v1.{account}.{nonce}.{later}.{signature}",
            "garbage": "v1.not-a-cookie",
            "expired": expired,
        }
        for case, value in presented.items():
            async with identity.browser() as browser:
                browser.cookies.set(ada_name, value)
                answer = await login_from(browser, "ada@example.com")
            assert answer.status_code == 429, case
        async with identity.browser() as browser:
            browser.cookies.set(ada_name, ada_value)
            assert (await login_from(browser, "ada@example.com")).status_code == 200


async def test_failures_with_a_device_cookie_are_limited_per_device(
    identity_factory: IdentityFactory, session: AsyncSession
) -> None:
    config = cheap_config(lockout_threshold=3)
    async with identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        async with identity.browser() as laptop, identity.browser() as phone:
            assert (await login_from(phone, "ada@example.com")).status_code == 200
            laptop.cookies.update(device_cookies(identity.client))  # stolen
            statuses = [
                (await login_from(laptop, "ada@example.com", "wrong guess!")).status_code
                for _ in range(4)
            ]
            assert statuses == [401, 401, 401, 429]
            # The locked device stays locked, even with the right password...
            assert (await login_from(laptop, "ada@example.com")).status_code == 429
            # ...while Ada's other browser, and new ones, were never locked.
            assert (await login_from(phone, "ada@example.com")).status_code == 200
            laptop.cookies.clear()
            assert (await login_from(laptop, "ada@example.com")).status_code == 200

    [locked] = await outbox_events(session, "auth.account_locked")
    assert locked["data"]["scope"] == "device"


async def test_a_device_has_an_hourly_budget_of_wrong_passwords(
    identity_factory: IdentityFactory,
) -> None:
    config = cheap_config(lockout_threshold=100, login_limit_per_device="4/hour")
    async with identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        statuses = [
            (await identity.login("ada@example.com", "wrong guess!")).status_code for _ in range(5)
        ]
        assert statuses == [401, 401, 401, 401, 429]
        assert int((await identity.login("ada@example.com")).headers["retry-after"]) > 3500


async def test_successful_sign_ins_do_not_consume_the_budget(
    identity_factory: IdentityFactory,
) -> None:
    # The probe's pattern, with the defaults: four typos, then the right password.
    async with identity_factory() as identity:
        await identity.signup("ada@example.com")
        identity.client.cookies.clear()  # the first round comes from a new browser
        for _ in range(10):
            statuses = [
                (await identity.login("ada@example.com", "typo in it!")).status_code
                for _ in range(4)
            ]
            statuses.append((await identity.login("ada@example.com")).status_code)
            assert statuses == [401, 401, 401, 401, 200]


async def test_one_browser_is_trusted_by_several_accounts(
    identity_factory: IdentityFactory,
) -> None:
    async with identity_factory(config=cheap_config(lockout_threshold=2)) as identity:
        await identity.signup("ada@example.com")
        await identity.signup("bob@example.com", name="Bob")
        assert len(device_cookies(identity.client)) == 2
        async with identity.browser() as attacker:
            for email in ("ada@example.com", "bob@example.com"):
                for _ in range(2):
                    await login_from(attacker, email, "wrong guess!")
                assert (await login_from(attacker, email)).status_code == 429
        for email in ("ada@example.com", "bob@example.com"):
            assert (await identity.login(email)).status_code == 200


async def test_the_device_cookie_is_scoped_signed_and_pseudonymous(
    identity: Identity, session: AsyncSession
) -> None:
    answer = await identity.client.post(
        "/api/auth/signup", json={"email": "ada@example.com", "password": PASSWORD, "name": "A"}
    )
    headers = [
        header
        for header in answer.headers.get_list("set-cookie")
        if header.startswith(DEVICE_COOKIE_PREFIX)
    ]
    paths = sorted(part for h in headers for part in h.split("; ") if part.startswith("Path="))
    assert paths == ["Path=/api/auth/login", "Path=/api/auth/mfa/sms/send"]
    for header in headers:
        assert "HttpOnly" in header and "Secure" in header and "SameSite=strict" in header
        assert f"Max-Age={90 * 24 * 3600}" in header
    [value] = device_cookies(identity.client).values()
    user_id = answer.json()["user"]["id"]
    assert "ada" not in value and user_id not in value and len(value.split(".")) == 5
    # Signing out leaves it: it vouches for the browser, not for a session.
    await identity.client.post("/api/auth/logout", headers=identity.csrf())
    assert device_cookies(identity.client) == {"sift_device_" + value.split(".")[1][:16]: value}


async def test_a_password_change_ends_the_trust_of_devices(
    identity_factory: IdentityFactory,
) -> None:
    async with identity_factory(config=cheap_config(lockout_threshold=2)) as identity:
        ada = await identity.signup("ada@example.com")
        async with identity.browser() as laptop:
            laptop.cookies.update(device_cookies(identity.client))
            changed = await identity.client.post(
                "/api/auth/password/change",
                json={"current_password": PASSWORD, "new_password": "another long passphrase"},
                headers={"Authorization": f"Bearer {ada['access_token']}"},
            )
            assert changed.status_code == 204
            async with identity.browser() as attacker:
                for _ in range(2):
                    await login_from(attacker, "ada@example.com", "wrong guess!")
            refused = await login_from(laptop, "ada@example.com", "another long passphrase")
            assert refused.status_code == 429


async def test_concurrent_failures_start_one_lockout_and_one_alert(
    committed_identity_factory: IdentityFactory, database: Database
) -> None:
    # Realistic Argon2 cost: the guesses are all checked before any of them sets the lock.
    config = cheap_config(argon2_time_cost=2, argon2_memory_kib=32768, lockout_threshold=1)
    async with committed_identity_factory(config=config) as identity:
        await identity.signup("ada@example.com")
        async with identity.browser() as attacker:
            answers = await asyncio.gather(
                *(login_from(attacker, "ada@example.com", f"guess {n}") for n in range(6))
            )
        async with database.sessionmaker() as session:
            alerts = await outbox_events(session, "auth.account_locked")
    assert [answer.status_code for answer in answers].count(401) >= 2
    assert len(alerts) == 1


async def test_the_browser_that_used_the_reset_link_signs_in_during_an_attack(
    identity_factory: IdentityFactory, session: AsyncSession, settings: CoreSettings
) -> None:
    async with identity_factory(config=cheap_config(lockout_threshold=2)) as identity:
        await identity.signup("ada@example.com")
        async with identity.browser() as attacker, identity.browser("192.0.2.1") as new_phone:
            for _ in range(2):
                await login_from(attacker, "ada@example.com", "wrong guess!")
            await new_phone.post("/api/auth/password/forgot", json={"email": "ada@example.com"})
            [requested] = await outbox_events(session, "auth.password_reset_requested")
            link = unseal(settings, LINK_SEAL_PURPOSE, requested["data"]["link"])
            new = "a new and better passphrase"
            reset = await new_phone.post(
                "/api/auth/password/reset",
                json={"token": link.split("token=")[1], "password": new},
            )
            assert reset.status_code == 204
            for _ in range(3):  # the attack goes on and locks the address again
                await login_from(attacker, "ada@example.com", "wrong guess!")
            assert (await login_from(attacker, "ada@example.com", new)).status_code == 429
            assert (await login_from(new_phone, "ada@example.com", new)).status_code == 200
