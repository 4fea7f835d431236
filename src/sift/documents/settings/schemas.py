"""The organization's defaults for documents and collections."""

from __future__ import annotations

from datetime import datetime

from pydantic import StrictBool

from sift.core.schemas import Schema


class DocumentSettingsRead(Schema):
    # A collection created without `redact_pii` gets this value.
    redact_pii_default: bool = False
    updated_at: datetime | None = None  # null: never set, the defaults apply


class DocumentSettingsUpdate(Schema):
    redact_pii_default: StrictBool
