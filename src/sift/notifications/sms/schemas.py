"""Bodies of `/api/notifications/phone`."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from sift.core.schemas import Schema


class PhoneUpdate(Schema):
    # E.164 (`+4915112345678`); spaces, dashes, dots and brackets are ignored.
    number: str = Field(max_length=32, examples=["+4915112345678"])


class PhoneVerify(Schema):
    code: str = Field(max_length=16, examples=["123456"])


class PhoneRead(Schema):
    number: str | None  # masked: `+49*******5678`; None when no number is set
    verified: bool


class CapturedSmsRead(Schema):
    id: str
    to: str
    body: str
    received_at: datetime


class CapturedSmsList(Schema):
    items: list[CapturedSmsRead]
