"""In-app security alerts: an account-wide copy (no organization), high priority, of what
the owner is mailed: a sign-in from a new address, refresh-token reuse, a lockout, the
password changed or reset, two-step sign-in on or off, a recovery code used, a provider
account linked, an API key created."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
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
from sift.notifications.decisions import new_sign_in
from sift.notifications.events import on
from sift.notifications.inapp.fanout import process_bus
from sift.notifications.inapp.schemas import NotificationType, Priority
from sift.notifications.inapp.service import notification_service

IN_APP = "in_app"
SECURITY_LINK = "/settings/security"


async def _alert(
    session: AsyncSession,
    envelope: EventEnvelope,
    user_id: uuid.UUID,
    title: str,
    body: str,
    link: str = SECURITY_LINK,
    org_id: uuid.UUID | None = None,
) -> None:
    await notification_service.notify(
        session,
        process_bus(),
        envelope,
        user_id=user_id,
        org_id=org_id,
        type=NotificationType.security_alert,
        title=title,
        body=body,
        link=link,
        priority=Priority.high,
    )


@on(LoginSucceeded, channel=IN_APP)
async def on_login_succeeded(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(LoginSucceeded)
    if await new_sign_in(session, envelope):  # decided once for every channel
        await _alert(
            session,
            envelope,
            payload.user_id,
            "New sign-in to your account",
            f"Your account was signed in to from a new address ({payload.ip}). If this "
            "was not you, change your password and sign out of every session.",
            "/settings/sessions",
        )


@on(RefreshReuseDetected, channel=IN_APP)
async def on_refresh_reuse(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(RefreshReuseDetected)
    await _alert(
        session,
        envelope,
        payload.user_id,
        "A session was signed out for your safety",
        "A sign-in token that had already been used came back, which happens when it was "
        "copied. That session is signed out; if you do not recognise it, change your "
        "password.",
        "/settings/sessions",
    )


@on(AccountLocked, channel=IN_APP)
async def on_account_locked(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(AccountLocked)
    minutes = max(1, round(payload.locked_seconds / 60))
    await _alert(
        session,
        envelope,
        payload.user_id,
        "Sign-in locked after failed attempts",
        f"After {payload.failed_attempts} wrong passwords, signing in to your account is "
        f"locked for {minutes} min. If this was not you, someone may be guessing your password.",
    )


@on(PasswordChanged, channel=IN_APP)
async def on_password_changed(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(PasswordChanged)
    await _alert(
        session,
        envelope,
        payload.user_id,
        "Password changed",
        "Your password was changed and your other sessions were signed out.",
    )


@on(PasswordResetCompleted, channel=IN_APP)
async def on_password_reset(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(PasswordResetCompleted)
    await _alert(
        session,
        envelope,
        payload.user_id,
        "Password reset",
        "Your password was reset and every session was signed out.",
    )


@on(MfaEnabled, channel=IN_APP)
async def on_mfa_enabled(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(MfaEnabled)
    await _alert(
        session,
        envelope,
        payload.user_id,
        "Two-step sign-in turned on",
        f"Signing in now asks for a {payload.method.value.upper()} code as well.",
    )


@on(MfaDisabled, channel=IN_APP)
async def on_mfa_disabled(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(MfaDisabled)
    await _alert(
        session,
        envelope,
        payload.user_id,
        "Two-step sign-in turned off",
        "Your account no longer asks for a second factor. If this was not you, change "
        "your password now.",
    )


@on(RecoveryCodeUsed, channel=IN_APP)
async def on_recovery_code_used(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(RecoveryCodeUsed)
    await _alert(
        session,
        envelope,
        payload.user_id,
        "Recovery code used",
        f"A recovery code signed in to your account; {payload.remaining} are left.",
    )


@on(OAuthAccountLinked, channel=IN_APP)
async def on_oauth_account_linked(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(OAuthAccountLinked)
    await _alert(
        session,
        envelope,
        payload.user_id,
        "Sign-in method added",
        f"Your {payload.provider} account can now sign in to your Sift account.",
    )


@on(ApiKeyCreated, channel=IN_APP)
async def on_api_key_created(session: AsyncSession, envelope: EventEnvelope) -> None:
    payload = envelope.payload_as(ApiKeyCreated)
    await _alert(
        session,
        envelope,
        payload.created_by,
        "API key created",
        f"The API key “{payload.name}” was created in your name.",
        "/settings/api-keys",
        org_id=payload.org_id,
    )
