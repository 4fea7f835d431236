"""What the webhook tests share: a delivery really sent through a provider's fake, and a
snapshot of everything a webhook may change (to prove a refused one changed nothing)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.models import Delivery
from sift.notifications.delivery.tasks import run_delivery
from tests.notifications.delivery_helpers import recovery_code_used

PROBLEM = "application/problem+json"


async def sent_delivery(
    session: AsyncSession,
    settings: CoreSettings,
    config: NotificationsSettings,
    database: Database,
    address: str,
) -> Delivery:
    """A security alert to `address`, planned and sent by the worker's own code path."""
    envelope = recovery_code_used(address)
    await HANDLERS[envelope.type](session, envelope)
    delivery = await session.scalar(select(Delivery).where(Delivery.event_id == envelope.id))
    assert delivery is not None
    recorded = await run_delivery(delivery.id, settings, config, database=database)
    assert recorded is not None and recorded.status == "sent"
    await session.refresh(delivery)
    assert delivery.provider_message_id
    return delivery


async def snapshot(session: AsyncSession) -> dict[str, list[Any]]:
    """Every row a webhook could change."""
    tables = {
        "deliveries": "SELECT id, status, error, updated_at FROM notifications.deliveries",
        "suppressions": "SELECT * FROM notifications.email_suppressions",
    }
    return {
        name: sorted(map(tuple, (await session.execute(text(sql))).all()), key=str)
        for name, sql in tables.items()
    }
