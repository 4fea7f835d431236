"""Accounts: sign-up, sign-in, e-mail verification, passwords, profile."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import structlog
from argon2 import PasswordHasher
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import (
    LINK_SEAL_PURPOSE,
    AccountLocked,
    EmailVerificationRequested,
    EmailVerified,
    LoginFailed,
    LoginFailure,
    LoginSucceeded,
    PasswordChanged,
    PasswordResetCompleted,
    PasswordResetRequested,
    SessionEndReason,
    SignupMethod,
    UserSignedUp,
)
from sift.core.auth.principal import Principal
from sift.core.auth.revocation import Revocations
from sift.core.auth.sealing import seal
from sift.core.errors import RateLimited
from sift.identity.accounts import exceptions
from sift.identity.accounts.devices import DeviceCookies
from sift.identity.accounts.passwords import (
    check_password_policy,
    hash_password,
    hasher,
    needs_rehash,
    verify_password,
)
from sift.identity.accounts.repository import user_repository
from sift.identity.accounts.schemas import LoginRequest, SignupRequest, UserUpdate
from sift.identity.accounts.second_factor import check_second_factor
from sift.identity.accounts.throttle import Attempt, LoginThrottle
from sift.identity.events import events
from sift.identity.models import SingleUseToken, TokenPurpose, User
from sift.identity.orgs.service import organization_service
from sift.identity.sessions.service import SessionGrant, session_service
from sift.identity.tokens.links import InvalidLink, link_tokens
from sift.identity.web import ClientInfo, IdentityContext

log = structlog.get_logger()


def password_hasher(context: IdentityContext) -> PasswordHasher:
    config = context.config
    return hasher(config.argon2_time_cost, config.argon2_memory_kib, config.argon2_parallelism)


class AccountService:
    async def get(self, session: AsyncSession, user_id: uuid.UUID) -> User:
        user = await user_repository.get(session, user_id)
        if user is None:
            raise exceptions.InvalidCredentials()
        return user

    async def signup(
        self,
        session: AsyncSession,
        context: IdentityContext,
        body: SignupRequest,
        client: ClientInfo,
    ) -> tuple[User, SessionGrant]:
        check_password_policy(body.password, email=body.email, name=body.name)
        if await user_repository.by_email(session, body.email) is not None:
            raise exceptions.EmailTaken("An account with this e-mail address exists; sign in.")
        user = User(
            email=body.email,
            name=body.name,
            password_hash=await hash_password(password_hasher(context), body.password),
            password_changed_at=datetime.now(UTC),
        )
        session.add(user)
        try:
            await session.flush()
        except IntegrityError:
            raise exceptions.EmailTaken("An account with this e-mail address exists.") from None
        org, membership = await organization_service.create(
            session, user, f"{body.name}'s workspace", personal=True
        )
        user.default_org_id = org.id
        await events.publish(
            session,
            UserSignedUp(user_id=user.id, method=SignupMethod.password, created_organization=True),
            org_id=org.id,
            actor_id=user.id,
            subject_id=user.id,
        )
        await self.request_verification(session, context, user)
        grant = await session_service.start(session, context, membership=membership, client=client)
        return user, grant

    async def login(
        self,
        session: AsyncSession,
        context: IdentityContext,
        throttle: LoginThrottle,
        body: LoginRequest,
        client: ClientInfo,
        cookies: Mapping[str, str],
    ) -> tuple[User, SessionGrant]:
        """Same answer, same work, for an unknown address and a wrong password.

        `cookies` are the request's: a valid device cookie of the account makes the attempt
        trusted (see `throttle`)."""
        user = await user_repository.by_email(session, body.email)
        attempt = await self.check_attempt(
            session, context, throttle, user, body.email, cookies, client
        )
        ph = password_hasher(context)
        stored = user.password_hash if user is not None else None
        if not await verify_password(ph, stored, body.password) or user is None:
            await self._failed(session, user, LoginFailure.invalid_credentials, client)
            await self.count_failure(session, throttle, user, attempt)
            raise exceptions.InvalidCredentials()
        if not user.is_active:
            await self._failed(session, user, LoginFailure.account_disabled, client)
            raise exceptions.InvalidCredentials()
        await check_second_factor(session, user, body.mfa_code)
        await throttle.succeeded(attempt)
        if stored is not None and needs_rehash(ph, stored):
            user.password_hash = await hash_password(ph, body.password)
            log.info("identity.password_rehashed", user_id=str(user.id))
        user.last_login_at = datetime.now(UTC)
        membership = await organization_service.default_membership(session, user)
        grant = await session_service.start(session, context, membership=membership, client=client)
        await events.publish(
            session,
            LoginSucceeded(
                user_id=user.id,
                session_id=grant.family.id,
                method=SignupMethod.password,
                ip=client.ip,
                email=user.email,
            ),
            org_id=membership.org_id,
            actor_id=user.id,
            subject_id=user.id,
        )
        return user, grant

    async def check_attempt(
        self,
        session: AsyncSession,
        context: IdentityContext,
        throttle: LoginThrottle,
        user: User | None,
        email: str,
        cookies: Mapping[str, str],
        client: ClientInfo,
    ) -> Attempt:
        """The attempt, trusted if it presents `user`'s device cookie; refused while locked."""
        device = DeviceCookies(context).trusted_device(user, cookies) if user else None
        attempt = throttle.attempt(email, device)
        refusal = await throttle.refusal(attempt)
        if refusal is None:
            return attempt
        if not refusal.locked:
            raise RateLimited(refusal.seconds, "Too many failed sign-ins from your network.")
        await self._failed(session, user, LoginFailure.account_locked, client)
        raise exceptions.AccountLocked(refusal.seconds)

    async def count_failure(
        self, session: AsyncSession, throttle: LoginThrottle, user: User | None, attempt: Attempt
    ) -> None:
        """Counts a wrong password; the owner hears of the lockout it may start."""
        lockout = await throttle.failed(attempt)
        if lockout is not None and user is not None:
            await events.publish(
                session,
                AccountLocked(
                    user_id=user.id,
                    email=user.email,
                    locked_seconds=lockout.seconds,
                    failed_attempts=lockout.failed_attempts,
                    scope=lockout.scope,
                ),
                subject_id=user.id,
            )

    async def _failed(
        self, session: AsyncSession, user: User | None, reason: LoginFailure, client: ClientInfo
    ) -> None:
        user_id = user.id if user is not None else None
        await events.publish(
            session, LoginFailed(user_id=user_id, reason=reason, ip=client.ip), subject_id=user_id
        )

    async def request_verification(
        self, session: AsyncSession, context: IdentityContext, user: User
    ) -> None:
        await self._mail_link(
            session,
            context,
            user,
            TokenPurpose.email_verification,
            lifetime=timedelta(hours=context.config.email_verification_hours),
            path=context.config.verify_email_path,
            event=EmailVerificationRequested,
        )

    async def verify_email(
        self, session: AsyncSession, context: IdentityContext, token: str
    ) -> None:
        row = await link_tokens.redeem(session, context, TokenPurpose.email_verification, token)
        user = await self._user_of(session, row)
        if user.email != row.email:
            raise InvalidLink("This link was sent to an address the account no longer has.")
        if user.email_verified_at is None:
            user.email_verified_at = datetime.now(UTC)
            await events.publish(session, EmailVerified(user_id=user.id), subject_id=user.id)

    async def forgot_password(
        self, session: AsyncSession, context: IdentityContext, email: str, *, allowed: bool
    ) -> None:
        """Sends a reset link if an active account has `email`; says nothing either way."""
        user = await user_repository.by_email(session, email)
        if user is None or not user.is_active or not allowed:
            return
        await self._mail_link(
            session,
            context,
            user,
            TokenPurpose.password_reset,
            lifetime=timedelta(minutes=context.config.password_reset_minutes),
            path=context.config.reset_password_path,
            event=PasswordResetRequested,
        )

    async def _mail_link(
        self,
        session: AsyncSession,
        context: IdentityContext,
        user: User,
        purpose: TokenPurpose,
        *,
        lifetime: timedelta,
        path: str,
        event: type[EmailVerificationRequested | PasswordResetRequested],
    ) -> None:
        """Issues a link token for `purpose`; `event` carries the link, sealed, to the mailer."""
        token, row = await link_tokens.issue(
            session, context, purpose, lifetime=lifetime, user_id=user.id, email=user.email
        )
        link = seal(context.settings, LINK_SEAL_PURPOSE, context.link(path, token))
        await events.publish(
            session,
            event(user_id=user.id, email=user.email, link=link, expires_at=row.expires_at),
            subject_id=user.id,
        )

    async def reset_password(
        self,
        session: AsyncSession,
        context: IdentityContext,
        throttle: LoginThrottle,
        revocations: Revocations,
        token: str,
        password: str,
    ) -> User:
        row = await link_tokens.redeem(session, context, TokenPurpose.password_reset, token)
        user = await self._user_of(session, row)
        check_password_policy(password, email=user.email, name=user.name)
        now = datetime.now(UTC)
        user.password_hash = await hash_password(password_hasher(context), password)
        user.password_changed_at = now
        if user.email_verified_at is None and row.email == user.email:
            user.email_verified_at = now  # the link reached the mailbox
        await link_tokens.expire_all(session, user.id, TokenPurpose.password_reset)
        revoked = await session_service.revoke(
            session, revocations, user.id, SessionEndReason.password_reset
        )
        await events.publish(
            session,
            PasswordResetCompleted(
                user_id=user.id, email=user.email, sessions_revoked=len(revoked)
            ),
            subject_id=user.id,
        )
        await throttle.lift(user.email)
        return user

    async def change_password(
        self,
        session: AsyncSession,
        context: IdentityContext,
        revocations: Revocations,
        principal: Principal,
        current: str,
        new: str,
    ) -> None:
        """Needs the current password; signs out every other session."""
        user = await user_repository.get(session, principal.user_id, for_update=True)
        if user is None:
            raise exceptions.InvalidCredentials()
        ph = password_hasher(context)
        if not await verify_password(ph, user.password_hash, current):
            raise exceptions.WrongPassword("The current password is not correct.")
        check_password_policy(new, email=user.email, name=user.name)
        user.password_hash = await hash_password(ph, new)
        user.password_changed_at = datetime.now(UTC)
        revoked = await session_service.revoke(
            session,
            revocations,
            user.id,
            SessionEndReason.password_changed,
            keep=principal.session_id,
        )
        await events.publish(
            session,
            PasswordChanged(user_id=user.id, email=user.email, sessions_revoked=len(revoked)),
            actor_id=user.id,
            subject_id=user.id,
        )

    async def update(self, session: AsyncSession, user_id: uuid.UUID, body: UserUpdate) -> User:
        user = await self.get(session, user_id)
        if body.name is not None:
            user.name = body.name
        await session.flush()
        return user

    async def _user_of(self, session: AsyncSession, row: SingleUseToken) -> User:
        user = (
            await user_repository.get(session, row.user_id, for_update=True)
            if row.user_id
            else None
        )
        if user is None or not user.is_active:
            raise InvalidLink("This link is invalid, was already used or has expired.")
        return user


account_service = AccountService()
