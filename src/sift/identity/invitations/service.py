"""Invitations by e-mail: a signed, expiring, single-use link that joins an organization."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import LINK_SEAL_PURPOSE, InvitationAccepted, InvitationCreated
from sift.core.auth.permissions import Role
from sift.core.auth.principal import Principal
from sift.core.auth.sealing import seal
from sift.identity.accounts.repository import user_repository
from sift.identity.events import events
from sift.identity.invitations.exceptions import AlreadyMember, InvitationForAnotherAddress
from sift.identity.invitations.repository import invitation_repository
from sift.identity.models import Invitation, Membership, Organization, TokenPurpose
from sift.identity.orgs.exceptions import OrganizationNotFound, OwnersOnly
from sift.identity.orgs.repository import membership_repository, organization_repository
from sift.identity.orgs.service import organization_service
from sift.identity.tokens.links import InvalidLink, link_tokens
from sift.identity.web import IdentityContext


class InvitationService:
    async def create(
        self,
        session: AsyncSession,
        context: IdentityContext,
        principal: Principal,
        org_id: uuid.UUID,
        *,
        email: str,
        role: Role,
    ) -> Invitation:
        organization_service.require_current(principal, org_id)
        if role is Role.owner and principal.role is not Role.owner:
            raise OwnersOnly("Only an owner can invite an owner.")
        org = await organization_repository.get(session, org_id)
        if org is None:
            raise OrganizationNotFound()
        invitee = await user_repository.by_email(session, email)
        if invitee and await membership_repository.get(session, org_id, invitee.id):
            raise AlreadyMember("This person is already a member of the organization.")
        now = datetime.now(UTC)
        await invitation_repository.revoke_pending(session, org_id, email, now)  # one link valid
        lifetime = timedelta(days=context.config.invitation_days)
        invitation = Invitation(
            org_id=org_id,
            email=email,
            role=role,
            invited_by=principal.user_id,
            created_at=now,
            expires_at=now + lifetime,
        )
        session.add(invitation)
        await session.flush()
        token, _ = await link_tokens.issue(
            session,
            context,
            TokenPurpose.invitation,
            lifetime=lifetime,
            email=email,
            invitation_id=invitation.id,
        )
        link = context.link(context.config.invitation_path, token)
        await events.publish(
            session,
            InvitationCreated(
                invitation_id=invitation.id,
                org_id=org_id,
                org_name=org.name,
                email=email,
                role=role,
                invited_by=principal.user_id,
                link=seal(context.settings, LINK_SEAL_PURPOSE, link),
                expires_at=invitation.expires_at,
            ),
            org_id=org_id,
            actor_id=principal.user_id,
            subject_id=invitation.id,
        )
        return invitation

    async def accept(
        self, session: AsyncSession, context: IdentityContext, principal: Principal, token: str
    ) -> tuple[Organization, Membership]:
        """Joins the invited organization; only the person the link was sent to can."""
        row = await link_tokens.redeem(session, context, TokenPurpose.invitation, token)
        invitation = (
            await invitation_repository.get_for_update(session, row.invitation_id)
            if row.invitation_id
            else None
        )
        now = datetime.now(UTC)
        if (
            invitation is None
            or invitation.accepted_at is not None
            or invitation.revoked_at is not None
            or invitation.expires_at <= now
        ):
            raise InvalidLink("This invitation is invalid, was already used or has expired.")
        user = await user_repository.get(session, principal.user_id, for_update=True)
        if user is None or user.email != invitation.email:
            raise InvitationForAnotherAddress()
        membership = await membership_repository.get(session, invitation.org_id, user.id)
        if membership is None:
            membership = Membership(org_id=invitation.org_id, user_id=user.id, role=invitation.role)
            session.add(membership)
        invitation.accepted_at, invitation.accepted_by = now, user.id
        if user.email_verified_at is None:
            user.email_verified_at = now  # the link reached the mailbox
        await session.flush()
        await events.publish(
            session,
            InvitationAccepted(
                invitation_id=invitation.id,
                org_id=invitation.org_id,
                user_id=user.id,
                role=membership.role,
            ),
            org_id=invitation.org_id,
            actor_id=user.id,
            subject_id=invitation.id,
        )
        return await organization_service.get(session, invitation.org_id, user.id)


invitation_service = InvitationService()
