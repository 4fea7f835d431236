"""`/api/notifications/phone` over HTTP, texting through the real Twilio SDK to the fake:
set a number (a code is texted), verify it, read it masked, remove it; the limits answer
429 with Retry-After; SMS preferences need the verified phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.config import NotificationsSettings
from sift.notifications.sms.models import PhoneNumber
from tests.documents.conftest import Caller
from tests.fakes.twilio import FROM_NUMBER, FakeTwilio
from tests.notifications.conftest import NotificationsApi
from tests.notifications.sms_helpers import code_in, sms_settings, twilio

__all__ = ["sms_settings", "twilio"]  # fixtures

PROBLEM = "application/problem+json"
URL = "/api/notifications/phone"
PREFERENCES = "/api/notifications/preferences"
NUMBER = "+4915112345678"


async def put_number(api: NotificationsApi, caller: Caller, number: str = NUMBER) -> Any:
    return await api.client.put(URL, headers=caller.headers, json={"number": number})


async def verified(api: NotificationsApi, twilio: FakeTwilio, caller: Caller) -> None:
    assert (await put_number(api, caller)).status_code == 202
    code = code_in(twilio.last_to(NUMBER).body)
    answer = await api.client.post(f"{URL}/verify", headers=caller.headers, json={"code": code})
    assert answer.status_code == 200, answer.text


def sms_on(type_: str) -> dict[str, Any]:
    return {"types": [{"type": type_, "in_app": True, "email": True, "sms": True}]}


async def test_a_number_is_texted_a_code_that_verifies_it(
    api: NotificationsApi,
    twilio: FakeTwilio,
    sms_settings: Callable[..., NotificationsSettings],
    session: AsyncSession,
) -> None:
    me = api.caller("viewer")
    assert (await api.client.get(URL, headers=me.headers)).json() == {
        "number": None,
        "verified": False,
    }
    answer = await put_number(api, me, "+49 151 1234-5678")
    assert answer.status_code == 202, answer.text
    assert answer.json() == {"number": "+49*******5678", "verified": False}
    [text] = twilio.messages
    assert (text.to, text.from_) == (NUMBER, FROM_NUMBER)
    code = code_in(text.body)
    assert "expires in 10 minutes" in text.body
    # Only a hash of the code is kept.
    [row] = (await session.scalars(select(PhoneNumber))).all()
    assert row.code_hash and code not in row.code_hash

    wrong = "000000" if code != "000000" else "111111"
    refused = await api.client.post(f"{URL}/verify", headers=me.headers, json={"code": wrong})
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"].endswith("/invalid-verification-code")

    answer = await api.client.post(f"{URL}/verify", headers=me.headers, json={"code": code})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"number": "+49*******5678", "verified": True}
    assert (await api.client.get(URL, headers=me.headers)).json()["verified"] is True
    # Someone else's phone is their own.
    other = api.caller("viewer")
    assert (await api.client.get(URL, headers=other.headers)).json()["number"] is None


async def test_a_number_not_in_international_form_is_a_422(
    api: NotificationsApi, twilio: FakeTwilio, sms_settings: Callable[..., NotificationsSettings]
) -> None:
    me = api.caller("viewer")
    for number in ("015112345678", "+0151123", "+49abc12345678", "+" + "1" * 16):
        answer = await put_number(api, me, number)
        assert answer.status_code == 422, number
        assert answer.headers["content-type"] == PROBLEM
        assert answer.json()["errors"][0]["loc"] == ["body", "number"]
    assert twilio.messages == []


async def test_codes_are_limited_and_a_spent_code_asks_for_a_new_one(
    api: NotificationsApi, twilio: FakeTwilio, sms_settings: Callable[..., NotificationsSettings]
) -> None:
    sms_settings(SIFT_NOTIFICATIONS_SMS_CODE_ATTEMPTS="2")
    me = api.caller("viewer")
    assert (await put_number(api, me)).status_code == 202
    again = await put_number(api, me)
    assert again.status_code == 429 and again.headers["content-type"] == PROBLEM
    assert 1 <= int(again.headers["Retry-After"]) <= 60
    assert len(twilio.messages) == 1

    code = code_in(twilio.last_to(NUMBER).body)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        answer = await api.client.post(f"{URL}/verify", headers=me.headers, json={"code": wrong})
        assert answer.status_code == 422
    # Spent: even the right code is refused now.
    spent = await api.client.post(f"{URL}/verify", headers=me.headers, json={"code": code})
    assert spent.status_code == 429 and int(spent.headers["Retry-After"]) >= 1
    assert spent.json()["type"].endswith("/too-many-attempts")


async def test_codes_per_hour_are_limited(
    api: NotificationsApi, twilio: FakeTwilio, sms_settings: Callable[..., NotificationsSettings]
) -> None:
    sms_settings(
        SIFT_NOTIFICATIONS_SMS_RESEND_SECONDS="1", SIFT_NOTIFICATIONS_SMS_SENDS_PER_HOUR="1"
    )
    me = api.caller("viewer")
    assert (await put_number(api, me)).status_code == 202
    # Removing the number and adding it again does not reset the count.
    assert (await api.client.delete(URL, headers=me.headers)).status_code == 204
    answer = await put_number(api, me)
    assert answer.status_code == 429
    assert 3000 < int(answer.headers["Retry-After"]) <= 3600
    assert len(twilio.messages) == 1


async def test_twilio_down_is_a_503_and_spends_no_limit(
    api: NotificationsApi, twilio: FakeTwilio, sms_settings: Callable[..., NotificationsSettings]
) -> None:
    me = api.caller("viewer")
    twilio.fail_with = 500
    answer = await put_number(api, me)
    assert answer.status_code == 503 and answer.headers["content-type"] == PROBLEM
    twilio.fail_with = None
    assert (await put_number(api, me)).status_code == 202


async def test_sms_preferences_need_a_verified_phone_and_go_when_it_does(
    api: NotificationsApi, twilio: FakeTwilio, sms_settings: Callable[..., NotificationsSettings]
) -> None:
    me = api.caller("viewer")
    refused = await api.client.put(PREFERENCES, headers=me.headers, json=sms_on("document_indexed"))
    assert refused.status_code == 422 and refused.json()["type"].endswith("/phone-not-verified")
    body = (await api.client.get(PREFERENCES, headers=me.headers)).json()
    assert all(item["sms"] is False for item in body["types"])

    await verified(api, twilio, me)
    body = (await api.client.get(PREFERENCES, headers=me.headers)).json()
    # A verified phone gets security alerts by text; the rest stays off until switched on.
    assert {item["type"] for item in body["types"] if item["sms"]} == {"security_alert"}
    saved = await api.client.put(PREFERENCES, headers=me.headers, json=sms_on("document_indexed"))
    assert saved.status_code == 200, saved.text
    assert {item["type"] for item in saved.json()["types"] if item["sms"]} == {
        "security_alert",
        "document_indexed",
    }
    links = await api.client.put(PREFERENCES, headers=me.headers, json=sms_on("account_links"))
    assert links.status_code == 422 and links.json()["type"].endswith("/not-sent-by-sms")

    # The phone removed: SMS falls back to off everywhere.
    assert (await api.client.delete(URL, headers=me.headers)).status_code == 204
    assert (await api.client.get(URL, headers=me.headers)).json() == {
        "number": None,
        "verified": False,
    }
    body = (await api.client.get(PREFERENCES, headers=me.headers)).json()
    assert all(item["sms"] is False for item in body["types"])
    refused = await api.client.put(PREFERENCES, headers=me.headers, json=sms_on("document_indexed"))
    assert refused.status_code == 422
