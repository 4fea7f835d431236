"""SMS deliveries: rows of `deliveries` with channel `sms`, planned beside the e-mail ones
and sent by the same `deliver` worker, attempts, retries and hand-off included.

An event's text goes where its mail goes: the SMS handler runs after the e-mail one in the
event's transaction and adds a text for each mail to a user with a verified phone, when the
user's preferences want one (security alerts always). The number is resolved then; when
the text is sent, the phone must still be verified at that number, or it is skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.core.config import CoreSettings
from sift.notifications.config import NotificationsSettings, get_notifications_settings
from sift.notifications.delivery.catalog import MAIL_TYPES
from sift.notifications.delivery.exceptions import ClaimLost
from sift.notifications.delivery.models import Delivery, DeliveryStatus
from sift.notifications.delivery.outcomes import NotSent, Result, Sent
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.delivery.service import delivery_service
from sift.notifications.email.exceptions import TemplateRenderFailed
from sift.notifications.preferences.service import preference_service
from sift.notifications.sms.capture import sms_sender
from sift.notifications.sms.config import WEBHOOK_PATH
from sift.notifications.sms.content import text
from sift.notifications.sms.repository import email_deliveries_of, phone_repository
from sift.notifications.sms.sender import SmsNotSent

log = structlog.get_logger()

SMS = "sms"


async def queue_sms(session: AsyncSession, envelope: EventEnvelope) -> None:
    """The texts this event asks for, queued once (beside the event's mail)."""
    config = get_notifications_settings().delivery
    now = datetime.now(UTC)
    for mail in await email_deliveries_of(session, envelope.id):
        assert mail.user_id is not None
        number = await phone_repository.verified(session, mail.user_id)
        if number is None:
            continue
        plan = await preference_service.sms_plan(session, mail.user_id, mail.kind, now=now)
        if plan is None:
            continue
        await delivery_service.queue(
            session,
            event_id=mail.event_id,
            event_type=mail.event_type,
            recipient=mail.recipient,
            address=number,
            user_id=mail.user_id,
            org_id=mail.org_id,
            kind=mail.kind,
            envelope=mail.envelope,
            facts=mail.facts,
            max_attempts=config.max_attempts,
            plan=plan,
            channel=SMS,
        )


async def check(session: AsyncSession, delivery: Delivery) -> Delivery | None:
    """The claimed text, if it is still wanted at its number; else skipped (None)."""
    assert delivery.user_id is not None
    number = await phone_repository.verified(session, delivery.user_id)
    reason = None
    if number is None or number != delivery.address:
        reason = "The phone number was removed or changed."
    elif not await preference_service.sms_wanted(session, delivery.user_id, delivery.kind):
        reason = "The user switched this text off."
    if reason is None:
        return delivery
    await delivery_repository.finish(session, delivery.id, DeliveryStatus.skipped, error=reason)
    log.info("notifications.sms_skipped", delivery_id=str(delivery.id))
    return None


async def send(
    delivery: Delivery,
    settings: CoreSettings,
    config: NotificationsSettings,
    handing_off: Callable[[], Awaitable[None]],
) -> Result:
    """One attempt at the text: what Twilio answered, as the delivery records it."""
    sender = sms_sender(config.sms, settings)
    try:
        mail_type = MAIL_TYPES[delivery.event_type]
        envelope = EventEnvelope.model_validate(delivery.envelope)
        payload = envelope.payload_as(mail_type.event)
        body = text(mail_type.content(payload, envelope, settings, delivery.facts or {}))
        if delivery.address is None:
            raise TemplateRenderFailed("the text has no number")
        sid = await sender.send(
            delivery.address,
            body,
            status_callback=settings.public_url.rstrip("/") + WEBHOOK_PATH,
            handing_off=handing_off,
        )
    except ClaimLost:
        raise
    except TemplateRenderFailed as exc:
        return NotSent(sender.provider, f"render failed: {exc.detail}", retryable=False)
    except SmsNotSent as exc:
        return NotSent(sender.provider, exc.reason, retryable=exc.retryable, unknown=exc.unknown)
    except Exception as exc:  # a bug must not leave the row `sending` for good
        log.exception("notifications.sms_crashed", delivery_id=str(delivery.id))
        return NotSent(sender.provider, f"{type(exc).__name__}: {exc}", retryable=False)
    return Sent(sender.provider, sid)
