"""Errors of the phone number: typed, each mapped to problem+json."""

from __future__ import annotations

from sift.core.errors import NotFound, RateLimited, ServiceUnavailable, SiftError


class InvalidPhone(SiftError):
    status_code = 422
    code = "invalid-phone"
    title = "Invalid phone number"

    def __init__(self, detail: str, *loc: str) -> None:
        super().__init__(detail, errors=[{"loc": ["body", *loc], "msg": detail}])


class InvalidPhoneNumber(InvalidPhone):
    code = "invalid-phone-number"
    title = "Not a phone number in international form"


class InvalidVerificationCode(InvalidPhone):
    """Wrong, expired, or no code was sent."""

    code = "invalid-verification-code"
    title = "The code does not match"


class TooManyCodes(RateLimited):
    code = "too-many-codes"
    title = "Too many verification codes"


class TooManyAttempts(RateLimited):
    code = "too-many-attempts"
    title = "Too many wrong codes"


class SmsUnavailable(ServiceUnavailable):
    code = "sms-unavailable"
    title = "Text messages cannot be sent"


class DevSmsNotFound(NotFound):
    """Outside the development profile the captured texts are not there at all."""

    def __init__(self) -> None:
        super().__init__("No resource at this path.")
