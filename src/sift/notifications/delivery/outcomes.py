"""What one attempt to hand a message to a provider came to, and what was recorded of it:
shared by the channels' senders (e-mail, SMS) and the delivery service."""

from __future__ import annotations

from dataclasses import dataclass

from sift.notifications.delivery.models import DeliveryStatus


@dataclass(frozen=True)
class Sent:
    provider: str
    message_id: str


@dataclass(frozen=True)
class NotSent:
    provider: str
    error: str
    retryable: bool
    unknown: bool = False  # handed over, no answer: it may have gone out


Result = Sent | NotSent


@dataclass(frozen=True)
class Recorded:
    """What became of one attempt; `retry_in` is set when the task should try again."""

    status: DeliveryStatus
    retry_in: float | None = None
