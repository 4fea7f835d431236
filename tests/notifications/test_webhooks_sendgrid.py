"""SendGrid's signed Event Webhook (`POST /api/notifications/webhooks/sendgrid`): mail sent
through the SendGrid SDK (to the fake API) is followed by the events SendGrid would post,
signed as SendGrid signs them; what does not verify changes nothing."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.models import Delivery, EmailSuppression
from tests.conftest import TransactionalDatabase
from tests.fakes.sendgrid import FakeSendGrid, fake_sendgrid
from tests.fakes.sendgrid_webhook import SIGNATURE, TIMESTAMP, SendGridEvents
from tests.notifications.conftest import NotificationsApi
from tests.notifications.feedback_helpers import PROBLEM, sent_delivery, snapshot

URL = "/api/notifications/webhooks/sendgrid"


@pytest.fixture
def events() -> SendGridEvents:
    return SendGridEvents()


@pytest.fixture
def sendgrid() -> Iterator[FakeSendGrid]:
    with fake_sendgrid() as fake:
        yield fake


@pytest.fixture
def config(
    mail_settings: Callable[..., NotificationsSettings],
    sendgrid: FakeSendGrid,
    events: SendGridEvents,
) -> NotificationsSettings:
    return mail_settings(
        SIFT_NOTIFICATIONS_EMAIL_PROVIDER="sendgrid",
        SIFT_NOTIFICATIONS_EMAIL_SENDGRID_API_KEY=sendgrid.api_key,
        SIFT_NOTIFICATIONS_EMAIL_SENDGRID_HOST=sendgrid.url,
        SIFT_NOTIFICATIONS_EMAIL_SENDGRID_WEBHOOK_PUBLIC_KEY=events.verification_key,
    )


@pytest.fixture
def tx_database(db_connection: AsyncConnection, database: Database) -> Database:
    return TransactionalDatabase(db_connection, database)


@pytest.fixture
async def sent(
    session: AsyncSession,
    settings: CoreSettings,
    config: NotificationsSettings,
    tx_database: Database,
) -> Delivery:
    address = f"{uuid.uuid4().hex[:8]}@example.org"
    return await sent_delivery(session, settings, config, tx_database, address)


def _address(delivery: Delivery) -> str:
    assert delivery.address is not None
    return delivery.address


async def _post(api: NotificationsApi, body: bytes, headers: dict[str, str]) -> dict[str, int]:
    answer = await api.client.post(URL, content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    counts: dict[str, int] = answer.json()
    return counts


async def test_delivered_then_bounced_moves_the_delivery_and_suppresses_the_address(
    api: NotificationsApi, session: AsyncSession, events: SendGridEvents, sent: Delivery
) -> None:
    assert sent.provider == "sendgrid" and sent.provider_message_id is not None
    mid, address = sent.provider_message_id, _address(sent)

    delivered = events.request(
        events.event("delivered", address, mid), events.event("open", address, mid)
    )
    assert await _post(api, *delivered) == {"received": 1, "updated": 1, "suppressed": 0}
    await session.refresh(sent)
    assert sent.status == "delivered"

    bounce = events.event(
        "bounce", address, mid, type="bounce", reason="550 5.1.1 The email account does not exist"
    )
    assert await _post(api, *events.request(bounce)) == {
        "received": 1,
        "updated": 1,
        "suppressed": 1,
    }
    await session.refresh(sent)
    assert sent.status == "bounced" and "does not exist" in (sent.error or "")
    suppression = await session.get(EmailSuppression, address.lower())
    assert suppression is not None and (suppression.reason, suppression.provider) == (
        "bounce",
        "sendgrid",
    )

    # SendGrid posts at least once: the same report again changes nothing more.
    assert await _post(api, *events.request(bounce)) == {
        "received": 1,
        "updated": 0,
        "suppressed": 1,
    }


async def test_a_late_delivered_does_not_undo_a_bounce(
    api: NotificationsApi, session: AsyncSession, events: SendGridEvents, sent: Delivery
) -> None:
    mid, address = sent.provider_message_id or "", _address(sent)
    await _post(api, *events.request(events.event("bounce", address, mid, type="blocked")))
    await _post(api, *events.request(events.event("delivered", address, mid)))
    await session.refresh(sent)
    assert sent.status == "bounced" and "temporary" in (sent.error or "")
    # A block is a temporary refusal: the address stays mailable.
    assert await session.get(EmailSuppression, address) is None


@pytest.mark.parametrize(
    ("event", "extra", "status", "reason"),
    [
        ("spamreport", {}, "complained", "complaint"),
        ("dropped", {"reason": "Bounced Address"}, "failed", "bounce"),
        ("dropped", {"reason": "Spam Reporting Address"}, "failed", "complaint"),
        ("dropped", {"reason": "Unsubscribed Address"}, "failed", None),
    ],
)
async def test_drops_and_spam_reports(
    api: NotificationsApi,
    session: AsyncSession,
    events: SendGridEvents,
    sent: Delivery,
    event: str,
    extra: dict[str, str],
    status: str,
    reason: str | None,
) -> None:
    address = _address(sent)
    await _post(
        api, *events.request(events.event(event, address, sent.provider_message_id or "", **extra))
    )
    await session.refresh(sent)
    assert sent.status == status
    suppression = await session.get(EmailSuppression, address)
    assert (suppression.reason if suppression else None) == reason


@pytest.mark.parametrize(
    ("case", "status"),
    [("no signature", 401), ("forged", 403), ("tampered", 403), ("stale", 403), ("future", 403),
     ("garbled signature", 403), ("timestamp not a number", 403)],
)  # fmt: skip
async def test_what_does_not_verify_is_refused_and_changes_nothing(
    api: NotificationsApi,
    session: AsyncSession,
    events: SendGridEvents,
    sent: Delivery,
    case: str,
    status: int,
) -> None:
    bounce = events.event("bounce", _address(sent), sent.provider_message_id or "", type="bounce")
    body = json.dumps([bounce]).encode()
    headers = events.signed(body)
    if case == "no signature":
        del headers[SIGNATURE]
    elif case == "forged":  # signed by a key that is not the configured one
        headers = SendGridEvents().signed(body)
    elif case == "tampered":
        body = body.replace(b'"bounce"', b'"spamreport"', 1)
    elif case == "stale":
        headers = events.signed(body, at=time.time() - 3600)
    elif case == "future":
        headers = events.signed(body, at=time.time() + 3600)
    elif case == "garbled signature":
        headers[SIGNATURE] = "%%%not base64%%%"
    elif case == "timestamp not a number":
        headers[TIMESTAMP] = "yesterday"
    before = await snapshot(session)

    answer = await api.client.post(URL, content=body, headers=headers)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert await snapshot(session) == before


async def test_an_unconfigured_webhook_refuses_everything(
    api: NotificationsApi,
    session: AsyncSession,
    mail_settings: Callable[..., NotificationsSettings],
    events: SendGridEvents,
) -> None:
    mail_settings()  # no verification key
    before = await snapshot(session)
    answer = await api.client.post(URL, content=b"[]", headers=events.signed(b"[]"))
    assert answer.status_code == 403 and answer.json()["type"].endswith("/webhook-not-configured")
    assert await snapshot(session) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"event": "bounce"}', 422),  # an object, not SendGrid's array
        (b'[{"email": "a@example.org"}]', 422),  # an event without its name
        (b'[{"event": "bounce", "timestamp": "soon"}]', 422),
    ],
)
async def test_a_signed_body_that_is_not_sendgrids_is_a_problem(
    api: NotificationsApi,
    session: AsyncSession,
    config: NotificationsSettings,
    events: SendGridEvents,
    body: bytes,
    status: int,
) -> None:
    before = await snapshot(session)
    answer = await api.client.post(URL, content=body, headers=events.signed(body))
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert await snapshot(session) == before


def test_a_key_that_is_not_one_fails_at_start(
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    with pytest.raises(ValueError, match="not SendGrid's verification key"):
        mail_settings(SIFT_NOTIFICATIONS_EMAIL_SENDGRID_WEBHOOK_PUBLIC_KEY="bm90IGEga2V5")
