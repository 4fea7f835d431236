"""SMS codes end to end: the real `twilio` SDK talks HTTP to a fake Twilio on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.identity.mfa.config import TwilioSettings
from sift.identity.models import SmsCode
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, FakeTwilio, fake_twilio
from tests.identity.conftest import PASSWORD, Identity, outbox_events

EMAIL = "ada@example.com"
PHONE = "+14155550123"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with fake_twilio() as server:
        yield server


def use(identity: Identity, twilio: FakeTwilio, token: str = AUTH_TOKEN) -> None:
    identity.app.state.twilio = TwilioSettings(
        account_sid=ACCOUNT_SID, auth_token=token, from_number=FROM_NUMBER, base_url=twilio.url
    )


def bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


def code_in(twilio: FakeTwilio) -> str:
    message = twilio.last_to(PHONE)
    assert message.from_ == FROM_NUMBER
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found, message.body
    return found.group(1)


async def verified(identity: Identity, twilio: FakeTwilio) -> dict[str, Any]:
    ada = await identity.signup(EMAIL)
    answer = await identity.client.put(
        "/api/auth/phone", json={"phone_number": PHONE}, headers=bearer(ada)
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["phone_verified_at"] is None
    confirmed = await identity.client.post(
        "/api/auth/phone/verify", json={"code": code_in(twilio)}, headers=bearer(ada)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["phone_verified_at"] is not None
    return dict(ada)


async def login(identity: Identity, code: str | None = None) -> Any:
    body = {"email": EMAIL, "password": PASSWORD}
    if code is not None:
        body["mfa_code"] = code
    return await identity.client.post("/api/auth/login", json=body)


async def test_sms_sign_in_end_to_end(
    identity: Identity, twilio: FakeTwilio, session: AsyncSession
) -> None:
    use(identity, twilio)
    ada = await verified(identity, twilio)
    enabled = await identity.client.post(
        "/api/auth/mfa/sms/enable", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert enabled.status_code == 200, enabled.text
    assert len(enabled.json()["recovery_codes"]) == 10

    needed = await login(identity)
    assert needed.status_code == 401 and needed.json()["factors"] == ["sms", "recovery_code"]
    sent = len(twilio.messages)
    asked = await identity.client.post(
        "/api/auth/mfa/sms/send", json={"email": EMAIL, "password": PASSWORD}
    )
    assert asked.status_code == 202 and len(twilio.messages) == sent + 1
    code = code_in(twilio)
    stored = await session.scalars(select(SmsCode.code_hash))
    assert all(code.encode() not in value for value in stored)

    assert (await login(identity, f"{(int(code) + 1) % 1_000_000:06d}")).status_code == 401
    answer = await login(identity, code)
    assert answer.status_code == 200, answer.text
    assert (await login(identity, code)).status_code == 401  # single use


async def test_a_wrong_password_sends_nothing_and_answers_alike(
    identity: Identity, twilio: FakeTwilio
) -> None:
    use(identity, twilio)
    ada = await verified(identity, twilio)
    await identity.client.post(
        "/api/auth/mfa/sms/enable", json={"password": PASSWORD}, headers=bearer(ada)
    )
    sent = len(twilio.messages)
    answers = [
        await identity.client.post("/api/auth/mfa/sms/send", json=body)
        for body in (
            {"email": EMAIL, "password": "not the password"},
            {"email": "nobody@example.com", "password": PASSWORD},
        )
    ]
    assert [(a.status_code, a.content) for a in answers] == [(202, b""), (202, b"")]
    assert len(twilio.messages) == sent


async def test_phone_codes_expire_after_a_few_wrong_attempts(
    identity: Identity, twilio: FakeTwilio
) -> None:
    use(identity, twilio)
    ada = await identity.signup(EMAIL)
    await identity.client.put("/api/auth/phone", json={"phone_number": PHONE}, headers=bearer(ada))
    code = code_in(twilio)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        answer = await identity.client.post(
            "/api/auth/phone/verify", json={"code": wrong}, headers=bearer(ada)
        )
        assert answer.status_code == 400 and answer.json()["type"].endswith("/invalid-sms-code")
    spent = await identity.client.post(
        "/api/auth/phone/verify", json={"code": code}, headers=bearer(ada)
    )
    assert spent.status_code == 400  # five wrong guesses used the code up
    status = await identity.client.get("/api/auth/mfa", headers=bearer(ada))
    assert status.json()["phone_verified"] is False


async def test_sms_needs_a_verified_phone(identity: Identity, twilio: FakeTwilio) -> None:
    use(identity, twilio)
    ada = await identity.signup(EMAIL)
    answer = await identity.client.post(
        "/api/auth/mfa/sms/enable", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert answer.status_code == 409 and answer.json()["type"].endswith("/phone-not-verified")
    await identity.client.put("/api/auth/phone", json={"phone_number": PHONE}, headers=bearer(ada))
    unverified = await identity.client.post(
        "/api/auth/mfa/sms/enable", json={"password": PASSWORD}, headers=bearer(ada)
    )
    assert unverified.status_code == 409
    bad = await identity.client.put(
        "/api/auth/phone", json={"phone_number": "0800 123"}, headers=bearer(ada)
    )
    assert bad.status_code == 422


async def test_twilio_refusing_is_a_503(identity: Identity, twilio: FakeTwilio) -> None:
    use(identity, twilio, token="a wrong auth token")
    ada = await identity.signup(EMAIL)
    answer = await identity.client.put(
        "/api/auth/phone", json={"phone_number": PHONE}, headers=bearer(ada)
    )
    assert answer.status_code == 503 and answer.json()["type"].endswith("/sms-unavailable")
    assert twilio.messages == []


async def test_sending_is_rate_limited(identity: Identity, twilio: FakeTwilio) -> None:
    use(identity, twilio)
    ada = await identity.signup(EMAIL)
    answers = [
        await identity.client.put(
            "/api/auth/phone", json={"phone_number": PHONE}, headers=bearer(ada)
        )
        for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert "Retry-After" in answers[-1].headers and len(twilio.messages) == 3


async def test_a_known_browser_gets_its_code_while_the_address_is_locked(
    identity: Identity, twilio: FakeTwilio, session: AsyncSession
) -> None:
    use(identity, twilio)
    ada = await verified(identity, twilio)  # Ada's browser holds her device cookie
    await identity.client.post(
        "/api/auth/mfa/sms/enable", json={"password": PASSWORD}, headers=bearer(ada)
    )
    async with identity.browser() as attacker:
        for _ in range(5):
            await attacker.post(
                "/api/auth/mfa/sms/send", json={"email": EMAIL, "password": "a wrong guess"}
            )
        sent = len(twilio.messages)
        locked = await attacker.post(
            "/api/auth/mfa/sms/send", json={"email": EMAIL, "password": PASSWORD}
        )
        assert locked.status_code == 202 and len(twilio.messages) == sent

    asked = await identity.client.post(
        "/api/auth/mfa/sms/send", json={"email": EMAIL, "password": PASSWORD}
    )
    assert asked.status_code == 202 and len(twilio.messages) == sent + 1
    assert (await login(identity, code_in(twilio))).status_code == 200
    [alert] = await outbox_events(session, "auth.account_locked")
    assert alert["data"]["scope"] == "unknown_devices"
