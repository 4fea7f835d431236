"""Sessions: refresh-token families, rotation on every use, reuse detection, revocation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import RefreshReuseDetected, SessionEndReason, SessionsRevoked
from sift.core.auth.permissions import Role
from sift.core.auth.revocation import Revocations
from sift.core.db import ReadSession
from sift.identity.accounts.repository import user_repository
from sift.identity.events import events
from sift.identity.hashing import new_token, sha256
from sift.identity.models import Membership, RefreshFamily, RefreshToken
from sift.identity.orgs.repository import organization_repository
from sift.identity.sessions.exceptions import (
    InvalidRefreshToken,
    RefreshTokenReused,
    SessionNotFound,
)
from sift.identity.sessions.repository import session_repository
from sift.identity.web import ClientInfo, IdentityContext

log = structlog.get_logger()


@dataclass(frozen=True)
class SessionGrant:
    """A session's new refresh token and what its access token is for."""

    family: RefreshFamily
    refresh_token: str
    user_id: uuid.UUID
    org_id: uuid.UUID
    role: Role


class SessionService:
    async def start(
        self,
        session: AsyncSession,
        context: IdentityContext,
        *,
        membership: Membership,
        client: ClientInfo,
        method: str = "password",
    ) -> SessionGrant:
        now = datetime.now(UTC)
        family = RefreshFamily(
            user_id=membership.user_id,
            org_id=membership.org_id,
            auth_method=method,
            created_at=now,
            last_used_at=now,
            expires_at=now + timedelta(days=context.config.session_max_days),
            user_agent=client.user_agent,
            device=client.device,
            ip=client.ip,
        )
        session.add(family)
        await session.flush()
        token = self._new_token(session, context, family, parent=None, now=now)
        return SessionGrant(
            family, token, membership.user_id, membership.org_id, Role(membership.role)
        )

    async def refresh(
        self,
        session: AsyncSession,
        context: IdentityContext,
        revocations: Revocations,
        raw: str,
        client: ClientInfo,
    ) -> SessionGrant:
        """Rotates the refresh token; a rotated one coming back revokes its family."""
        found = await session_repository.token_for_update(session, sha256(raw))
        if found is None:
            raise InvalidRefreshToken()
        token, family = found
        now = datetime.now(UTC)
        if family.revoked_at is not None:
            raise InvalidRefreshToken()
        if token.rotated_at is not None or token.revoked_at is not None:
            await self._reuse_detected(session, revocations, family, client)
            raise RefreshTokenReused()
        user = await user_repository.get(session, family.user_id)
        if (
            token.expires_at <= now
            or family.expires_at <= now
            or user is None
            or not user.is_active
        ):
            raise InvalidRefreshToken()
        membership = await self._membership(session, family)
        token.rotated_at = now
        family.last_used_at = now
        family.ip, family.user_agent, family.device = client.ip, client.user_agent, client.device
        new = self._new_token(session, context, family, parent=token, now=now)
        return SessionGrant(family, new, family.user_id, membership.org_id, Role(membership.role))

    async def switch(
        self, session: AsyncSession, family_id: uuid.UUID, membership: Membership
    ) -> None:
        """Moves a session to another organization: its next refreshes are for that one."""
        family = await session_repository.get(session, family_id, for_update=True)
        if family is not None and family.user_id == membership.user_id:
            family.org_id = membership.org_id

    async def logout(
        self, session: AsyncSession, revocations: Revocations, raw: str | None
    ) -> RefreshFamily | None:
        found = await session_repository.token_for_update(session, sha256(raw)) if raw else None
        if found is None or found[1].revoked_at is not None:
            return None
        family = found[1]
        await self.revoke(
            session, revocations, family.user_id, SessionEndReason.logout, only=family.id
        )
        return family

    async def active(self, session: ReadSession, user_id: uuid.UUID) -> list[RefreshFamily]:
        now = datetime.now(UTC)
        families = await session_repository.active_of_user(session, user_id)
        return [family for family in families if family.expires_at > now]

    async def revoke_one(
        self,
        session: AsyncSession,
        revocations: Revocations,
        user_id: uuid.UUID,
        family_id: uuid.UUID,
    ) -> None:
        revoked = await self.revoke(
            session, revocations, user_id, SessionEndReason.revoked, only=family_id
        )
        if not revoked:
            raise SessionNotFound("No active session of yours has this ID.")

    async def revoke(
        self,
        session: AsyncSession,
        revocations: Revocations,
        user_id: uuid.UUID,
        reason: SessionEndReason,
        *,
        only: uuid.UUID | None = None,
        keep: uuid.UUID | None = None,
    ) -> list[uuid.UUID]:
        """Every way a session ends: the rows now, their access tokens in every service.

        The revocation list is written before the transaction commits (it fails the
        request if Redis does): a committed sign-out is never missing from it.
        """
        revoked = await session_repository.revoke(
            session, user_id=user_id, reason=reason, at=datetime.now(UTC), only=only, keep=keep
        )
        if revoked:
            await revocations.revoke_sessions(revoked)
            await events.publish(
                session,
                SessionsRevoked(user_id=user_id, session_ids=revoked, reason=reason),
                actor_id=user_id,
                subject_id=user_id,
            )
        return revoked

    async def _reuse_detected(
        self,
        session: AsyncSession,
        revocations: Revocations,
        family: RefreshFamily,
        client: ClientInfo,
    ) -> None:
        log.warning("identity.refresh_reuse_detected", session_id=str(family.id))
        await self.revoke(
            session, revocations, family.user_id, SessionEndReason.reuse_detected, only=family.id
        )
        user = await user_repository.get(session, family.user_id)
        if user is not None:
            await events.publish(
                session,
                RefreshReuseDetected(
                    user_id=user.id, session_id=family.id, email=user.email, ip=client.ip
                ),
                org_id=family.org_id,
                subject_id=user.id,
            )

    async def _membership(self, session: AsyncSession, family: RefreshFamily) -> Membership:
        """The session's organization, or (removed from it) the user's first remaining one."""
        memberships = await organization_repository.of_user(session, family.user_id)
        for _, membership in memberships:
            if membership.org_id == family.org_id:
                return membership
        if not memberships:
            raise InvalidRefreshToken()
        family.org_id = memberships[0][1].org_id
        return memberships[0][1]

    def _new_token(
        self,
        session: AsyncSession,
        context: IdentityContext,
        family: RefreshFamily,
        *,
        parent: RefreshToken | None,
        now: datetime,
    ) -> str:
        raw = new_token()
        idle = now + timedelta(days=context.config.refresh_token_days)
        session.add(
            RefreshToken(
                family_id=family.id,
                parent_id=parent.id if parent else None,
                token_hash=sha256(raw),
                created_at=now,
                expires_at=min(idle, family.expires_at),
            )
        )
        return raw


session_service = SessionService()
