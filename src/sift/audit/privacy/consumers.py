"""Each service's answer to a privacy request, on the `audit.privacy` consumer group."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.privacy import own_part
from sift.audit.privacy.config import get_privacy_settings
from sift.audit.privacy.events import consumer
from sift.audit.privacy.organizations import open_organization_erasure
from sift.audit.privacy.service import privacy_service
from sift.contracts.events import (
    ErasureCompleted,
    EventEnvelope,
    ExportCompleted,
    OrganizationDeletionRequested,
)

# The audit service's own part of an export (its audit entries) registers its handler there.
__all__ = ["own_part"]


@consumer.on(ExportCompleted)
async def on_export_completed(session: AsyncSession, envelope: EventEnvelope) -> None:
    await privacy_service.record_export_part(
        session, envelope.payload_as(ExportCompleted), config=get_privacy_settings()
    )


@consumer.on(ErasureCompleted)
async def on_erasure_completed(session: AsyncSession, envelope: EventEnvelope) -> None:
    await privacy_service.record_erasure_part(session, envelope.payload_as(ErasureCompleted))


@consumer.on(OrganizationDeletionRequested)
async def on_organization_deletion_requested(
    session: AsyncSession, envelope: EventEnvelope
) -> None:
    await open_organization_erasure(session, envelope.payload_as(OrganizationDeletionRequested))
