"""Invite by e-mail (`/api/orgs/{org_id}/invitations`) and accept (`/api/invitations`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from sift.core.db import ReadSessionDep, SessionDep
from sift.core.errors import RateLimited
from sift.core.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT, InvalidCursor, Page
from sift.core.text import StorableText
from sift.identity.invitations.auth import AccountManage, MembersManage
from sift.identity.invitations.exceptions import (
    AlreadyMember,
    InvitationAlreadyAccepted,
    InvitationForAnotherAddress,
    InvitationNotFound,
)
from sift.identity.invitations.schemas import InvitationCreate, InvitationRead
from sift.identity.invitations.service import invitation_service
from sift.identity.limits import InviterLimit, OrgInvitationLimit
from sift.identity.orgs.exceptions import NotCurrentOrganization, OwnersOnly
from sift.identity.orgs.schemas import OrganizationRead
from sift.identity.tokens.links import InvalidLink
from sift.identity.web import ContextDep

router = APIRouter(tags=["invitations"])

_TARGET_ERRORS = {
    **InvitationNotFound.openapi(),
    **InvitationAlreadyAccepted.openapi(),
    **OwnersOnly.openapi(),
    **NotCurrentOrganization.openapi(),
}


@router.post(
    "/api/orgs/{org_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationRead,
    responses={**AlreadyMember.openapi(), **OwnersOnly.openapi(), **RateLimited.openapi()},
)
async def create_invitation(
    principal: MembersManage,
    _: InviterLimit,
    __: OrgInvitationLimit,
    org_id: uuid.UUID,
    body: InvitationCreate,
    session: SessionDep,
    context: ContextDep,
) -> InvitationRead:
    """Invite someone by e-mail to the current organization with a role."""
    invitation = await invitation_service.create(
        session, context, principal, org_id, email=body.email, role=body.role
    )
    return InvitationRead.from_row(invitation)


@router.get(
    "/api/orgs/{org_id}/invitations",
    response_model=Page[InvitationRead],
    responses={**NotCurrentOrganization.openapi(), **InvalidCursor.openapi()},
)
async def list_invitations(
    principal: MembersManage,
    org_id: uuid.UUID,
    session: ReadSessionDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[InvitationRead]:
    """The pending invitations of the current organization, oldest first."""
    rows, next_cursor = await invitation_service.pending(
        session, principal, org_id, cursor=cursor, limit=limit
    )
    return Page(items=[InvitationRead.from_row(row) for row in rows], next_cursor=next_cursor)


@router.post(
    "/api/orgs/{org_id}/invitations/{invitation_id}/resend",
    response_model=InvitationRead,
    responses={**_TARGET_ERRORS, **RateLimited.openapi()},
)
async def resend_invitation(
    principal: MembersManage,
    _: InviterLimit,
    __: OrgInvitationLimit,
    org_id: uuid.UUID,
    invitation_id: uuid.UUID,
    session: SessionDep,
    context: ContextDep,
) -> InvitationRead:
    """Mail a pending invitation again with a fresh link; earlier links stop working."""
    invitation = await invitation_service.resend(session, context, principal, org_id, invitation_id)
    return InvitationRead.from_row(invitation)


@router.delete(
    "/api/orgs/{org_id}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_TARGET_ERRORS,
)
async def revoke_invitation(
    principal: MembersManage, org_id: uuid.UUID, invitation_id: uuid.UUID, session: SessionDep
) -> None:
    """Revoke a pending invitation: its link no longer works."""
    await invitation_service.revoke(session, principal, org_id, invitation_id)


@router.post(
    "/api/invitations/{token}/accept",
    response_model=OrganizationRead,
    responses={**InvalidLink.openapi(), **InvitationForAnotherAddress.openapi()},
)
async def accept_invitation(
    principal: AccountManage,
    session: SessionDep,
    context: ContextDep,
    token: Annotated[StorableText, Path(min_length=16, max_length=256)],
) -> OrganizationRead:
    """Join the organization of an invitation sent to the caller's address."""
    org, membership = await invitation_service.accept(session, context, principal, token)
    return OrganizationRead.of(org, membership, principal.org_id)
