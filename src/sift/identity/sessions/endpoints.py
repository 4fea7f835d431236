"""Refresh, sign out, and the caller's sessions (`/api/auth`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Cookie, Depends, Request, Response, status
from fastapi.responses import JSONResponse

from sift.contracts.events.identity import SessionEndReason
from sift.core.auth import Public
from sift.core.auth.csrf import CsrfFailed
from sift.core.auth.revocation import RevocationsDep, RevocationUnavailable
from sift.core.db import ReadSessionDep, SessionDep
from sift.core.errors import RateLimited
from sift.core.pagination import Page
from sift.core.text import StorableText
from sift.identity.access import KeysDep
from sift.identity.limits import RefreshLimit
from sift.identity.schemas import AccessTokenRead
from sift.identity.sessions.auth import AccountManage, CsrfChecked
from sift.identity.sessions.cookies import (
    REFRESH_COOKIE,
    clear_session_cookies,
    set_session_cookies,
)
from sift.identity.sessions.exceptions import InvalidRefreshToken, SessionNotFound
from sift.identity.sessions.schemas import SessionRead
from sift.identity.sessions.service import session_service
from sift.identity.tokens.access import issue_access_token
from sift.identity.web import ClientDep, ContextDep, RecordedFailure, recorded

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post(
    "/refresh",
    response_model=AccessTokenRead,
    dependencies=[Depends(Public("the refresh cookie and the CSRF token authenticate it"))],
    responses={
        **InvalidRefreshToken.openapi(),
        **CsrfFailed.openapi(),
        **RateLimited.openapi(),
        **RevocationUnavailable.openapi(),
    },
)
async def refresh(
    _: RefreshLimit,
    __: CsrfChecked,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    keys: KeysDep,
    client: ClientDep,
    revocations: RevocationsDep,
    response: Response,
    refresh_token: StorableText | None = Cookie(
        default=None, alias=REFRESH_COOKIE, include_in_schema=False
    ),
) -> AccessTokenRead | JSONResponse:
    """A new access token and refresh cookie; the presented refresh token dies."""
    if not refresh_token:
        raise InvalidRefreshToken()
    try:
        grant = await session_service.refresh(session, context, revocations, refresh_token, client)
    except RecordedFailure as exc:
        failed = recorded(request, exc)  # the family's revocation commits
        clear_session_cookies(failed, context)
        return failed
    access = await issue_access_token(
        keys,
        user_id=grant.user_id,
        org_id=grant.org_id,
        role=grant.role,
        session_id=grant.family.id,
    )
    set_session_cookies(response, context, grant.refresh_token)
    return AccessTokenRead.of(access)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(Public("the refresh cookie and the CSRF token authenticate it"))],
    responses={**CsrfFailed.openapi(), **RevocationUnavailable.openapi()},
)
async def logout(
    __: CsrfChecked,
    session: SessionDep,
    context: ContextDep,
    revocations: RevocationsDep,
    response: Response,
    refresh_token: StorableText | None = Cookie(
        default=None, alias=REFRESH_COOKIE, include_in_schema=False
    ),
) -> None:
    """Sign out: the session (refresh family) is revoked and the cookies cleared."""
    await session_service.logout(session, revocations, refresh_token)
    clear_session_cookies(response, context)


@router.get("/sessions", response_model=Page[SessionRead])
async def list_sessions(principal: AccountManage, session: ReadSessionDep) -> Page[SessionRead]:
    """The caller's active sessions, most recently used first."""
    families = await session_service.active(session, principal.user_id)
    items = [
        SessionRead.from_row(family, current=family.id == principal.session_id)
        for family in families
    ]
    return Page(items=items)


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**SessionNotFound.openapi(), **RevocationUnavailable.openapi()},
)
async def revoke_session(
    principal: AccountManage,
    session_id: uuid.UUID,
    session: SessionDep,
    revocations: RevocationsDep,
) -> None:
    """Sign out one of the caller's sessions."""
    await session_service.revoke_one(session, revocations, principal.user_id, session_id)


@router.delete(
    "/sessions", status_code=status.HTTP_204_NO_CONTENT, responses=RevocationUnavailable.openapi()
)
async def revoke_all_sessions(
    principal: AccountManage,
    session: SessionDep,
    context: ContextDep,
    revocations: RevocationsDep,
    response: Response,
) -> None:
    """Sign out everywhere, this session included."""
    await session_service.revoke(
        session, revocations, principal.user_id, SessionEndReason.signed_out_everywhere
    )
    clear_session_cookies(response, context)
