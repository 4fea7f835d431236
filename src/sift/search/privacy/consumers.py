"""The search service's handlers of privacy requests, on its consumer group."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import (
    ErasureFinished,
    ErasureRequested,
    EventEnvelope,
    ExportRequested,
    OrganizationErasureRequested,
)
from sift.core.privacy import forget_erasure_events
from sift.search.events import consumer
from sift.search.models import OutboxEvent
from sift.search.privacy.service import search_privacy_service


@consumer.on(ExportRequested)
async def on_export_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await search_privacy_service.export(session, envelope.payload_as(ExportRequested))


@consumer.on(ErasureRequested)
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await search_privacy_service.erase(session, envelope.payload_as(ErasureRequested))


@consumer.on(OrganizationErasureRequested)
async def on_organization_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await search_privacy_service.erase_organization(
        session, envelope.payload_as(OrganizationErasureRequested)
    )


@consumer.on(ErasureFinished)
async def on_erasure_finished(session: AsyncSession, envelope: EventEnvelope) -> None:
    await forget_erasure_events(
        session, OutboxEvent, envelope.payload_as(ErasureFinished).request_id
    )
