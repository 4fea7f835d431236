"""Errors of API keys."""

from __future__ import annotations

from sift.core.errors import Forbidden, NotFound, Unauthorized


class InvalidApiKey(Unauthorized):
    code = "invalid-api-key"
    title = "Invalid API key"

    def __init__(self) -> None:
        super().__init__("The API key is unknown, revoked or expired.")


class PermissionsNotGrantable(Forbidden):
    code = "permissions-not-grantable"
    title = "Permissions beyond your own"


class ApiKeyNotFound(NotFound):
    code = "api-key-not-found"
    title = "API key not found"

    def __init__(self) -> None:
        super().__init__("No API key of this organization has this ID.")
