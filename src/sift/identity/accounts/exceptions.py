"""Errors of accounts: sign-up, sign-in, passwords, e-mail verification."""

from __future__ import annotations

from sift.core.errors import BadRequest, Conflict, RateLimited, SiftError
from sift.identity.web import RecordedFailure


class InvalidCredentials(RecordedFailure):
    """The same answer for an unknown e-mail and a wrong password."""

    status_code = 401
    code = "invalid-credentials"
    title = "Invalid credentials"

    def __init__(self) -> None:
        super().__init__("The e-mail address or the password is incorrect.")

    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"}


class AccountLocked(RateLimited, RecordedFailure):
    code = "account-locked"
    title = "Too many failed sign-ins"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            retry_after,
            f"Too many failed sign-ins; try again in {retry_after} s or reset " "your password.",
        )


class EmailTaken(Conflict):
    code = "email-taken"
    title = "E-mail address already registered"


class WeakPassword(SiftError):
    status_code = 422
    code = "weak-password"
    title = "Password too weak"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, errors=[{"loc": ["body", "password"], "msg": detail}])


class WrongPassword(BadRequest):
    code = "wrong-password"
    title = "Wrong password"
