"""Events of accounts, sign-ins, sessions, organizations and signing keys.

Payloads carry IDs. An e-mail address travels only in the events whose purpose is a mail
to that address (link e-mails and security alerts: `notifications` has no other way to
reach the person, and keeps the latest one per user, until an erasure, for the mail about
documents and saved searches, whose events name only a user), and a link's token only
sealed (`sift.core.auth.sealing.unseal` with `LINK_SEAL_PURPOSE`): streams and dead
letters outlive both the link and an erasure.
An IP address is kept on sign-in events only, for the audit trail.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field

from sift.contracts.events.base import EventPayload, event

LINK_SEAL_PURPOSE = "identity.link"
SealedLink = Annotated[str, Field(pattern=r"^v1\.[A-Za-z0-9_-]+$", max_length=4096)]
Email = Annotated[str, Field(min_length=3, max_length=320)]
IpAddress = Annotated[str, Field(max_length=64)]
RoleName = Annotated[str, Field(pattern=r"^(owner|admin|editor|viewer)$")]


class SignupMethod(StrEnum):
    password = "password"  # noqa: S105 - a sign-up method, not a secret
    google = "google"
    github = "github"
    invitation = "invitation"
    oidc = "oidc"  # a configured OpenID Connect issuer other than Google


@event("user.signed_up", version=1)
class UserSignedUp(EventPayload):
    """A new account exists; the envelope's `org_id` is the organization it belongs to."""

    user_id: uuid.UUID
    method: SignupMethod
    created_organization: bool


@event("user.email_verification_requested", version=1)
class EmailVerificationRequested(EventPayload):
    """Send `email` the (sealed) link that proves the address is the user's."""

    user_id: uuid.UUID
    email: Email
    link: SealedLink
    expires_at: AwareDatetime


@event("user.email_verified", version=1)
class EmailVerified(EventPayload):
    user_id: uuid.UUID


class LoginFailure(StrEnum):
    invalid_credentials = "invalid_credentials"  # unknown e-mail or wrong password
    account_locked = "account_locked"
    account_disabled = "account_disabled"


