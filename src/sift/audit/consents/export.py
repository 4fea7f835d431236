"""The consents in the audit service's part of an export: the person's choices and history."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.consents.repository import consent_repository
from sift.audit.consents.service import consents_read
from sift.core.privacy import ExportPart


async def add_consents(session: AsyncSession, part: ExportPart, user_id: uuid.UUID) -> None:
    """`consents.json` in `part` (`sift.audit.privacy.own_part` stores and answers it)."""
    history = await consent_repository.history(session, user_id)
    part.add_json("consents.json", consents_read(history).model_dump(mode="json"))
