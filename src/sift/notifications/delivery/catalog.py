"""Which events become which mail, to whom: one entry per event type.

Each entry names the event's one recipient and builds the mail's content when it is sent.
Identity's link and security events carry the address they are for; the others (documents,
saved searches) name a user, whose address the address book keeps from identity's events
(`address_book.py`). An entry may also need facts its event does not carry (is this
sign-in from a new address? which upload, with which title?): they are found once, when
the event arrives, and kept on the delivery. Links arrive sealed (`LINK_SEAL_PURPOSE`) and
are opened only here, at send time; identity built them from the public URL.

What is mailed on which event:

- links: e-mail verification, password reset, invitation;
- security notices (cannot be switched off): a sign-in from a new address, refresh-token
  reuse, a lockout, two-step sign-in turned on or off, a recovery code used, a provider
  account linked, an API key created, the password changed or reset;
- to the uploader: a document indexed, or not (with the reason);
- to a saved search's owner: a new document matches it (its title and link);
- to the person who asked for it: their data export is ready (a link to the privacy center).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope, EventPayload
from sift.contracts.events.documents import DocumentIndexed, DocumentIndexFailed
from sift.contracts.events.identity import (
    LINK_SEAL_PURPOSE,
    AccountLocked,
    ApiKeyCreated,
    EmailVerificationRequested,
    InvitationCreated,
    LoginSucceeded,
    MfaDisabled,
    MfaEnabled,
    OAuthAccountLinked,
    PasswordChanged,
    PasswordResetCompleted,
    PasswordResetRequested,
    RecoveryCodeUsed,
    RefreshReuseDetected,
)
from sift.contracts.events.privacy import ExportReady
from sift.contracts.events.search import SavedSearchMatched
from sift.core.auth.sealing import SealError, unseal
from sift.core.config import CoreSettings
from sift.notifications.delivery import facts as found
from sift.notifications.delivery.facts import Facts
from sift.notifications.email import content as mail
from sift.notifications.email.exceptions import TemplateRenderFailed
from sift.notifications.email.rendering import Recipient

# Names people know providers by, for "Your GitHub account can now sign you in".
_PROVIDER_NAMES = {"google": "Google", "github": "GitHub"}


# A `Recipient` when the event names the address; else the user's ID (the address book has it).
To = Recipient | uuid.UUID
Content = Callable[[Any, EventEnvelope, CoreSettings, Facts], mail.MailContent]


@dataclass(frozen=True)
class MailType:
    event: type[EventPayload]
    kind: str  # the content's kind: what preferences and the unsubscribe link map to a type
    recipient: Callable[[Any, Facts], To]
    content: Content
    # Found when the event arrives; None means this event asks for no mail.
    facts: Callable[[AsyncSession, EventEnvelope], Awaitable[Facts | None]] = found.none_needed


def _link(settings: CoreSettings, sealed: str) -> str:
    try:
        return unseal(settings, LINK_SEAL_PURPOSE, sealed)
    except SealError as exc:  # sealed under another secret: the link could not work anyway
        raise TemplateRenderFailed(f"the link cannot be opened: {exc}") from exc


def _owner(payload: Any, _: Facts) -> To:
    """The account's owner: at the address the event names, else the address book's."""
    user_id: uuid.UUID = payload.user_id
    return Recipient(address=payload.email, user_id=user_id) if payload.email else user_id


def _uploader(_: Any, facts: Facts) -> To:
    return uuid.UUID(facts["uploaded_by"])


def _alert(alert: mail.SecurityAlertType, detail: Callable[[Any], str] = lambda _: "") -> Content:
    def build(
        payload: Any, envelope: EventEnvelope, _: CoreSettings, __: Facts
    ) -> mail.MailContent:
        return mail.SecurityAlert(
            alert=alert,
            occurred_at=envelope.occurred_at,
            detail=detail(payload),
            ip=getattr(payload, "ip", None),
        )

    return build


def _security(
    event: type[EventPayload],
    alert: mail.SecurityAlertType,
    detail: Callable[[Any], str] = lambda _: "",
    *,
    recipient: Callable[[Any, Facts], To] = _owner,
    facts: Callable[[AsyncSession, EventEnvelope], Awaitable[Facts | None]] = found.none_needed,
) -> MailType:
    return MailType(event, mail.SecurityAlert.kind, recipient, _alert(alert, detail), facts)


def _api_key_owner(payload: ApiKeyCreated, _: Facts) -> To:
    if payload.email:
        return Recipient(address=payload.email, user_id=payload.created_by)
    return payload.created_by


def _indexed(
    payload: DocumentIndexed, _: EventEnvelope, __: CoreSettings, facts: Facts
) -> mail.MailContent:
    return mail.DocumentIndexed(document=mail.DocumentRef(payload.document_id, facts["title"]))


def _failed(
    payload: DocumentIndexFailed, _: EventEnvelope, __: CoreSettings, facts: Facts
) -> mail.MailContent:
    document = mail.DocumentRef(payload.document_id, facts["title"])
    return mail.DocumentFailed(document=document, reason=payload.reason)


def _matched(
    payload: SavedSearchMatched, _: EventEnvelope, __: CoreSettings, facts: Facts
) -> mail.MailContent:
    title = facts.get("title") or "A new document"
    return mail.SavedSearchMatched(
        search_name=None, documents=[mail.DocumentRef(payload.document_id, title)]
    )


_TYPES: tuple[MailType, ...] = (
    MailType(
        EmailVerificationRequested,
        mail.EmailVerification.kind,
        _owner,
        lambda p, _, s, __: mail.EmailVerification(link=_link(s, p.link), expires_at=p.expires_at),
    ),
    MailType(
        PasswordResetRequested,
        mail.PasswordReset.kind,
        _owner,
        lambda p, _, s, __: mail.PasswordReset(link=_link(s, p.link), expires_at=p.expires_at),
    ),
    MailType(
        InvitationCreated,
        mail.Invitation.kind,
        # The invitee may have no account: the mail is for the address.
        lambda p, _: Recipient(address=p.email),
        lambda p, _, s, __: mail.Invitation(
            link=_link(s, p.link), org_name=p.org_name, role=p.role, expires_at=p.expires_at
        ),
    ),
    _security(AccountLocked, mail.SecurityAlertType.account_locked),
    _security(RefreshReuseDetected, mail.SecurityAlertType.refresh_reuse),
    _security(MfaDisabled, mail.SecurityAlertType.mfa_disabled, lambda _: "every method"),
    _security(RecoveryCodeUsed, mail.SecurityAlertType.recovery_code_used),
    _security(
        OAuthAccountLinked,
        mail.SecurityAlertType.oauth_linked,
        lambda p: _PROVIDER_NAMES.get(p.provider, p.provider),
    ),
    _security(PasswordChanged, mail.SecurityAlertType.password_changed),
    _security(PasswordResetCompleted, mail.SecurityAlertType.password_reset),
    _security(
        LoginSucceeded, mail.SecurityAlertType.new_sign_in, facts=found.sign_in_from_new_address
    ),
    _security(MfaEnabled, mail.SecurityAlertType.mfa_enabled, lambda p: p.method.value.upper()),
    _security(
        ApiKeyCreated,
        mail.SecurityAlertType.api_key_created,
        lambda p: p.name,
        recipient=_api_key_owner,
    ),
    MailType(
        DocumentIndexed, mail.DocumentIndexed.kind, _uploader, _indexed, found.document_indexed
    ),
    MailType(
        DocumentIndexFailed, mail.DocumentFailed.kind, _uploader, _failed, found.document_failed
    ),
    MailType(
        SavedSearchMatched,
        mail.SavedSearchMatched.kind,
        lambda p, _: p.user_id,
        _matched,
        found.saved_search_match,
    ),
    MailType(
        ExportReady,
        mail.ExportReady.kind,
        lambda p, _: p.user_id,
        lambda p, _, __, ___: mail.ExportReady(expires_at=p.expires_at),
    ),
)

MAIL_TYPES: dict[str, MailType] = {t.event.event_type: t for t in _TYPES}
"""Mail by event type."""
