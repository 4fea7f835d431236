"""TOTP second factor and recovery codes, end to end over HTTP against PostgreSQL and Redis."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
from sqlalchemy.ext.asyncio import AsyncSession

from sift.identity.accounts.devices import DEVICE_COOKIE_PREFIX
from sift.identity.mfa.config import MfaConfig
from sift.identity.models import MfaSettings, RecoveryCode
from tests.identity.conftest import PASSWORD, Identity, outbox_events

EMAIL = "ada@example.com"


def bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


async def login(identity: Identity, code: str | None = None, password: str = PASSWORD) -> Any:
    body: dict[str, Any] = {"email": EMAIL, "password": password}
    if code is not None:
        body["mfa_code"] = code
    return await identity.client.post("/api/auth/login", json=body)


async def enable_totp(identity: Identity) -> tuple[dict[str, Any], pyotp.TOTP, list[str]]:
    """Signs Ada up and turns her authenticator on; returns her session, TOTP and codes."""
    ada = await identity.signup(EMAIL)
    setup = await identity.client.post(
        "/api/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert setup.status_code == 200, setup.text
    totp = pyotp.TOTP(setup.json()["secret"])
    enabled = await identity.client.post(
        "/api/auth/mfa/totp/enable", json={"code": totp.now()}, headers=bearer(ada)
    )
    assert enabled.status_code == 200, enabled.text
    return ada, totp, enabled.json()["recovery_codes"]


def next_code(totp: pyotp.TOTP) -> str:
    return totp.at(time.time() + totp.interval)


async def test_setup_gives_a_provisioning_uri_and_keeps_the_secret_encrypted(
    identity: Identity, session: AsyncSession
) -> None:
    ada = await identity.signup(EMAIL)
    answer = await identity.client.post(
        "/api/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert answer.status_code == 200, answer.text
    secret, uri = answer.json()["secret"], answer.json()["provisioning_uri"]
    parts = urlsplit(uri)
    query = parse_qs(parts.query)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    assert query["secret"] == [secret] and query["issuer"] == ["Sift"]
    assert EMAIL in parts.path.replace("%40", "@")
    row = await session.get(MfaSettings, uuid.UUID(ada["user"]["id"]))
    assert row is not None and row.totp_secret_encrypted is not None
    assert secret.encode() not in row.totp_secret_encrypted
    assert row.totp_enabled_at is None  # pending until a code proves the app works
    # Until enabled, a password alone still signs in.
    assert (await login(identity)).status_code == 200


async def test_setup_needs_the_password(identity: Identity) -> None:
    ada = await identity.signup(EMAIL)
    answer = await identity.client.post(
        "/api/auth/mfa/totp/setup", json={"password": "not my password"}, headers=bearer(ada)
    )
    assert answer.status_code == 400 and answer.json()["type"].endswith("/wrong-password")


async def test_enable_refuses_a_wrong_code_and_needs_a_setup(identity: Identity) -> None:
    ada = await identity.signup(EMAIL)
    early = await identity.client.post(
        "/api/auth/mfa/totp/enable", json={"code": "123456"}, headers=bearer(ada)
    )
    assert early.status_code == 409
    await identity.client.post(
        "/api/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer(ada)
    )
    wrong = await identity.client.post(
        "/api/auth/mfa/totp/enable", json={"code": "000000"}, headers=bearer(ada)
    )
    assert wrong.status_code == 400 and wrong.json()["type"].endswith("/invalid-mfa-code")


async def test_enable_then_sign_in_with_a_code(identity: Identity, session: AsyncSession) -> None:
    _, totp, recovery = await enable_totp(identity)
    assert len(recovery) == 10 and len(set(recovery)) == 10
    stored = (await session.execute(RecoveryCode.__table__.select())).all()
    assert len(stored) == 10
    assert all(
        code.replace("-", "").encode() not in row.code_hash for row in stored for code in recovery
    )

    missing = await login(identity)
    assert missing.status_code == 401
    assert missing.json()["mfa_required"] is True
    assert missing.json()["factors"] == ["totp", "recovery_code"]
    wrong_password = await login(identity, next_code(totp), password="wrong password!!")
    assert wrong_password.status_code == 401 and "mfa_required" not in wrong_password.json()

    answer = await login(identity, next_code(totp))
    assert answer.status_code == 200, answer.text
    assert answer.json()["user"]["email"] == EMAIL
    status = await identity.client.get("/api/auth/mfa", headers=bearer(answer.json()))
    assert status.json() == {
        "totp": True,
        "sms": False,
        "recovery_codes_left": 10,
        "phone_number": None,
        "phone_verified": False,
    }
    enabled = await outbox_events(session, "auth.mfa_enabled")
    assert [event["data"]["method"] for event in enabled] == ["totp"]
    assert "@" in enabled[0]["data"]["email"]  # the owner is alerted there


async def test_a_wrong_code_is_refused(identity: Identity) -> None:
    _, totp, _ = await enable_totp(identity)
    good = totp.now()
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    answer = await login(identity, wrong)
    assert answer.status_code == 401 and answer.json()["mfa_required"] is True
    for stale in (totp.at(time.time() - 5 * totp.interval), "12345", "abcdef"):
        assert (await login(identity, stale)).status_code == 401


async def test_a_code_is_accepted_once(identity: Identity) -> None:
    _, totp, _ = await enable_totp(identity)
    # The code that enabled the app was used: it cannot sign in (nor can an older one).
    assert (await login(identity, totp.now())).status_code == 401
    code = next_code(totp)
    assert (await login(identity, code)).status_code == 200
    replay = await login(identity, code)
    assert replay.status_code == 401 and replay.json()["mfa_required"] is True


async def test_a_recovery_code_works_once(identity: Identity, session: AsyncSession) -> None:
    _, _, recovery = await enable_totp(identity)
    typed = recovery[3].lower().replace("-", " ")  # as someone types it off paper
    first = await login(identity, typed)
    assert first.status_code == 200, first.text
    again = await login(identity, recovery[3])
    assert again.status_code == 401
    assert (await login(identity, recovery[4])).status_code == 200
    used = await outbox_events(session, "auth.recovery_code_used")
    assert [event["data"]["remaining"] for event in used] == [9, 8]
    assert used[0]["data"]["email"] == EMAIL
    status = await identity.client.get("/api/auth/mfa", headers=bearer(first.json()))
    assert status.json()["recovery_codes_left"] == 8


async def test_disable_needs_the_password(identity: Identity, session: AsyncSession) -> None:
    ada, _, recovery = await enable_totp(identity)
    refused = await identity.client.post(
        "/api/auth/mfa/disable", json={"password": "not my password"}, headers=bearer(ada)
    )
    assert refused.status_code == 400
    assert (await login(identity)).status_code == 401  # still on
    answer = await identity.client.post(
        "/api/auth/mfa/disable", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert answer.status_code == 204
    assert (await login(identity)).status_code == 200
    assert (await login(identity, recovery[0])).status_code == 200  # ignored, not needed
    disabled = await outbox_events(session, "auth.mfa_disabled")
    assert len(disabled) == 1 and disabled[0]["data"]["email"] == EMAIL
    assert (await session.execute(RecoveryCode.__table__.select())).all() == []


async def test_code_guessing_is_rate_limited(identity: Identity) -> None:
    _, totp, _ = await enable_totp(identity)
    identity.app.state.mfa_config = MfaConfig(verify_limit="3/minute")
    for _ in range(3):
        assert (await login(identity, "000000")).status_code == 401
    limited = await login(identity, next_code(totp))
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


async def test_setting_up_again_while_enabled_conflicts(identity: Identity) -> None:
    ada, _, _ = await enable_totp(identity)
    again = await identity.client.post(
        "/api/auth/mfa/totp/setup", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert again.status_code == 409


async def test_a_device_cookie_never_skips_the_second_factor(identity: Identity) -> None:
    _, totp, _ = await enable_totp(identity)  # Ada's browser holds her device cookie
    missing = await login(identity)
    assert missing.status_code == 401 and missing.json()["mfa_required"] is True

    async with identity.browser() as new_browser:
        body = {"email": EMAIL, "password": PASSWORD}
        halfway = await new_browser.post("/api/auth/login", json=body)
        assert halfway.status_code == 401
        # Only a completed sign-in (password and code) earns the browser a device cookie.
        assert not new_browser.cookies.keys() & {"sift_refresh"}
        assert not any(name.startswith(DEVICE_COOKIE_PREFIX) for name in new_browser.cookies)
        done = await new_browser.post("/api/auth/login", json={**body, "mfa_code": next_code(totp)})
        assert done.status_code == 200, done.text
        assert any(name.startswith(DEVICE_COOKIE_PREFIX) for name in new_browser.cookies)
