"""Response bodies of in-app notifications."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sift.core.pagination import Page
from sift.core.schemas import Schema


class NotificationType(StrEnum):
    document_indexed = "document_indexed"
    document_index_failed = "document_index_failed"
    saved_search_matched = "saved_search_matched"
    member_added = "member_added"
    collection_access_granted = "collection_access_granted"
    export_ready = "export_ready"
    security_alert = "security_alert"


class Priority(StrEnum):
    normal = "normal"
    high = "high"


class NotificationRead(Schema):
    id: uuid.UUID
    type: str
    title: str
    body: str
    link: str | None
    priority: str
    created_at: datetime
    read_at: datetime | None


NotificationPage = Page[NotificationRead]


class UnreadCount(Schema):
    count: int
