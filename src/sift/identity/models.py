"""Tables of the identity service, all in its own `identity` schema.

Later features add tables next to these rather than columns to them: MFA factors and
recovery codes, OAuth accounts and API keys each reference `users.id` (and API keys
`organizations.id`); `refresh_families.auth_method` already records how a session began.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sift.core.auth.permissions import Role
from sift.core.db import IdMixin, TimestampMixin, service_metadata
from sift.core.events.tables import OutboxMixin, ProcessedEventMixin

EMAIL_LENGTH = 320
Timestamp = DateTime(timezone=True)


def _one_of(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(str(value)) for value in values)})"


class Base(DeclarativeBase):
    metadata = service_metadata("identity")


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


class UserStatus(StrEnum):
    active = "active"
    disabled = "disabled"
    deleted = "deleted"


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("status", UserStatus), name="status"),)

    # Normalized (email-validator) and lower-cased: one account per mailbox.
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Argon2id PHC string (parameters included); null for accounts without a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    email_verified_at: Mapped[datetime | None] = mapped_column(Timestamp)
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.active)
    deleted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_login_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # The organization a new session starts in (the last one switched to).
    default_org_id: Mapped[uuid.UUID | None] = mapped_column()

    @property
    def is_active(self) -> bool:
        return self.status == UserStatus.active

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class Organization(IdMixin, TimestampMixin, Base):
    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200))
    # The organization made at sign-up; it can hold others' data only through invitations.
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # Set when its owner asks to delete it: hidden from then on, removed once every
    # service has erased its part (the privacy request `deletion_request_id`).
    deletion_request_id: Mapped[uuid.UUID | None] = mapped_column()
    deletion_requested_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Membership(TimestampMixin, Base):
    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint(_one_of("role", Role), name="role"),
        Index("ix_memberships_user_id", "user_id"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))


class SessionEndReason(StrEnum):
    logout = "logout"
    revoked = "revoked"  # by the user, from the sessions list
    signed_out_everywhere = "signed_out_everywhere"
    password_changed = "password_changed"  # noqa: S105 - a reason, not a secret
    password_reset = "password_reset"  # noqa: S105
    reuse_detected = "reuse_detected"
    user_deleted = "user_deleted"


class RefreshFamily(IdMixin, Base):
    """A session: the chain of refresh tokens that one sign-in starts (one device)."""

    __tablename__ = "refresh_families"
    __table_args__ = (
        Index("ix_refresh_families_active", "user_id", postgresql_where=text("revoked_at IS NULL")),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The organization the session's access tokens are for; `switch` moves it.
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    auth_method: Mapped[str] = mapped_column(String(32), default="password")
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    last_used_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(Timestamp)  # absolute session lifetime
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoke_reason: Mapped[str | None] = mapped_column(String(32))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    device: Mapped[str | None] = mapped_column(String(100))
    ip: Mapped[str | None] = mapped_column(String(64))


class RefreshToken(IdMixin, Base):
    """One refresh token of a family; only its SHA-256 is stored."""

    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_family_id", "family_id"),)

    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("refresh_families.id", ondelete="CASCADE")
    )
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("refresh_tokens.id", ondelete="SET NULL")
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    rotated_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


class SigningKey(IdMixin, Base):
    """An access-token signing key; the private half is encrypted with a key from the secret."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), unique=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    # Published from creation, signs from `active_from` (verifiers know it by then).
    active_from: Mapped[datetime] = mapped_column(Timestamp)
    # Rotation schedule: a successor is made once this time is near.
    retire_after: Mapped[datetime] = mapped_column(Timestamp)
    # When a successor took over signing; published until its last tokens expired.
    retired_at: Mapped[datetime | None] = mapped_column(Timestamp)


class TokenPurpose(StrEnum):
    email_verification = "email_verification"
    password_reset = "password_reset"  # noqa: S105 - a purpose, not a secret
    invitation = "invitation"


class SingleUseToken(IdMixin, Base):
    """A link token sent by e-mail: stored as a keyed hash, expiring, used at most once."""

    __tablename__ = "single_use_tokens"
    __table_args__ = (
        CheckConstraint(_one_of("purpose", TokenPurpose), name="purpose"),
        Index("ix_single_use_tokens_user_id", "user_id"),
    )

    purpose: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The address the link was sent to (what a verification proves).
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    invitation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class Invitation(IdMixin, Base):
    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(_one_of("role", Role), name="role"),
        Index(
            "uq_invitations_pending",
            "org_id",
            "email",
            unique=True,
            postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
        ),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(EMAIL_LENGTH))
    role: Mapped[str] = mapped_column(String(16))
    invited_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    accepted_at: Mapped[datetime | None] = mapped_column(Timestamp)
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)


# --- MFA and API keys (second factors, phone numbers, API keys) ---------------------------


class MfaSettings(TimestampMixin, Base):
    """A user's second factors: TOTP (pending until enabled) and SMS codes."""

    __tablename__ = "mfa_settings"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # AES-256-GCM under a key derived from the platform secret; set at setup, in use once enabled.
    totp_secret_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    # The last time step whose code was accepted: a code is never accepted twice (RFC 6238 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    sms_enabled_at: Mapped[datetime | None] = mapped_column(Timestamp)

    @property
    def enabled(self) -> bool:
        return self.totp_enabled_at is not None or self.sms_enabled_at is not None


class RecoveryCode(IdMixin, Base):
    """A one-time recovery code, stored as a keyed hash."""

    __tablename__ = "mfa_recovery_codes"
    __table_args__ = (Index("ix_mfa_recovery_codes_user_id", "user_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class UserPhone(TimestampMixin, Base):
    """A user's mobile number (E.164), usable for SMS codes once verified."""

    __tablename__ = "user_phones"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    phone_number: Mapped[str] = mapped_column(String(16))
    phone_verified_at: Mapped[datetime | None] = mapped_column(Timestamp)


class SmsCodePurpose(StrEnum):
    phone_verification = "phone_verification"
    sign_in = "sign_in"


class SmsCode(IdMixin, Base):
    """A one-time code sent by SMS: keyed hash only, short-lived, a few attempts."""

    __tablename__ = "sms_codes"
    __table_args__ = (
        CheckConstraint(_one_of("purpose", SmsCodePurpose), name="purpose"),
        Index("ix_sms_codes_user_id", "user_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(32))
    phone_number: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class ApiKey(IdMixin, Base):
    """A programmatic credential of an organization; only the secret's SHA-256 is stored."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_org_id", "org_id"),)

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    # Public part of the key (`sift_<prefix>_<secret>`): finds the row without the secret.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    permissions: Mapped[list[str]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp)
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp)
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


# --- Social login and OIDC (linked provider accounts) -------------------------------------


class OAuthAccount(IdMixin, Base):
    """A provider's account (Google, GitHub, an OIDC issuer) linked to a user for sign-in."""

    __tablename__ = "oauth_accounts"
    __table_args__ = (
        Index("uq_oauth_accounts_provider_subject", "provider", "subject", unique=True),
        Index("ix_oauth_accounts_user_id", "user_id"),
    )

    provider: Mapped[str] = mapped_column(String(32))
    # The provider's stable ID of the person (`sub`, GitHub's numeric user ID); never the e-mail.
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # What the provider said at the last sign-in.
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    email_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(Timestamp)
