"""In-app security alerts: an account-wide copy (no organization), high priority, of what
the owner is mailed: a sign-in from a new address, refresh-token reuse, a lockout, the
password changed or reset, two-step sign-in on or off, a recovery code used, a provider
account linked, an API key created.

One table, `ALERTS` (event type -> `Alert`), as the e-mail channel's catalog is one: each
row registers one handler on the in-app channel.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope, EventPayload
from sift.contracts.events.identity import (
    AccountLocked,
    ApiKeyCreated,
    LoginSucceeded,
    MfaDisabled,
    MfaEnabled,
    OAuthAccountLinked,
    PasswordChanged,
    PasswordResetCompleted,
    RecoveryCodeUsed,
    RefreshReuseDetected,
)
from sift.core.events.consumer import Handler
from sift.notifications.decisions import new_sign_in
from sift.notifications.events import register
from sift.notifications.inapp.fanout import process_bus
from sift.notifications.inapp.repository import IN_APP
from sift.notifications.inapp.schemas import NotificationType, Priority
from sift.notifications.inapp.service import notification_service

SECURITY_LINK = "/settings/security"
SESSIONS_LINK = "/settings/sessions"


async def _always(_: AsyncSession, __: EventEnvelope) -> bool:
    return True


def _owner(payload: Any) -> uuid.UUID:
    user_id: uuid.UUID = payload.user_id
    return user_id


@dataclass(frozen=True)
class Alert:
    """What an event tells the account's owner, and when."""

    title: str
    body: Callable[[Any], str]  # from the event's payload
    link: str = SECURITY_LINK
    owner: Callable[[Any], uuid.UUID] = _owner
    # The API key's organization; the other alerts are account-wide.
    org_id: Callable[[Any], uuid.UUID | None] = lambda _: None
    when: Callable[[AsyncSession, EventEnvelope], Awaitable[bool]] = _always


def _locked(payload: AccountLocked) -> str:
    minutes = max(1, round(payload.locked_seconds / 60))
    return (
        f"After {payload.failed_attempts} wrong passwords, signing in to your account is "
        f"locked for {minutes} min. If this was not you, someone may be guessing your password."
    )


ALERTS: dict[type[EventPayload], Alert] = {
    LoginSucceeded: Alert(
        "New sign-in to your account",
        lambda payload: f"Your account was signed in to from a new address ({payload.ip}). "
        "If this was not you, change your password and sign out of every session.",
        SESSIONS_LINK,
        when=new_sign_in,  # decided once for every channel
    ),
    RefreshReuseDetected: Alert(
        "A session was signed out for your safety",
        lambda _: "A sign-in token that had already been used came back, which happens when "
        "it was copied. That session is signed out; if you do not recognise it, change your "
        "password.",
        SESSIONS_LINK,
    ),
    AccountLocked: Alert("Sign-in locked after failed attempts", _locked),
    PasswordChanged: Alert(
        "Password changed",
        lambda _: "Your password was changed and your other sessions were signed out.",
    ),
    PasswordResetCompleted: Alert(
        "Password reset",
        lambda _: "Your password was reset and every session was signed out.",
    ),
    MfaEnabled: Alert(
        "Two-step sign-in turned on",
        lambda payload: f"Signing in now asks for a {payload.method.value.upper()} code as well.",
    ),
    MfaDisabled: Alert(
        "Two-step sign-in turned off",
        lambda _: "Your account no longer asks for a second factor. If this was not you, "
        "change your password now.",
    ),
    RecoveryCodeUsed: Alert(
        "Recovery code used",
        lambda payload: f"A recovery code signed in to your account; {payload.remaining} are "
        "left.",
    ),
    OAuthAccountLinked: Alert(
        "Sign-in method added",
        lambda payload: f"Your {payload.provider} account can now sign in to your Sift account.",
    ),
    ApiKeyCreated: Alert(
        "API key created",
        lambda payload: f"The API key “{payload.name}” was created in your name.",
        "/settings/api-keys",
        owner=lambda payload: payload.created_by,
        org_id=lambda payload: payload.org_id,
    ),
}


def _handler(event_type: type[EventPayload], alert: Alert) -> Handler:
    async def handle(session: AsyncSession, envelope: EventEnvelope) -> None:
        payload = envelope.payload_as(event_type)
        if not await alert.when(session, envelope):
            return
        await notification_service.notify(
            session,
            process_bus(),
            envelope,
            user_id=alert.owner(payload),
            org_id=alert.org_id(payload),
            type=NotificationType.security_alert,
            title=alert.title,
            body=alert.body(payload),
            link=alert.link,
            priority=Priority.high,
        )

    return handle


for _event_type, _alert in ALERTS.items():
    register(_event_type, _handler(_event_type, _alert), channel=IN_APP)
