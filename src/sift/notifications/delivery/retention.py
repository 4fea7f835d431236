"""Retention of deliveries: finished ones are deleted, with their attempts, once
`SIFT_NOTIFICATIONS_DELIVERY_RETENTION_DAYS` have passed since their last change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, select

from sift.core.scheduling import purge_in_batches
from sift.notifications.delivery.models import Delivery, DeliveryStatus

S = DeliveryStatus


def purge_finished(engine: Engine, *, before: datetime, batch_size: int = 5_000) -> int:
    """Deletes deliveries (and their attempts) finished before `before`, in small
    transactions; queued and sending ones stay whatever their age."""
    finished = [
        S.sent, S.skipped, S.failed, S.dead, S.suppressed, S.delivered, S.bounced, S.complained,
    ]  # fmt: skip

    def build() -> Any:
        doomed = (
            select(Delivery.id)
            .where(Delivery.status.in_(finished), Delivery.updated_at < before)
            .limit(batch_size)
        )
        return delete(Delivery).where(Delivery.id.in_(doomed.scalar_subquery()))

    return purge_in_batches(engine, build, batch_size)
