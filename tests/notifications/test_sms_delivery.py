"""SMS deliveries through the real Celery worker and the real Twilio SDK (against the fake):
a security alert goes by text to a verified phone beside its mail; Twilio's refusals are
retried or fail the text; Twilio's signed status callback moves it on, an unsigned or
wrongly signed one changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from twilio.request_validator import RequestValidator

from sift.contracts.events import EventEnvelope
from sift.core.db import Database
from sift.core.tasks import flush_enqueued
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.models import Delivery, DeliveryAttempt
from sift.notifications.sms.config import WEBHOOK_PATH
from sift.notifications.sms.delivery import queue_sms
from sift.notifications.sms.models import PhoneNumber
from tests.fakes.twilio import AUTH_TOKEN, FakeTwilio
from tests.notifications.conftest import Capture, NotificationsApi
from tests.notifications.delivery_helpers import eventually, recovery_code_used
from tests.notifications.sms_helpers import sms_settings, twilio

__all__ = ["sms_settings", "twilio"]  # fixtures

pytestmark = [
    pytest.mark.usefixtures("celery_worker", "committed_deliveries", "phones"),
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

NUMBER = "+4915112345678"


@pytest.fixture
async def phones(database: Database) -> AsyncIterator[None]:
    async def empty() -> None:
        async with database.engine.begin() as connection:
            await connection.execute(text("TRUNCATE notifications.phone_numbers"))

    await empty()
    yield
    await empty()


async def verified_phone(database: Database, number: str = NUMBER) -> uuid.UUID:
    user_id = uuid.uuid4()
    async with database.sessionmaker() as session, session.begin():
        session.add(
            PhoneNumber(
                user_id=user_id,
                number=number,
                verified_at=datetime.now(UTC),
                code_failures=0,
                sends=0,
            )
        )
    return user_id


async def handle(database: Database, envelope: EventEnvelope) -> None:
    """What the notifications consumer does with one event: the e-mail channel, then the
    SMS channel, in one transaction."""
    async with database.sessionmaker() as session, session.begin():
        await HANDLERS[envelope.type](session, envelope)
        await queue_sms(session, envelope)
    await flush_enqueued()


async def texts(database: Database, event_id: uuid.UUID) -> list[Delivery]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.event_id == event_id, Delivery.channel == "sms")
        )
        return list(rows)


async def attempts(database: Database, delivery_id: uuid.UUID) -> list[DeliveryAttempt]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.number)
        )
        return list(rows)


def settled(database: Database, event_id: uuid.UUID, status: str) -> Callable[[], Any]:
    async def check() -> Any:
        rows = await texts(database, event_id)
        return rows if rows and rows[0].status == status else None

    return check


async def test_a_security_alert_is_texted_to_the_verified_phone_and_its_status_reported(
    api: NotificationsApi,
    session: AsyncSession,
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
    sms_settings: Callable[..., NotificationsSettings],
    twilio: FakeTwilio,
) -> None:
    me = await verified_phone(database)
    someone = uuid.uuid4()  # no phone: mail only
    alert = recovery_code_used("me@example.org", user_id=me)
    other = recovery_code_used("someone@example.org", user_id=someone)
    await handle(database, alert)
    await handle(database, alert)  # redelivered: still one text
    await handle(database, other)

    [delivery] = await eventually(settled(database, alert.id, "sent"))
    [message] = twilio.messages
    assert message.to == NUMBER
    assert "recovery codes was used" in message.body and "check your Sift account" in message.body
    assert "http" not in message.body  # no links in a text
    assert message.status_callback and message.status_callback.endswith(WEBHOOK_PATH)
    assert (delivery.provider, delivery.provider_message_id) == ("twilio", message.sid)
    assert (delivery.kind, delivery.user_id, delivery.address) == ("security_alert", me, NUMBER)
    [attempt] = await attempts(database, delivery.id)
    assert (attempt.status, attempt.channel, attempt.provider_message_id) == (
        "sent",
        "sms",
        message.sid,
    )
    assert await texts(database, other.id) == []

    # The mail went too, as before.
    async def mailed() -> list[str] | None:
        sent = sorted(mail.to[0] for mail in capture.store.latest(5))
        return sent if len(sent) == 2 else None

    assert await eventually(mailed) == ["me@example.org", "someone@example.org"]

    url = api.settings.public_url.rstrip("/") + WEBHOOK_PATH
    form = {"MessageSid": message.sid, "MessageStatus": "delivered", "AccountSid": "AC1"}
    good = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    forged = RequestValidator("another-token").compute_signature(url, form)

    async def status() -> str:
        row = await session.get(Delivery, delivery.id, populate_existing=True)
        assert row is not None
        return row.status

    unsigned = await api.client.post(WEBHOOK_PATH, data=form)
    assert unsigned.status_code == 401
    wrong = await api.client.post(WEBHOOK_PATH, data=form, headers={"X-Twilio-Signature": forged})
    assert wrong.status_code == 403
    assert wrong.headers["content-type"] == "application/problem+json"
    # Signed for other parameters: refused too.
    tampered = {**form, "MessageStatus": "failed"}
    moved = await api.client.post(WEBHOOK_PATH, data=tampered, headers={"X-Twilio-Signature": good})
    assert moved.status_code == 403
    assert await status() == "sent"

    answer = await api.client.post(WEBHOOK_PATH, data=form, headers={"X-Twilio-Signature": good})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"received": 1, "updated": 1, "suppressed": 0}
    assert await status() == "delivered"


async def test_twilio_reports_an_undelivered_text_as_failed(
    api: NotificationsApi,
    session: AsyncSession,
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
    sms_settings: Callable[..., NotificationsSettings],
    twilio: FakeTwilio,
) -> None:
    me = await verified_phone(database)
    alert = recovery_code_used(user_id=me)
    await handle(database, alert)
    [delivery] = await eventually(settled(database, alert.id, "sent"))
    url = api.settings.public_url.rstrip("/") + WEBHOOK_PATH
    form = {
        "MessageSid": str(delivery.provider_message_id),
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }
    signature = RequestValidator(AUTH_TOKEN).compute_signature(url, form)
    answer = await api.client.post(
        WEBHOOK_PATH, data=form, headers={"X-Twilio-Signature": signature}
    )
    assert answer.status_code == 200 and answer.json()["updated"] == 1
    row = await session.get(Delivery, delivery.id, populate_existing=True)
    assert row is not None and row.status == "failed"
    assert row.error and "30003" in row.error


async def test_an_invalid_number_fails_the_text_at_once(
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
    sms_settings: Callable[..., NotificationsSettings],
    twilio: FakeTwilio,
) -> None:
    twilio.invalid_numbers.add(NUMBER)
    alert = recovery_code_used(user_id=await verified_phone(database))
    await handle(database, alert)
    [delivery] = await eventually(settled(database, alert.id, "failed"))
    assert delivery.attempts == 1 and delivery.error and "21211" in delivery.error
    [attempt] = await attempts(database, delivery.id)
    assert attempt.status == "failed" and attempt.provider == "twilio"
    assert twilio.messages == []


async def test_twilio_errors_are_retried_then_the_text_is_dead(
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
    sms_settings: Callable[..., NotificationsSettings],
    twilio: FakeTwilio,
) -> None:
    sms_settings(SIFT_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS="3")
    twilio.fail_with = 503
    alert = recovery_code_used(user_id=await verified_phone(database))
    await handle(database, alert)
    [delivery] = await eventually(settled(database, alert.id, "dead"))
    assert delivery.attempts == 3 and delivery.error and "503" in delivery.error
    tried = await attempts(database, delivery.id)
    assert [(a.number, a.status) for a in tried] == [
        (1, "transient"),
        (2, "transient"),
        (3, "transient"),
    ]
    assert tried[0].finished_at < tried[1].started_at  # waited between


async def test_a_text_for_a_phone_removed_meanwhile_is_skipped(
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
    sms_settings: Callable[..., NotificationsSettings],
    twilio: FakeTwilio,
) -> None:
    me = await verified_phone(database)
    alert = recovery_code_used(user_id=me)
    async with database.sessionmaker() as session, session.begin():
        await HANDLERS[alert.type](session, alert)
        await queue_sms(session, alert)
        # Removed in the same breath: the worker finds no verified phone at the number.
        phone = await session.get(PhoneNumber, me)
        assert phone is not None
        phone.number, phone.verified_at = None, None
    await flush_enqueued()
    [delivery] = await eventually(settled(database, alert.id, "skipped"))
    assert delivery.error and "removed" in delivery.error
    assert twilio.messages == []


async def test_twilio_unreachable_is_retried_never_an_unknown_outcome(
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
    sms_settings: Callable[..., NotificationsSettings],
) -> None:
    # Nothing listens there: no connection, so the text certainly did not leave.
    sms_settings(
        SIFT_NOTIFICATIONS_SMS_BASE_URL="http://127.0.0.1:9",
        SIFT_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS="2",
    )
    alert = recovery_code_used(user_id=await verified_phone(database))
    await handle(database, alert)
    [delivery] = await eventually(settled(database, alert.id, "dead"))
    assert delivery.error and delivery.error.startswith("Twilio unreachable")
    assert [a.status for a in await attempts(database, delivery.id)] == ["transient"] * 2
