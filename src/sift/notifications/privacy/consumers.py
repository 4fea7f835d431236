"""The notifications service's handlers of privacy requests (channel `privacy`)."""

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
from sift.notifications.events import on
from sift.notifications.models import OutboxEvent
from sift.notifications.privacy.service import notifications_privacy_service

CHANNEL = "privacy"


@on(ExportRequested, channel=CHANNEL)
async def on_export_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await notifications_privacy_service.export(session, envelope.payload_as(ExportRequested))


@on(ErasureRequested, channel=CHANNEL)
async def on_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await notifications_privacy_service.erase(session, envelope.payload_as(ErasureRequested))


@on(OrganizationErasureRequested, channel=CHANNEL)
async def on_organization_erasure_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await notifications_privacy_service.erase_organization(
        session, envelope.payload_as(OrganizationErasureRequested)
    )


@on(ErasureFinished, channel=CHANNEL)
async def on_erasure_finished(session: AsyncSession, envelope: EventEnvelope) -> None:
    await forget_erasure_events(
        session, OutboxEvent, envelope.payload_as(ErasureFinished).request_id
    )
