"""Tables of e-mail delivery: one row per (event, recipient, channel), its attempts, the
addresses providers reported dead or complaining (suppressions) and the address book of
users whose events name no address. They live on the notifications schema's metadata;
what a user switched off lives with the preferences (`preferences.models`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from sift.contracts.ids import new_id
from sift.core.db import TimestampMixin
from sift.notifications.models import Base


class DeliveryStatus(StrEnum):
    queued = "queued"  # waiting for a worker (first try or a retry)
    sending = "sending"  # claimed by a worker: nobody else may send it (see handed_off_at)
    sent = "sent"  # the provider took it
    failed = "failed"  # refused for good, or the template did not render
    dead = "dead"  # transient failures until the attempts ran out, or a send cut short
    skipped = "skipped"  # switched off, gathered into a digest, or no address is known
    suppressed = "suppressed"  # not sent: the address is on the suppression list
    # What the provider reported later (webhooks), from `sent`:
    delivered = "delivered"  # the receiving server took it
    bounced = "bounced"  # the receiving server refused it (`error` says why)
    complained = "complained"  # the recipient marked it as spam


class AttemptStatus(StrEnum):
    sent = "sent"
    transient = "transient"  # refused for now: retried while attempts remain
    failed = "failed"  # permanent: rejected, or a render failure
    # The worker stopped mid-send: before the hand-off (sent again), or after it, when
    # nobody knows whether the provider took it (not sent again).
    interrupted = "interrupted"


class Delivery(TimestampMixin, Base):
    __tablename__ = "deliveries"
    __table_args__ = (
        # One event makes at most one mail per recipient and channel, however often it
        # arrives: the handler inserts with ON CONFLICT DO NOTHING on this key.
        UniqueConstraint("event_id", "recipient", "channel", name="uq_deliveries_event_recipient"),
        Index("ix_deliveries_org_status", "org_id", "status", "updated_at"),
        # Provider webhooks find the delivery by the ID the provider gave the message.
        Index("ix_deliveries_provider_message", "provider", "provider_message_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16), default="email")
    # `user:<id>`, or `address:<lowercased address>` for someone without an account.
    recipient: Mapped[str] = mapped_column(String(340))
    # Where it goes, resolved when it was planned (from the event or the address book);
    # null on rows planned before the column existed (their event names it).
    address: Mapped[str | None] = mapped_column(String(320))
    org_id: Mapped[uuid.UUID | None]
    user_id: Mapped[uuid.UUID | None]
    kind: Mapped[str] = mapped_column(String(64))  # the mail's kind (`preferences.types` maps it)
    # The event as it arrived: rendered at send time, so that a render failure is an
    # attempt like any other. Links in it stay sealed at rest.
    envelope: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # What the mail needs that the event does not carry (a document's title), found when it
    # was planned.
    facts: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.queued)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_message_id: Mapped[str | None] = mapped_column(String(998))
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Held by the user's quiet hours until then: no worker claims it earlier.
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set by the claiming worker just before its point of no return (the end of SMTP DATA,
    # the provider's API call): a claim cut short without it certainly sent nothing.
    handed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeliveryAttempt(Base):
    __tablename__ = "delivery_attempts"
    __table_args__ = (
        UniqueConstraint("delivery_id", "number", name="uq_delivery_attempts_number"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    delivery_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("deliveries.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    provider_message_id: Mapped[str | None] = mapped_column(String(998))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SuppressionReason(StrEnum):
    bounce = "bounce"  # a hard bounce: the mailbox does not exist
    complaint = "complaint"  # the recipient said it is spam: do not mail


class EmailSuppression(Base):
    """An address a provider reported as dead (hard bounce) or complaining; which mail still
    goes to it is `suppression.allows`. Keyed by the lowercased address."""

    __tablename__ = "email_suppressions"

    address: Mapped[str] = mapped_column(String(320), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16))
    provider: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EmailAddress(Base):
    """The latest address identity named for a user: mail about events that carry only a
    user ID (documents, saved searches) goes there. Erasure deletes it."""

    __tablename__ = "email_addresses"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(320))
    # When the event that named it happened: an older event never overwrites a newer one.
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
