"""The in-app inbox over HTTP: listing (pages, filters), unread count, marking read,
ownership (another user's notification is a 404) and bad input (problem+json 4xx)."""

from __future__ import annotations

import uuid

import pytest

from sift.contracts.events.documents import CollectionMemberGranted, CollectionRoleName
from sift.contracts.events.identity import MfaEnabled, MfaMethod, PasswordChanged
from sift.notifications.inapp.fanout import Signal
from tests.notifications.inapp import Caller, Inbox, inbox, signing_key

__all__ = ["inbox", "signing_key"]  # fixtures


async def alerts(inbox: Inbox, me: Caller, count: int) -> list[str]:
    """`count` security alerts for `me`; their IDs, newest first."""
    for _ in range(count):
        await inbox.publish(
            PasswordChanged(user_id=me.user_id, email="me@example.com", sessions_revoked=0),
            producer="identity",
        )
    await inbox.deliver()
    return [item["id"] for item in await inbox.items(me, limit=100)]


async def test_pages_newest_first_with_an_opaque_cursor(inbox: Inbox) -> None:
    me = inbox.caller()
    ids = await alerts(inbox, me, 5)
    assert len(ids) == 5

    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        answer = await inbox.client.get("/api/notifications", headers=me.headers, params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    assert seen == sorted(seen, reverse=True)


async def test_read_one_then_all_and_the_unread_filter(inbox: Inbox) -> None:
    me = inbox.caller()
    first, second, third = await alerts(inbox, me, 3)
    assert await inbox.unread(me) == 3

    answer = await inbox.client.post(f"/api/notifications/{second}/read", headers=me.headers)
    assert answer.status_code == 204
    again = await inbox.client.post(f"/api/notifications/{second}/read", headers=me.headers)
    assert again.status_code == 204  # marking a read one again is no error
    assert await inbox.unread(me) == 2
    assert [item["id"] for item in await inbox.items(me, unread="true")] == [first, third]
    [read] = await inbox.items(me, unread="false")
    assert read["id"] == second and read["read_at"] is not None

    answer = await inbox.client.post("/api/notifications/read-all", headers=me.headers)
    assert answer.status_code == 204
    assert await inbox.unread(me) == 0
    assert await inbox.items(me, unread="true") == []
    # The time a notification was first read stays.
    [still] = [item for item in await inbox.items(me) if item["id"] == second]
    assert still["read_at"] == read["read_at"]


async def test_the_type_filter(inbox: Inbox) -> None:
    me = inbox.caller()
    await inbox.publish(MfaEnabled(user_id=me.user_id, method=MfaMethod.totp), producer="identity")
    await inbox.deliver()
    assert len(await inbox.items(me, type="security_alert")) == 1
    assert await inbox.items(me, type="document_indexed") == []
    answer = await inbox.client.get(
        "/api/notifications", headers=me.headers, params={"type": "nonsense"}
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_another_users_or_an_unknown_notification_is_not_found(inbox: Inbox) -> None:
    me, other = inbox.caller(), inbox.caller()
    [mine] = await alerts(inbox, me, 1)
    for who, notification_id in ((other, mine), (me, str(uuid.uuid4()))):
        answer = await inbox.client.post(
            f"/api/notifications/{notification_id}/read", headers=who.headers
        )
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["type"].endswith("/notification-not-found")
    # Another user's read-all leaves mine alone.
    await inbox.client.post("/api/notifications/read-all", headers=other.headers)
    assert await inbox.unread(me) == 1


async def test_an_organizations_notifications_stay_in_it(inbox: Inbox) -> None:
    me = inbox.caller()
    other_org = inbox.caller(me.user_id, org_id=uuid.uuid4())
    grant_org = inbox.org_id
    await inbox.publish(
        CollectionMemberGranted(
            collection_id=uuid.uuid4(), user_id=me.user_id, role=CollectionRoleName.viewer
        ),
        org_id=grant_org,
    )
    await inbox.deliver()
    [item] = await inbox.items(me)
    assert await inbox.items(other_org) == [] and await inbox.unread(other_org) == 0
    answer = await inbox.client.post(
        f"/api/notifications/{item['id']}/read", headers=other_org.headers
    )
    assert answer.status_code == 404
    await inbox.client.post("/api/notifications/read-all", headers=other_org.headers)
    assert await inbox.unread(me) == 1


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/notifications", {"cursor": "not-a-cursor"}, 400),
        ("/api/notifications", {"limit": 0}, 422),
        ("/api/notifications", {"limit": 101}, 422),
        ("/api/notifications", {"unread": "maybe"}, 422),
    ],
)
async def test_bad_input_is_a_problem(
    inbox: Inbox, path: str, params: dict[str, object], status: int
) -> None:
    answer = await inbox.client.get(path, headers=inbox.caller().headers, params=params)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_a_malformed_id_is_a_problem(inbox: Inbox) -> None:
    answer = await inbox.client.post("/api/notifications/42/read", headers=inbox.caller().headers)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_no_token_no_notifications(inbox: Inbox) -> None:
    for method, path in (
        ("GET", "/api/notifications"),
        ("GET", "/api/notifications/unread-count"),
        ("POST", "/api/notifications/read-all"),
        ("GET", "/api/notifications/stream"),
    ):
        answer = await inbox.client.request(method, path)
        assert answer.status_code == 401, path


def test_a_signal_carries_only_its_kind() -> None:
    assert Signal.decode(Signal("read").encode()) == Signal("read")
    for junk in (b"", b"[]", b'{"kind": "other"}', None):
        assert Signal.decode(junk) is None
