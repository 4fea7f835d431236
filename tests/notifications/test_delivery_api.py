"""Deliveries for admins and the one-click unsubscribe link, over HTTP."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.config import CoreSettings
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.models import Delivery, DeliveryAttempt
from sift.notifications.email.unsubscribe import UnsubscribeTokens
from sift.notifications.preferences.models import NotificationPreference
from tests.notifications.conftest import NotificationsApi
from tests.notifications.delivery_helpers import invitation_created

PROBLEM = "application/problem+json"


async def delivery_of(
    session: AsyncSession, settings: CoreSettings, org_id: uuid.UUID, *, status: str = "queued"
) -> Delivery:
    envelope = invitation_created(settings, f"{uuid.uuid4().hex[:8]}@example.org", org_id=org_id)
    await HANDLERS[envelope.type](session, envelope)
    delivery = await session.scalar(select(Delivery).where(Delivery.event_id == envelope.id))
    assert delivery is not None
    await session.execute(
        update(Delivery).where(Delivery.id == delivery.id).values(status=status, attempts=2)
    )
    await session.refresh(delivery)
    return delivery


async def test_admins_list_their_organizations_deliveries_by_status(
    api: NotificationsApi, session: AsyncSession, settings: CoreSettings
) -> None:
    admin = api.caller("admin")
    dead = await delivery_of(session, settings, admin.org_id, status="dead")
    sent = await delivery_of(session, settings, admin.org_id, status="sent")
    await delivery_of(session, settings, uuid.uuid4(), status="dead")  # another organization

    answer = await api.client.get("/api/notifications/deliveries", headers=admin.headers)
    assert answer.status_code == 200
    assert [item["id"] for item in answer.json()["items"]] == [str(sent.id), str(dead.id)]

    answer = await api.client.get(
        "/api/notifications/deliveries?status=dead&limit=1", headers=admin.headers
    )
    body = answer.json()
    assert [item["id"] for item in body["items"]] == [str(dead.id)]
    assert body["items"][0]["status"] == "dead" and body["items"][0]["attempts"] == 2

    first = await api.client.get("/api/notifications/deliveries?limit=1", headers=admin.headers)
    second = await api.client.get(
        "/api/notifications/deliveries",
        params={"limit": 1, "cursor": first.json()["next_cursor"]},
        headers=admin.headers,
    )
    assert [i["id"] for i in second.json()["items"]] == [str(dead.id)]
    assert second.json()["next_cursor"] is None


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/notifications/deliveries?status=lost", 422),
        ("/api/notifications/deliveries?cursor=!", 400),
    ],
)
async def test_bad_list_parameters_are_problems(
    api: NotificationsApi, path: str, status: int
) -> None:
    answer = await api.client.get(path, headers=api.caller("owner").headers)
    assert answer.status_code == status
    assert answer.headers["content-type"].startswith(PROBLEM)


@pytest.mark.parametrize("role", ["viewer", "editor"])
async def test_only_admins_and_owners_see_deliveries(api: NotificationsApi, role: str) -> None:
    caller = api.caller(role)
    assert (
        await api.client.get("/api/notifications/deliveries", headers=caller.headers)
    ).status_code == 403
    retry = await api.client.post(
        f"/api/notifications/deliveries/{uuid.uuid4()}/retry", headers=caller.headers
    )
    assert retry.status_code == 403


async def test_a_delivery_shows_every_attempt(
    api: NotificationsApi, session: AsyncSession, settings: CoreSettings
) -> None:
    admin = api.caller("admin")
    delivery = await delivery_of(session, settings, admin.org_id, status="dead")
    for number in (1, 2):
        session.add(
            DeliveryAttempt(
                delivery_id=delivery.id,
                number=number,
                channel="email",
                provider="smtp",
                status="transient",
                error="451 4.3.0 Mailbox busy",
                started_at=delivery.created_at,
                finished_at=delivery.created_at,
            )
        )
    await session.flush()
    answer = await api.client.get(
        f"/api/notifications/deliveries/{delivery.id}", headers=admin.headers
    )
    assert answer.status_code == 200
    log = answer.json()["attempt_log"]
    assert [(a["number"], a["status"], a["provider"]) for a in log] == [
        (1, "transient", "smtp"),
        (2, "transient", "smtp"),
    ]
    elsewhere = api.caller("admin")  # another organization's admin
    hidden = await api.client.get(
        f"/api/notifications/deliveries/{delivery.id}", headers=elsewhere.headers
    )
    assert hidden.status_code == 404 and hidden.headers["content-type"].startswith(PROBLEM)


@pytest.mark.usefixtures("celery_worker")  # the retry is sent to the test worker's broker
async def test_an_admin_retries_a_dead_delivery_once(
    api: NotificationsApi, session: AsyncSession, settings: CoreSettings
) -> None:
    admin = api.caller("admin")
    dead = await delivery_of(session, settings, admin.org_id, status="dead")
    sent = await delivery_of(session, settings, admin.org_id, status="sent")
    path = f"/api/notifications/deliveries/{dead.id}/retry"

    answer = await api.client.post(path, headers=admin.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["status"] == "queued" and body["max_attempts"] == 2 + 5  # a fresh budget

    again = await api.client.post(path, headers=admin.headers)
    assert again.status_code == 409 and again.json()["type"].endswith("/delivery-not-retryable")
    not_failed = await api.client.post(
        f"/api/notifications/deliveries/{sent.id}/retry", headers=admin.headers
    )
    assert not_failed.status_code == 409
    other = await api.client.post(path, headers=api.caller("admin").headers)
    assert other.status_code == 404


# --- unsubscribe ---------------------------------------------------------------------------


def token_for(settings: CoreSettings, user_id: uuid.UUID, kind: str) -> str:
    return UnsubscribeTokens(settings, max_age_days=90).issue(user_id, kind)


async def test_one_click_unsubscribe_switches_email_off_in_the_preferences(
    api: NotificationsApi, session: AsyncSession, settings: CoreSettings
) -> None:
    user_id = uuid.uuid4()
    token = token_for(settings, user_id, "document_indexed")
    url = "/api/notifications/unsubscribe"

    before = await api.client.get(url, params={"token": token})
    assert before.status_code == 200
    assert before.json() == {"kind": "document_indexed", "unsubscribed": False}

    # What a mail client sends for `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.
    click = await api.client.post(
        url, params={"token": token}, data={"List-Unsubscribe": "One-Click"}
    )
    assert click.status_code == 200
    assert click.json() == {"kind": "document_indexed", "unsubscribed": True}
    assert (await api.client.post(url, params={"token": token})).status_code == 200  # again

    after = await api.client.get(url, params={"token": token})
    assert after.json()["unsubscribed"] is True
    [row] = await session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user_id)
    )
    assert (row.type, row.in_app, row.email, row.sms) == ("document_indexed", True, False, False)
    # The settings page reads the same row.
    caller = api.caller("viewer", user_id=user_id)
    answer = await api.client.get("/api/notifications/preferences", headers=caller.headers)
    [indexed] = [t for t in answer.json()["types"] if t["type"] == "document_indexed"]
    assert indexed["email"] is False and indexed["in_app"] is True


async def test_a_browser_gets_a_page_whose_button_unsubscribes(
    api: NotificationsApi, session: AsyncSession, settings: CoreSettings
) -> None:
    user_id = uuid.uuid4()
    token = token_for(settings, user_id, "saved_search_matched")
    html = {"Accept": "text/html,application/xhtml+xml"}
    page = await api.client.get(
        "/api/notifications/unsubscribe", params={"token": token}, headers=html
    )
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'method="post"' in page.text and f"token={token}" in page.text
    assert (
        await session.scalar(
            select(NotificationPreference).where(NotificationPreference.user_id == user_id)
        )
        is None
    )

    done = await api.client.post(
        "/api/notifications/unsubscribe", params={"token": token}, headers=html
    )
    assert "no longer get “saved search matched” e-mails" in done.text


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("not-a-token", "invalid-unsubscribe-token"),
        (None, "not-unsubscribable"),  # a (signed) token for security mail
    ],
)
async def test_bad_unsubscribe_links_are_problems(
    api: NotificationsApi, settings: CoreSettings, token: str | None, code: str
) -> None:
    token = token or token_for(settings, uuid.uuid4(), "security_alert")
    for method in ("GET", "POST"):
        answer = await api.client.request(
            method, "/api/notifications/unsubscribe", params={"token": token}
        )
        assert answer.status_code == 400
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["type"].endswith(f"/{code}")
    missing = await api.client.post("/api/notifications/unsubscribe")
    assert missing.status_code == 422
