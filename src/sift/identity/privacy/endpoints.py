"""`/internal/identity/reauthenticate`: audit checks the caller's password before an erasure.

Served under `/internal/identity`, which the gateway does not route; the caller's own token
is forwarded, so only the person themself can confirm.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from sift.core.db import SessionDep
from sift.identity.accounts.auth import AccountManage
from sift.identity.accounts.second_factor import MfaRequired
from sift.identity.privacy.exceptions import OwnershipNeeded, ReauthenticationFailed
from sift.identity.privacy.schemas import Reauthenticated, Reauthentication
from sift.identity.privacy.service import identity_privacy_service
from sift.identity.web import ContextDep, recorded

internal_router = APIRouter(prefix="/internal/identity", tags=["internal"])


@internal_router.post(
    "/reauthenticate",
    response_model=Reauthenticated,
    responses={
        **ReauthenticationFailed.openapi(),
        **MfaRequired.openapi(),
        **OwnershipNeeded.openapi(),
    },
)
async def reauthenticate(
    principal: AccountManage,
    body: Reauthentication,
    request: Request,
    session: SessionDep,
    context: ContextDep,
) -> Reauthenticated | JSONResponse:
    """Confirms the caller's password (and second factor, when one is on)."""
    try:
        return await identity_privacy_service.reauthenticate(session, context, principal, body)
    except MfaRequired as exc:  # a wrong code counts against the factor: commit that
        return recorded(request, exc)
