"""Re-embedding after a model change: from stored chunk texts, in batches, idempotent."""

from __future__ import annotations

import asyncio
import base64
import json
import math
import uuid
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
import redis
from pydantic import SecretStr
from sqlalchemy import select

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.tasks import configure_celery
from sift.search.config import IngestSettings, SearchSettings
from sift.search.ingestion.tasks import queue_stale_reembeds, run_index, run_reembed
from sift.search.models import Chunk, DocumentIndex
from sift.search.vectors.pinecone import namespace
from tests.fakes.llm import embed
from tests.fakes.openai import FakeOpenAI, fake_openai
from tests.fakes.pinecone import API_KEY, INDEX_NAME, fake_pinecone
from tests.search import files
from tests.search.conftest import Ingest

T = TypeVar("T")


@pytest.fixture
def openai_server() -> Iterator[FakeOpenAI]:
    with fake_openai() as server:
        yield server


def openai_settings(server: FakeOpenAI, **overrides: object) -> IngestSettings:
    values: dict[str, object] = {
        "embedding_provider": "openai",
        "embedding_api_key": SecretStr(server.api_key),
        "embedding_base_url": server.base_url,
        "embedding_max_retries": 0,
        "reembed_batch_versions": 1,
        **overrides,
    }
    return IngestSettings(**values)  # type: ignore[arg-type]


async def in_worker(ingest: Ingest, call: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(ingest.executor, call)


async def chunks_of(database: Database, version_id: uuid.UUID) -> list[Chunk]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(Chunk).where(Chunk.version_id == version_id).order_by(Chunk.ordinal)
        )
        return list(rows)


async def state_of(database: Database, version_id: uuid.UUID) -> DocumentIndex:
    async with database.sessionmaker() as session:
        state = await session.get(DocumentIndex, version_id)
    assert state is not None
    return state


def queued_reembeds(settings: CoreSettings) -> list[str]:
    """Version IDs of `search.ingest.reembed_version` messages waiting on the ingest queue."""
    client = redis.Redis.from_url(settings.redis_url)
    try:
        raw = client.lrange(f"{settings.redis_prefix}ingest", 0, -1)
    finally:
        client.close()
    versions = []
    for message in raw:
        envelope = json.loads(message)
        if envelope["headers"]["task"] == "search.ingest.reembed_version":
            args, _, _ = json.loads(base64.b64decode(envelope["body"]))
            versions.append(args[0])
    return versions


def unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


