"""Consents a person gives or withdraws (GDPR): recorded by `audit`, obeyed by others."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sift.contracts.events.base import EventPayload, event


class ConsentKind(StrEnum):
    analytics = "analytics"  # analytics cookies (Google Analytics) in the web app
    product_email = "product_email"  # mail about the product: notifications, digests


@event("consent.changed", version=1)
class ConsentChanged(EventPayload):
    """`user_id` granted (or withdrew) one consent; the envelope's time is when."""

    user_id: uuid.UUID
    kind: ConsentKind
    granted: bool
