"""Errors of consents, rendered as problem+json."""

from __future__ import annotations

from sift.core.errors import Conflict


class AccountBeingErased(Conflict):
    code = "account-being-erased"
    title = "Account being erased"

    def __init__(self) -> None:
        super().__init__("Your account is being erased: its consents are going with it.")
