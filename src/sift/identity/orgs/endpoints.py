"""Organizations, switching between them, and their members (`/api/orgs`)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import JSONResponse

from sift.core.auth.revocation import RevocationsDep, RevocationUnavailable
from sift.core.db import ReadSessionDep, SessionDep
from sift.core.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT, InvalidCursor, Page
from sift.core.text import StorableText
from sift.identity.access import KeysDep
from sift.identity.accounts.second_factor import MfaRequired
from sift.identity.accounts.service import account_service
from sift.identity.orgs import exceptions
from sift.identity.orgs.auth import (
    AccountManage,
    MembersManage,
    MembersRead,
    OrgCreate,
    OrgDelete,
    OrgManage,
    OrgRead,
)
from sift.identity.orgs.deletion import organization_deletion
from sift.identity.orgs.schemas import (
    MemberRead,
    MemberUpdate,
    OrganizationCreate,
    OrganizationDeletionAccepted,
    OrganizationRead,
    OrganizationUpdate,
    SwitchRead,
)
from sift.identity.orgs.service import organization_service
from sift.identity.privacy.exceptions import ReauthenticationFailed
from sift.identity.privacy.schemas import Reauthentication
from sift.identity.tokens.access import issue_access_token
from sift.identity.web import ContextDep, recorded

router = APIRouter(prefix="/api/orgs", tags=["orgs"])


@router.get("", response_model=Page[OrganizationRead])
async def list_orgs(principal: AccountManage, session: ReadSessionDep) -> Page[OrganizationRead]:
    """The organizations the caller belongs to."""
    rows = await organization_service.of_user(session, principal.user_id)
    return Page(
        items=[OrganizationRead.of(org, membership, principal.org_id) for org, membership in rows]
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=OrganizationRead)
async def create_org(
    principal: OrgCreate, body: OrganizationCreate, session: SessionDep
) -> OrganizationRead:
    """Create an organization; the caller is its owner."""
    user = await account_service.get(session, principal.user_id)
    org, membership = await organization_service.create(session, user, body.name)
    return OrganizationRead.of(org, membership, principal.org_id)


@router.get(
    "/{org_id}",
    response_model=OrganizationRead,
    responses=exceptions.OrganizationNotFound.openapi(),
)
async def get_org(
    principal: OrgRead, org_id: uuid.UUID, session: ReadSessionDep
) -> OrganizationRead:
    """One of the caller's organizations."""
    org, membership = await organization_service.get(session, org_id, principal.user_id)
    return OrganizationRead.of(org, membership, principal.org_id)


@router.patch(
    "/{org_id}",
    response_model=OrganizationRead,
    responses=exceptions.NotCurrentOrganization.openapi(),
)
async def update_org(
    principal: OrgManage, org_id: uuid.UUID, body: OrganizationUpdate, session: SessionDep
) -> OrganizationRead:
    """Rename the current organization."""
    organization_service.require_current(principal, org_id)
    org, membership = await organization_service.get(session, org_id, principal.user_id)
    if body.name is not None:
        org, membership = await organization_service.rename(session, principal, org_id, body.name)
    return OrganizationRead.of(org, membership, principal.org_id)


@router.delete(
    "/{org_id}",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OrganizationDeletionAccepted,
    responses={
        **exceptions.NotCurrentOrganization.openapi(),
        **exceptions.OrganizationNotFound.openapi(),
        **exceptions.DeletionRunning.openapi(),
        **exceptions.PersonalOrganization.openapi(),
        **ReauthenticationFailed.openapi(),
        **MfaRequired.openapi(),
        **RevocationUnavailable.openapi(),
    },
)
async def delete_org(
    principal: OrgDelete,
    org_id: uuid.UUID,
    body: Reauthentication,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    revocations: RevocationsDep,
) -> OrganizationDeletionAccepted | JSONResponse:
    """Delete the current organization and everything in it, after confirming your password
    (and code); follow the deletion at `/api/privacy/requests/{id}`."""
    try:
        request_id = await organization_deletion.request(
            session, context, revocations, principal, org_id, body
        )
    except MfaRequired as exc:  # a wrong code counts against the factor: commit that
        return recorded(request, exc)
    return OrganizationDeletionAccepted(id=request_id)


@router.post(
    "/{org_id}/switch",
    response_model=SwitchRead,
    responses=exceptions.OrganizationNotFound.openapi(),
)
async def switch_org(
    principal: AccountManage, org_id: uuid.UUID, session: SessionDep, keys: KeysDep
) -> SwitchRead:
    """An access token for another of the caller's organizations (the session follows)."""
    user = await account_service.get(session, principal.user_id)
    org, membership = await organization_service.switch(session, principal, user, org_id)
    access = await issue_access_token(
        keys,
        user_id=user.id,
        org_id=org.id,
        role=membership.role,
        session_id=principal.session_id,
    )
    return SwitchRead.of(access, organization=OrganizationRead.of(org, membership, org.id))


@router.get(
    "/{org_id}/members",
    response_model=Page[MemberRead],
    responses={**exceptions.NotCurrentOrganization.openapi(), **InvalidCursor.openapi()},
)
async def list_members(
    principal: MembersRead,
    org_id: uuid.UUID,
    session: ReadSessionDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[MemberRead]:
    """The members of the current organization."""
    rows, next_cursor = await organization_service.members(
        session, principal, org_id, cursor=cursor, limit=limit
    )
    items = [MemberRead.of(membership, user) for membership, user in rows]
    return Page(items=items, next_cursor=next_cursor)


@router.patch(
    "/{org_id}/members/{user_id}",
    response_model=MemberRead,
    responses={
        **exceptions.MemberNotFound.openapi(),
        **exceptions.OwnersOnly.openapi(),
        **exceptions.LastOwner.openapi(),
        **RevocationUnavailable.openapi(),
    },
)
async def update_member(
    principal: MembersManage,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    body: MemberUpdate,
    session: SessionDep,
    revocations: RevocationsDep,
) -> MemberRead:
    """Change a member's role (only owners touch owners; one owner always remains)."""
    membership = await organization_service.change_role(
        session, revocations, principal, org_id, user_id, body.role
    )
    user = await account_service.get(session, user_id)
    return MemberRead.of(membership, user)


@router.delete(
    "/{org_id}/members/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **exceptions.MemberNotFound.openapi(),
        **exceptions.OwnersOnly.openapi(),
        **exceptions.LastOwner.openapi(),
        **RevocationUnavailable.openapi(),
    },
)
async def remove_member(
    principal: MembersManage,
    org_id: uuid.UUID,
    user_id: uuid.UUID,
    session: SessionDep,
    revocations: RevocationsDep,
) -> None:
    """Remove a member from the current organization; their access ends at once."""
    await organization_service.remove(session, revocations, principal, org_id, user_id)
