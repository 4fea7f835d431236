"""One example of each event the notifications service added, for tests/contracts."""

from __future__ import annotations

from datetime import UTC, datetime

from sift.contracts.events import EventPayload
from sift.contracts.events.notifications import SuppressionLifted

NOTIFICATIONS_EXAMPLES: list[EventPayload] = [
    SuppressionLifted(
        address="ann@example.org",
        reason="bounce",
        provider="ses",
        suppressed_at=datetime(2026, 12, 1, tzinfo=UTC),
    ),
]
