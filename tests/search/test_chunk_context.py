"""Chunk headers: every chunk carries its document's title (and section heading), which the
full-text vector holds as its title field (counted twice by BM25) and the embedding reads
first; a new title re-derives them; the migration gives existing chunks theirs."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from sift.core import migrations
from sift.core.db import Database
from sift.runtime.embedded_postgres import EmbeddedPostgres
from sift.search.access.projection import access_projection
from sift.search.ingestion.chunking import embedding_input
from sift.search.ingestion.documents import indexed_documents
from sift.search.ingestion.embedding import Embedder
from sift.search.ingestion.jobs import Announcement
from sift.search.ingestion.tasks import run_reembed
from sift.search.models import Chunk, DocumentIndex
from tests.search import files
from tests.search.conftest import Ingest

TITLE = "Zebrafish fin regeneration"


async def project(
    database: Database, announced: Announcement, title: str, *, mime_type: str | None = None
) -> None:
    """The documents service's event about the document, as search's projection applies it;
    a metadata change (no `mime_type`) also reaches ingestion, as the consumer does."""
    async with database.sessionmaker() as session, session.begin():
        await access_projection.upsert_document(
            session,
            org_id=announced.org_id,
            document_id=announced.document_id,
            collection_id=announced.collection_id,
            at=datetime.now(UTC),
            title=title,
            tags=[],
            mime_type=mime_type,
        )
        if mime_type is None:
            await indexed_documents.document_updated(
                session, announced.document_id, collection_id=announced.collection_id, tags=[]
            )


async def chunks_of(database: Database, version_id: uuid.UUID) -> list[Chunk]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(Chunk).where(Chunk.version_id == version_id).order_by(Chunk.ordinal)
        )
        return list(rows)


async def term_frequencies(database: Database, version_id: uuid.UUID, lexeme: str) -> list[int]:
    """tf of `lexeme` in each chunk of the version, in chunk order (0: absent)."""
    async with database.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT coalesce(p.tf, 0) FROM search.chunks c"
                " LEFT JOIN search.postings p ON p.chunk_id = c.id AND p.lexeme = :lexeme"
                " WHERE c.version_id = :version ORDER BY c.ordinal"
            ),
            {"lexeme": lexeme, "version": version_id},
        )
        return [int(tf) for (tf,) in rows]


async def lengths_agree(database: Database, org_id: uuid.UUID) -> bool:
    """Each chunk's length is the sum of its term frequencies, and the statistics add up."""
    async with database.engine.connect() as conn:
        mismatched = await conn.scalar(
            text(
                "SELECT count(*) FROM (SELECT chunk_id, min(dl) AS dl, sum(tf) AS total"
                " FROM search.postings WHERE org_id = :org GROUP BY chunk_id) p"
                " WHERE p.dl <> p.total"
            ),
            {"org": org_id},
        )
        stats = await conn.scalar(
            text("SELECT sum(total_length) FROM search.collection_term_stats WHERE org_id = :org"),
            {"org": org_id},
        )
        lengths = await conn.scalar(
            text(
                "SELECT sum(dl) FROM (SELECT DISTINCT chunk_id, dl FROM search.postings"
                " WHERE org_id = :org) p"
            ),
            {"org": org_id},
        )
    return mismatched == 0 and stats == lengths


