"""The organization's document defaults (`/api/documents/settings`)."""

from __future__ import annotations

from fastapi import APIRouter

from sift.core.db import ReadSessionDep, SessionDep
from sift.documents.settings.auth import CollectionsManage, DocumentsRead
from sift.documents.settings.schemas import DocumentSettingsRead, DocumentSettingsUpdate
from sift.documents.settings.service import document_settings_service

router = APIRouter(prefix="/api/documents/settings", tags=["document-settings"])


@router.get("", response_model=DocumentSettingsRead)
async def get_document_settings(
    principal: DocumentsRead, session: ReadSessionDep
) -> DocumentSettingsRead:
    """The organization's defaults for new collections."""
    return await document_settings_service.get(session, principal.org_id)


@router.put("", response_model=DocumentSettingsRead)
async def update_document_settings(
    principal: CollectionsManage, body: DocumentSettingsUpdate, session: SessionDep
) -> DocumentSettingsRead:
    """Set the organization's defaults for new collections (admins and owners)."""
    return await document_settings_service.update(session, principal, body)
