"""Invite by e-mail (`/api/orgs/{org_id}/invitations`) and accept (`/api/invitations`)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status

from sift.core.db import SessionDep
from sift.core.errors import RateLimited
from sift.core.text import StorableText
from sift.identity.invitations.auth import AccountManage, MembersManage
from sift.identity.invitations.exceptions import AlreadyMember, InvitationForAnotherAddress
from sift.identity.invitations.schemas import InvitationCreate, InvitationRead
from sift.identity.invitations.service import invitation_service
from sift.identity.limits import InviterLimit, OrgInvitationLimit
from sift.identity.orgs.exceptions import OwnersOnly
from sift.identity.orgs.schemas import OrganizationRead
from sift.identity.tokens.links import InvalidLink
from sift.identity.web import ContextDep

router = APIRouter(tags=["invitations"])


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
