"""A consumer batch's deliveries (e-mail and SMS), waiting in its session for its commit.

In a batch (`sift.notifications.batch`) `delivery_repository.insert` keeps the row here;
the group's before-commit hook (`delivery_repository.insert_pending`) stores them all with
one executemany. The event's next channel (SMS, after e-mail) asks which deliveries it made
(`made_by`): answered from here, without a query. An ID handed out for a row that turns
out to exist already (made before the event was recorded as processed) names no row, and
a send task for it finds nothing to send.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.batch import PendingRows
from sift.notifications.delivery.models import Delivery

RowKey = tuple[uuid.UUID, str, str]  # (event, recipient, channel): one delivery each

_deliveries: PendingRows[RowKey, dict[str, Any]] = PendingRows("deliveries")


def keep(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Keeps the row for the commit; False when the batch made this delivery already."""
    key = (values["event_id"], values["recipient"], values["channel"])
    return _deliveries.add(session, values["event_id"], key, values)


def take(session: AsyncSession) -> list[dict[str, Any]]:
    """The rows waiting, no longer waiting, in one shape: a column one row leaves out is
    NULL in all of them (one executemany of multi-row INSERTs)."""
    pending = list(_deliveries.take(session).values())
    columns = sorted({column for values in pending for column in values})
    return [{column: values.get(column) for column in columns} for values in pending]


def discard(session: AsyncSession, user_id: uuid.UUID) -> None:
    """An erasure in the middle of a batch: the person's rows are never stored."""
    _deliveries.discard(session, lambda values: values.get("user_id") == user_id)


def made_by(session: AsyncSession, event_id: uuid.UUID, channel: str) -> list[Delivery]:
    """The deliveries of `channel` the event made to users in this batch."""
    return [
        Delivery(**values)
        for values in _deliveries.of_event(session, event_id)
        if values["channel"] == channel and values.get("user_id") is not None
    ]
