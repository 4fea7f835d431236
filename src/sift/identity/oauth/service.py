"""Social login: start a provider's flow, finish it, sign in, link or create the account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.identity import (
    EmailVerified,
    LoginFailed,
    LoginFailure,
    LoginSucceeded,
    MemberProvisioned,
    MemberRoleChanged,
    OAuthAccountLinked,
    SessionEndReason,
    SignupMethod,
    UserSignedUp,
)
from sift.core.auth.permissions import Role
from sift.core.auth.revocation import Revocations
from sift.identity.accounts.emails import normalize_email
from sift.identity.accounts.repository import user_repository
from sift.identity.accounts.second_factor import MfaRequired, check_second_factor
from sift.identity.events import events
from sift.identity.models import Membership, OAuthAccount, User
from sift.identity.oauth.exceptions import InvalidReturnTo, OAuthFailed
from sift.identity.oauth.providers import Provider, ProviderIdentity
from sift.identity.oauth.repository import oauth_account_repository
from sift.identity.oauth.state import PendingSignIn, SignInStates, digest, new_secret
from sift.identity.orgs.repository import membership_repository, organization_repository
from sift.identity.orgs.service import organization_service
from sift.identity.sessions.service import SessionGrant, session_service
from sift.identity.web import ClientInfo, IdentityContext

log = structlog.get_logger()

CALLBACK_PATH = "/api/auth/oauth/{provider}/callback"
MAX_RETURN_TO = 2048


@dataclass(frozen=True)
class CallbackParams:
    state: str | None
    code: str | None
    error: str | None


@dataclass(frozen=True)
class SignedIn:
    user: User
    grant: SessionGrant
    return_to: str | None


def signup_method(provider: str) -> SignupMethod:
    return {"google": SignupMethod.google, "github": SignupMethod.github}.get(
        provider, SignupMethod.oidc
    )


def safe_return_to(context: IdentityContext, value: str | None) -> str | None:
    """A path of the web app (or a URL of its origin, reduced to its path); never elsewhere."""
    if not value:
        return None
    public = urlsplit(context.settings.public_url)
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        same = (parts.scheme.lower(), parts.netloc.lower()) == (
            public.scheme.lower(),
            public.netloc.lower(),
        )
        if not same:
            raise InvalidReturnTo("`return_to` must be a page of this site.")
        value = value[len(f"{parts.scheme}://{parts.netloc}") :] or "/"
    # "//host" and "/\host" are other hosts to a browser; control characters split headers.
    if (
        not value.startswith("/")
        or value.startswith(("//", "/\\"))
        or "\\" in value
        or any(ord(char) < 0x21 or ord(char) == 0x7F for char in value)
        or len(value) > MAX_RETURN_TO
    ):
        raise InvalidReturnTo("`return_to` must be a path of this site, such as /documents.")
    return value


def callback_url(context: IdentityContext, provider: str) -> str:
    return context.settings.public_url.rstrip("/") + CALLBACK_PATH.format(provider=provider)


class OAuthService:
    async def start(
        self,
        context: IdentityContext,
        states: SignInStates,
        provider: Provider,
        *,
        return_to: str | None,
        browser: str,
    ) -> str:
        """The provider's authorization URL; the state, nonce and verifier stay here."""
        state, verifier = new_secret(), new_secret() + new_secret()  # verifier: 86 chars
        nonce = new_secret() if provider.is_oidc else None
        redirect_uri = callback_url(context, provider.name)
        url = await provider.authorization_url(
            redirect_uri=redirect_uri, state=state, code_verifier=verifier, nonce=nonce
        )
        pending = PendingSignIn(
            provider=provider.name,
            code_verifier=verifier,
            nonce=nonce,
            redirect_uri=redirect_uri,
            return_to=safe_return_to(context, return_to),
            browser=digest(browser),
        )
        await states.save(state, pending)
        return url

    async def finish(
        self,
        session: AsyncSession,
        context: IdentityContext,
        states: SignInStates,
        revocations: Revocations,
        provider: Provider,
        params: CallbackParams,
        *,
        browser: str | None,
        client: ClientInfo,
    ) -> SignedIn:
        pending = await states.take(params.state) if params.state else None
        if pending is None or pending.provider != provider.name or not pending.bound_to(browser):
            raise OAuthFailed("invalid_state")
        if params.error:
            raise OAuthFailed(
                "access_denied" if params.error == "access_denied" else "provider_error"
            )
        if not params.code:
            raise OAuthFailed("provider_error")
        token = await provider.exchange_code(
            code=params.code, redirect_uri=pending.redirect_uri, code_verifier=pending.code_verifier
        )
        identity = await provider.identity(token, nonce=pending.nonce)
        user = await self._account(session, revocations, provider, identity, client)
        membership = await self._apply_role_mapping(session, revocations, provider, identity, user)
        if membership is None:
            membership = await organization_service.default_membership(session, user)
        user.last_login_at = datetime.now(UTC)
        method = signup_method(provider.name)
        grant = await session_service.start(
            session, context, membership=membership, client=client, method=method
        )
        await events.publish(
            session,
            LoginSucceeded(
                user_id=user.id,
                session_id=grant.family.id,
                method=method,
                ip=client.ip,
                email=user.email,
            ),
            org_id=membership.org_id,
            actor_id=user.id,
            subject_id=user.id,
        )
        log.info("oauth.signed_in", provider=provider.name, user_id=str(user.id))
        return SignedIn(user, grant, pending.return_to)

    async def _account(
        self,
        session: AsyncSession,
        revocations: Revocations,
        provider: Provider,
        identity: ProviderIdentity,
        client: ClientInfo,
    ) -> User:
        """The linked account; else the account of a verified address (linked); else a new one."""
        now = datetime.now(UTC)
        link = await oauth_account_repository.by_subject(session, provider.name, identity.subject)
        if link is not None:
            user = await user_repository.get(session, link.user_id, for_update=True)
            assert user is not None  # the link cascades with the user
            await self._check_can_sign_in(session, user, client)
            link.email, link.email_verified = identity.email, identity.email_verified
            link.last_used_at = now
            return user
        if not identity.email or not identity.email_verified:
            # Without the provider's word the address may be anyone's: no link, no account.
            raise OAuthFailed("email_unverified")
        try:
            email = normalize_email(identity.email)
        except ValueError:
            raise OAuthFailed("email_invalid") from None
        user = await user_repository.by_email(session, email)
        if user is None:
            user = await self._create(session, provider, identity, email)
        else:
            await self._check_can_sign_in(session, user, client)
            await self._link_existing(session, revocations, provider, user)
        session.add(
            OAuthAccount(
                provider=provider.name,
                subject=identity.subject,
                user_id=user.id,
                email=identity.email,
                email_verified=identity.email_verified,
                last_used_at=now,
            )
        )
        try:
            await session.flush()
        except IntegrityError:  # the same provider account, linked by a racing callback
            raise OAuthFailed("account_conflict") from None
        return user

    async def _check_can_sign_in(
        self, session: AsyncSession, user: User, client: ClientInfo
    ) -> None:
        if not user.is_active:
            await events.publish(
                session,
                LoginFailed(user_id=user.id, reason=LoginFailure.account_disabled, ip=client.ip),
                subject_id=user.id,
            )
            raise OAuthFailed("account_disabled", recorded=True)
        try:
            await check_second_factor(session, user, None)
        except MfaRequired:
            # A second factor is not skipped by signing in elsewhere: use the password form.
            raise OAuthFailed("mfa_required") from None

    async def _create(
        self, session: AsyncSession, provider: Provider, identity: ProviderIdentity, email: str
    ) -> User:
        now = datetime.now(UTC)
        name = identity.name or email.split("@", 1)[0]
        user = User(email=email, name=name, password_hash=None, email_verified_at=now)
        session.add(user)
        try:
            await session.flush()
        except IntegrityError:  # signed up with the same address meanwhile
            raise OAuthFailed("account_conflict") from None
        org, _ = await organization_service.create(
            session, user, f"{name}'s workspace", personal=True
        )
        user.default_org_id = org.id
        await events.publish(
            session,
            UserSignedUp(
                user_id=user.id, method=signup_method(provider.name), created_organization=True
            ),
            org_id=org.id,
            actor_id=user.id,
            subject_id=user.id,
        )
        return user

    async def _link_existing(
        self, session: AsyncSession, revocations: Revocations, provider: Provider, user: User
    ) -> None:
        """Links a verified address's provider account to the account that has the address.

        An account whose address was never verified may have been set up by someone who
        does not own the mailbox, waiting for its owner to sign in with a provider
        (pre-hijacking): the provider has now proved the mailbox, so that password and
        every session of the account go.
        """
        secured = user.email_verified_at is None
        if secured:
            user.password_hash = None
            user.email_verified_at = datetime.now(UTC)
            await session_service.revoke(session, revocations, user.id, SessionEndReason.revoked)
            await events.publish(session, EmailVerified(user_id=user.id), subject_id=user.id)
        await events.publish(
            session,
            OAuthAccountLinked(
                user_id=user.id, provider=provider.name, email=user.email, secured_account=secured
            ),
            actor_id=user.id,
            subject_id=user.id,
        )

    async def _apply_role_mapping(
        self,
        session: AsyncSession,
        revocations: Revocations,
        provider: Provider,
        identity: ProviderIdentity,
        user: User,
    ) -> Membership | None:
        """The membership the provider's claim maps to, created or brought to that role."""
        config = provider.config
        role = mapped_role(config.role_mapping, identity.claims.get(config.role_claim or ""))
        if role is None or config.organization_id is None:
            return None
        org_id = config.organization_id
        if await organization_repository.get(session, org_id, for_update=True) is None:
            log.warning("oauth.role_mapping_org_missing", provider=provider.name)
            return None
        membership = await membership_repository.get(session, org_id, user.id, for_update=True)
        if membership is None:
            membership = Membership(org_id=org_id, user_id=user.id, role=role)
            session.add(membership)
            await session.flush()
            await events.publish(
                session,
                MemberProvisioned(
                    org_id=org_id, user_id=user.id, role=role, provider=provider.name
                ),
                org_id=org_id,
                subject_id=user.id,
            )
        elif membership.role not in (role, Role.owner):  # owners are managed in Sift only
            old = membership.role
            membership.role = role
            await session.flush()
            await revocations.revoke_membership(org_id, user.id, role)
            await events.publish(
                session,
                MemberRoleChanged(org_id=org_id, user_id=user.id, old_role=old, new_role=role),
                org_id=org_id,
                subject_id=user.id,
            )
        return membership


def mapped_role(mapping: dict[str, Role], value: Any) -> Role | None:
    """The highest role that a claim value (a string or a list of them) maps to."""
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    roles = [mapping[item] for item in values if isinstance(item, str) and item in mapping]
    return max(roles, key=lambda role: role.rank, default=None)


oauth_service = OAuthService()
