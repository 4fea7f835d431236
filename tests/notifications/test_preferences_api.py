"""`GET/PUT /api/notifications/preferences` over HTTP: the defaults, saving, each person's
own, and every refusal a 422 problem+json that names what is wrong (nothing saved)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.documents.conftest import Caller
from tests.notifications.conftest import NotificationsApi

PROBLEM = "application/problem+json"
URL = "/api/notifications/preferences"
TYPES = [
    "document_indexed",
    "document_index_failed",
    "saved_search_matched",
    "member_added",
    "collection_access_granted",
    "export_ready",
    "security_alert",
    "account_links",
]


async def read(api: NotificationsApi, caller: Caller) -> dict[str, Any]:
    answer = await api.client.get(URL, headers=caller.headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def row(body: dict[str, Any], type_: str) -> dict[str, Any]:
    [found] = [item for item in body["types"] if item["type"] == type_]
    return found


def switch(type_: str, **channels: bool) -> dict[str, Any]:
    return {"type": type_, "in_app": True, "email": True, "sms": False, **channels}


async def test_a_user_who_saved_nothing_gets_everything_but_sms(api: NotificationsApi) -> None:
    body = await read(api, api.caller("viewer"))
    assert [item["type"] for item in body["types"]] == TYPES
    for item in body["types"]:
        assert (item["in_app"], item["email"], item["sms"]) == (True, True, False)
        assert item["locked"] is (item["type"] in ("security_alert", "account_links"))
        # Link mails never go by text; the member news has no text form.
        assert item["sms_available"] is (
            item["type"]
            not in ("account_links", "member_added", "collection_access_granted", "export_ready")
        )
    assert body["quiet_hours"] is None and body["digest"] == "off"
    assert body["time_zone"] is None


async def test_saving_sets_the_types_listed_quiet_hours_and_the_digest(
    api: NotificationsApi,
) -> None:
    me, someone = api.caller("viewer"), api.caller("viewer")
    answer = await api.client.put(
        URL,
        headers=me.headers,
        json={
            "types": [switch("document_indexed", in_app=False, email=False)],
            "quiet_hours": {"start": "22:00", "end": "07:30", "time_zone": "Europe/Berlin"},
            "digest": "weekly",
        },
    )
    assert answer.status_code == 200, answer.text
    saved = await read(api, me)
    assert saved == answer.json()
    assert row(saved, "document_indexed") | {"locked": False} == switch(
        "document_indexed", in_app=False, email=False
    ) | {"locked": False, "sms_available": True}
    assert row(saved, "saved_search_matched")["email"] is True  # not listed: unchanged
    assert saved["quiet_hours"] == {
        "start": "22:00:00",
        "end": "07:30:00",
        "time_zone": "Europe/Berlin",
    }
    assert saved["digest"] == "weekly" and saved["time_zone"] == "Europe/Berlin"

    # Switched on again, quiet hours removed: the same call, the other way.
    again = {
        "types": [switch("document_indexed")],
        "quiet_hours": None,
        "digest": "daily",
        "time_zone": "Asia/Tokyo",  # the digest's zone without quiet hours
    }
    assert (await api.client.put(URL, headers=me.headers, json=again)).status_code == 200
    back = await read(api, me)
    assert row(back, "document_indexed")["in_app"] is True and back["quiet_hours"] is None
    assert back["time_zone"] == "Asia/Tokyo"

    # What a body leaves out keeps what it had.
    only_types = {"types": [switch("member_added", email=False)]}
    assert (await api.client.put(URL, headers=me.headers, json=only_types)).status_code == 200
    kept = await read(api, me)
    assert kept["digest"] == "daily" and kept["time_zone"] == "Asia/Tokyo"
    assert row(kept, "member_added")["email"] is False

    # Another person's preferences are theirs.
    assert row(await read(api, someone), "document_indexed")["in_app"] is True


@pytest.mark.parametrize(
    ("body", "code", "loc", "words"),
    [
        (
            {"types": [switch("security_alert", email=False)]},
            "notification-type-locked",
            ["body", "types", "0", "type"],
            "security_alert",
        ),
        (
            {"types": [switch("document_indexed"), switch("account_links", in_app=False)]},
            "notification-type-locked",
            ["body", "types", "1", "type"],
            "account_links",
        ),
        (
            {"types": [switch("weather_report")]},
            "unknown-notification-type",
            ["body", "types", "0", "type"],
            "weather_report",
        ),
        (
            {"types": [switch("document_indexed", sms=True)]},
            "phone-not-verified",
            ["body", "types", "0", "sms"],
            "Verify a phone number first",
        ),
        (
            {"quiet_hours": {"start": "22:00", "end": "07:00", "time_zone": "Mars/Olympus"}},
            "invalid-time-zone",
            ["body", "quiet_hours", "time_zone"],
            "Mars/Olympus",
        ),
        (
            {"time_zone": "../../etc/passwd"},
            "invalid-time-zone",
            ["body", "time_zone"],
            "../../etc/passwd",
        ),
        (
            {"quiet_hours": {"start": "22:00", "end": "22:00", "time_zone": "UTC"}},
            "invalid-quiet-hours",
            ["body", "quiet_hours", "end"],
            "different times",
        ),
    ],
)
async def test_refusals_name_what_is_wrong_and_save_nothing(
    api: NotificationsApi, body: dict[str, Any], code: str, loc: list[str], words: str
) -> None:
    me = api.caller("viewer")
    before = await read(api, me)
    # A valid part beside the invalid one is not saved either.
    answer = await api.client.put(URL, headers=me.headers, json={"digest": "daily", **body})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    problem = answer.json()
    assert problem["type"].endswith(f"/{code}")
    assert words in problem["detail"]
    assert problem["errors"][0]["loc"] == loc
    assert await read(api, me) == before


@pytest.mark.parametrize(
    "body",
    [
        {"digest": "hourly"},
        {"types": [{"type": "document_indexed", "in_app": "maybe", "email": True, "sms": False}]},
        {"quiet_hours": {"start": "25:00", "end": "07:00", "time_zone": "UTC"}},
        {"quiet_hours": {"start": "22:00", "end": "07:00"}},
        {"colour": "blue"},
    ],
)
async def test_malformed_bodies_are_validation_problems(
    api: NotificationsApi, body: dict[str, Any]
) -> None:
    answer = await api.client.put(URL, headers=api.caller("viewer").headers, json=body)
    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/validation-error")


async def test_without_a_token_there_are_no_preferences(api: NotificationsApi) -> None:
    assert (await api.client.get(URL)).status_code == 401
    assert (await api.client.put(URL, json={"digest": "off"})).status_code == 401
