"""Index attempts against the real database and storage, as the worker runs them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    DocumentDeleted,
    DocumentReindexRequested,
    DocumentUploaded,
    DocumentVersionCreated,
)
from sift.core.db import Database
from sift.search.config import IngestSettings
from sift.search.ingestion import consumers
from sift.search.ingestion.extract import Deadline, extract
from sift.search.ingestion.pipeline import replaced_controls_note
from sift.search.ingestion.repository import chunk_id
from sift.search.ingestion.service import ingestion
from sift.search.models import Chunk, DocumentIndex, IndexStatus
from tests.search import files
from tests.search.conftest import Ingest


async def state_of(database: Database, version_id: uuid.UUID) -> DocumentIndex | None:
    async with database.sessionmaker() as session:
        return await session.get(DocumentIndex, version_id)


async def chunks_of(database: Database, version_id: uuid.UUID) -> list[Chunk]:
    async with database.sessionmaker() as session:
        rows = await session.execute(
            select(Chunk).where(Chunk.version_id == version_id).order_by(Chunk.ordinal)
        )
        return list(rows.scalars())


async def test_a_pdf_becomes_searchable_chunks(ingest: Ingest, database: Database) -> None:
    data = files.pdf(files.pdf_pages(5))
    announced = await ingest.announce(data, content_type="application/pdf")
    assert await ingest.run(announced.version_id) == "indexed"

    state = await state_of(database, announced.version_id)
    assert state is not None
    assert (state.status, state.file_type, state.language, state.page_count) == (
        "indexed",
        "pdf",
        "en",
        5,
    )
    assert state.attempts == 1 and state.error_code is None
    assert (state.embedding_model, state.embedding_dimension) == ("all-MiniLM-L6-v2", 384)
    assert [step["name"] for step in state.steps or []] == [
        "fetch",
        "extract",
        "nlp",
        "chunk",
        "embed",
        "index",
    ]
    chunks = await chunks_of(database, announced.version_id)
    assert len(chunks) == (state.chunk_count or 0) > 5
    extracted = extract(data, declared_type=None, settings=IngestSettings(), deadline=Deadline(9))
    for chunk in chunks:
        assert chunk.text == extracted.text[chunk.start_char : chunk.end_char]
        assert chunk.page == extracted.page_at(chunk.start_char)
        assert chunk.org_id == ingest.org_id
        assert chunk.collection_id == announced.collection_id
        assert chunk.text_search_config == "english"
        assert len(chunk.embedding) == 384
        assert chunk.id == chunk_id(announced.version_id, chunk.ordinal)

    [started] = await ingest.events("document.index_started")
    [indexed] = await ingest.events("document.indexed")
    envelope = EventEnvelope.model_validate(indexed)
    assert envelope.org_id == ingest.org_id and envelope.producer == "search"
    assert envelope.data["chunk_count"] == len(chunks)
    assert envelope.data["page_count"] == 5
    assert [s["name"] for s in envelope.data["steps"]] == [s["name"] for s in state.steps or []]
    assert EventEnvelope.model_validate(started).data["attempt"] == 1


async def test_full_text_and_vector_search_find_the_chunks(
    ingest: Ingest, database: Database
) -> None:
    doc = files.docx_file(
        heading="Harbor",
        paragraphs=["The harbor cranes were repaired in spring.", *files.sentences(40, seed=3)],
    )
    announced = await ingest.announce(doc)
    assert await ingest.run(announced.version_id) == "indexed"
    async with database.engine.connect() as conn:
        # 'repairs' stems to the same lexeme as 'repaired' in the english configuration
        hits = await conn.scalar(
            text(
                "SELECT count(*) FROM search.chunks "
                "WHERE tsv @@ websearch_to_tsquery('english', 'crane repairs')"
            )
        )
        assert hits == 1
        nearest = await conn.scalar(
            text(
                "SELECT heading FROM search.chunks ORDER BY embedding <=> "
                "(SELECT embedding FROM search.chunks ORDER BY ordinal LIMIT 1) LIMIT 1"
            )
        )
        assert nearest == "Harbor"


async def test_rerunning_a_version_gives_the_same_chunks_never_duplicates(
    ingest: Ingest, database: Database
) -> None:
    announced = await ingest.announce(files.MARKDOWN.encode() * 20, content_type="text/markdown")
    assert await ingest.run(announced.version_id) == "indexed"
    first = [
        (c.id, c.start_char, c.end_char, c.text)
        for c in await chunks_of(database, announced.version_id)
    ]
    # A redelivered task for a finished version does nothing.
    assert await ingest.run(announced.version_id) == "skipped"
    # A re-index request runs the whole pipeline again and replaces the chunks.
    await ingest.announce_again(announced)
    assert await ingest.run(announced.version_id) == "indexed"
    second = [
        (c.id, c.start_char, c.end_char, c.text)
        for c in await chunks_of(database, announced.version_id)
    ]
    assert second == first
    async with database.engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(Chunk)) == len(first)


async def test_an_attempt_cut_short_is_picked_up_again(ingest: Ingest, database: Database) -> None:
    announced = await ingest.announce(files.HTML_PAGE.encode())
    async with database.sessionmaker() as session, session.begin():
        job = await ingestion.start(session, announced.version_id, max_attempts=3)
    assert job is not None and job.attempt == 1  # ... and then the worker died
    assert await ingest.run(announced.version_id) == "indexed"
    state = await state_of(database, announced.version_id)
    assert state is not None and state.attempts == 2
    assert len(await chunks_of(database, announced.version_id)) == 1


async def test_a_version_that_keeps_killing_workers_is_set_aside(
    ingest: Ingest, database: Database
) -> None:
    announced = await ingest.announce(files.HTML_PAGE.encode())
    for _ in range(2):
        async with database.sessionmaker() as session, session.begin():
            await ingestion.start(session, announced.version_id, max_attempts=2)
    settings = ingest.ingest_settings.model_copy(update={"max_attempts": 2})
    assert await ingest.run(announced.version_id, settings) == "skipped"
    state = await state_of(database, announced.version_id)
    assert state is not None and (state.status, state.error_code) == ("failed", "internal_error")
    [failed] = await ingest.events("document.index_failed")
    assert failed["data"]["code"] == "internal_error"  # type: ignore[index]


@pytest.mark.parametrize(
    ("make", "code", "retryable"),
    [
        (files.encrypted_pdf, "encrypted_pdf", False),
        (files.corrupt_pdf, "corrupt_file", False),
        (files.image_only_pdf, "no_text", False),
        (lambda: b"\x89PNG\r\n\x1a\n" + bytes(64), "unsupported_type", False),
    ],
)
async def test_failures_are_recorded_and_announced(
    ingest: Ingest, database: Database, make: object, code: str, retryable: bool
) -> None:
    announced = await ingest.announce(make())  # type: ignore[operator]
    assert await ingest.run(announced.version_id) == "failed"
    state = await state_of(database, announced.version_id)
    assert state is not None
    assert (state.status, state.error_code, state.chunk_count) == ("failed", code, 0)
    assert state.error_message
    [failed] = await ingest.events("document.index_failed")
    data = EventEnvelope.model_validate(failed).data
    assert (data["code"], data["retryable"]) == (code, retryable)
    assert data["reason"] == state.error_message
    assert await ingest.events("document.indexed") == []


async def test_running_out_of_time_fails_as_retryable_timeout(
    ingest: Ingest, database: Database
) -> None:
    announced = await ingest.announce(files.pdf(files.pdf_pages(3)))
    settings = ingest.ingest_settings.model_copy(update={"time_budget_seconds": 0.0})
    assert await ingest.run(announced.version_id, settings) == "failed"
    state = await state_of(database, announced.version_id)
    assert state is not None and state.error_code == "timeout"
    [failed] = await ingest.events("document.index_failed")
    assert EventEnvelope.model_validate(failed).data["retryable"] is True


async def test_a_file_over_the_size_cap_is_too_large(ingest: Ingest, database: Database) -> None:
    announced = await ingest.announce(b"word " * 1000)
    settings = ingest.ingest_settings.model_copy(update={"max_file_bytes": 1000})
    assert await ingest.run(announced.version_id, settings) == "failed"
    state = await state_of(database, announced.version_id)
    assert state is not None and state.error_code == "too_large"


async def test_a_new_version_replaces_the_old_one_in_the_index(
    ingest: Ingest, database: Database
) -> None:
    first = await ingest.announce(b"The first version talks about cranes. " * 30)
    assert await ingest.run(first.version_id) == "indexed"
    second = await ingest.announce(
        b"The second version talks about ledgers. " * 30,
        document_id=first.document_id,
        collection_id=first.collection_id,
    )
    assert await ingest.run(second.version_id) == "indexed"
    assert await chunks_of(database, first.version_id) == []
    assert len(await chunks_of(database, second.version_id)) > 0
    old = await state_of(database, first.version_id)
    assert old is not None and old.status == "superseded"
    # The old version indexed late (a retry) must not come back over the new one.
    await ingest.announce_again(first)
    assert await ingest.run(first.version_id) == "superseded"
    assert await chunks_of(database, first.version_id) == []
    late = EventEnvelope.model_validate((await ingest.events("document.indexed"))[-1]).data
    assert (late["superseded"], late["chunk_count"]) == (True, 0)


async def test_deleting_a_document_removes_its_chunks_and_state(
    ingest: Ingest, database: Database
) -> None:
    announced = await ingest.announce(files.HTML_PAGE.encode())
    assert await ingest.run(announced.version_id) == "indexed"
    envelope = EventEnvelope.wrap(
        DocumentDeleted(
            document_id=announced.document_id,
            collection_id=announced.collection_id,
            reason="user_request",
        ),
        producer="documents",
        org_id=ingest.org_id,
    )
    async with database.sessionmaker() as session, session.begin():
        await consumers.on_document_deleted(session, envelope)
    assert await chunks_of(database, announced.version_id) == []
    assert await state_of(database, announced.version_id) is None
    # A task still in flight for it finds nothing to do.
    assert await ingest.run(announced.version_id) == "skipped"


def uploaded_envelope(org_id: uuid.UUID | None) -> EventEnvelope:
    payload = DocumentUploaded(
        document_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        collection_id=uuid.uuid4(),
        filename="report.pdf",
        content_type="application/pdf",
        size_bytes=10,
        sha256="0" * 64,
        storage_key="documents/report.pdf",
    )
    return EventEnvelope.wrap(payload, producer="documents", org_id=org_id)


async def test_the_upload_handler_queues_the_version(session: AsyncSession) -> None:
    envelope = uploaded_envelope(uuid.uuid4())
    await consumers.on_document_uploaded(session, envelope)
    state = await session.get(DocumentIndex, uuid.UUID(envelope.data["version_id"]))
    assert state is not None
    assert (state.status, state.attempts, state.org_id) == ("queued", 0, envelope.org_id)
    assert state.storage_key == "documents/report.pdf"
    assert state.announced_at == envelope.occurred_at
    # The test's transaction rolls back: the enqueued task is dropped, never sent.


async def test_new_versions_and_reindex_requests_queue_the_version_again(
    session: AsyncSession,
) -> None:
    uploaded = uploaded_envelope(uuid.uuid4())
    await consumers.on_document_uploaded(session, uploaded)
    version_id = uuid.UUID(uploaded.data["version_id"])
    state = await session.get(DocumentIndex, version_id)
    assert state is not None
    state.status, state.attempts, state.error_code = IndexStatus.failed, 2, "timeout"
    await session.flush()

    retry = EventEnvelope.wrap(
        DocumentReindexRequested(
            document_id=state.document_id,
            version_id=version_id,
            collection_id=state.collection_id,
            content_type="application/pdf",
            storage_key=state.storage_key,
        ),
        producer="documents",
        org_id=uploaded.org_id,
    )
    await consumers.on_reindex_requested(session, retry)
    await session.refresh(state)
    assert (str(state.status), state.attempts, state.error_code or None) == ("queued", 0, None)
    assert state.announced_at == uploaded.occurred_at  # still ordered by its upload

    newer = EventEnvelope.wrap(
        DocumentVersionCreated(**{**uploaded.data, "version_id": uuid.uuid4()}),
        producer="documents",
        org_id=uploaded.org_id,
    )
    await consumers.on_version_created(session, newer)
    second = await session.get(DocumentIndex, uuid.UUID(newer.data["version_id"]))
    assert second is not None and second.document_id == state.document_id
    assert second.announced_at > state.announced_at


async def test_an_upload_without_organization_is_refused(session: AsyncSession) -> None:
    with pytest.raises(consumers.MissingOrganization):
        await consumers.on_document_uploaded(session, uploaded_envelope(None))


async def test_a_markdown_file_with_a_stray_control_byte_is_indexed_with_the_quote(
    ingest: Ingest, database: Database
) -> None:
    body = "The author\x19s method merges two heaps in logarithmic time. " * 16  # ~1 KB
    data = f"# Heap Merge (Algorithm 17)\n\n{body}\n".encode()
    announced = await ingest.announce(data, content_type="text/markdown")
    assert await ingest.run(announced.version_id) == "indexed"

    chunks = await chunks_of(database, announced.version_id)
    assert chunks and all("\x19" not in chunk.text for chunk in chunks)
    assert "The author\u2019s method merges two heaps" in chunks[0].text
    # The processing details say how many were replaced.
    state = await state_of(database, announced.version_id)
    assert state is not None
    notes = {step["name"]: step.get("note") for step in state.steps or []}
    assert notes["extract"] == replaced_controls_note(16)
    assert replaced_controls_note(16).startswith("Replaced 16 stray control characters")
    [indexed] = await ingest.events("document.indexed")
    [extract_step] = [
        step
        for step in EventEnvelope.model_validate(indexed).data["steps"]
        if step["name"] == "extract"
    ]
    assert extract_step["note"] == notes["extract"]


async def test_one_stray_control_byte_in_a_kilobyte_of_markdown_is_noted_once(
    ingest: Ingest, database: Database
) -> None:
    body = "Heaps are merged in logarithmic time by the classic method. " * 16
    data = f"# Heap Merge (Algorithm 17)\n\nThe author\x19s method. {body}\n".encode()
    assert 900 < len(data) < 1200 and data.count(b"\x19") == 1
    announced = await ingest.announce(data, content_type="text/markdown")
    assert await ingest.run(announced.version_id) == "indexed"
    state = await state_of(database, announced.version_id)
    assert state is not None
    [extract_step] = [step for step in state.steps or [] if step["name"] == "extract"]
    assert extract_step["note"].startswith("Replaced 1 stray control character ")
    assert [step.get("note") for step in state.steps or [] if step["name"] != "extract"] == [
        None
    ] * 5
    chunks = await chunks_of(database, announced.version_id)
    assert "The author\u2019s method." in chunks[0].text
