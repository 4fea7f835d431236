"""Response bodies of sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

from sift.core.schemas import Schema


class SessionRead(Schema):
    id: uuid.UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    device: str | None
    user_agent: str | None
    ip: str | None
    current: bool = False
