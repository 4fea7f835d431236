"""The assistant's consumer group: its part of privacy requests."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.models import OutboxEvent, ProcessedEvent
from sift.assistant.privacy.service import assistant_privacy_service
from sift.contracts.events import (
    ErasureFinished,
    ErasureRequested,
    EventEnvelope,
    ExportRequested,
    OrganizationErasureRequested,
)
from sift.core.events.consumer import Consumer
from sift.core.privacy import forget_erasure_events

consumer = Consumer("assistant", ProcessedEvent)


@consumer.on(ExportRequested)
async def on_export_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await assistant_privacy_service.export(session, envelope.payload_as(ExportRequested))


@consumer.on(ErasureRequested)
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await assistant_privacy_service.erase(session, envelope.payload_as(ErasureRequested))


@consumer.on(OrganizationErasureRequested)
async def on_organization_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await assistant_privacy_service.erase_organization(
        session, envelope.payload_as(OrganizationErasureRequested)
    )


@consumer.on(ErasureFinished)
async def on_erasure_finished(session: AsyncSession, envelope: EventEnvelope) -> None:
    await forget_erasure_events(
        session, OutboxEvent, envelope.payload_as(ErasureFinished).request_id
    )
