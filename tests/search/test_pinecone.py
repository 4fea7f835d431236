"""The Pinecone vector index through the real SDK, against the fake Pinecone server."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from sift.core.db import Database
from sift.search.config import SearchSettings
from sift.search.ingestion.documents import indexed_documents
from sift.search.ingestion.tasks import run_index
from sift.search.models import Chunk, DocumentIndex
from sift.search.vectors import (
    VectorFilters,
    VectorRecord,
    VectorSearch,
    VectorStoreError,
    VectorStoreUnavailable,
    create_vector_index,
)
from sift.search.vectors.pinecone import PineconeVectorIndex, namespace
from tests.fakes.pinecone import API_KEY, INDEX_NAME, FakePinecone, fake_pinecone
from tests.search import files
from tests.search.conftest import Ingest

DIMENSION = 8


def settings_for(fake: FakePinecone, **overrides: object) -> SearchSettings:
    values: dict[str, object] = {
        "vector_backend": "pinecone",
        "pinecone_api_key": SecretStr(API_KEY),
        "pinecone_index_name": INDEX_NAME,
        "pinecone_controller_host": fake.url,
        "pinecone_timeout_seconds": 5,
        **overrides,
    }
    return SearchSettings(**values)  # type: ignore[arg-type]


def unit(*values: float) -> list[float]:
    vector = [*values, *[0.0] * (DIMENSION - len(values))]
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector]


@pytest.fixture
def pinecone() -> Iterator[FakePinecone]:
    with fake_pinecone(dimension=DIMENSION) as fake:
        yield fake


@pytest.fixture
async def index(pinecone: FakePinecone) -> AsyncIterator[PineconeVectorIndex]:
    created = create_vector_index(settings_for(pinecone))
    assert isinstance(created, PineconeVectorIndex) and isinstance(created, VectorSearch)
    yield created
    await created.aclose()


def record(
    org: uuid.UUID,
    collection: uuid.UUID,
    vector: list[float],
    *,
    document: uuid.UUID | None = None,
    version: uuid.UUID | None = None,
    tags: tuple[str, ...] = (),
    mime: str = "application/pdf",
    model: str = "all-MiniLM-L6-v2",
) -> VectorRecord:
    return VectorRecord(
        chunk_id=uuid.uuid4(),
        vector=vector,
        org_id=org,
        collection_id=collection,
        document_id=document or uuid.uuid4(),
        version_id=version or uuid.uuid4(),
        embedding_model=model,
        mime_type=mime,
        tags=tags,
    )


async def test_upsert_then_query_only_sees_readable_collections_of_the_organization(
    index: PineconeVectorIndex, pinecone: FakePinecone
) -> None:
    org, other_org = uuid.uuid4(), uuid.uuid4()
    readable, secret = uuid.uuid4(), uuid.uuid4()
    near_readable = record(org, readable, unit(1, 0.1))
    far_readable = record(org, readable, unit(0, 1))
    nearest_secret = record(org, secret, unit(1, 0))  # closest of all, but not readable
    other = record(other_org, readable, unit(1, 0))  # same collection ID, other namespace
    await index.upsert([near_readable, far_readable, nearest_secret, other])

    # The host came from describe_index on the control plane, then the data plane was used.
    assert ("GET", f"/indexes/{INDEX_NAME}") in pinecone.requests
    assert index.dimension == DIMENSION
    assert len(pinecone.vectors(namespace(org))) == 3
    stored = pinecone.vectors(namespace(org))[str(near_readable.chunk_id)]
    assert stored.metadata == {
        "collection_id": str(readable),
        "document_id": str(near_readable.document_id),
        "version_id": str(near_readable.version_id),
        "embedding_model": "all-MiniLM-L6-v2",
        "mime_type": "application/pdf",
        "tags": [],
    }

    hits = await index.query(org, unit(1, 0), k=10, collection_ids=[readable])
    assert [hit.chunk_id for hit in hits] == [near_readable.chunk_id, far_readable.chunk_id]
    assert hits[0].score > hits[1].score and hits[0].score == pytest.approx(0.995, abs=1e-3)

    both = await index.query(org, unit(1, 0), k=1, collection_ids=[readable, secret])
    assert [hit.chunk_id for hit in both] == [nearest_secret.chunk_id]
    assert await index.query(org, unit(1, 0), k=5, collection_ids=[]) == []
    assert await index.query(uuid.uuid4(), unit(1, 0), k=5, collection_ids=[readable]) == []


async def test_query_filters_by_tags_type_document_and_model(index: PineconeVectorIndex) -> None:
    org, collection = uuid.uuid4(), uuid.uuid4()
    tagged = record(org, collection, unit(1), tags=("finance", "2026"))
    html = record(org, collection, unit(1, 0.2), mime="text/html")
    old_model = record(org, collection, unit(1, 0.1), model="old-model")
    await index.upsert([tagged, html, old_model])

    async def ids(filters: VectorFilters) -> set[uuid.UUID]:
        hits = await index.query(org, unit(1), k=10, collection_ids=[collection], filters=filters)
        return {hit.chunk_id for hit in hits}

    assert await ids(VectorFilters(tags=["finance", "legal"])) == {tagged.chunk_id}
    assert await ids(VectorFilters(mime_types=["text/html"])) == {html.chunk_id}
    assert await ids(VectorFilters(document_ids=[html.document_id, tagged.document_id])) == {
        html.chunk_id,
        tagged.chunk_id,
    }
    assert await ids(VectorFilters(embedding_model="all-MiniLM-L6-v2")) == {
        tagged.chunk_id,
        html.chunk_id,
    }
    assert await ids(VectorFilters(tags=["finance"], mime_types=["text/html"])) == set()

    await index.update_document(org, html.document_id, collection_id=collection, tags=["finance"])
    assert await ids(VectorFilters(tags=["finance"])) == {tagged.chunk_id, html.chunk_id}
    # Moved to another collection: readers of the old one no longer see it.
    elsewhere = uuid.uuid4()
    await index.update_document(org, html.document_id, collection_id=elsewhere, tags=[])
    assert await ids(VectorFilters()) == {tagged.chunk_id, old_model.chunk_id}
    moved = await index.query(org, unit(1), k=10, collection_ids=[elsewhere])
    assert [hit.chunk_id for hit in moved] == [html.chunk_id]


async def test_delete_by_version_document_and_organization(
    index: PineconeVectorIndex, pinecone: FakePinecone
) -> None:
    org, collection, document = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    v1, v2 = uuid.uuid4(), uuid.uuid4()
    first = [record(org, collection, unit(1, i), document=document, version=v1) for i in range(3)]
    second = [record(org, collection, unit(i, 1), document=document, version=v2) for i in range(2)]
    keep = record(org, collection, unit(1))
    await index.upsert([*first, *second, keep])
    assert len(pinecone.vectors(namespace(org))) == 6

    await index.delete_version(org, v1)
    remaining = pinecone.vectors(namespace(org))
    assert set(remaining) == {str(r.chunk_id) for r in [*second, keep]}

    await index.delete_document(org, document)
    assert set(pinecone.vectors(namespace(org))) == {str(keep.chunk_id)}

    # Nothing was ever written for this organization: deleting is not an error.
    await index.delete_document(uuid.uuid4(), document)
    await index.delete_organization(org)
    assert pinecone.vectors(namespace(org)) == {}


async def test_outages_are_transient_and_mistakes_are_not(
    index: PineconeVectorIndex, pinecone: FakePinecone
) -> None:
    org, collection = uuid.uuid4(), uuid.uuid4()
    pinecone.fail_with = 503
    with pytest.raises(VectorStoreUnavailable):
        await index.upsert([record(org, collection, unit(1))])
    pinecone.fail_with = 429
    with pytest.raises(VectorStoreUnavailable):
        await index.query(org, unit(1), k=3, collection_ids=[collection])
    pinecone.fail_with = None

    with pytest.raises(VectorStoreError, match="do not fit"):
        await index.upsert([record(org, collection, [1.0, 0.0, 0.0])])

    wrong_key = create_vector_index(
        settings_for(pinecone, pinecone_api_key=SecretStr("not-the-key"))
    )
    with pytest.raises(VectorStoreError):
        await wrong_key.upsert([record(org, collection, unit(1))])
    await wrong_key.aclose()

    with pytest.raises(VectorStoreError, match="API_KEY"):
        create_vector_index(settings_for(pinecone, pinecone_api_key=None))


async def test_a_configured_data_plane_host_skips_the_lookup(pinecone: FakePinecone) -> None:
    index = create_vector_index(
        settings_for(pinecone, pinecone_index_host=pinecone.url, pinecone_controller_host=None)
    )
    org, collection = uuid.uuid4(), uuid.uuid4()
    await index.upsert([record(org, collection, unit(1))])
    await index.aclose()
    assert ("GET", f"/indexes/{INDEX_NAME}") not in pinecone.requests
    assert len(pinecone.vectors(namespace(org))) == 1


# --- ingestion with SIFT_SEARCH_VECTOR_BACKEND=pinecone ---


@pytest.fixture
def pinecone_384() -> Iterator[FakePinecone]:
    with fake_pinecone(dimension=384) as fake:
        yield fake


async def run(ingest: Ingest, version_id: uuid.UUID, search: SearchSettings) -> str:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        ingest.executor,
        lambda: run_index(version_id, ingest.ingest_settings, core=ingest.settings, search=search),
    )


async def chunks(database: Database, version_id: uuid.UUID) -> list[Chunk]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(Chunk).where(Chunk.version_id == version_id).order_by(Chunk.ordinal)
        )
        return list(rows)


async def test_ingestion_lands_vectors_in_pinecone_and_versions_replace_them(
    ingest: Ingest, database: Database, pinecone_384: FakePinecone
) -> None:
    search = settings_for(pinecone_384)
    first = await ingest.announce(files.MARKDOWN.encode() * 6, content_type="text/markdown")
    assert await run(ingest, first.version_id, search) == "indexed"

    written = await chunks(database, first.version_id)
    stored = pinecone_384.vectors(namespace(ingest.org_id))
    assert written and set(stored) == {str(chunk.id) for chunk in written}
    for chunk in written:
        vector = stored[str(chunk.id)]
        assert vector.values == pytest.approx(list(chunk.embedding), abs=1e-6)
        assert vector.metadata["version_id"] == str(first.version_id)
        assert vector.metadata["collection_id"] == str(first.collection_id)
        assert vector.metadata["embedding_model"] == "all-MiniLM-L6-v2"

    # Re-running converges on the same vectors; a new version replaces the old one's.
    ingest_again = await ingest.announce(
        b"A different text about harbor cranes. " * 30,
        content_type="text/plain",
        document_id=first.document_id,
        collection_id=first.collection_id,
    )
    assert await run(ingest, ingest_again.version_id, search) == "indexed"
    stored = pinecone_384.vectors(namespace(ingest.org_id))
    newer = await chunks(database, ingest_again.version_id)
    assert set(stored) == {str(chunk.id) for chunk in newer}

    async with database.sessionmaker() as session, session.begin():
        await indexed_documents.delete_document(
            session, first.document_id, vectors=create_vector_index(search)
        )
    assert pinecone_384.vectors(namespace(ingest.org_id)) == {}


async def test_an_unreachable_pinecone_retries_then_fails_with_a_clear_code(
    ingest: Ingest, database: Database, pinecone_384: FakePinecone
) -> None:
    search = settings_for(pinecone_384)
    announced = await ingest.announce(
        b"Plain words for the index. " * 40, content_type="text/plain"
    )
    pinecone_384.fail_with = 503
    for _ in range(ingest.ingest_settings.max_attempts):
        with pytest.raises(VectorStoreUnavailable):
            await run(ingest, announced.version_id, search)
        # Rolled back: no chunk is visible while the vectors are missing.
        assert await chunks(database, announced.version_id) == []
    # The next delivery finds the attempts spent: the version fails, saying why.
    assert await run(ingest, announced.version_id, search) == "skipped"
    async with database.sessionmaker() as session:
        state = await session.get(DocumentIndex, announced.version_id)
    assert state is not None and (state.status, state.error_code) == ("failed", "index_unavailable")
    assert "vector index could not be written" in (state.error_message or "")
    [failed] = await ingest.events("document.index_failed")
    assert failed["data"]["code"] == "index_unavailable"  # type: ignore[index]
    assert failed["data"]["retryable"] is True  # type: ignore[index]

    # Once Pinecone is back, a retry (a re-index request) indexes it.
    pinecone_384.fail_with = None
    await ingest.announce_again(announced)
    assert await run(ingest, announced.version_id, search) == "indexed"
    assert len(pinecone_384.vectors(namespace(ingest.org_id))) == len(
        await chunks(database, announced.version_id)
    )
