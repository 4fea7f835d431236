"""The organization's defaults for documents: read by collection creation, set by admins."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth import Principal
from sift.documents.settings.repository import settings_repository
from sift.documents.settings.schemas import DocumentSettingsRead, DocumentSettingsUpdate

log = structlog.get_logger()


class DocumentSettingsService:
    async def get(self, session: AsyncSession, org_id: uuid.UUID) -> DocumentSettingsRead:
        row = await settings_repository.get(session, org_id)
        return DocumentSettingsRead() if row is None else DocumentSettingsRead.model_validate(row)

    async def redact_pii_default(self, session: AsyncSession, org_id: uuid.UUID) -> bool:
        return (await self.get(session, org_id)).redact_pii_default

    async def update(
        self, session: AsyncSession, principal: Principal, data: DocumentSettingsUpdate
    ) -> DocumentSettingsRead:
        row = await settings_repository.upsert(
            session,
            principal.org_id,
            principal.user_id,
            redact_pii_default=data.redact_pii_default,
        )
        log.info(
            "documents.settings_changed",
            org_id=str(principal.org_id),
            redact_pii_default=data.redact_pii_default,
        )
        return DocumentSettingsRead.model_validate(row)


document_settings_service = DocumentSettingsService()
