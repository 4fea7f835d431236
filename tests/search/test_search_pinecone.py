"""Semantic and hybrid search answered by Pinecone (the real SDK against the fake server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from sift.search.models import Chunk
from sift.search.vectors import create_vector_index
from sift.search.vectors.base import VectorRecord
from sift.search.vectors.pinecone import namespace
from tests.fakes.pinecone import FakePinecone, fake_pinecone
from tests.search.retrieval_helpers import Doc, World, world
from tests.search.test_pinecone import settings_for

__all__ = ["world"]


@pytest.fixture
def pinecone() -> Iterator[FakePinecone]:
    with fake_pinecone(dimension=384) as fake:
        yield fake


async def move_vectors_to_pinecone(world: World, pinecone: FakePinecone, docs: list[Doc]) -> None:
    """The documents' vectors live in Pinecone only: pgvector could not answer for them."""
    index = create_vector_index(settings_for(pinecone))
    async with world.database.sessionmaker() as session, session.begin():
        versions = [doc.version_id for doc in docs]
        chunks = (await session.scalars(select(Chunk).where(Chunk.version_id.in_(versions)))).all()
        await index.upsert(
            [
                VectorRecord(
                    chunk_id=chunk.id,
                    vector=list(chunk.embedding),
                    org_id=chunk.org_id,
                    collection_id=chunk.collection_id,
                    document_id=chunk.document_id,
                    version_id=chunk.version_id,
                    embedding_model=chunk.embedding_model,
                )
                for chunk in chunks
            ]
        )
        await session.execute(
            text("UPDATE search.chunks SET embedding = NULL WHERE version_id = ANY(:v)"),
            {"v": versions},
        )
    world.app.state.retrieval.vectors = index


async def test_semantic_search_through_pinecone_keeps_to_readable_collections(
    world: World, pinecone: FakePinecone
) -> None:
    open_collection = await world.collection("org")
    secret_collection = await world.collection("restricted")
    member = uuid.uuid4()
    await world.grant(secret_collection, member)
    harbour = await world.document(
        open_collection, "Cranes unload containers from ships at the harbour every night."
    )
    secret = await world.document(
        secret_collection, "Ships are unloaded by cranes in the port after dark."
    )
    recipe = await world.document(open_collection, "Whisk eggs with sugar, then fold in flour.")
    await move_vectors_to_pinecone(world, pinecone, [harbour, secret, recipe])
    assert pinecone.vectors(namespace(world.org_id))

    outsider = world.headers("viewer")
    insider = world.headers("viewer", user_id=member)
    question = "how are freight vessels emptied in a port"

    for mode in ("semantic", "hybrid"):
        seen_by_outsider = await world.found(outsider, question, mode=mode)
        assert seen_by_outsider and seen_by_outsider[0] == harbour.document_id
        assert secret.document_id not in seen_by_outsider
        assert secret.document_id in await world.found(insider, question, mode=mode)
    # The request's own filters reach Pinecone too.
    only_secret = await world.found(
        insider, question, mode="semantic", collection_ids=[str(secret_collection)]
    )
    assert only_secret == [secret.document_id]
