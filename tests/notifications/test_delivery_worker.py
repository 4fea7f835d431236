"""E-mail delivery through the real Celery worker: the event's handler commits a delivery,
the worker sends it to the capture (or a relay), retries, dead-letters."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from redis import Redis as SyncRedis
from redis.asyncio import Redis
from sqlalchemy import create_engine, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.bus import encode_entry, stream_key
from sift.core.events.consumer import Consumer
from sift.core.events.runner import consume_once
from sift.core.tasks import flush_enqueued
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.jobs import purge_finished_job, resend_stranded_job
from sift.notifications.delivery.models import Delivery, DeliveryAttempt
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.delivery.service import SEND_TASK, delivery_service
from sift.notifications.delivery.tasks import run_delivery
from sift.notifications.models import ProcessedEvent
from sift.runtime.scheduler import job_context_for
from tests.fakes.smtp import PASSWORD, USERNAME, fake_relay
from tests.identity.conftest import IdentityFactory, outbox_events
from tests.notifications.conftest import Capture
from tests.notifications.delivery_helpers import (
    eventually,
    invitation_created,
    recovery_code_used,
)

pytestmark = [
    pytest.mark.usefixtures("celery_worker", "committed_deliveries"),
    pytest.mark.filterwarnings("ignore:Call to deprecated setex:DeprecationWarning"),
]

# The identity app and its fixtures, for the mail that carries identity's own link.
from tests.identity.conftest import identity_factory  # noqa: E402, F401


async def handle(database: Database, envelope: EventEnvelope) -> None:
    """What the notifications consumer does with one event: the handler, then commit."""
    async with database.sessionmaker() as session, session.begin():
        await HANDLERS[envelope.type](session, envelope)
    await flush_enqueued()


async def deliveries(database: Database, event_id: uuid.UUID) -> list[Delivery]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(select(Delivery).where(Delivery.event_id == event_id))
        return list(rows)


async def attempts(database: Database, delivery_id: uuid.UUID) -> list[DeliveryAttempt]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.number)
        )
        return list(rows)


async def test_a_password_reset_mail_carries_identitys_working_link(
    identity_factory: IdentityFactory,  # noqa: F811
    session: AsyncSession,
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    async with identity_factory() as identity:
        await identity.signup("grace@example.org", name="Grace")
        answer = await identity.client.post(
            "/api/auth/password/forgot", json={"email": "grace@example.org"}
        )
        assert answer.status_code == 202
        [published] = await outbox_events(session, "auth.password_reset_requested")

        await handle(database, EventEnvelope.model_validate(published))

        async def sent() -> Any:
            rows = await deliveries(database, uuid.UUID(published["id"]))
            return rows if rows and rows[0].status == "sent" else None

        [delivery] = await eventually(sent)
        [mail] = capture.store.latest(5)
        assert mail.to == ["grace@example.org"]
        assert mail.subject == "Reset your Sift password"
        [link] = [link for link in mail.links if "token=" in link]
        assert link.startswith("https://localhost:8443/")  # the public URL
        assert delivery.provider == "smtp"
        assert delivery.provider_message_id and delivery.provider_message_id.startswith("<")

        # The link in the mail is the one that works.
        token = link.split("token=", 1)[1]
        reset = await identity.client.post(
            "/api/auth/password/reset",
            json={"token": token, "password": "a brand new passphrase"},
        )
        assert reset.status_code == 204, reset.text
        signed_in = await identity.login("grace@example.org", "a brand new passphrase")
        assert signed_in.status_code == 200


async def test_an_event_delivered_twice_sends_one_mail(
    settings: CoreSettings,
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    envelope = invitation_created(settings, "newcomer@example.org")
    await handle(database, envelope)
    await handle(database, envelope)  # the stream redelivers it

    async def sent() -> Any:
        rows = await deliveries(database, envelope.id)
        return rows if rows and rows[0].status == "sent" else None

    [delivery] = await eventually(sent)
    # The task itself run again (a redelivered message) finds nothing to send.
    again = await run_delivery(delivery.id, settings, mail_settings(), database=database)
    assert again is None
    [mail] = capture.store.latest(5)
    assert mail.to == ["newcomer@example.org"]
    assert mail.subject == "You are invited to join Lighthouse Keepers on Sift"
    assert [a.status for a in await attempts(database, delivery.id)] == ["sent"]


async def test_a_relay_that_keeps_refusing_is_retried_then_dead_lettered(
    settings: CoreSettings,
    celery_settings: CoreSettings,
    database: Database,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    async with fake_relay() as relay:
        mail_settings(
            SIFT_NOTIFICATIONS_EMAIL_SMTP_PORT=str(relay.port),
            SIFT_NOTIFICATIONS_EMAIL_SMTP_USERNAME=USERNAME,
            SIFT_NOTIFICATIONS_EMAIL_SMTP_PASSWORD=PASSWORD,
            SIFT_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS="3",
        )
        envelope = invitation_created(settings, "busy@example.org")  # 451 every time
        await handle(database, envelope)

        async def dead() -> Any:
            rows = await deliveries(database, envelope.id)
            return rows if rows and rows[0].status == "dead" else None

        [delivery] = await eventually(dead)
    assert relay.received == []
    assert delivery.attempts == 3 and delivery.max_attempts == 3
    assert delivery.error and "451" in delivery.error
    tried = await attempts(database, delivery.id)
    assert [(a.number, a.status, a.provider) for a in tried] == [
        (1, "transient", "smtp"),
        (2, "transient", "smtp"),
        (3, "transient", "smtp"),
    ]
    assert all(a.started_at <= a.finished_at for a in tried)
    assert tried[0].finished_at < tried[1].started_at < tried[2].started_at  # waited between

    # The task's dead letter, for whoever watches the stream.
    def letters() -> list[dict[str, str]]:
        with SyncRedis.from_url(celery_settings.redis_url) as client:
            found = client.xrange(celery_settings.redis_key("tasks", "dead"))
        return [{k.decode(): v.decode() for k, v in fields.items()} for _, fields in found]

    async def lettered() -> Any:
        return [
            letter
            for letter in letters()
            if letter["task"] == SEND_TASK and str(delivery.id) in letter["args"]
        ]

    [letter] = await eventually(lettered)
    assert letter["error_type"] == "DeliveryDead" and letter["queue"] == "deliver"


async def test_the_worker_goes_on_after_a_mail_that_cannot_render(
    settings: CoreSettings,
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    broken = invitation_created(settings, "first@example.org")
    # Sealed under another secret: the link cannot be opened, the mail not rendered.
    other = settings.model_copy(update={"secret_key": settings.secret_key.__class__("x" * 40)})
    broken = EventEnvelope.model_validate(
        {
            **broken.model_dump(mode="json"),
            "data": invitation_created(other, "first@example.org").data,
        }
    )
    fine = invitation_created(settings, "second@example.org")
    await handle(database, broken)
    await handle(database, fine)

    async def both_done() -> Any:
        rows = await deliveries(database, broken.id) + await deliveries(database, fine.id)
        return rows if [r.status for r in rows] == ["failed", "sent"] else None

    failed, _ = await eventually(both_done)
    assert failed.error and failed.error.startswith("render failed")
    [attempt] = await attempts(database, failed.id)
    assert attempt.status == "failed" and "link cannot be opened" in (attempt.error or "")
    assert [mail.to for mail in capture.store.latest(5)] == [["second@example.org"]]


async def test_the_sweep_sends_deliveries_whose_message_was_lost(
    settings: CoreSettings,
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    lost = invitation_created(settings, "lost@example.org")
    cut_short = invitation_created(settings, "cut-short@example.org")
    handed_off = invitation_created(settings, "handed-off@example.org")
    recent = invitation_created(settings, "recent@example.org")
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    async with database.sessionmaker() as session, session.begin():
        # Committed by a process that died before their messages left: rows, no tasks.
        for envelope in (lost, cut_short, handed_off, recent):
            await delivery_repository.insert(
                session,
                event_id=envelope.id,
                event_type=envelope.type,
                channel="email",
                recipient=f"address:{envelope.data['email']}",
                kind="invitation",
                envelope=envelope.model_dump(mode="json"),
                max_attempts=5,
            )
        await session.execute(
            update(Delivery)
            .where(Delivery.event_id.in_([lost.id, cut_short.id, handed_off.id]))
            .values(updated_at=long_ago)
        )
        # Claimed by workers that died: one before the hand-off, one after it.
        await session.execute(
            update(Delivery)
            .where(Delivery.event_id.in_([cut_short.id, handed_off.id]))
            .values(status="sending", claimed_at=long_ago, attempts=1)
        )
        await session.execute(
            update(Delivery)
            .where(Delivery.event_id == handed_off.id)
            .values(handed_off_at=long_ago)
        )

    async with database.sessionmaker() as session, session.begin():
        assert await delivery_service.resend_stranded(session, mail_settings().delivery) == 3
    await flush_enqueued()

    async def settled() -> Any:
        events = (lost, cut_short, handed_off, recent)
        rows = [(await deliveries(database, e.id))[0] for e in events]
        return rows if [r.status for r in rows] == ["sent", "sent", "dead", "queued"] else None

    _, resent, dead, _ = await eventually(settled)
    assert sorted(mail.to[0] for mail in capture.store.latest(5)) == [
        "cut-short@example.org",
        "lost@example.org",
    ]
    assert [a.status for a in await attempts(database, resent.id)] == ["interrupted", "sent"]
    assert [a.status for a in await attempts(database, dead.id)] == ["interrupted"]


@pytest.mark.usefixtures("clean_outboxes")
async def test_the_handlers_fit_a_consumer_of_the_real_stream(
    settings: CoreSettings,
    database: Database,
    redis: Redis,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    """As the lead registers them on the notifications consumer; the stream repeats the event."""
    consumer = Consumer("notifications", ProcessedEvent)
    for event_type, handler in HANDLERS.items():
        consumer.add_handler(event_type, handler)
    envelope = recovery_code_used("owner@example.org")
    for _ in range(2):
        await redis.xadd(
            stream_key(settings),
            encode_entry(
                event_id=str(envelope.id),
                event_type=envelope.type,
                envelope_json=envelope.model_dump_json(),
            ),
        )
    stats = await consume_once(
        consumer, database=database, redis=redis, settings=settings, name="test-mail"
    )
    await flush_enqueued()
    assert (stats.applied, stats.duplicates, stats.failed) == (1, 1, 0)

    async def sent() -> Any:
        rows = await deliveries(database, envelope.id)
        return rows if rows and rows[0].status == "sent" else None

    await eventually(sent)
    [mail] = capture.store.latest(5)
    assert (mail.to, mail.subject) == (["owner@example.org"], "A recovery code was used")


async def test_the_scheduler_job_runs_the_sweep(
    settings: CoreSettings,
    celery_settings: CoreSettings,
    database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    envelope = invitation_created(settings, "swept@example.org")
    async with database.sessionmaker() as session, session.begin():
        await delivery_repository.insert(
            session,
            event_id=envelope.id,
            event_type=envelope.type,
            channel="email",
            recipient="address:swept@example.org",
            kind="invitation",
            envelope=envelope.model_dump(mode="json"),
            max_attempts=5,
            updated_at=datetime.now(UTC) - timedelta(hours=2),
        )
    engine = create_engine(celery_settings.sync_sqlalchemy_url)
    try:
        # The scheduler's own context, sending to the test worker's broker.
        with job_context_for(celery_settings, engine):
            await asyncio.to_thread(resend_stranded_job)
    finally:
        engine.dispose()

    async def sent() -> Any:
        rows = await deliveries(database, envelope.id)
        return rows if rows and rows[0].status == "sent" else None

    await eventually(sent)
    assert [mail.to for mail in capture.store.latest(5)] == [["swept@example.org"]]


async def test_finished_deliveries_are_purged_after_the_retention_period(
    settings: CoreSettings,
    celery_settings: CoreSettings,
    database: Database,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    mail_settings(SIFT_NOTIFICATIONS_DELIVERY_RETENTION_DAYS="7")
    old, recent = datetime.now(UTC) - timedelta(days=8), datetime.now(UTC) - timedelta(days=6)
    rows = {
        "old sent": ("sent", old),
        "old dead": ("dead", old),
        "old queued": ("queued", old),  # not finished: kept whatever its age
        "recent sent": ("sent", recent),
    }
    ids: dict[str, uuid.UUID] = {}
    async with database.sessionmaker() as session, session.begin():
        for name, (status, updated_at) in rows.items():
            envelope = invitation_created(settings, "kept@example.org")
            delivery_id = await delivery_repository.insert(
                session,
                event_id=envelope.id,
                event_type=envelope.type,
                channel="email",
                recipient="address:kept@example.org",
                kind="invitation",
                envelope=envelope.model_dump(mode="json"),
                max_attempts=5,
                status=status,
                attempts=1,
                updated_at=updated_at,
            )
            assert delivery_id is not None
            ids[name] = delivery_id
            session.add(
                DeliveryAttempt(
                    delivery_id=delivery_id,
                    number=1,
                    channel="email",
                    provider="smtp",
                    status="sent",
                    started_at=updated_at,
                    finished_at=updated_at,
                )
            )
    engine = create_engine(celery_settings.sync_sqlalchemy_url)
    try:
        with job_context_for(celery_settings, engine):
            await asyncio.to_thread(purge_finished_job)
    finally:
        engine.dispose()

    async with database.sessionmaker() as session:
        left = set(await session.scalars(select(Delivery.id)))
        attempts_left = set(await session.scalars(select(DeliveryAttempt.delivery_id)))
    assert left == attempts_left == {ids["old queued"], ids["recent sent"]}
