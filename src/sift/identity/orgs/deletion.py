"""Deleting an organization (its owner, re-authenticated): the first and last steps.

Asked: the organization is hidden from everyone at once (no one can switch or sign in to
it, its sessions move to their person's next organization on refresh), its API keys stop,
and `organization.deletion_requested` tells `audit` to open the privacy request, which asks
every service to erase its part. Once they all answered, `audit` asks identity to remove
the organization itself (`privacy.organization_removal_requested`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import OrganizationDeletionRequested, OrganizationRemovalRequested
from sift.contracts.ids import new_id
from sift.core.auth import Principal
from sift.core.auth.revocation import Revocations
from sift.core.privacy import answer_erasure
from sift.identity.events import events
from sift.identity.models import (
    ApiKey,
    Invitation,
    Membership,
    Organization,
    OutboxEvent,
    RefreshFamily,
    User,
)
from sift.identity.orgs.exceptions import (
    DeletionRunning,
    OrganizationNotFound,
    PersonalOrganization,
)
from sift.identity.orgs.repository import membership_repository
from sift.identity.orgs.service import organization_service
from sift.identity.privacy.schemas import Reauthentication
from sift.identity.privacy.service import identity_privacy_service
from sift.identity.web import IdentityContext

log = structlog.get_logger()

SERVICE = "identity"


class OrganizationDeletion:
    async def request(
        self,
        session: AsyncSession,
        context: IdentityContext,
        revocations: Revocations,
        principal: Principal,
        org_id: uuid.UUID,
        body: Reauthentication,
    ) -> uuid.UUID:
        """Checks and marks the organization, then announces it; the privacy request's ID."""
        organization_service.require_current(principal, org_id)
        org = await session.get(Organization, org_id, with_for_update=True)
        membership = await membership_repository.get(session, org_id, principal.user_id)
        if org is None or membership is None:
            raise OrganizationNotFound()
        if org.deletion_request_id is not None:
            raise DeletionRunning()
        if org.personal:
            raise PersonalOrganization()
        await identity_privacy_service.confirm(session, context, principal.user_id, body)
        now = datetime.now(UTC)
        org.deletion_request_id = new_id()
        org.deletion_requested_at = now
        keys = await session.scalars(
            update(ApiKey)
            .where(ApiKey.org_id == org_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=now, revoked_by=principal.user_id)
            .returning(ApiKey.id)
        )
        for key_id in keys.all():
            await revocations.revoke_api_key(key_id)
        await events.publish(
            session,
            OrganizationDeletionRequested(
                request_id=org.deletion_request_id, org_id=org_id, requested_by=principal.user_id
            ),
            org_id=org_id,
            actor_id=principal.user_id,
            subject_id=org_id,
        )
        log.info("identity.organization_deletion_requested", org_id=str(org_id))
        return org.deletion_request_id

    async def remove(self, session: AsyncSession, request: OrganizationRemovalRequested) -> None:
        """The last step: the organization, its memberships, invitations, keys and sessions."""
        org_id = request.org_id
        erased = 0
        org = await session.get(Organization, org_id, with_for_update=True)
        if org is not None:
            await session.execute(
                update(User).where(User.default_org_id == org_id).values(default_org_id=None)
            )
            await self._move_sessions(session, org_id)
            result = await session.execute(delete(Invitation).where(Invitation.org_id == org_id))
            erased += int(getattr(result, "rowcount", 0) or 0)
            await session.delete(org)  # cascades: memberships, API keys, sessions in it
            erased += 1
        await answer_erasure(
            session,
            events,
            request,
            service=SERVICE,
            erased=erased,
            anonymized=0,
            outbox=OutboxEvent,
        )

    async def _move_sessions(self, session: AsyncSession, org_id: uuid.UUID) -> None:
        """Sessions still in the organization move to their person's oldest other one, as
        a refresh would (those of a person with no other organization end with it)."""
        other = (
            select(Membership.org_id)
            .join(Organization, Organization.id == Membership.org_id)
            .where(
                Membership.user_id == RefreshFamily.user_id,
                Membership.org_id != org_id,
                Organization.deletion_request_id.is_(None),
            )
            .order_by(Membership.created_at, Membership.org_id)
            .limit(1)
            .scalar_subquery()
        )
        await session.execute(
            update(RefreshFamily)
            .where(RefreshFamily.org_id == org_id, other.is_not(None))
            .values(org_id=other)
            .execution_options(synchronize_session=False)
        )


organization_deletion = OrganizationDeletion()
