"""One provider report about one sent message, in the same shape whichever provider sent it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FeedbackType(StrEnum):
    delivered = "delivered"
    bounced = "bounced"  # `permanent`: the mailbox does not exist (a hard bounce)
    dropped = "dropped"  # the provider itself did not send it
    complained = "complained"  # the recipient marked it as spam


@dataclass(frozen=True)
class Feedback:
    provider: str
    type: FeedbackType
    # The ID the provider answered the send with (SendGrid's `X-Message-Id`, SES' MessageId).
    message_id: str | None
    address: str | None
    detail: str | None = None
    # A hard bounce, or a drop because the address is known dead: the address is suppressed.
    permanent: bool = False
    # A drop because the address complained before: suppressed as a complaint.
    complaint: bool = False
