"""Bodies of the ingestion monitor."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from sift.core.schemas import Schema
from sift.documents.documents.schemas import DocumentRead
from sift.documents.models import Document


class WatchedStatus(StrEnum):
    """The statuses the monitor lists documents in (indexed ones need no watching)."""

    uploaded = "uploaded"
    processing = "processing"
    failed = "failed"


class StatusCounts(Schema):
    uploaded: int = 0
    processing: int = 0
    indexed: int = 0
    failed: int = 0


class FailureReason(Schema):
    code: str
    count: int


class IngestionRead(Schema):
    collection_id: uuid.UUID | None = None
    queue_depth: int | None = Field(
        description="tasks waiting in the ingest queue, for every organization (null: "
        "Redis did not answer)"
    )
    counts: StatusCounts
    total: int
    done: int = Field(description="indexed or failed: a re-index's progress is done / total")
    failure_reasons: list[FailureReason]


class IngestionDocumentRead(DocumentRead):
    collection_name: str
    status_changed_at: datetime

    @classmethod
    def of_row(cls, document: Document, collection_name: str) -> IngestionDocumentRead:
        read = DocumentRead.of(document)
        return cls.model_validate(
            {
                **read.model_dump(),
                "collection_name": collection_name,
                "status_changed_at": document.status_changed_at,
            }
        )
