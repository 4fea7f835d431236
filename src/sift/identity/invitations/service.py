"""Invitations by e-mail: a signed, expiring, single-use link that joins an organization."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import (
    LINK_SEAL_PURPOSE,
    InvitationAccepted,
    InvitationCreated,
    InvitationResent,
    InvitationRevoked,
)
from sift.core.auth.permissions import Role
from sift.core.auth.principal import Principal
from sift.core.auth.sealing import seal
from sift.core.db import ReadSession
from sift.core.pagination import cursor_uuid, decode_cursor, page_of
from sift.identity.accounts.repository import user_repository
from sift.identity.events import events
from sift.identity.invitations.exceptions import (
    AlreadyMember,
    InvitationAlreadyAccepted,
    InvitationForAnotherAddress,
    InvitationNotFound,
)
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
        await self._send(session, context, principal, invitation, org, lifetime)
        return invitation

    async def pending(
        self,
        session: ReadSession,
        principal: Principal,
        org_id: uuid.UUID,
        *,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Invitation], str | None]:
        """The organization's invitations nobody accepted or revoked (expired ones too)."""
        organization_service.require_current(principal, org_id)
        last = decode_cursor(cursor, 1)
        rows = await invitation_repository.pending_page(
            session, org_id, after=cursor_uuid(last[0]) if last else None, limit=limit + 1
        )
        return page_of(rows, limit, lambda row: (row.id,))

    async def resend(
        self,
        session: AsyncSession,
        context: IdentityContext,
        principal: Principal,
        org_id: uuid.UUID,
        invitation_id: uuid.UUID,
    ) -> Invitation:
        """A new link with a new lifetime, mailed again; the earlier links stop working."""
        invitation = await self._pending_target(session, principal, org_id, invitation_id)
        org = await organization_repository.get(session, org_id)
        if org is None:  # pragma: no cover - the invitation's organization exists
            raise OrganizationNotFound()
        now = datetime.now(UTC)
        await invitation_repository.retire_links(session, invitation.id, now)
        lifetime = timedelta(days=context.config.invitation_days)
        invitation.expires_at = now + lifetime
        await session.flush()
        await self._send(session, context, principal, invitation, org, lifetime)
        await events.publish(
            session,
            InvitationResent(
                invitation_id=invitation.id,
                org_id=org_id,
                resent_by=principal.user_id,
                expires_at=invitation.expires_at,
            ),
            org_id=org_id,
            actor_id=principal.user_id,
            subject_id=invitation.id,
        )
        return invitation

    async def revoke(
        self,
        session: AsyncSession,
        principal: Principal,
        org_id: uuid.UUID,
        invitation_id: uuid.UUID,
    ) -> None:
        """Withdraws a pending invitation: its link no longer works."""
        invitation = await self._pending_target(session, principal, org_id, invitation_id)
        now = datetime.now(UTC)
        invitation.revoked_at = now
        await invitation_repository.retire_links(session, invitation.id, now)
        await session.flush()
        await events.publish(
            session,
            InvitationRevoked(
                invitation_id=invitation.id, org_id=org_id, revoked_by=principal.user_id
            ),
            org_id=org_id,
            actor_id=principal.user_id,
            subject_id=invitation.id,
        )

    @staticmethod
    async def _pending_target(
        session: AsyncSession, principal: Principal, org_id: uuid.UUID, invitation_id: uuid.UUID
    ) -> Invitation:
        """The pending invitation, locked; only owners touch an invitation to be an owner."""
        organization_service.require_current(principal, org_id)
        invitation = await invitation_repository.get_in_org_for_update(
            session, org_id, invitation_id
        )
        if invitation is None or invitation.revoked_at is not None:
            raise InvitationNotFound()
        if invitation.accepted_at is not None:
            raise InvitationAlreadyAccepted()
        if invitation.role == Role.owner and principal.role is not Role.owner:
            raise OwnersOnly("Only an owner manages an invitation to be an owner.")
        return invitation

    @staticmethod
    async def _send(
        session: AsyncSession,
        context: IdentityContext,
        principal: Principal,
        invitation: Invitation,
        org: Organization,
        lifetime: timedelta,
    ) -> None:
        """Issues a link and publishes `invitation.created`, which mails it."""
        token, _ = await link_tokens.issue(
            session,
            context,
            TokenPurpose.invitation,
            lifetime=lifetime,
            email=invitation.email,
            invitation_id=invitation.id,
        )
        link = context.link(context.config.invitation_path, token)
        await events.publish(
            session,
            InvitationCreated(
                invitation_id=invitation.id,
                org_id=invitation.org_id,
                org_name=org.name,
                email=invitation.email,
                role=invitation.role,
                invited_by=principal.user_id,
                link=seal(context.settings, LINK_SEAL_PURPOSE, link),
                expires_at=invitation.expires_at,
            ),
            org_id=invitation.org_id,
            actor_id=principal.user_id,
            subject_id=invitation.id,
        )

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
