"""The documents service's handlers of privacy requests, on its consumer group."""

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
from sift.documents.config import get_documents_settings
from sift.documents.documents.consumers import consumer
from sift.documents.models import OutboxEvent
from sift.documents.privacy.service import documents_privacy_service


@consumer.on(ExportRequested)
async def on_export_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await documents_privacy_service.export(session, envelope.payload_as(ExportRequested))


@consumer.on(ErasureRequested)
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await documents_privacy_service.erase(
        session, envelope.payload_as(ErasureRequested), get_documents_settings()
    )


@consumer.on(OrganizationErasureRequested)
async def on_organization_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await documents_privacy_service.erase_organization(
        session, envelope.payload_as(OrganizationErasureRequested)
    )


@consumer.on(ErasureFinished)
async def on_erasure_finished(session: AsyncSession, envelope: EventEnvelope) -> None:
    await forget_erasure_events(
        session, OutboxEvent, envelope.payload_as(ErasureFinished).request_id
    )
