"""Errors of second factors and phone numbers."""

from __future__ import annotations

from sift.core.errors import BadRequest, Conflict
from sift.identity.web import RecordedFailure


class InvalidMfaCode(BadRequest):
    code = "invalid-mfa-code"
    title = "Invalid code"

    def __init__(self) -> None:
        super().__init__("The code is not valid; check your authenticator app and try again.")


class InvalidSmsCode(RecordedFailure, BadRequest):
    """Its attempt counter must commit with the refusal."""

    code = "invalid-sms-code"
    title = "Invalid code"

    def __init__(self) -> None:
        super().__init__("The code is wrong, was already used or has expired; request a new one.")


class MfaAlreadyEnabled(Conflict):
    code = "mfa-already-enabled"
    title = "Already enabled"


class MfaNotSetUp(Conflict):
    code = "mfa-not-set-up"
    title = "Set up first"


class PhoneNotVerified(Conflict):
    code = "phone-not-verified"
    title = "No verified phone number"

    def __init__(self) -> None:
        super().__init__("Add and verify a mobile phone number first.")
