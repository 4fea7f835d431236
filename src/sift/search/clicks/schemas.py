"""The body of a reported result click."""

from __future__ import annotations

import uuid

from pydantic import Field

from sift.core.schemas import Schema


class ClickCreate(Schema):
    query_id: uuid.UUID = Field(description="The search's `query_id` (its response names it)")
    document_id: uuid.UUID
    chunk_id: uuid.UUID | None = None
    rank: int = Field(ge=1, le=1000, description="The result's position, from 1")
