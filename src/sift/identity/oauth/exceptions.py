"""Errors of social login: each ends the browser's flow on the web app's error page."""

from __future__ import annotations

from sift.core.errors import BadRequest, NotFound, SiftError


class UnknownProvider(NotFound):
    code = "unknown-provider"
    title = "Unknown sign-in provider"


class InvalidReturnTo(BadRequest):
    code = "invalid-return-to"
    title = "Invalid return address"


class OAuthFailed(SiftError):
    """A sign-in with a provider that cannot go on; `reason` reaches the web app's URL."""

    status_code = 400
    code = "oauth-failed"
    title = "Sign-in with the provider failed"

    def __init__(self, reason: str, detail: str | None = None, *, recorded: bool = False) -> None:
        super().__init__(detail or reason.replace("_", " "), reason=reason)
        self.reason = reason
        # True: the failure's events must commit; otherwise the sign-in's work rolls back.
        self.recorded = recorded
