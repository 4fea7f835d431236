"""The one consumer group's channels: handlers of a type run in order in one transaction,
a failing channel retries the event for all without a second notification; signals to the
live feed leave only once the transaction commits."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.identity import MfaEnabled, MfaMethod
from sift.core.events.consumer import Consumer
from sift.core.events.runner import consume_once
from sift.notifications.events import Channels
from sift.notifications.inapp import fanout
from sift.notifications.inapp.fanout import NotificationBus
from sift.notifications.inapp.schemas import NotificationType
from sift.notifications.inapp.service import notification_service
from sift.notifications.models import Notification, ProcessedEvent
from tests.notifications.inapp import Inbox, inbox, signing_key

__all__ = ["inbox", "signing_key"]  # fixtures


async def count(inbox: Inbox, user_id: uuid.UUID) -> int:
    async with inbox.database.read_sessionmaker() as session:
        query = select(func.count()).where(Notification.user_id == user_id)
        return int(await session.scalar(query) or 0)


async def test_a_failing_channel_retries_the_event_without_a_second_notification(
    inbox: Inbox,
) -> None:
    group = Channels(Consumer("test-channels", ProcessedEvent))
    calls: list[str] = []

    @group.on(MfaEnabled, channel="in_app")
    async def in_app(session: AsyncSession, envelope: EventEnvelope) -> None:
        calls.append("in_app")
        payload = envelope.payload_as(MfaEnabled)
        await notification_service.notify(
            session,
            fanout.process_bus(),
            envelope,
            user_id=payload.user_id,
            org_id=None,
            type=NotificationType.security_alert,
            title="Two-step sign-in turned on",
            body="",
        )

    @group.on(MfaEnabled, channel="email")
    async def email(session: AsyncSession, envelope: EventEnvelope) -> None:
        calls.append("email")
        if calls.count("email") == 1:
            raise RuntimeError("the mail provider is down")

    assert group.of("auth.mfa_enabled") == ["in_app", "email"]
    with pytest.raises(ValueError, match="already handles"):
        group.register(MfaEnabled, email, channel="email")

    me = inbox.caller()
    await inbox.publish(MfaEnabled(user_id=me.user_id, method=MfaMethod.totp), producer="identity")
    await inbox.relay()  # only this test's group reads it
    retry_now = inbox.settings.model_copy(
        update={"events": inbox.settings.events.model_copy(update={"claim_idle_ms": 0})}
    )

    async def run() -> None:
        await consume_once(
            group.consumer,
            database=inbox.database,
            redis=inbox.redis,
            settings=retry_now,
            name="test-channels",
        )

    await run()
    assert calls == ["in_app", "email"]
    assert await count(inbox, me.user_id) == 0  # rolled back with the failing channel
    await run()  # claimed again: both run, once more
    assert calls == ["in_app", "email", "in_app", "email"]
    assert await count(inbox, me.user_id) == 1
    await run()
    assert len(calls) == 4


async def test_the_same_event_on_the_same_channel_is_stored_once(inbox: Inbox) -> None:
    me = inbox.caller()
    envelope = EventEnvelope.wrap(
        MfaEnabled(user_id=me.user_id, method=MfaMethod.sms), producer="identity"
    )
    bus = fanout.process_bus()
    async with inbox.database.sessionmaker() as session, session.begin():
        stored = [
            await notification_service.notify(
                session,
                bus,
                envelope,
                user_id=me.user_id,
                org_id=None,
                type=NotificationType.security_alert,
                title="t",
                body="b",
            )
            for _ in range(2)
        ]
    assert stored == [True, False]
    assert await count(inbox, me.user_id) == 1


async def test_signals_leave_only_after_a_commit(inbox: Inbox) -> None:
    me = inbox.caller()
    bus = NotificationBus(inbox.settings, inbox.redis)
    pubsub = inbox.redis.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(bus.channel(me.user_id))
    try:
        for commit in (False, True):
            envelope = EventEnvelope.wrap(
                MfaEnabled(user_id=me.user_id, method=MfaMethod.totp), producer="identity"
            )
            async with inbox.database.sessionmaker() as session:
                await notification_service.notify(
                    session,
                    bus,
                    envelope,
                    user_id=me.user_id,
                    org_id=None,
                    type=NotificationType.security_alert,
                    title="t",
                    body="b",
                )
                await fanout.flush()
                assert await pubsub.get_message(timeout=0.2) is None  # not committed yet
                await (session.commit() if commit else session.rollback())
            await fanout.flush()
            message = await pubsub.get_message(timeout=0.5)
            if commit:
                assert message is not None and message["data"] == b'{"kind": "notification"}'
            else:
                assert message is None
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
