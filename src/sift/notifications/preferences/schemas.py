"""Bodies of `GET/PUT /api/notifications/preferences`."""

from __future__ import annotations

from datetime import time
from enum import StrEnum

from pydantic import Field

from sift.core.schemas import Schema


class DigestFrequency(StrEnum):
    off = "off"
    daily = "daily"
    weekly = "weekly"


class TypePreference(Schema):
    # A plain string, checked by the service: an unknown type is a 422 naming it.
    type: str = Field(max_length=64)
    in_app: bool
    email: bool
    sms: bool
    locked: bool = False  # answered by the server; ignored in a PUT
    # Whether texts can carry this type at all (link mails never go by SMS); answered by
    # the server, ignored in a PUT.
    sms_available: bool = False


class QuietHours(Schema):
    """Local times in `time_zone` (IANA); `start` after `end` spans midnight."""

    start: time
    end: time
    time_zone: str = Field(max_length=64, examples=["Europe/Berlin"])


class PreferencesRead(Schema):
    types: list[TypePreference]
    quiet_hours: QuietHours | None
    digest: DigestFrequency
    # The user's zone for the digest's hour (that of the quiet hours when they are set).
    time_zone: str | None = None


class PreferencesUpdate(Schema):
    """Every type listed is set; a type or field left out keeps what it had (`quiet_hours:
    null` switches quiet hours off)."""

    types: list[TypePreference] = Field(default_factory=list, max_length=64)
    quiet_hours: QuietHours | None = None
    digest: DigestFrequency = DigestFrequency.off
    # Without quiet hours, the zone the digest goes out at 08:00 in (UTC if none).
    time_zone: str | None = Field(default=None, max_length=64)
