"""One example of every identity event payload (for tests/contracts/test_events.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sift.contracts.events import EventPayload
from sift.contracts.events.identity import (
    AccountLocked,
    ApiKeyCreated,
    ApiKeyRevoked,
    EmailVerificationRequested,
    EmailVerified,
    InvitationAccepted,
    InvitationCreated,
    InvitationResent,
    InvitationRevoked,
    LoginFailed,
    LoginSucceeded,
    MemberProvisioned,
    MemberRemoved,
    MemberRoleChanged,
    MfaDisabled,
    MfaEnabled,
    OAuthAccountLinked,
    OrganizationCreated,
    OrganizationRenamed,
    PasswordChanged,
    PasswordResetCompleted,
    PasswordResetRequested,
    RecoveryCodeUsed,
    RefreshReuseDetected,
    SessionsRevoked,
    SigningKeyRotated,
    UserSignedUp,
)

ID = uuid.UUID("01900000-0000-7000-8000-000000000002")
WHEN = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LINK = "v1.c2VhbGVkLWxpbmstZXhhbXBsZQ"
EMAIL = "ada@example.com"

IDENTITY_EXAMPLES: list[EventPayload] = [
    UserSignedUp(user_id=ID, method="password", created_organization=True),
    EmailVerificationRequested(user_id=ID, email=EMAIL, link=LINK, expires_at=WHEN),
    EmailVerified(user_id=ID),
    LoginSucceeded(user_id=ID, session_id=ID, method="password", ip="203.0.113.9"),
    LoginFailed(user_id=None, reason="invalid_credentials", ip="203.0.113.9"),
    AccountLocked(user_id=ID, email=EMAIL, locked_seconds=30, failed_attempts=5, scope="device"),
    RefreshReuseDetected(user_id=ID, session_id=ID, email=EMAIL, ip=None),
    SessionsRevoked(user_id=ID, session_ids=[ID], reason="signed_out_everywhere"),
    PasswordChanged(user_id=ID, email=EMAIL, sessions_revoked=2),
    PasswordResetRequested(user_id=ID, email=EMAIL, link=LINK, expires_at=WHEN),
    PasswordResetCompleted(user_id=ID, email=EMAIL, sessions_revoked=1),
    OrganizationCreated(org_id=ID, created_by=ID, personal=False),
    OrganizationRenamed(org_id=ID, renamed_by=ID, name="Acme Inc"),
    InvitationCreated(
        invitation_id=ID,
        org_id=ID,
        org_name="Acme",
        email=EMAIL,
        role="editor",
        invited_by=ID,
        link=LINK,
        expires_at=WHEN,
    ),
    InvitationAccepted(invitation_id=ID, org_id=ID, user_id=ID, role="editor"),
    InvitationResent(invitation_id=ID, org_id=ID, resent_by=ID, expires_at=WHEN),
    InvitationRevoked(invitation_id=ID, org_id=ID, revoked_by=ID),
    MemberRoleChanged(org_id=ID, user_id=ID, old_role="viewer", new_role="admin"),
    MemberRemoved(org_id=ID, user_id=ID, role="viewer"),
    SigningKeyRotated(kid="k2", retired_kids=["k1"], active_from=WHEN),
    OAuthAccountLinked(user_id=ID, provider="google", email=EMAIL, secured_account=True),
    MemberProvisioned(org_id=ID, user_id=ID, role="editor", provider="acme-sso"),
    MfaEnabled(user_id=ID, method="totp"),
    MfaDisabled(user_id=ID, email=EMAIL),
    RecoveryCodeUsed(user_id=ID, email=EMAIL, remaining=9),
    ApiKeyCreated(
        api_key_id=ID,
        org_id=ID,
        created_by=ID,
        name="CI",
        permissions=["documents:read"],
        expires_at=WHEN,
    ),
    ApiKeyRevoked(api_key_id=ID, org_id=ID, revoked_by=ID),
]
