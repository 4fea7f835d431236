"""Events of notifications: what admins do with e-mail delivery (for audit)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from sift.contracts.events.base import EventPayload, event


@event("notifications.suppression_lifted", version=1)
class SuppressionLifted(EventPayload):
    """An organization admin (the envelope's actor, in its organization) took an address off
    the e-mail suppression list: mail to it goes again."""

    address: str = Field(min_length=3, max_length=320)
    reason: str = Field(max_length=16)  # what the provider had reported: bounce, complaint
    provider: str = Field(max_length=32)
    suppressed_at: datetime
