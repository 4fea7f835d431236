"""The caller's notification preferences (`/api/notifications/preferences`): which types
reach them on which channel, quiet hours and the digest."""

from __future__ import annotations

from fastapi import APIRouter

from sift.core.db import ReadSessionDep, SessionDep
from sift.notifications.preferences import exceptions
from sift.notifications.preferences.auth import PreferencesOwn
from sift.notifications.preferences.schemas import PreferencesRead, PreferencesUpdate
from sift.notifications.preferences.service import preference_service

router = APIRouter(prefix="/api/notifications/preferences", tags=["notifications"])


@router.get("", response_model=PreferencesRead)
async def get_preferences(principal: PreferencesOwn, session: ReadSessionDep) -> PreferencesRead:
    """The caller's preferences: every type with its channels, quiet hours, the digest."""
    return await preference_service.read(session, principal.user_id)


@router.put("", response_model=PreferencesRead, responses=exceptions.InvalidPreferences.openapi())
async def put_preferences(
    principal: PreferencesOwn, session: SessionDep, body: PreferencesUpdate
) -> PreferencesRead:
    """Save the caller's preferences; locked (security) types cannot be switched off."""
    return await preference_service.update(session, principal.user_id, body)
