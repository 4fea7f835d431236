"""Identity's consumer group: its part of privacy requests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import (
    AccountErasureRequested,
    ErasureFinished,
    ErasureRequested,
    EventEnvelope,
    ExportRequested,
    OrganizationRemovalRequested,
)
from sift.core.events.consumer import Consumer
from sift.core.privacy import forget_erasure_events
from sift.identity.models import OutboxEvent, ProcessedEvent
from sift.identity.orgs.deletion import organization_deletion
from sift.identity.privacy.service import identity_privacy_service

consumer = Consumer("identity", ProcessedEvent)


@consumer.on(ExportRequested)
async def on_export_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await identity_privacy_service.export(session, envelope.payload_as(ExportRequested))


@consumer.on(ErasureRequested)
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await identity_privacy_service.freeze(session, envelope.payload_as(ErasureRequested).user_id)


@consumer.on(AccountErasureRequested)
async def on_account_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await identity_privacy_service.delete_account(
        session, envelope.payload_as(AccountErasureRequested)
    )


@consumer.on(ErasureFinished)
async def on_erasure_finished(session: AsyncSession, envelope: EventEnvelope) -> None:
    await forget_erasure_events(
        session, OutboxEvent, envelope.payload_as(ErasureFinished).request_id
    )


@consumer.on(OrganizationRemovalRequested)
async def on_organization_removal_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await organization_deletion.remove(session, envelope.payload_as(OrganizationRemovalRequested))
