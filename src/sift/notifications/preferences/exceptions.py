"""Errors of preferences: each a 422 naming the field it is about."""

from __future__ import annotations

from sift.core.errors import SiftError


class InvalidPreferences(SiftError):
    status_code = 422
    code = "invalid-preferences"
    title = "Invalid notification preferences"

    def __init__(self, detail: str, *loc: str | int) -> None:
        super().__init__(detail, errors=[{"loc": ["body", *map(str, loc)], "msg": detail}])


class UnknownNotificationType(InvalidPreferences):
    code = "unknown-notification-type"
    title = "Unknown notification type"


class LockedNotificationType(InvalidPreferences):
    code = "notification-type-locked"
    title = "This notification cannot be switched off"


class InvalidTimeZone(InvalidPreferences):
    code = "invalid-time-zone"
    title = "Unknown time zone"


class InvalidQuietHours(InvalidPreferences):
    code = "invalid-quiet-hours"
    title = "Invalid quiet hours"


class PhoneNotVerified(InvalidPreferences):
    code = "phone-not-verified"
    title = "Verify a phone number first"


class NotSentBySms(InvalidPreferences):
    code = "not-sent-by-sms"
    title = "This notification is not sent by SMS"
