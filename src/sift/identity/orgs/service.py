"""Organizations and memberships: create, switch, roles, removal; always one owner left."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import (
    MemberRemoved,
    MemberRoleChanged,
    OrganizationCreated,
    OrganizationRenamed,
)
from sift.core.auth.permissions import Role
from sift.core.auth.principal import Principal
from sift.core.auth.revocation import Revocations
from sift.core.db import ReadSession
from sift.core.pagination import cursor_uuid, decode_cursor, page_of
from sift.identity.events import events
from sift.identity.models import Membership, Organization, User
from sift.identity.orgs.exceptions import (
    LastOwner,
    MemberNotFound,
    NotCurrentOrganization,
    OrganizationNotFound,
    OwnersOnly,
)
from sift.identity.orgs.repository import membership_repository, organization_repository
from sift.identity.sessions.service import session_service

Member = tuple[Membership, User]


class OrganizationService:
    async def create(
        self, session: AsyncSession, user: User, name: str, *, personal: bool = False
    ) -> tuple[Organization, Membership]:
        org = Organization(name=name, personal=personal, created_by=user.id)
        session.add(org)
        await session.flush()
        membership = Membership(org_id=org.id, user_id=user.id, role=Role.owner)
        session.add(membership)
        await session.flush()
        await events.publish(
            session,
            OrganizationCreated(org_id=org.id, created_by=user.id, personal=personal),
            org_id=org.id,
            actor_id=user.id,
            subject_id=org.id,
        )
        return org, membership

    async def of_user(
        self, session: ReadSession, user_id: uuid.UUID
    ) -> list[tuple[Organization, Membership]]:
        return await organization_repository.of_user(session, user_id)

    async def default_membership(self, session: AsyncSession, user: User) -> Membership:
        """Where a new session starts: the last organization switched to, else the first;
        a user who belongs to none gets a personal organization again."""
        memberships = [m for _, m in await organization_repository.of_user(session, user.id)]
        for membership in memberships:
            if membership.org_id == user.default_org_id:
                return membership
        if memberships:
            return memberships[0]
        _, membership = await self.create(session, user, f"{user.name}'s workspace", personal=True)
        return membership

    async def get(
        self, session: AsyncSession, org_id: uuid.UUID, user_id: uuid.UUID
    ) -> tuple[Organization, Membership]:
        org = await organization_repository.get(session, org_id)
        membership = await membership_repository.get(session, org_id, user_id)
        if org is None or membership is None:
            raise OrganizationNotFound()
        return org, membership

    async def switch(
        self, session: AsyncSession, principal: Principal, user: User, org_id: uuid.UUID
    ) -> tuple[Organization, Membership]:
        org, membership = await self.get(session, org_id, principal.user_id)
        user.default_org_id = org.id
        if principal.session_id is not None:
            await session_service.switch(session, principal.session_id, membership)
        return org, membership

    async def rename(
        self, session: AsyncSession, principal: Principal, org_id: uuid.UUID, name: str
    ) -> tuple[Organization, Membership]:
        self.require_current(principal, org_id)
        org, membership = await self.get(session, org_id, principal.user_id)
        if org.name == name:
            return org, membership
        org.name = name
        await session.flush()
        await events.publish(
            session,
            OrganizationRenamed(org_id=org.id, renamed_by=principal.user_id, name=name),
            org_id=org.id,
            actor_id=principal.user_id,
            subject_id=org.id,
        )
        return org, membership

    async def members(
        self,
        session: ReadSession,
        principal: Principal,
        org_id: uuid.UUID,
        *,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Member], str | None]:
        self.require_current(principal, org_id)
        last = decode_cursor(cursor, 1)
        rows = await membership_repository.page(
            session, org_id, after=cursor_uuid(last[0]) if last else None, limit=limit + 1
        )
        return page_of(rows, limit, lambda row: (row[0].user_id,))

    async def change_role(
        self,
        session: AsyncSession,
        revocations: Revocations,
        principal: Principal,
        org_id: uuid.UUID,
        user_id: uuid.UUID,
        role: Role,
    ) -> Membership:
        target = await self._guarded_target(session, principal, org_id, user_id, new_role=role)
        old = Role(target.role)
        if old == role:
            return target
        if old is Role.owner and await membership_repository.count_owners(session, org_id) <= 1:
            raise LastOwner("Make another member an owner first.")
        target.role = role
        await session.flush()
        # The tokens carrying the old role stop working everywhere; a refresh gets the new.
        await revocations.revoke_membership(org_id, user_id, role)
        await events.publish(
            session,
            MemberRoleChanged(org_id=org_id, user_id=user_id, old_role=old, new_role=role),
            org_id=org_id,
            actor_id=principal.user_id,
            subject_id=user_id,
        )
        return target

    async def remove(
        self,
        session: AsyncSession,
        revocations: Revocations,
        principal: Principal,
        org_id: uuid.UUID,
        user_id: uuid.UUID,
    ) -> None:
        target = await self._guarded_target(session, principal, org_id, user_id, new_role=None)
        role = Role(target.role)
        if role is Role.owner and await membership_repository.count_owners(session, org_id) <= 1:
            raise LastOwner("The last owner cannot be removed; make another member an owner.")
        await session.delete(target)
        await session.flush()
        await revocations.revoke_membership(org_id, user_id, None)
        await events.publish(
            session,
            MemberRemoved(org_id=org_id, user_id=user_id, role=role),
            org_id=org_id,
            actor_id=principal.user_id,
            subject_id=user_id,
        )

    def require_current(self, principal: Principal, org_id: uuid.UUID) -> None:
        if principal.org_id != org_id:
            raise NotCurrentOrganization()

    async def _guarded_target(
        self,
        session: AsyncSession,
        principal: Principal,
        org_id: uuid.UUID,
        user_id: uuid.UUID,
        *,
        new_role: Role | None,
    ) -> Membership:
        self.require_current(principal, org_id)
        # One change of an organization's members at a time: the owner count stays true.
        if await organization_repository.get(session, org_id, for_update=True) is None:
            raise OrganizationNotFound()
        target = await membership_repository.get(session, org_id, user_id, for_update=True)
        if target is None:
            raise MemberNotFound("This user is not a member of the organization.")
        touches_owner = target.role == Role.owner or new_role is Role.owner
        if touches_owner and principal.role is not Role.owner:
            raise OwnersOnly("Only an owner can change or remove an owner, or make one.")
        return target


organization_service = OrganizationService()