async def test_every_chunk_carries_the_title_and_a_new_title_follows(
    ingest: Ingest, database: Database, embedder: Embedder
) -> None:
    body = " ".join(files.sentences(40, seed=11))
    announced = await ingest.announce(
        f"# {TITLE}\n\n{body}\n".encode(), content_type="text/markdown"
    )
    await project(database, announced, TITLE, mime_type="text/markdown")
    assert await ingest.run(announced.version_id) == "indexed"

    chunks = await chunks_of(database, announced.version_id)
    assert len(chunks) > 1 and chunks[0].text.startswith(TITLE)
    assert all(c.context == TITLE for c in chunks)  # the heading repeats the title
    # A title term counts twice in the header, once more where the text has it.
    assert await term_frequencies(database, announced.version_id, "zebrafish") == [3] + [2] * (
        len(chunks) - 1
    )
    assert await lengths_agree(database, ingest.org_id)
    # Embedded with the header (the first chunk starts with it already).
    later = chunks[1]
    [expected] = embedder.embed([f"{TITLE}\n\n{later.text}"])
    assert list(later.embedding) == pytest.approx(expected, abs=1e-3)

    await project(database, announced, "Okapi field notes")
    chunks = await chunks_of(database, announced.version_id)
    assert all(c.context == f"Okapi field notes — {TITLE}" for c in chunks)
    assert await term_frequencies(database, announced.version_id, "okapi") == [2] * len(chunks)
    assert await lengths_agree(database, ingest.org_id)
    async with database.sessionmaker() as session:
        state = await session.get(DocumentIndex, announced.version_id)
    assert state is not None and state.embedding_model is None  # stale: re-embedded next

    loop = asyncio.get_running_loop()
    status = await loop.run_in_executor(
        ingest.executor,
        lambda: run_reembed(announced.version_id, ingest.ingest_settings, core=ingest.settings),
    )
    assert status == "reembedded"
    later = (await chunks_of(database, announced.version_id))[1]
    [expected] = embedder.embed([embedding_input(later.context, later.text)])
    assert list(later.embedding) == pytest.approx(expected, abs=1e-3)
    # A metadata change that leaves the title alone (tags, a move) re-embeds nothing.
    await project(database, announced, "Okapi field notes")
    async with database.sessionmaker() as session:
        state = await session.get(DocumentIndex, announced.version_id)
    assert state is not None and state.embedding_model == embedder.name


async def test_the_migration_gives_existing_chunks_their_context(
    postgres: EmbeddedPostgres,
) -> None:
    scratch = f"migrations_{uuid.uuid4().hex[:8]}"
    admin = Database(postgres.url, pool_size=1)
    async with admin.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'CREATE DATABASE "{scratch}"'))
    url = postgres.url.rsplit("/", 1)[0] + "/" + scratch
    check = Database(url, pool_size=1)
    ids = {name: uuid.uuid4() for name in ("org", "collection", "document", "version", "chunk")}
    try:
        for parent in ("b2a2c0de0002", "b3a3c0de0001", "b5a5c0de0001"):
            await asyncio.to_thread(migrations.upgrade, "search", url, parent)
        async with check.engine.begin() as conn:
            for statement in (
                "INSERT INTO search.documents (document_id, org_id, collection_id, title,"
                " created_at, updated_at, version_at) VALUES (:document, :org, :collection,"
                " 'Okapi  field notes', now(), now(), now())",
                "INSERT INTO search.documents_index (version_id, document_id, org_id,"
                " collection_id, status, storage_key, content_type, announced_at, queued_at,"
                " embedding_model) VALUES (:version, :document, :org, :collection, 'indexed',"
                " 'k', 'text/plain', now(), now(), 'all-MiniLM-L6-v2')",
                "INSERT INTO search.chunks (id, org_id, collection_id, document_id, version_id,"
                " ordinal, start_char, end_char, heading, text, token_count, text_search_config,"
                " embedding, embedding_model) VALUES (:chunk, :org, :collection, :document,"
                " :version, 0, 0, 20, 'Habitat', 'Okapis browse leaves.', 5, 'english',"
                " array_fill(0.05, ARRAY[384])::vector, 'all-MiniLM-L6-v2')",
            ):
                await conn.execute(text(statement), ids)

        async def okapi_tf() -> int | None:
            async with check.engine.connect() as conn:
                return await conn.scalar(
                    text("SELECT tf FROM search.postings WHERE lexeme = 'okapi'")
                )

        assert await okapi_tf() == 1
        await asyncio.to_thread(migrations.upgrade, "search", url)
        async with check.engine.connect() as conn:
            context = await conn.scalar(text("SELECT context FROM search.chunks"))
            model = await conn.scalar(text("SELECT embedding_model FROM search.documents_index"))
        assert context == "Okapi field notes — Habitat"
        assert model is None  # re-embedded with the header by the scheduled check
        assert await okapi_tf() == 1 + 2  # the text once, the header twice
        assert await lengths_agree(check, ids["org"])

        # Down to one of the merged heads (the other two go down too).
        await asyncio.to_thread(migrations.downgrade, "search", url, "b2a2c0de0002")
        assert await okapi_tf() == 1
        assert await lengths_agree(check, ids["org"])
    finally:
        await check.dispose()
        async with admin.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(f'DROP DATABASE "{scratch}" WITH (FORCE)'))
        await admin.dispose()
