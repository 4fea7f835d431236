"""The suppression list: which mail still goes to an address a provider reported dead or
complaining, and that a held-back send is recorded (and listed for admins), not dropped."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.address_repository import suppression_repository
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.models import Delivery, EmailSuppression
from sift.notifications.delivery.suppression import allows
from sift.notifications.delivery.tasks import run_delivery
from tests.notifications.conftest import Capture, NotificationsApi
from tests.notifications.delivery_helpers import (
    invitation_created,
    recovery_code_used,
    reset_requested,
)

ADDRESS = "gone@example.org"


@pytest.mark.parametrize(
    ("kind", "after_bounce", "after_complaint"),
    [
        ("email_verification", True, True),  # asked for, now
        ("password_reset", True, True),
        ("security_alert", False, True),
        ("invitation", False, False),
        ("document_indexed", False, False),
        ("document_failed", False, False),
        ("saved_search_matched", False, False),
        ("digest", False, False),
    ],
)
def test_what_still_goes_to_a_suppressed_address(
    kind: str, after_bounce: bool, after_complaint: bool
) -> None:
    now = datetime.now(UTC)

    def suppression(reason: str) -> EmailSuppression:
        return EmailSuppression(
            address=ADDRESS, reason=reason, provider="ses", created_at=now, updated_at=now
        )

    assert allows(kind, suppression("bounce")) is after_bounce
    assert allows(kind, suppression("complaint")) is after_complaint


async def _send(
    session: AsyncSession,
    settings: CoreSettings,
    config: NotificationsSettings,
    database: Database,
    envelope: EventEnvelope,
) -> Delivery:
    await HANDLERS[envelope.type](session, envelope)
    delivery = await session.scalar(select(Delivery).where(Delivery.event_id == envelope.id))
    assert delivery is not None
    await run_delivery(delivery.id, settings, config, database=database)
    await session.refresh(delivery)
    return delivery


async def test_after_a_hard_bounce_only_asked_for_mail_goes_and_the_rest_is_recorded(
    api: NotificationsApi,
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    config = mail_settings()
    # Reported in another case than the mail is addressed in: one address all the same.
    await suppression_repository.add(
        session, "Gone@Example.ORG", "bounce", provider="sendgrid", detail="550 no such user"
    )
    admin = api.caller("admin")

    invitation = await _send(
        session,
        settings,
        config,
        tx_database,
        invitation_created(settings, ADDRESS, org_id=admin.org_id),
    )
    alert = await _send(session, settings, config, tx_database, recovery_code_used(ADDRESS))
    reset = await _send(session, settings, config, tx_database, reset_requested(settings, ADDRESS))

    assert (invitation.status, alert.status, reset.status) == ("suppressed", "suppressed", "sent")
    assert "sendgrid reported" in (invitation.error or "") and "bounced" in (invitation.error or "")
    assert [mail.subject for mail in capture.store.latest(5)] == ["Reset your Sift password"]

    # The organization's admins see the held-back invitation and why.
    answer = await api.client.get(
        "/api/notifications/deliveries?status=suppressed", headers=admin.headers
    )
    assert answer.status_code == 200
    [item] = answer.json()["items"]
    assert item["id"] == str(invitation.id) and item["error"] == invitation.error


async def test_after_a_complaint_security_notices_still_go(
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    config = mail_settings()
    await suppression_repository.add(session, ADDRESS, "complaint", provider="ses", detail="abuse")
    # A bounce reported later does not soften a complaint.
    await suppression_repository.add(session, ADDRESS, "bounce", provider="ses", detail=None)
    suppression = await session.get(EmailSuppression, ADDRESS, populate_existing=True)
    assert suppression is not None and suppression.reason == "complaint"

    alert = await _send(session, settings, config, tx_database, recovery_code_used(ADDRESS))
    invitation = await _send(
        session, settings, config, tx_database, invitation_created(settings, ADDRESS)
    )
    assert (alert.status, invitation.status) == ("sent", "suppressed")
    assert "spam" in (invitation.error or "")
    assert [mail.subject for mail in capture.store.latest(5)] == ["A recovery code was used"]


async def test_an_unsuppressed_address_is_mailed_as_before(
    settings: CoreSettings,
    session: AsyncSession,
    tx_database: Database,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    await suppression_repository.add(session, ADDRESS, "bounce", provider="ses", detail=None)
    other = f"{uuid.uuid4().hex[:8]}@example.org"
    delivery = await _send(
        session, settings, mail_settings(), tx_database, invitation_created(settings, other)
    )
    assert delivery.status == "sent"
    assert [mail.to for mail in capture.store.latest(5)] == [[other]]
