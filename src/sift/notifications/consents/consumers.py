"""The consents' handlers on the notifications consumer group (channel `consents`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import ConsentChanged, ConsentKind, ErasureRequested, EventEnvelope
from sift.notifications.consents.repository import product_email_consent_repository
from sift.notifications.events import on

CHANNEL = "consents"


@on(ConsentChanged, channel=CHANNEL)
async def on_consent_changed(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(ConsentChanged)
    if payload.kind != ConsentKind.product_email:
        return
    await product_email_consent_repository.record(
        session, payload.user_id, granted=payload.granted, chosen_at=envelope.occurred_at
    )


@on(ErasureRequested, channel=CHANNEL)
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await product_email_consent_repository.delete(
        session, envelope.payload_as(ErasureRequested).user_id
    )
