"""The cookies of a signed-in browser: the httpOnly refresh token, the script-readable CSRF
token, and the device cookie that keeps the account's sign-in open to it under attack."""

from __future__ import annotations

from fastapi import Response

from sift.core.auth.csrf import CSRF_COOKIE, new_csrf_token
from sift.identity.accounts.devices import DeviceCookie
from sift.identity.web import IdentityContext

REFRESH_COOKIE = "sift_refresh"
# Where a password is checked: the only places a device cookie is read.
DEVICE_COOKIE_PATHS = ("/api/auth/login", "/api/auth/mfa/sms/send")


def set_session_cookies(response: Response, context: IdentityContext, refresh_token: str) -> None:
    config = context.config
    max_age = config.refresh_token_days * 24 * 3600
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=max_age,
        path=config.refresh_cookie_path,
        secure=config.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        new_csrf_token(),
        max_age=max_age,
        path="/",
        secure=config.cookie_secure,
        httponly=False,  # the web app reads it to echo it in X-CSRF-Token
        samesite="strict",
    )


def clear_session_cookies(response: Response, context: IdentityContext) -> None:
    config = context.config
    response.delete_cookie(
        REFRESH_COOKIE,
        path=config.refresh_cookie_path,
        secure=config.cookie_secure,
        httponly=True,
        samesite="strict",
    )
    response.delete_cookie(CSRF_COOKIE, path="/", secure=config.cookie_secure, samesite="strict")


def set_device_cookie(response: Response, context: IdentityContext, cookie: DeviceCookie) -> None:
    """Outlives sign-out on purpose: it vouches for the browser, not for a session."""
    for path in DEVICE_COOKIE_PATHS:
        response.set_cookie(
            cookie.name,
            cookie.value,
            max_age=cookie.max_age,
            path=path,
            secure=context.config.cookie_secure,
            httponly=True,
            samesite="strict",
        )
