"""The audit service's part of an export: the person's consents and their history."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.consents.repository import consent_repository
from sift.audit.consents.service import consents_read
from sift.audit.privacy.events import events
from sift.contracts.events import ExportRequested
from sift.core.privacy import ExportPart, answer_export

SERVICE = "audit"


async def export_consents(session: AsyncSession, request: ExportRequested) -> None:
    history = await consent_repository.history(session, request.user_id)
    part = ExportPart(SERVICE)
    part.add_json("consents.json", consents_read(history).model_dump(mode="json"))
    await answer_export(session, events, request, part)
