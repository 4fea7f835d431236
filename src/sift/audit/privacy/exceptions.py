"""Errors of privacy requests, rendered as problem+json."""

from __future__ import annotations

from sift.core.errors import Conflict, Forbidden, NotFound, ServiceUnavailable, Unauthorized


class PrivacyRequestNotFound(NotFound):
    code = "privacy-request-not-found"
    title = "Privacy request not found"


class ExportNotFound(NotFound):
    """A forged, expired or unknown download link: all look the same."""

    code = "export-not-found"
    title = "Export not found"


class ErasureRunning(Conflict):
    code = "erasure-running"
    title = "An erasure is already running"

    def __init__(self) -> None:
        super().__init__("Your account is already being erased.")


class ReauthenticationFailed(Unauthorized):
    code = "reauthentication-failed"
    title = "Re-authentication failed"


class ReauthenticationRefused(Forbidden):
    code = "reauthentication-refused"
    title = "Re-authentication refused"


class IdentityUnavailable(ServiceUnavailable):
    code = "identity-unavailable"
    title = "Identity service unavailable"


class OwnershipNeeded(Conflict):
    code = "organization-needs-an-owner"
    title = "Organization needs another owner"
