"""`/api/privacy/consents`: the caller's consent choices, and changing them."""

from __future__ import annotations

from fastapi import APIRouter

from sift.audit.consents import exceptions
from sift.audit.consents.auth import ConsentsManage
from sift.audit.consents.schemas import ConsentsRead, ConsentsUpdate
from sift.audit.consents.service import consent_service
from sift.core.db import ReadSessionDep, SessionDep

router = APIRouter(prefix="/api/privacy/consents", tags=["consents"])


@router.get("", response_model=ConsentsRead)
async def get_consents(principal: ConsentsManage, session: ReadSessionDep) -> ConsentsRead:
    """Your consents (analytics cookies, product e-mail) and every choice you made."""
    return await consent_service.read(session, principal.user_id)


@router.put("", response_model=ConsentsRead, responses=exceptions.AccountBeingErased.openapi())
async def update_consents(
    principal: ConsentsManage, body: ConsentsUpdate, session: SessionDep
) -> ConsentsRead:
    """Grant or withdraw consents; the ones you leave out stay as they are."""
    return await consent_service.update(session, principal, body.wanted())
