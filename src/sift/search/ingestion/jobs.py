"""What indexing a version starts from: the announcement that queues it, and the job that
each attempt at it works on (`service.py` moves the version between the two)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Announcement:
    """A stored version that should be (re)indexed, as an event told it."""

    org_id: uuid.UUID
    document_id: uuid.UUID
    version_id: uuid.UUID
    collection_id: uuid.UUID
    storage_key: str
    content_type: str
    filename: str | None
    announced_at: datetime


@dataclass(frozen=True)
class Job:
    """What a worker needs to index a version (read when its attempt starts)."""

    version_id: uuid.UUID
    document_id: uuid.UUID
    storage_key: str
    content_type: str
    attempt: int
    title: str | None = None  # the document's, for the chunks' headers
    org_id: uuid.UUID | None = None
    collection_id: uuid.UUID | None = None
    redact_pii: bool = False  # its collection's setting (redaction.py)
