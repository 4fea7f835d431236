"""What each kind of mail says: typed content, its subject and its template.

Paths are relative to the public URL (`SIFT_PUBLIC_URL`); links identity made (verification,
reset, invitation) arrive whole, already built from it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar


@dataclass(frozen=True)
class MailContent:
    kind: ClassVar[str]
    # Mail a person asked for or must get (links, security) has no unsubscribe link.
    unsubscribable: ClassVar[bool] = False

    @property
    def subject(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class EmailVerification(MailContent):
    kind = "email_verification"
    link: str
    expires_at: datetime

    @property
    def subject(self) -> str:
        return "Confirm your e-mail address"


@dataclass(frozen=True)
class PasswordReset(MailContent):
    kind = "password_reset"
    link: str
    expires_at: datetime

    @property
    def subject(self) -> str:
        return "Reset your Sift password"


@dataclass(frozen=True)
class Invitation(MailContent):
    kind = "invitation"
    link: str
    org_name: str
    role: str
    expires_at: datetime
    inviter_name: str | None = None

    @property
    def subject(self) -> str:
        return f"You are invited to join {self.org_name} on Sift"


class SecurityAlertType(StrEnum):
    new_sign_in = "new_sign_in"
    refresh_reuse = "refresh_reuse"
    account_locked = "account_locked"
    mfa_enabled = "mfa_enabled"
    mfa_disabled = "mfa_disabled"
    recovery_code_used = "recovery_code_used"
    oauth_linked = "oauth_linked"
    api_key_created = "api_key_created"
    password_changed = "password_changed"  # noqa: S105 - an alert, not a secret
    password_reset = "password_reset"  # noqa: S105 - an alert, not a secret


# The subject and the one line that differs; `{detail}` is the provider, key name, ...
_ALERTS: dict[SecurityAlertType, tuple[str, str]] = {
    SecurityAlertType.new_sign_in: (
        "New sign-in to your Sift account",
        "Your account was signed in to from a device or network it had not used before.",
    ),
    SecurityAlertType.refresh_reuse: (
        "A session of yours was stopped",
        "An old session token was used again, which can mean it was copied; we signed that "
        "session out.",
    ),
    SecurityAlertType.account_locked: (
        "Sign-in to your Sift account is paused",
        "Too many wrong passwords were entered, so sign-in is paused for a while.",
    ),
    SecurityAlertType.mfa_enabled: (
        "Two-step verification is on",
        "Two-step verification ({detail}) was turned on for your account.",
    ),
    SecurityAlertType.mfa_disabled: (
        "Two-step verification is off",
        "Two-step verification ({detail}) was turned off for your account.",
    ),
    SecurityAlertType.recovery_code_used: (
        "A recovery code was used",
        "One of your recovery codes was used to sign in; it cannot be used again.",
    ),
    SecurityAlertType.oauth_linked: (
        "A sign-in method was added",
        "Your {detail} account can now sign you in to Sift.",
    ),
    SecurityAlertType.api_key_created: (
        "A new API key was created",
        "The API key “{detail}” was created for your account.",
    ),
    SecurityAlertType.password_changed: (
        "Your Sift password was changed",
        "Your password was changed, and your other sessions were signed out.",
    ),
    SecurityAlertType.password_reset: (
        "Your Sift password was reset",
        "Your password was reset from an e-mailed link, and every session was signed out.",
    ),
}


@dataclass(frozen=True)
class SecurityAlert(MailContent):
    kind = "security_alert"
    alert: SecurityAlertType
    occurred_at: datetime
    detail: str = ""
    device: str | None = None
    ip: str | None = None

    @property
    def subject(self) -> str:
        return _ALERTS[self.alert][0]

    @property
    def line(self) -> str:
        return _ALERTS[self.alert][1].format(detail=self.detail)


PRIVACY_CENTER = "/settings/privacy"


@dataclass(frozen=True)
class ExportReady(MailContent):
    kind = "export_ready"
    unsubscribable = True
    expires_at: datetime

    @property
    def path(self) -> str:
        return PRIVACY_CENTER

    @property
    def subject(self) -> str:
        return "Your Sift data export is ready"


@dataclass(frozen=True)
class DocumentRef:
    id: uuid.UUID
    title: str

    @property
    def path(self) -> str:
        return f"/documents/{self.id}"


@dataclass(frozen=True)
class DocumentIndexed(MailContent):
    kind = "document_indexed"
    unsubscribable = True
    document: DocumentRef

    @property
    def subject(self) -> str:
        return f"“{self.document.title}” is ready to search"


@dataclass(frozen=True)
class DocumentFailed(MailContent):
    kind = "document_failed"
    unsubscribable = True
    document: DocumentRef
    reason: str

    @property
    def subject(self) -> str:
        return f"“{self.document.title}” could not be indexed"


@dataclass(frozen=True)
class SavedSearchMatched(MailContent):
    kind = "saved_search_matched"
    unsubscribable = True
    # None when unknown: the match event carries no query text (streams outlive erasure).
    search_name: str | None
    documents: Sequence[DocumentRef]

    @property
    def subject(self) -> str:
        if self.search_name is None:
            return "New matches for one of your saved searches"
        return f"New matches for “{self.search_name}”"


@dataclass(frozen=True)
class DigestItem:
    title: str
    body: str
    path: str  # in the web app, e.g. `/documents/<id>`


@dataclass(frozen=True)
class Digest(MailContent):
    kind = "digest"
    unsubscribable = True
    period: str  # "daily" or "weekly"
    items: Sequence[DigestItem]

    @property
    def subject(self) -> str:
        count = len(self.items)
        noun = "notification" if count == 1 else "notifications"
        return f"Your {self.period} Sift digest: {count} {noun}"
