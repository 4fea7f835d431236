"""CSRF for cookie-authenticated calls: double-submit token plus an allowed `Origin`.

The server sets `sift_csrf` (readable by scripts) beside the httpOnly refresh cookie; a
call that the cookie authenticates must echo it in `X-CSRF-Token` and come from an
allowed origin (the public URL, or a configured CORS origin). A cross-site page can
neither read the cookie nor forge the `Origin` header of a browser.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request

from sift.core.config import CoreSettings
from sift.core.errors import Forbidden

CSRF_COOKIE = "sift_csrf"
CSRF_HEADER = "X-CSRF-Token"


class CsrfFailed(Forbidden):
    code = "csrf-failed"
    title = "Cross-site request refused"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(settings: CoreSettings) -> frozenset[str]:
    return frozenset(origin_of(url) for url in (settings.public_url, *settings.cors_origins))


def verify_csrf(request: Request, settings: CoreSettings) -> None:
    """Raises `CsrfFailed` (403) unless the origin is allowed and the token is echoed."""
    origin = request.headers.get("origin")
    if origin is None or origin.lower() not in allowed_origins(settings):
        raise CsrfFailed("The request does not come from an allowed origin.")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    header = request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise CsrfFailed(f"The {CSRF_HEADER} header must echo the {CSRF_COOKIE} cookie.")


class CsrfProtect:
    """Dependency form of `verify_csrf` for cookie-authenticated endpoints."""

    async def __call__(self, request: Request) -> None:
        verify_csrf(request, request.app.state.settings)
