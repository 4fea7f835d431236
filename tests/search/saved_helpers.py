"""Saved-search tests' helpers: the search app with callers holding real tokens (the `api`
fixture, which test modules import), and a document indexed straight into the search
schema, whose `DocumentIndexed` the consumer then announces (`index_version`, `matched`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    DocumentIndexed,
    DocumentUploaded,
)
from sift.contracts.events.search import SavedSearchMatched
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.search.app import create_app
from sift.search.models import Chunk, DocumentIndex, IndexStatus, OutboxEvent
from tests.app_client import SignedApi, started_with_test_key
from tests.documents.conftest import Caller
from tests.search.access_helpers import apply, at, envelope


@dataclass
class SavedApi(SignedApi):
    org_id: uuid.UUID
    default_role: ClassVar[str] = "viewer"

    async def create(self, caller: Caller, **body: Any) -> httpx.Response:
        return await self.client.post("/api/saved-searches", headers=caller.headers, json=body)

    async def created(self, caller: Caller, **body: Any) -> dict[str, Any]:
        body.setdefault("name", f"search {uuid.uuid4().hex[:6]}")
        body.setdefault("query", "quarterly revenue")
        answer = await self.create(caller, **body)
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result


@pytest.fixture
async def api(
    settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> AsyncIterator[SavedApi]:
    app = create_app(settings)
    async with started_with_test_key(app, settings, db_connection, database) as (client, key):
        yield SavedApi(app, client, key, settings, uuid.uuid4())


SHA = "b" * 64
UNIT = [1.0] + [0.0] * 383


async def index_version(
    session: AsyncSession,
    org: uuid.UUID,
    collection_id: uuid.UUID,
    texts: list[str],
    *,
    tags: list[str],
) -> DocumentIndexed:
    """A document announced by the documents service and indexed with `texts` as chunks."""
    document_id, version_id = uuid.uuid4(), uuid.uuid4()
    uploaded = DocumentUploaded(
        document_id=document_id,
        version_id=version_id,
        collection_id=collection_id,
        filename="report.txt",
        content_type="text/plain",
        size_bytes=10,
        sha256=SHA,
        storage_key=f"documents/{document_id}",
        title="Report",
        tags=tags,
    )
    await apply(session, envelope(uploaded, org, at(1)))  # the projection (and ingestion's queue)
    state = await session.get(DocumentIndex, version_id)
    assert state is not None
    state.status = IndexStatus.indexed
    session.add_all(
        Chunk(
            id=uuid.uuid4(),
            org_id=org,
            collection_id=collection_id,
            document_id=document_id,
            version_id=version_id,
            ordinal=ordinal,
            start_char=0,
            end_char=len(text),
            text=text,
            token_count=len(text.split()),
            text_search_config="english",
            embedding=UNIT,
            embedding_model="all-MiniLM-L6-v2",
        )
        for ordinal, text in enumerate(texts)
    )
    await session.flush()
    return DocumentIndexed(
        document_id=document_id,
        version_id=version_id,
        collection_id=collection_id,
        chunk_count=len(texts),
        embedding_model="all-MiniLM-L6-v2",
        duration_ms=10,
    )


async def matched(session: AsyncSession) -> list[SavedSearchMatched]:
    rows = await session.scalars(
        select(OutboxEvent.envelope)
        .where(OutboxEvent.type == "search.saved_search_matched")
        .order_by(OutboxEvent.position)
    )
    return [EventEnvelope.model_validate(raw).payload_as(SavedSearchMatched) for raw in rows]