async def test_a_model_change_reembeds_indexed_versions_from_their_stored_chunks(
    ingest: Ingest, database: Database, settings: CoreSettings, openai_server: FakeOpenAI
) -> None:
    first = await ingest.announce(files.MARKDOWN.encode() * 4, content_type="text/markdown")
    second = await ingest.announce(b"Harbor cranes were repaired. " * 30, content_type="text/plain")
    one_each = ingest.ingest_settings.model_copy(update={"batch_documents": 1})
    for announced in (first, second):  # one after the other: the first is the oldest
        assert await ingest.run(announced.version_id, one_each) == "indexed"
    before = {c.id: c for c in await chunks_of(database, first.version_id)}
    # No re-extraction: the files are gone from storage, only the chunk texts remain.
    for announced in (first, second):
        await ingest.storage.delete(announced.storage_key)

    changed = openai_settings(openai_server)
    configure_celery(settings)
    queued = await in_worker(ingest, lambda: queue_stale_reembeds(changed, core=ingest.settings))
    assert queued == 1  # one batch of one version: the oldest first
    waiting = queued_reembeds(settings)
    # Another suite's worker in this process may already have taken the message off the queue.
    assert waiting in ([], [str(first.version_id)])
    oldest = str(first.version_id)

    status = await in_worker(
        ingest, lambda: run_reembed(uuid.UUID(oldest), changed, core=ingest.settings)
    )
    assert status == "reembedded"
    state = await state_of(database, uuid.UUID(oldest))
    assert (state.embedding_model, state.embedding_dimension) == ("text-embedding-3-small", 384)
    after = await chunks_of(database, uuid.UUID(oldest))
    source = before if uuid.UUID(oldest) == first.version_id else None
    for chunk in after:
        assert chunk.embedding_model == "text-embedding-3-small"
        assert list(chunk.embedding) == pytest.approx(unit(embed(chunk.text, 384)), abs=1e-6)
        if source is not None:
            assert (chunk.text, chunk.start_char) == (
                source[chunk.id].text,
                source[chunk.id].start_char,
            )
    texts = [
        t for r in openai_server.requests if r.path == "/v1/embeddings" for t in r.body["input"]
    ]
    assert texts == [c.text for c in after]
    assert all(r.body.get("dimensions") == 384 for r in openai_server.requests)

    # Idempotent: again is a no-op; resumable: the next check queues only what is left.
    again = await in_worker(
        ingest, lambda: run_reembed(uuid.UUID(oldest), changed, core=ingest.settings)
    )
    assert again == "current"
    assert (
        await in_worker(
            ingest,
            lambda: queue_stale_reembeds(
                changed.model_copy(update={"reembed_batch_versions": 10}), core=ingest.settings
            ),
        )
        == 1
    )
    rest = [str(second.version_id)]
    assert [v for v in queued_reembeds(settings) if v != oldest] in ([], rest)
    assert (
        await in_worker(
            ingest, lambda: run_reembed(uuid.UUID(rest[0]), changed, core=ingest.settings)
        )
        == "reembedded"
    )
    assert await in_worker(ingest, lambda: queue_stale_reembeds(changed, core=ingest.settings)) == 0


async def test_reembedding_updates_pinecone_vectors_and_their_model(
    ingest: Ingest, database: Database, openai_server: FakeOpenAI
) -> None:
    with fake_pinecone(dimension=384) as pinecone:
        search = SearchSettings(
            vector_backend="pinecone",
            pinecone_api_key=SecretStr(API_KEY),
            pinecone_index_name=INDEX_NAME,
            pinecone_controller_host=pinecone.url,
        )
        announced = await ingest.announce(b"Words about tides. " * 40, content_type="text/plain")
        status = await in_worker(
            ingest,
            lambda: run_index(
                announced.version_id, ingest.ingest_settings, core=ingest.settings, search=search
            ),
        )
        assert status == "indexed"
        # Pinecone takes the model's own size unless told: this index has 384 dimensions.
        changed = openai_settings(openai_server, embedding_dimension=384)
        status = await in_worker(
            ingest,
            lambda: run_reembed(announced.version_id, changed, core=ingest.settings, search=search),
        )
        assert status == "reembedded"
        stored = pinecone.vectors(namespace(ingest.org_id))
        chunks = await chunks_of(database, announced.version_id)
        assert set(stored) == {str(c.id) for c in chunks}
        for chunk in chunks:
            vector = stored[str(chunk.id)]
            assert vector.metadata["embedding_model"] == "text-embedding-3-small"
            assert vector.values == pytest.approx(unit(embed(chunk.text, 384)), abs=1e-6)


async def test_a_version_reindexed_meanwhile_is_left_to_the_new_run(
    ingest: Ingest, database: Database, openai_server: FakeOpenAI
) -> None:
    announced = await ingest.announce(b"Short notes on ships. " * 30, content_type="text/plain")
    assert await ingest.run(announced.version_id) == "indexed"
    await ingest.announce_again(announced)  # queued for indexing again: not "indexed" now
    changed = openai_settings(openai_server)
    status = await in_worker(
        ingest, lambda: run_reembed(announced.version_id, changed, core=ingest.settings)
    )
    assert status == "current"
    assert {c.embedding_model for c in await chunks_of(database, announced.version_id)} == {
        "all-MiniLM-L6-v2"
    }
