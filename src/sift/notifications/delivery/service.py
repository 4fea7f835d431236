"""Delivery: an event becomes a delivery row; a worker claims, renders, sends and records
it (what admins and the unsubscribe link do with deliveries is `admin`).

A delivery moves queued -> sending -> sent (or failed, dead, skipped), each move a
conditional update: a redelivered event finds its row and adds nothing, and a task run
twice finds the row no longer queued and sends nothing.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import structlog
from celery.canvas import Signature
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.core.config import CoreSettings
from sift.core.tasks import celery_app, enqueue_after_commit
from sift.notifications.delivery import address_book
from sift.notifications.delivery import suppression as suppression_policy
from sift.notifications.delivery.address_repository import suppression_repository
from sift.notifications.delivery.catalog import MAIL_TYPES
from sift.notifications.delivery.config import DeliverySettings
from sift.notifications.delivery.exceptions import (
    ClaimLost,
)
from sift.notifications.delivery.metrics import NOTIFICATIONS_SENT
from sift.notifications.delivery.models import (
    AttemptStatus,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
)
from sift.notifications.delivery.outcomes import Recorded, Result, Sent
from sift.notifications.delivery.repository import attempt_repository, delivery_repository
from sift.notifications.email.config import EmailSettings
from sift.notifications.email.exceptions import TemplateRenderFailed
from sift.notifications.email.messages import EmailMessage
from sift.notifications.email.rendering import MailRenderer, Recipient
from sift.notifications.preferences.mail import DIGEST_EVENT, digest_mail
from sift.notifications.preferences.service import SEND_NOW, EmailPlan, preference_service

log = structlog.get_logger()

EMAIL = "email"
SEND_TASK = "notifications.deliver.send"  # on the `deliver` queue, by its name
DELIVERY_HEADER = "X-Sift-Delivery"


def send_task(delivery_id: uuid.UUID) -> Signature[Any]:
    # By name: the task module imports this one.
    return celery_app.signature(SEND_TASK, args=(str(delivery_id),))


def recipient_key(recipient: Recipient) -> str:
    if recipient.user_id is not None:
        return f"user:{recipient.user_id}"
    return f"address:{recipient.address.strip().lower()}"


def backoff(attempt: int, config: DeliverySettings) -> float:
    """Seconds before attempt `attempt + 1`: doubling from the base, capped, half jittered."""
    ceiling = min(config.retry_max_seconds, config.retry_base_seconds * 2.0 ** (attempt - 1))
    jitter: float = random.uniform(0, ceiling / 2)
    return ceiling / 2 + jitter


class DeliveryService:
    async def plan(
        self, session: AsyncSession, envelope: EventEnvelope, *, max_attempts: int
    ) -> uuid.UUID | None:
        """The delivery this event asks for, as the user's preferences have it (queued,
        held by quiet hours, or skipped); None when it already has one."""
        mail_type = MAIL_TYPES[envelope.type]
        payload = envelope.payload_as(mail_type.event)
        await address_book.learn(session, envelope, payload)
        facts = await mail_type.facts(session, envelope)
        if facts is None:
            return None  # no news: this event asks for no mail
        to = mail_type.recipient(payload, facts)
        recipient = await address_book.recipient(session, to)
        if recipient is None:
            # Nobody to write to yet: recorded, so that an admin sees why nothing went.
            plan = EmailPlan(send=False, reason="No address is known.")
        else:
            plan = await preference_service.email_plan(
                session, recipient.user_id, mail_type.kind, now=datetime.now(UTC)
            )
        return await self.queue(
            session,
            event_id=envelope.id,
            event_type=envelope.type,
            recipient=recipient_key(recipient) if recipient else f"user:{to}",
            address=recipient.address if recipient else None,
            user_id=recipient.user_id if recipient else cast(uuid.UUID, to),
            org_id=envelope.org_id,
            kind=mail_type.kind,
            envelope=envelope.model_dump(mode="json"),
            facts=facts or None,
            max_attempts=max_attempts,
            plan=plan,
        )

    async def queue(
        self,
        session: AsyncSession,
        *,
        event_id: uuid.UUID,
        event_type: str,
        recipient: str,
        address: str | None,
        user_id: uuid.UUID | None,
        org_id: uuid.UUID | None,
        kind: str,
        envelope: dict[str, Any],
        max_attempts: int,
        facts: dict[str, Any] | None = None,
        plan: EmailPlan = SEND_NOW,
        channel: str = EMAIL,
    ) -> uuid.UUID | None:
        """Adds the delivery once per (event, recipient, channel); its send is enqueued
        after commit unless it is held (released by a job when its time comes) or skipped."""
        delivery_id = await delivery_repository.insert(
            session,
            event_id=event_id,
            event_type=event_type,
            channel=channel,
            recipient=recipient,
            address=address,
            org_id=org_id,
            user_id=user_id,
            kind=kind,
            envelope=envelope,
            facts=facts,
            max_attempts=max_attempts,
            status=DeliveryStatus.queued if plan.send else DeliveryStatus.skipped,
            error=plan.reason,
            not_before=plan.not_before,
        )
        if delivery_id is None:
            log.info("notifications.delivery_exists", event_id=str(event_id))
            return None
        if plan.send and plan.not_before is None:
            enqueue_after_commit(session, send_task(delivery_id))
        log.info(
            "notifications.delivery_planned",
            delivery_id=str(delivery_id),
            kind=kind,
            channel=channel,
            send=plan.send,
            held=plan.not_before is not None,
        )
        return delivery_id

    async def claim(
        self, session: AsyncSession, delivery_id: uuid.UUID, config: DeliverySettings
    ) -> Delivery | None:
        """The delivery, now `sending` and this worker's; None if there is nothing to send."""
        delivery = await delivery_repository.claim(session, delivery_id)
        if delivery is None:
            cutoff = datetime.now(UTC) - timedelta(seconds=config.stale_after_seconds)
            stale = await delivery_repository.interrupt_stale(
                session, delivery_id, claimed_before=cutoff
            )
            if stale is None:
                return None
            # Counted as an attempt of its own so the admin sees what happened.
            await self._attempt(
                session,
                stale,
                "unknown",
                AttemptStatus.interrupted,
                error=stale.error,
                started_at=stale.claimed_at,
            )
            log.warning(
                "notifications.delivery_interrupted",
                delivery_id=str(delivery_id),
                status=stale.status,
            )
            if stale.status != DeliveryStatus.queued:
                return None
            # Never handed over: nothing went out, so this worker sends it now.
            delivery = await delivery_repository.claim(session, delivery_id)
            if delivery is None:
                return None
        if delivery.channel != EMAIL:
            return delivery  # the channel checks its own preferences (`sms.delivery.check`)
        if delivery.user_id is not None and not await preference_service.email_wanted(
            session, delivery.user_id, delivery.kind
        ):  # switched off since it was queued (held by quiet hours, say)
            await delivery_repository.finish(session, delivery.id, DeliveryStatus.skipped)
            return None
        address = self.address(delivery)  # None: compose fails it, recorded as an attempt
        suppression = await suppression_repository.get(session, address) if address else None
        if suppression is not None and not suppression_policy.allows(delivery.kind, suppression):
            await delivery_repository.finish(
                session,
                delivery.id,
                DeliveryStatus.suppressed,
                error=suppression_policy.why(suppression),
            )
            log.info("notifications.delivery_suppressed", delivery_id=str(delivery.id))
            return None
        return delivery

    @staticmethod
    def address(delivery: Delivery) -> str | None:
        """Where it goes: resolved when planned (older rows: as their event names it)."""
        if delivery.address is not None:
            return delivery.address
        mail_type = MAIL_TYPES[delivery.event_type]
        try:
            payload = EventEnvelope.model_validate(delivery.envelope).payload_as(mail_type.event)
            to = mail_type.recipient(payload, delivery.facts or {})
        except (ValidationError, KeyError, ValueError):
            return None
        return to.address if isinstance(to, Recipient) else None

    async def hand_off(self, session: AsyncSession, delivery: Delivery) -> None:
        """Records that this attempt is about to hand the mail over; raises `ClaimLost`
        when the claim was recovered as stale meanwhile (the mail must not go)."""
        if not await delivery_repository.hand_off(session, delivery.id, delivery.attempts):
            log.warning("notifications.delivery_claim_lost", delivery_id=str(delivery.id))
            raise ClaimLost

    def compose(
        self, delivery: Delivery, settings: CoreSettings, config: EmailSettings
    ) -> EmailMessage:
        """The mail, rendered; raises `TemplateRenderFailed` when it cannot be."""
        if delivery.event_type == DIGEST_EVENT:
            recipient, digest = digest_mail(delivery.envelope, delivery.user_id)
            return MailRenderer(settings, config).render(recipient, digest)
        envelope = EventEnvelope.model_validate(delivery.envelope)
        mail_type = MAIL_TYPES[delivery.event_type]
        payload = envelope.payload_as(mail_type.event)
        content = mail_type.content(payload, envelope, settings, delivery.facts or {})
        address = self.address(delivery)
        if address is None:
            raise TemplateRenderFailed("the delivery has no address")
        recipient = Recipient(address=address, user_id=delivery.user_id)
        message = MailRenderer(settings, config).render(recipient, content)
        # The same on every attempt: whoever receives two copies can tell they are one mail.
        return replace(message, headers={**message.headers, DELIVERY_HEADER: str(delivery.id)})

    async def record(
        self,
        session: AsyncSession,
        delivery: Delivery,
        result: Result,
        *,
        started_at: datetime,
        config: DeliverySettings,
    ) -> Recorded | None:
        """The attempt and the delivery's next state, from what the provider said; None
        when the claim is no longer this attempt's (recovered as stale meanwhile)."""
        if isinstance(result, Sent):
            finished = await delivery_repository.finish(
                session,
                delivery.id,
                DeliveryStatus.sent,
                attempt=delivery.attempts,
                provider=result.provider,
                provider_message_id=result.message_id,
                error=None,
                sent_at=datetime.now(UTC),
            )
            if finished is None:
                return self._claim_lost(delivery, result)
            await self._attempt(
                session,
                delivery,
                result.provider,
                AttemptStatus.sent,
                message_id=result.message_id,
                started_at=started_at,
            )
            log.info("notifications.delivery_sent", delivery_id=str(delivery.id))
            NOTIFICATIONS_SENT.labels(delivery.channel).inc()
            return Recorded(DeliveryStatus.sent)
        if result.unknown:
            # Handed over and then silence: maybe taken; not sent again (see tasks.py).
            attempt_status, status = AttemptStatus.interrupted, DeliveryStatus.dead
        elif not result.retryable:
            attempt_status, status = AttemptStatus.failed, DeliveryStatus.failed
        elif delivery.attempts >= delivery.max_attempts:
            attempt_status, status = AttemptStatus.transient, DeliveryStatus.dead
        else:
            attempt_status, status = AttemptStatus.transient, DeliveryStatus.queued
        finished = await delivery_repository.finish(
            session,
            delivery.id,
            status,
            attempt=delivery.attempts,
            provider=result.provider,
            error=result.error,
        )
        if finished is None:
            return self._claim_lost(delivery, result)
        await self._attempt(
            session,
            delivery,
            result.provider,
            attempt_status,
            error=result.error,
            started_at=started_at,
        )
        log.warning(
            "notifications.delivery_not_sent",
            delivery_id=str(delivery.id),
            status=str(status),
            attempts=delivery.attempts,
        )
        if status is DeliveryStatus.queued:
            return Recorded(status, retry_in=backoff(delivery.attempts, config))
        return Recorded(status)

    @staticmethod
    def _claim_lost(delivery: Delivery, result: Result) -> None:
        # Only after a stall longer than `stale_after_seconds`: the recovery recorded it.
        log.error(
            "notifications.delivery_outcome_after_recovery",
            delivery_id=str(delivery.id),
            attempt=delivery.attempts,
            sent=isinstance(result, Sent),
        )
        return None

    async def _attempt(
        self,
        session: AsyncSession,
        delivery: Delivery,
        provider: str,
        status: AttemptStatus,
        *,
        started_at: datetime | None,
        message_id: str | None = None,
        error: str | None = None,
    ) -> None:
        now = datetime.now(UTC)
        await attempt_repository.add(
            session,
            DeliveryAttempt(
                delivery_id=delivery.id,
                number=delivery.attempts,
                channel=delivery.channel,
                provider=provider,
                status=status,
                provider_message_id=message_id,
                error=error,
                started_at=started_at or now,
                finished_at=now,
            ),
        )

    async def release_held(
        self, session: AsyncSession, *, now: datetime | None = None, limit: int = 500
    ) -> int:
        """Sends the deliveries quiet hours held once they are over."""
        released = await delivery_repository.release_held(
            session, now=now or datetime.now(UTC), limit=limit
        )
        for delivery_id in released:
            enqueue_after_commit(session, send_task(delivery_id))
        if released:
            log.info("notifications.deliveries_released", count=len(released))
        return len(released)

    async def resend_stranded(
        self, session: AsyncSession, config: DeliverySettings, *, limit: int = 500
    ) -> int:
        """Sends the task again for deliveries whose message was lost (a process died
        between a commit and its enqueue, or before a retry was sent); the claim keeps
        this from sending anything twice, and a send cut short ends dead."""
        now = datetime.now(UTC)
        stranded = await delivery_repository.stranded(
            session,
            queued_before=now - timedelta(seconds=config.queued_grace_seconds),
            claimed_before=now - timedelta(seconds=config.stale_after_seconds),
            limit=limit,
        )
        for delivery_id in stranded:
            enqueue_after_commit(session, send_task(delivery_id))
        if stranded:
            log.warning("notifications.deliveries_stranded", count=len(stranded))
        return len(stranded)


delivery_service = DeliveryService()
