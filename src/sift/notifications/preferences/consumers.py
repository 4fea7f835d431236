"""The preferences' handler on the notifications consumer group: an erasure request deletes
what a person set and the address their digest went to."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.privacy import ErasureRequested
from sift.notifications.events import on
from sift.notifications.preferences.service import preference_service


@on(ErasureRequested, channel="preferences")
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(ErasureRequested)
    await preference_service.erase(session, payload.user_id)
