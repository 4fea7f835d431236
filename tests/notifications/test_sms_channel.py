"""The SMS channel on the one notifications group, through the real outbox, relay and
stream: a security event becomes an in-app alert, a mail and a text to the verified phone;
and what the SMS channel plans for each preference (quiet hours hold all but security)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import RecoveryCodeUsed
from sift.core.db import Database
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.models import Delivery
from sift.notifications.events import channels
from sift.notifications.preferences.repository import preference_repository, recipient_repository
from sift.notifications.preferences.service import SEND_NOW, preference_service
from sift.notifications.sms.models import PhoneNumber
from tests.notifications.inapp import Inbox, inbox, signing_key

__all__ = ["inbox", "signing_key"]  # fixtures

NUMBER = "+4915112345678"


def test_every_mailed_event_reaches_the_sms_channel_after_the_email_channel() -> None:
    for event_type in HANDLERS:
        order = channels.of(event_type)
        assert "sms" in order and order.index("sms") > order.index("email"), event_type


@pytest.fixture
async def phone_of(database: Database) -> AsyncIterator[uuid.UUID]:
    """A user with a verified phone, committed (the consumer reads it), removed after."""
    me = uuid.uuid4()
    async with database.sessionmaker() as session, session.begin():
        session.add(
            PhoneNumber(
                user_id=me,
                number=NUMBER,
                verified_at=datetime.now(UTC),
                code_failures=0,
                sends=0,
            )
        )
    yield me
    async with database.engine.begin() as connection:
        await connection.execute(
            text("DELETE FROM notifications.phone_numbers WHERE user_id = :me"), {"me": me}
        )
        await connection.execute(
            text("DELETE FROM notifications.deliveries WHERE user_id = :me"), {"me": me}
        )


async def test_a_security_event_is_an_alert_a_mail_and_a_text(
    inbox: Inbox, phone_of: uuid.UUID
) -> None:
    me = phone_of
    used = RecoveryCodeUsed(user_id=me, email="me@example.com", remaining=7)
    envelope = await inbox.publish(used, producer="identity", subject_id=me)
    await inbox.deliver()
    await inbox.deliver()  # delivered again: nothing more on any channel

    [alert] = await inbox.items(inbox.caller(me))
    assert alert["type"] == "security_alert"
    async with inbox.database.sessionmaker() as session:
        rows = list(
            await session.scalars(
                select(Delivery).where(Delivery.event_id == envelope.id).order_by(Delivery.channel)
            )
        )
    assert [(row.channel, row.kind, row.user_id, row.address) for row in rows] == [
        ("email", "security_alert", me, "me@example.com"),
        ("sms", "security_alert", me, NUMBER),
    ]
    assert rows[1].status == "queued"


async def test_what_the_sms_channel_plans_for_each_preference(session: AsyncSession) -> None:
    me, now = uuid.uuid4(), datetime.now(UTC)
    plan = preference_service.sms_plan

    # Security alerts by default; link mails never; the rest only when switched on.
    assert await plan(session, me, "security_alert", now=now) == SEND_NOW
    for kind in ("password_reset", "email_verification", "invitation", "digest"):
        assert await plan(session, me, kind, now=now) is None
    assert await plan(session, me, "document_indexed", now=now) is None
    await preference_repository.put(session, me, "document_indexed", sms=True)
    assert await plan(session, me, "document_indexed", now=now) == SEND_NOW

    # Quiet hours hold the opted-in text, not the security alert.
    local = now.astimezone(ZoneInfo("Europe/Berlin"))
    await recipient_repository.put(
        session,
        me,
        quiet_start=(local - timedelta(hours=1)).time().replace(second=0, microsecond=0),
        quiet_end=(local + timedelta(hours=2)).time().replace(second=0, microsecond=0),
        time_zone="Europe/Berlin",
        digest="off",
    )
    held = await plan(session, me, "document_indexed", now=now)
    assert held is not None and held.send and held.not_before is not None
    assert timedelta(hours=1) < held.not_before - now <= timedelta(hours=2)
    assert await plan(session, me, "security_alert", now=now) == SEND_NOW
    assert await preference_service.sms_wanted(session, me, "document_indexed")
    await preference_repository.sms_off(session, me)
    assert not await preference_service.sms_wanted(session, me, "document_indexed")
    assert await preference_service.sms_wanted(session, me, "security_alert")
