"""The digest as a delivery: what its row keeps (in place of an event) and its mail.

The delivery's `envelope` holds the address and the items, so that it is rendered at send
time like any other delivery and a failed render is an attempt like any other.
"""

from __future__ import annotations

import uuid
from typing import Any

from sift.notifications.email import content as mail
from sift.notifications.email.rendering import Recipient
from sift.notifications.models import Notification

DIGEST_EVENT = "notifications.digest"  # the `event_type` of a digest delivery
_DIGEST_IDS = uuid.UUID("6f1d4c1e-3b7a-5d0e-9f61-5c4e2a8b7d10")


def digest_id(user_id: uuid.UUID, period: str) -> uuid.UUID:
    """One ID per user and period: the digest's `event_id`, and what its items name."""
    return uuid.uuid5(_DIGEST_IDS, f"{user_id}:{period}")


def digest_envelope(frequency: str, address: str, items: list[Notification]) -> dict[str, Any]:
    return {
        "period": frequency,
        "address": address,
        "items": [
            {"title": item.title, "body": item.body, "path": item.link or "/notifications"}
            for item in items
        ],
    }


def digest_mail(
    envelope: dict[str, Any], user_id: uuid.UUID | None
) -> tuple[Recipient, mail.Digest]:
    content = mail.Digest(
        period=envelope["period"],
        items=[mail.DigestItem(**item) for item in envelope["items"]],
    )
    return Recipient(address=envelope["address"], user_id=user_id), content
