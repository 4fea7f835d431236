"""Consents in privacy requests, on the `audit.privacy` consumer group: the erasure deletes
them. The export's audit part (consents included) is `sift.audit.privacy.own_part`'s."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.consents.service import consent_service
from sift.audit.privacy.events import consumer
from sift.contracts.events import (
    AccountErasureRequested,
    ErasureRequested,
    EventEnvelope,
)


@consumer.on(ErasureRequested)
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await consent_service.erase(session, envelope.payload_as(ErasureRequested).user_id)


@consumer.on(AccountErasureRequested)
async def on_account_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    # Again just before the account goes: nothing chosen in between outlives it.
    await consent_service.erase(session, envelope.payload_as(AccountErasureRequested).user_id)
