"""Response bodies of deliveries and of the unsubscribe link."""

from __future__ import annotations

import uuid
from datetime import datetime

from sift.core.schemas import Schema
from sift.notifications.delivery.models import AttemptStatus, DeliveryStatus


class DeliveryRead(Schema):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    kind: str
    channel: str
    user_id: uuid.UUID | None  # null for an invitee without an account
    status: DeliveryStatus
    attempts: int
    max_attempts: int
    provider: str | None
    provider_message_id: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None


class AttemptRead(Schema):
    number: int
    channel: str
    provider: str
    status: AttemptStatus
    provider_message_id: str | None
    error: str | None
    started_at: datetime
    finished_at: datetime


class DeliveryDetail(DeliveryRead):
    attempt_log: list[AttemptRead]


class UnsubscribeRead(Schema):
    kind: str  # the kind of mail the link switches off
    unsubscribed: bool


class WebhookRead(Schema):
    received: int  # provider reports about deliveries in the request
    updated: int  # deliveries they moved on
    suppressed: int  # addresses put on (or kept on) the suppression list
