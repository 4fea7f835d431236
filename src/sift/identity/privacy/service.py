"""Identity's part of privacy requests.

Erasure happens in two steps: when it is requested the account is disabled and signed out
everywhere (so nothing new is written while the other services erase), and once they all
answered the account, its credentials and its sole-member organizations are deleted.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import AccountErasureRequested, ExportRequested
from sift.core.auth import Principal
from sift.core.auth.config import AuthSettings
from sift.core.auth.revocation import Revocations
from sift.core.privacy import (
    ExportPart,
    answer_erasure,
    answer_export,
    row_dict,
    run_counted,
    runtime,
)
from sift.core.redis import create_redis
from sift.identity.accounts.passwords import verify_password
from sift.identity.accounts.second_factor import check_second_factor
from sift.identity.accounts.service import password_hasher
from sift.identity.events import events
from sift.identity.models import (
    ApiKey,
    Invitation,
    Membership,
    MfaSettings,
    OAuthAccount,
    Organization,
    OutboxEvent,
    RefreshFamily,
    SessionEndReason,
    SingleUseToken,
    User,
    UserPhone,
    UserStatus,
)
from sift.identity.privacy.exceptions import OwnershipNeeded, ReauthenticationFailed
from sift.identity.privacy.schemas import Reauthenticated, Reauthentication
from sift.identity.sessions.repository import session_repository
from sift.identity.web import IdentityContext

log = structlog.get_logger()

SERVICE = "identity"
_SECRETS = ("password_hash", "secret_hash", "code_hash", "totp_secret_encrypted")


class IdentityPrivacyService:
    async def reauthenticate(
        self,
        session: AsyncSession,
        context: IdentityContext,
        principal: Principal,
        body: Reauthentication,
    ) -> Reauthenticated:
        user = await self.confirm(session, context, principal.user_id, body)
        orphaned = await self.orgs_left_without_owner(session, user.id)
        if orphaned:
            raise OwnershipNeeded(orphaned)
        return Reauthenticated(
            user_id=user.id, sole_member_org_ids=await self.sole_member_orgs(session, user.id)
        )

    async def confirm(
        self,
        session: AsyncSession,
        context: IdentityContext,
        user_id: uuid.UUID,
        body: Reauthentication,
    ) -> User:
        """The caller's password (and second factor, when one is on) checked again."""
        user = await session.get(User, user_id)
        if user is None or not user.is_active:
            raise ReauthenticationFailed()
        if not await verify_password(password_hasher(context), user.password_hash, body.password):
            raise ReauthenticationFailed()
        await check_second_factor(session, user, body.mfa_code)
        return user

    async def sole_member_orgs(self, session: AsyncSession, user_id: uuid.UUID) -> list[uuid.UUID]:
        mine = select(Membership.org_id).where(Membership.user_id == user_id)
        rows = await session.scalars(
            select(Membership.org_id)
            .where(Membership.org_id.in_(mine))
            .group_by(Membership.org_id)
            .having(func.count() == 1)
        )
        return sorted(rows.all())

    async def orgs_left_without_owner(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> list[uuid.UUID]:
        """Organizations the person alone owns while others belong to them."""
        owned = select(Membership.org_id).where(
            Membership.user_id == user_id, Membership.role == "owner"
        )
        others = (
            select(Membership.org_id)
            .where(Membership.org_id.in_(owned), Membership.user_id != user_id)
            .group_by(Membership.org_id)
            .having(func.count().filter(Membership.role == "owner") == 0)
        )
        return sorted((await session.scalars(others)).all())

    async def export(self, session: AsyncSession, request: ExportRequested) -> None:
        user_id = request.user_id
        part = ExportPart(SERVICE)
        user = await session.get(User, user_id)
        if user is not None:
            part.add_json("profile.json", row_dict(user, exclude=_SECRETS))
        part.add_json("sessions.json", await self._rows(session, RefreshFamily, user_id))
        memberships = (
            await session.execute(
                select(Membership, Organization)
                .join(Organization, Organization.id == Membership.org_id)
                .where(Membership.user_id == user_id)
            )
        ).all()
        part.add_json(
            "organizations.json",
            [
                {
                    # Not who created it: that may be someone else.
                    "organization": row_dict(org, exclude=("created_by",)),
                    "role": membership.role,
                    "member_since": membership.created_at,
                }
                for membership, org in memberships
            ],
        )
        keys = await session.scalars(select(ApiKey).where(ApiKey.created_by == user_id))
        part.add_json("api_keys.json", [row_dict(key, exclude=_SECRETS) for key in keys])
        mfa = await session.get(MfaSettings, user_id)
        phone = await session.get(UserPhone, user_id)
        part.add_json(
            "two_step_sign_in.json",
            {
                "settings": row_dict(mfa, exclude=_SECRETS) if mfa else None,
                "phone": row_dict(phone) if phone else None,
            },
        )
        part.add_json("linked_accounts.json", await self._rows(session, OAuthAccount, user_id))
        invitations = await session.scalars(
            select(Invitation).where(Invitation.invited_by == user_id)
        )
        part.add_json(
            "invitations_sent.json",
            [row_dict(invitation, exclude=("token_hash",)) for invitation in invitations],
        )
        await answer_export(session, events, request, part)

    async def _rows(
        self,
        session: AsyncSession,
        model: type[RefreshFamily] | type[OAuthAccount],
        user_id: uuid.UUID,
    ) -> list[dict[str, Any]]:
        rows = await session.scalars(select(model).where(model.user_id == user_id))
        return [row_dict(row, exclude=_SECRETS) for row in rows]

    async def freeze(self, session: AsyncSession, user_id: uuid.UUID) -> None:
        """Erasure requested: the account signs in no more and its sessions end now."""
        user = await session.get(User, user_id, with_for_update=True)
        if user is None:
            return
        user.status = UserStatus.disabled
        revoked = await session_repository.revoke(
            session, user_id=user_id, reason=SessionEndReason.user_deleted, at=datetime.now(UTC)
        )
        if revoked:
            redis = create_redis(runtime.settings)
            try:
                await Revocations(redis, runtime.settings, AuthSettings()).revoke_sessions(revoked)
            finally:
                await redis.aclose()
        log.info("identity.account_frozen", sessions=len(revoked))

    async def delete_account(self, session: AsyncSession, request: AccountErasureRequested) -> None:
        """The last step of an erasure: the account and everything identity holds of it."""
        user_id = request.user_id
        user = await session.get(User, user_id, with_for_update=True)
        erased = 0
        kept: list[uuid.UUID] = []
        if user is not None:
            sole = await self.sole_member_orgs(session, user_id)
            member_of = await session.scalars(
                select(Membership.org_id).where(Membership.user_id == user_id)
            )
            kept = sorted(set(member_of.all()) - set(sole))
            erased += await run_counted(
                session,
                [
                    delete(Invitation).where(Invitation.email == user.email),
                    delete(SingleUseToken).where(
                        or_(SingleUseToken.user_id == user_id, SingleUseToken.email == user.email)
                    ),
                    delete(Organization).where(Organization.id.in_(sole)),
                ],
            )
            await session.delete(user)  # cascades: credentials, sessions, keys, memberships
            erased += 1
        await answer_erasure(
            session,
            events,
            request,
            service=SERVICE,
            erased=erased,
            anonymized=0,
            outbox=OutboxEvent,
            kept_org_ids=kept,
        )


identity_privacy_service = IdentityPrivacyService()
