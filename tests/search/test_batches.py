"""Ingest batches: one task indexes several queued versions, each on its own terms."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from sift.core.db import Database
from sift.search.ingestion import batch, service
from sift.search.models import DocumentIndex
from tests.search import files
from tests.search.conftest import Ingest
from tests.search.test_tasks import chunks_of, state_of

STEPS = ["fetch", "extract", "nlp", "chunk", "embed", "index"]


def note(topic: str, seed: int) -> bytes:
    body = " ".join(files.sentences(6, seed=seed))
    return f"# {topic}\n\n{body}\n".encode()


async def test_queued_documents_are_indexed_in_one_batch_each_with_its_own_record(
    ingest: Ingest, database: Database
) -> None:
    announced = [
        await ingest.announce(note(f"Note {n}", n), content_type="text/markdown") for n in range(3)
    ]
    leader, *mates = (a.version_id for a in announced)

    assert await ingest.run(leader) == "indexed"

    embed_spans = set()
    for version_id in (leader, *mates):
        state = await state_of(database, version_id)
        assert state is not None
        assert (state.status, state.attempts, state.claimed_by) == ("indexed", 1, leader)
        assert [step["name"] for step in state.steps or []] == STEPS
        [embed] = [step for step in state.steps or [] if step["name"] == "embed"]
        embed_spans.add(embed["started_at"])  # the batch's one model call
        chunks = await chunks_of(database, version_id)
        assert chunks and len(chunks) == state.chunk_count
        assert all(chunk.version_id == version_id for chunk in chunks)
    assert len(embed_spans) == 1
    indexed = await ingest.events("document.indexed")
    assert sorted(event["subject_id"] for event in indexed) == sorted(  # type: ignore[type-var]
        str(a.document_id) for a in announced
    )
    # Their own tasks arrive later and find nothing left to do.
    for version_id in mates:
        assert await ingest.run(version_id) == "skipped"
    assert len(await ingest.events("document.index_started")) == 3


async def test_a_document_that_fails_in_a_batch_fails_alone(
    ingest: Ingest, database: Database
) -> None:
    corrupt = await ingest.announce(files.corrupt_pdf(), content_type="application/pdf")
    good = await ingest.announce(note("Heaps", 1), content_type="text/markdown")
    textless = await ingest.announce(files.image_only_pdf(), content_type="application/pdf")
    html = await ingest.announce(files.HTML_PAGE.encode(), content_type="text/html")

    assert await ingest.run(corrupt.version_id) == "failed"

    outcomes = {}
    for announced in (corrupt, good, textless, html):
        state = await state_of(database, announced.version_id)
        assert state is not None and state.claimed_by == corrupt.version_id
        outcomes[announced.version_id] = (str(state.status), state.error_code)
    assert outcomes == {
        corrupt.version_id: ("failed", "corrupt_file"),
        good.version_id: ("indexed", None),
        textless.version_id: ("failed", "no_text"),
        html.version_id: ("indexed", None),
    }
    assert await chunks_of(database, good.version_id)
    assert await chunks_of(database, html.version_id)
    assert await chunks_of(database, textless.version_id) == []
    failed = await ingest.events("document.index_failed")
    assert {event["data"]["code"] for event in failed} == {  # type: ignore[index]
        "corrupt_file",
        "no_text",
    }
    state = await state_of(database, textless.version_id)
    assert state is not None and [s["name"] for s in state.steps or []][:2] == [
        "fetch",
        "extract",
    ]


async def test_a_batch_whose_task_died_is_taken_up_by_its_redelivery(
    ingest: Ingest, database: Database
) -> None:
    leader, mate = [
        await ingest.announce(note(f"Note {n}", n), content_type="text/markdown") for n in range(2)
    ]
    async with database.sessionmaker() as session, session.begin():
        jobs = await batch.claim(
            session,
            ingest.storage,
            leader.version_id,
            ingest.ingest_settings,
            lease=timedelta(minutes=7),
        )
    assert [job.version_id for job in jobs] == [leader.version_id, mate.version_id]
    # ... and then the worker died. The mate's own task leaves it to the batch's task:
    assert await ingest.run(mate.version_id) == "skipped"
    state = await state_of(database, mate.version_id)
    assert state is not None and (state.status, state.attempts) == ("processing", 1)

    assert await ingest.run(leader.version_id) == "indexed"  # the redelivery
    for version_id in (leader.version_id, mate.version_id):
        state = await state_of(database, version_id)
        assert state is not None and (state.status, state.attempts) == ("indexed", 2)
    first = [(c.id, c.text) for c in await chunks_of(database, mate.version_id)]

    # Delivered once more, nothing changes.
    assert await ingest.run(leader.version_id) == "skipped"
    assert await ingest.run(mate.version_id) == "skipped"
    assert [(c.id, c.text) for c in await chunks_of(database, mate.version_id)] == first
    assert len(await ingest.events("document.indexed")) == 2


async def test_a_version_held_past_the_lease_is_taken_up_by_its_own_task(
    ingest: Ingest, database: Database
) -> None:
    leader, mate = [
        await ingest.announce(note(f"Note {n}", n), content_type="text/markdown") for n in range(2)
    ]
    async with database.sessionmaker() as session, session.begin():
        await batch.claim(
            session,
            ingest.storage,
            leader.version_id,
            ingest.ingest_settings,
            lease=timedelta(minutes=7),
        )
        await session.execute(
            update(DocumentIndex)
            .where(DocumentIndex.version_id == mate.version_id)
            .values(started_at=datetime.now(UTC) - timedelta(hours=1))
        )
    # The batch's task is gone for good (its message lost): the mate's own task indexes it.
    assert await ingest.run(mate.version_id) == "indexed"
    state = await state_of(database, mate.version_id)
    assert state is not None and (state.status, state.claimed_by) == ("indexed", mate.version_id)


async def test_only_documents_that_fit_the_batch_join_it(
    ingest: Ingest, database: Database
) -> None:
    small, other = note("Small", 1), note("Other", 2)
    big_pdf = files.pdf(files.pdf_pages(3))
    fits = len(small) + len(other)
    assert len(big_pdf) > fits
    small_a = await ingest.announce(small, content_type="text/markdown")
    big = await ingest.announce(big_pdf, content_type="application/pdf")
    other_a = await ingest.announce(other, content_type="text/markdown")
    settings = ingest.ingest_settings.model_copy(update={"batch_max_bytes": fits})

    assert await ingest.run(small_a.version_id, settings) == "indexed"

    statuses = {}
    for announced in (big, other_a):
        state = await state_of(database, announced.version_id)
        assert state is not None
        statuses[announced.version_id] = str(state.status)
    assert statuses == {big.version_id: "queued", other_a.version_id: "indexed"}
    one = settings.model_copy(update={"batch_documents": 1})
    assert await ingest.run(big.version_id, one) == "indexed"


async def test_a_batch_is_no_bigger_than_its_setting(ingest: Ingest, database: Database) -> None:
    announced = [
        await ingest.announce(note(f"Note {n}", n), content_type="text/markdown") for n in range(4)
    ]
    settings = ingest.ingest_settings.model_copy(update={"batch_documents": 2})
    assert await ingest.run(announced[0].version_id, settings) == "indexed"
    statuses: list[str] = []
    for a in announced:
        state = await state_of(database, a.version_id)
        assert state is not None
        statuses.append(str(state.status))
    assert statuses == ["indexed", "indexed", "queued", "queued"]  # the oldest queued first


async def test_a_document_whose_chunks_cannot_be_written_fails_alone(
    ingest: Ingest, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    announced = [
        await ingest.announce(note(f"Note {n}", n), content_type="text/markdown") for n in range(3)
    ]
    leader, broken, good = (a.version_id for a in announced)
    real_chunk_rows = service.chunk_rows

    def chunk_rows(state: DocumentIndex, *args: Any) -> list[dict[str, Any]]:
        rows = real_chunk_rows(state, *args)
        if state.version_id == broken:  # PostgreSQL refuses the whole INSERT it is in
            rows = [row | {"text_search_config": "no_such_configuration"} for row in rows]
        return rows

    monkeypatch.setattr(service, "chunk_rows", chunk_rows)

    assert await ingest.run(leader) == "indexed"

    for version_id in (leader, good):
        state = await state_of(database, version_id)
        assert state is not None and state.status == "indexed"
        # Written once, one by one after the batch's write failed: no step twice.
        assert [step["name"] for step in state.steps or []] == STEPS
        assert len(await chunks_of(database, version_id)) == state.chunk_count
    state = await state_of(database, broken)
    assert state is not None and (state.status, state.error_code) == ("failed", "internal_error")
    assert await chunks_of(database, broken) == []
    assert len(await ingest.events("document.indexed")) == 2
    assert len(await ingest.events("document.index_failed")) == 1


async def test_two_versions_of_a_document_in_one_batch_leave_only_the_newer_indexed(
    ingest: Ingest, database: Database
) -> None:
    document_id, collection_id = uuid.uuid4(), uuid.uuid4()
    older = await ingest.announce(
        note("Draft", 1),
        content_type="text/markdown",
        document_id=document_id,
        collection_id=collection_id,
    )
    newer = await ingest.announce(
        note("Final", 2),
        content_type="text/markdown",
        document_id=document_id,
        collection_id=collection_id,
    )
    # Recorded together in the batch's order (by version ID): either may come first.
    assert await ingest.run(older.version_id) in ("indexed", "superseded")
    old_state = await state_of(database, older.version_id)
    new_state = await state_of(database, newer.version_id)
    assert old_state is not None and new_state is not None
    assert (old_state.status, new_state.status) == ("superseded", "indexed")
    assert await chunks_of(database, older.version_id) == []
    assert len(await chunks_of(database, newer.version_id)) == new_state.chunk_count > 0
