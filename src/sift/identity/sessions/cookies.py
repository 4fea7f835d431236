"""The session cookies: the httpOnly refresh token and the script-readable CSRF token."""

from __future__ import annotations

from fastapi import Response

from sift.core.auth.csrf import CSRF_COOKIE, new_csrf_token
from sift.identity.web import IdentityContext

REFRESH_COOKIE = "sift_refresh"


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
