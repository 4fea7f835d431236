"""The organization's AI settings (`/api/assistant/settings`)."""

from __future__ import annotations

from fastapi import APIRouter

from sift.assistant.runtime import RuntimeDep
from sift.assistant.settings.auth import AssistantAsk, AssistantManage
from sift.assistant.settings.exceptions import ProviderNotOffered
from sift.assistant.settings.schemas import AssistantSettingsRead, AssistantSettingsUpdate
from sift.assistant.settings.service import assistant_settings_service
from sift.core.db import ReadSessionDep, SessionDep

router = APIRouter(prefix="/api/assistant/settings", tags=["assistant-settings"])


@router.get("", response_model=AssistantSettingsRead)
async def get_assistant_settings(
    principal: AssistantAsk, session: ReadSessionDep, runtime: RuntimeDep
) -> AssistantSettingsRead:
    """The organization's default provider, monthly quota and this month's AI requests."""
    return await assistant_settings_service.read(session, runtime, principal.org_id)


@router.put("", response_model=AssistantSettingsRead, responses=ProviderNotOffered.openapi())
async def update_assistant_settings(
    principal: AssistantManage,
    body: AssistantSettingsUpdate,
    session: SessionDep,
    runtime: RuntimeDep,
) -> AssistantSettingsRead:
    """Set the organization's default provider and monthly quota (admins and owners)."""
    return await assistant_settings_service.update(session, runtime, principal, body)