@event("auth.login_succeeded", version=1)
class LoginSucceeded(EventPayload):
    """A sign-in; the owner is alerted at `email` when it comes from a new address."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    method: SignupMethod
    ip: IpAddress | None = None
    # Added later (optional, so earlier events stay readable).
    email: Email | None = None


@event("auth.login_failed", version=1)
class LoginFailed(EventPayload):
    """`user_id` is null when no account has the address that was tried."""

    user_id: uuid.UUID | None
    reason: LoginFailure
    ip: IpAddress | None = None


class LockoutScope(StrEnum):
    """What a lockout stops: browsers unknown to the account, or one browser it knows."""

    unknown_devices = "unknown_devices"  # no valid device cookie; known browsers still sign in
    device = "device"  # one browser with the account's device cookie (a stolen laptop?)


@event("auth.account_locked", version=1)
class AccountLocked(EventPayload):
    """Someone is guessing the password: sign-in is locked for a while; alert the owner at
    `email`. Published when a lockout starts, so at most once per lockout window.

    `scope` (optional, `unknown_devices` when absent) says which attempts the lock stops."""

    user_id: uuid.UUID
    email: Email
    locked_seconds: int = Field(ge=1)
    failed_attempts: int = Field(ge=1)
    scope: LockoutScope = LockoutScope.unknown_devices


@event("auth.refresh_reuse_detected", version=1)
class RefreshReuseDetected(EventPayload):
    """A rotated refresh token came back: the session is revoked; alert the owner."""

    user_id: uuid.UUID
    session_id: uuid.UUID
    email: Email
    ip: IpAddress | None = None


class SessionEndReason(StrEnum):
    logout = "logout"
    revoked = "revoked"
    signed_out_everywhere = "signed_out_everywhere"
    password_changed = "password_changed"  # noqa: S105 - a reason, not a secret
    password_reset = "password_reset"  # noqa: S105
    reuse_detected = "reuse_detected"


@event("auth.sessions_revoked", version=1)
class SessionsRevoked(EventPayload):
    user_id: uuid.UUID
    session_ids: list[uuid.UUID]
    reason: SessionEndReason


@event("auth.password_changed", version=1)
class PasswordChanged(EventPayload):
    """Alert the owner at `email`; other sessions were signed out."""

    user_id: uuid.UUID
    email: Email
    sessions_revoked: int = Field(ge=0)


@event("auth.password_reset_requested", version=1)
class PasswordResetRequested(EventPayload):
    user_id: uuid.UUID
    email: Email
    link: SealedLink
    expires_at: AwareDatetime


@event("auth.password_reset_completed", version=1)
class PasswordResetCompleted(EventPayload):
    """Alert the owner at `email`; every session was signed out."""

    user_id: uuid.UUID
    email: Email
    sessions_revoked: int = Field(ge=0)


@event("org.created", version=1)
class OrganizationCreated(EventPayload):
    org_id: uuid.UUID
    created_by: uuid.UUID
    personal: bool


@event("org.renamed", version=1)
class OrganizationRenamed(EventPayload):
    """The organization has a new name (services that show it read it from here)."""

    org_id: uuid.UUID
    renamed_by: uuid.UUID
    name: str = Field(min_length=1, max_length=200)


@event("invitation.created", version=1)
class InvitationCreated(EventPayload):
    """Send `email` the (sealed) link that joins `org_name` as `role`."""

    invitation_id: uuid.UUID
    org_id: uuid.UUID
    org_name: str = Field(max_length=200)
    email: Email
    role: RoleName
    invited_by: uuid.UUID
    link: SealedLink
    expires_at: AwareDatetime


@event("invitation.accepted", version=1)
class InvitationAccepted(EventPayload):
    invitation_id: uuid.UUID
    org_id: uuid.UUID
    user_id: uuid.UUID
    role: RoleName


@event("invitation.resent", version=1)
class InvitationResent(EventPayload):
    """A pending invitation was sent again (`invitation.created` carries the new link);
    the earlier links no longer work."""

    invitation_id: uuid.UUID
    org_id: uuid.UUID
    resent_by: uuid.UUID
    expires_at: AwareDatetime


@event("invitation.revoked", version=1)
class InvitationRevoked(EventPayload):
    """A pending invitation was withdrawn; its link no longer works."""

    invitation_id: uuid.UUID
    org_id: uuid.UUID
    revoked_by: uuid.UUID


@event("member.role_changed", version=1)
class MemberRoleChanged(EventPayload):
    org_id: uuid.UUID
    user_id: uuid.UUID
    old_role: RoleName
    new_role: RoleName


@event("member.removed", version=1)
class MemberRemoved(EventPayload):
    org_id: uuid.UUID
    user_id: uuid.UUID
    role: RoleName


@event("auth.signing_key_rotated", version=1)
class SigningKeyRotated(EventPayload):
    """A new key signs access tokens from `active_from`; the retired ones stay published
    until their last tokens have expired."""

    kid: str = Field(max_length=64)
    retired_kids: list[str]
    active_from: AwareDatetime


# --- Social login and OIDC -----------------------------------------------------------------

ProviderName = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]


@event("auth.oauth_account_linked", version=1)
class OAuthAccountLinked(EventPayload):
    """A provider's account can now sign in to an existing account: alert the owner.

    `secured_account`: the account's address was not yet verified, so its password and
    sessions were dropped (whoever had set them up may not own the mailbox)."""

    user_id: uuid.UUID
    provider: ProviderName
    email: Email
    secured_account: bool = False


@event("member.provisioned", version=1)
class MemberProvisioned(EventPayload):
    """An identity provider's role mapping made the user a member of the organization."""

    org_id: uuid.UUID
    user_id: uuid.UUID
    role: RoleName
    provider: ProviderName


# --- MFA and API keys ---------------------------------------------------------------------


class MfaMethod(StrEnum):
    totp = "totp"
    sms = "sms"


@event("auth.mfa_enabled", version=1)
class MfaEnabled(EventPayload):
    """A second factor was turned on; fresh recovery codes were issued with it. Alert the
    owner at `email`."""

    user_id: uuid.UUID
    method: MfaMethod
    email: Email | None = None  # added later: optional, so earlier events stay readable


@event("auth.mfa_disabled", version=1)
class MfaDisabled(EventPayload):
    """Every second factor was turned off (the password was given): alert the owner at `email`."""

    user_id: uuid.UUID
    email: Email


@event("auth.recovery_code_used", version=1)
class RecoveryCodeUsed(EventPayload):
    """A recovery code signed in: alert the owner at `email` (`remaining` codes are left)."""

    user_id: uuid.UUID
    email: Email
    remaining: int = Field(ge=0)


@event("auth.api_key_created", version=1)
class ApiKeyCreated(EventPayload):
    """A key acts in `created_by`'s name: alert them at `email`."""

    api_key_id: uuid.UUID
    org_id: uuid.UUID
    created_by: uuid.UUID
    name: str = Field(max_length=100)
    permissions: list[str]
    expires_at: AwareDatetime | None = None
    email: Email | None = None  # added later: optional, so earlier events stay readable


@event("auth.api_key_revoked", version=1)
class ApiKeyRevoked(EventPayload):
    api_key_id: uuid.UUID
    org_id: uuid.UUID
    revoked_by: uuid.UUID
