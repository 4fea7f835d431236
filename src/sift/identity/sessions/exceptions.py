"""Errors of sessions: refresh and revocation."""

from __future__ import annotations

from sift.core.errors import NotFound, Unauthorized
from sift.identity.web import RecordedFailure


class InvalidRefreshToken(Unauthorized):
    code = "invalid-refresh-token"
    title = "Invalid session"

    def __init__(self) -> None:
        super().__init__("The session is missing, expired or revoked; sign in again.")


class RefreshTokenReused(RecordedFailure, InvalidRefreshToken):
    """A rotated token came back: the family is revoked, and that must be committed."""

    status_code = 401


class SessionNotFound(NotFound):
    code = "session-not-found"
    title = "Session not found"
