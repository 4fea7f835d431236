"""E-mail delivery, one attempt at a time (`run_delivery`, as the task runs it) on the
test's rolled-back transaction: every mail of the catalogue, refusals, a send cut short,
opt-outs."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope, EventPayload
from sift.contracts.events import identity as events
from sift.core.auth.sealing import seal
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.catalog import MAIL_TYPES
from sift.notifications.delivery.config import DeliverySettings
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.models import Delivery, DeliveryAttempt
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.delivery.service import backoff
from sift.notifications.delivery.tasks import run_delivery
from sift.notifications.preferences.repository import preference_repository
from tests.fakes.smtp import PASSWORD, USERNAME, fake_relay
from tests.notifications.conftest import Capture
from tests.notifications.delivery_helpers import invitation_created, recovery_code_used

USER = uuid.UUID("0190c0de-0000-7000-8000-000000000001")
LATER = datetime.now(UTC) + timedelta(hours=1)


def _samples(settings: CoreSettings) -> dict[str, tuple[EventPayload, str]]:
    """One event of each type that sends mail, with the subject its mail must have."""
    link = seal(settings, events.LINK_SEAL_PURPOSE, f"{settings.public_url}/x?token=t")
    owner = {"user_id": USER, "email": "ann@example.org"}
    return {
        p.event_type: (p, subject)
        for p, subject in [
            (
                events.EmailVerificationRequested(**owner, link=link, expires_at=LATER),
                "Confirm your e-mail address",
            ),
            (
                events.PasswordResetRequested(**owner, link=link, expires_at=LATER),
                "Reset your Sift password",
            ),
            (
                events.InvitationCreated(
                    invitation_id=uuid.uuid4(),
                    org_id=uuid.uuid4(),
                    org_name="Keepers",
                    email="ann@example.org",
                    role="viewer",
                    invited_by=uuid.uuid4(),
                    link=link,
                    expires_at=LATER,
                ),
                "You are invited to join Keepers on Sift",
            ),
            (
                events.AccountLocked(**owner, locked_seconds=900, failed_attempts=10),
                "Sign-in to your Sift account is paused",
            ),
            (
                events.RefreshReuseDetected(**owner, session_id=uuid.uuid4(), ip="192.0.2.4"),
                "A session of yours was stopped",
            ),
            (events.MfaDisabled(**owner), "Two-step verification is off"),
            (events.RecoveryCodeUsed(**owner, remaining=3), "A recovery code was used"),
            (
                events.OAuthAccountLinked(**owner, provider="github"),
                "A sign-in method was added",
            ),
            (
                events.PasswordChanged(**owner, sessions_revoked=2),
                "Your Sift password was changed",
            ),
            (
                events.PasswordResetCompleted(**owner, sessions_revoked=2),
                "Your Sift password was reset",
            ),
            (events.MfaEnabled(**owner, method="totp"), "Two-step verification is on"),
            (
                events.ApiKeyCreated(
                    api_key_id=uuid.uuid4(),
                    org_id=uuid.uuid4(),
                    created_by=USER,
                    name="CI",
                    permissions=["documents:read"],
                    email="ann@example.org",
                ),
                "A new API key was created",
            ),
        ]
    }


# Mail whose event is news only given earlier events (a known address, an upload):
# test_mail_events.py sends each (the export's: tests/audit/privacy/test_export_extras.py).
NEEDS_HISTORY = {
    "auth.login_succeeded",
    "privacy.export_ready",
    "document.indexed",
    "document.index_failed",
    "search.saved_search_matched",
}


async def queued(session: AsyncSession, envelope: EventEnvelope) -> Delivery:
    await HANDLERS[envelope.type](session, envelope)
    [delivery] = (
        await session.scalars(select(Delivery).where(Delivery.event_id == envelope.id))
    ).all()
    return delivery


async def attempt_log(session: AsyncSession, delivery: Delivery) -> list[DeliveryAttempt]:
    statement = select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id)
    return list(await session.scalars(statement.order_by(DeliveryAttempt.number)))


def test_every_event_of_the_catalogue_has_a_sample(settings: CoreSettings) -> None:
    assert set(_samples(settings)) | NEEDS_HISTORY == set(MAIL_TYPES)
    assert set(HANDLERS) == set(MAIL_TYPES) | {"privacy.erasure_requested"}


@pytest.mark.parametrize("event_type", sorted(set(MAIL_TYPES) - NEEDS_HISTORY))
async def test_each_event_sends_its_mail(
    event_type: str,
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    payload, subject = _samples(settings)[event_type]
    envelope = EventEnvelope.wrap(payload, producer="identity")
    delivery = await queued(session, envelope)
    assert (delivery.status, delivery.channel, delivery.attempts) == ("queued", "email", 0)

    recorded = await run_delivery(delivery.id, settings, mail_settings(), database=tx_database)

    assert recorded is not None and recorded.status == "sent"
    [mail] = capture.store.latest(5)
    assert (mail.to, mail.subject) == (["ann@example.org"], subject)
    assert "{" not in mail.text and "()" not in mail.text  # nothing left unfilled
    if "link" in type(payload).model_fields:
        assert f"{settings.public_url}/x?token=t" in mail.links


async def test_a_rejected_address_fails_at_once(
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    async with fake_relay() as relay:
        config = mail_settings(
            SIFT_NOTIFICATIONS_EMAIL_SMTP_PORT=str(relay.port),
            SIFT_NOTIFICATIONS_EMAIL_SMTP_USERNAME=USERNAME,
            SIFT_NOTIFICATIONS_EMAIL_SMTP_PASSWORD=PASSWORD,
        )
        delivery = await queued(session, invitation_created(settings, "unknown@example.org"))
        recorded = await run_delivery(delivery.id, settings, config, database=tx_database)
    assert recorded is not None and (recorded.status, recorded.retry_in) == ("failed", None)
    await session.refresh(delivery)
    assert delivery.status == "failed" and "550" in (delivery.error or "")
    [attempt] = await attempt_log(session, delivery)
    assert (attempt.number, attempt.status, attempt.provider) == (1, "failed", "smtp")
    # Failed is final: the task run again sends nothing.
    assert await run_delivery(delivery.id, settings, config, database=tx_database) is None


async def test_a_transient_refusal_is_queued_again_until_the_attempts_run_out(
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    async with fake_relay() as relay:
        config = mail_settings(
            SIFT_NOTIFICATIONS_EMAIL_SMTP_PORT=str(relay.port),
            SIFT_NOTIFICATIONS_EMAIL_SMTP_USERNAME=USERNAME,
            SIFT_NOTIFICATIONS_EMAIL_SMTP_PASSWORD=PASSWORD,
            SIFT_NOTIFICATIONS_DELIVERY_MAX_ATTEMPTS="2",
        )
        delivery = await queued(session, invitation_created(settings, "busy@example.org"))
        first = await run_delivery(delivery.id, settings, config, database=tx_database)
        assert first is not None and first.status == "queued"
        assert first.retry_in is not None and 0 < first.retry_in <= 0.2
        second = await run_delivery(delivery.id, settings, config, database=tx_database)
    assert second is not None and (second.status, second.retry_in) == ("dead", None)
    assert [a.status for a in await attempt_log(session, delivery)] == ["transient"] * 2


def test_backoff_doubles_with_jitter_up_to_its_ceiling() -> None:
    config = DeliverySettings(retry_base_seconds=10, retry_max_seconds=60)
    for attempt, ceiling in [(1, 10), (2, 20), (3, 40), (4, 60), (9, 60)]:
        waits = {backoff(attempt, config) for _ in range(20)}
        assert all(ceiling / 2 <= wait <= ceiling for wait in waits)
        assert len(waits) > 1  # jittered: retries of many mails do not come back together


async def test_a_send_cut_short_before_the_hand_off_is_sent_by_the_next_run(
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    delivery = await queued(session, recovery_code_used())
    # A worker claimed it and died before it handed the mail to anyone.
    claimed = await delivery_repository.claim(session, delivery.id)
    assert claimed is not None and claimed.attempts == 1

    # Redelivered while the claim is fresh: somebody may still be sending it.
    assert await run_delivery(delivery.id, settings, mail_settings(), database=tx_database) is None
    await session.refresh(delivery)
    assert delivery.status == "sending"

    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await session.execute(
        update(Delivery).where(Delivery.id == delivery.id).values(claimed_at=long_ago)
    )
    again = await run_delivery(delivery.id, settings, mail_settings(), database=tx_database)
    assert again is not None and again.status == "sent"
    await session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.error) == ("sent", 2, None)
    assert [(a.number, a.status) for a in await attempt_log(session, delivery)] == [
        (1, "interrupted"),
        (2, "sent"),
    ]
    [mail] = capture.store.directory.glob("*.eml")
    assert f"X-Sift-Delivery: {delivery.id}\r\n".encode() in mail.read_bytes()


async def test_a_send_cut_short_after_the_hand_off_is_never_repeated_and_ends_dead(
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    delivery = await queued(session, recovery_code_used())
    # Claimed, handed over, and the worker died before the provider's answer.
    claimed = await delivery_repository.claim(session, delivery.id)
    assert claimed is not None
    assert await delivery_repository.hand_off(session, delivery.id, claimed.attempts)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await session.execute(
        update(Delivery).where(Delivery.id == delivery.id).values(claimed_at=long_ago)
    )
    assert await run_delivery(delivery.id, settings, mail_settings(), database=tx_database) is None
    await session.refresh(delivery)
    assert delivery.status == "dead" and "may or may not" in (delivery.error or "")
    [attempt] = await attempt_log(session, delivery)
    assert attempt.status == "interrupted"
    assert capture.store.latest(5) == []


async def test_a_stale_claim_recovered_meanwhile_cannot_hand_the_mail_over(
    session: AsyncSession,
) -> None:
    delivery = await queued(session, recovery_code_used())
    first = await delivery_repository.claim(session, delivery.id)
    assert first is not None
    first_attempt = first.attempts  # the row object is the same one after the next claim
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    await session.execute(
        update(Delivery).where(Delivery.id == delivery.id).values(claimed_at=long_ago)
    )
    recovered = await delivery_repository.interrupt_stale(
        session, delivery.id, claimed_before=datetime.now(UTC)
    )
    assert recovered is not None and recovered.status == "queued"
    second = await delivery_repository.claim(session, delivery.id)
    assert second is not None and second.attempts == 2
    # The first worker wakes up: its claim is gone, so it must not send.
    assert not await delivery_repository.hand_off(session, delivery.id, first_attempt)
    assert await delivery_repository.hand_off(session, delivery.id, 2)


async def test_a_type_switched_off_skips_its_queued_mail_but_never_security_mail(
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    user_id = uuid.uuid4()
    # Switched off after the mail was queued (say, while quiet hours held it).
    await preference_repository.put(session, user_id, "document_indexed", email=False)
    await preference_repository.put(session, user_id, "security_alert", email=False)  # locked
    indexed = await delivery_repository.insert(
        session,
        event_id=uuid.uuid4(),
        event_type="document.indexed",
        channel="email",
        recipient=f"user:{user_id}",
        user_id=user_id,
        kind="document_indexed",
        envelope={},
        max_attempts=3,
    )
    assert indexed is not None
    alert = await queued(session, recovery_code_used(user_id=user_id))

    config = mail_settings()
    assert await run_delivery(indexed, settings, config, database=tx_database) is None
    sent = await run_delivery(alert.id, settings, config, database=tx_database)

    skipped = await session.get(Delivery, indexed, populate_existing=True)
    assert skipped is not None and skipped.status == "skipped"
    assert sent is not None and sent.status == "sent"
    assert [mail.subject for mail in capture.store.latest(5)] == ["A recovery code was used"]
