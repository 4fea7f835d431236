"""Bodies of the development mail route."""

from __future__ import annotations

from datetime import datetime

from sift.core.schemas import Schema


class CapturedMailRead(Schema):
    id: str
    to: list[str]
    subject: str
    received_at: datetime
    text: str | None
    html: str | None
    links: list[str]


class CapturedMailList(Schema):
    items: list[CapturedMailRead]
