"""Pruned BM25: document frequencies kept per collection by the chunks triggers, and the
bounded read of each lexeme's postings against the exhaustive scan it stands in for.
Documents go through the real ingestion pipeline."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text

from sift.search.retrieval.fusion import Candidate
from sift.search.retrieval.query import parse_query
from sift.search.retrieval.repository import bm25
from sift.search.retrieval.repository.bm25 import bm25_repository
from sift.search.retrieval.scope import Scope
from tests.search.retrieval_helpers import World, world

__all__ = ["world"]

K1, B = 0.9, 0.4

# Every document says "cells"; a few say it often or also name a rarer subject.
BODIES = [
    *(f"Cells in sample {n} were counted under the microscope." for n in range(8)),
    "Cells, cells and cells again: stem cells divide into more cells.",
    "Stem cells regenerate the zebrafish fin after an injury.",
    "Zebrafish larvae are transparent, which makes imaging of their cells easy.",
    "Mice do not regenerate their limbs, but their liver cells do divide.",
]


async def lexeme_counts(
    world: World,
) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
    """(collection, lexeme) → chunks: as the table keeps them, and as the postings hold them."""
    async with world.database.engine.connect() as conn:
        kept = await conn.execute(
            text(
                "SELECT collection_id, lexeme, sum(chunk_count) FROM search.collection_lexemes"
                " WHERE org_id = :org GROUP BY 1, 2 HAVING sum(chunk_count) > 0"
            ),
            {"org": world.org_id},
        )
        counted = await conn.execute(
            text(
                "SELECT collection_id, lexeme, count(*) FROM search.postings"
                " WHERE org_id = :org GROUP BY 1, 2"
            ),
            {"org": world.org_id},
        )
        return (
            {(str(c), lexeme): int(n) for c, lexeme, n in kept},
            {(str(c), lexeme): int(n) for c, lexeme, n in counted},
        )


async def test_lexeme_frequencies_follow_chunk_writes(world: World) -> None:
    collection = await world.collection()
    first = await world.document(collection, "Zebrafish larvae regenerate their fins.")
    await world.document(collection, "Zebrafish are small fish; their larvae are transparent.")
    kept, counted = await lexeme_counts(world)
    assert kept == counted
    assert kept[(str(collection), "zebrafish")] == 2 and kept[(str(collection), "fin")] == 1

    # A move to another collection (an update of the chunk rows) moves the counts along.
    moved_to = uuid.uuid4()
    async with world.database.engine.begin() as conn:
        await conn.execute(
            text("UPDATE search.chunks SET collection_id = :c WHERE document_id = :d"),
            {"c": moved_to, "d": first.document_id},
        )
    kept, counted = await lexeme_counts(world)
    assert kept == counted
    assert kept[(str(collection), "zebrafish")] == 1 and kept[(str(moved_to), "zebrafish")] == 1

    await world.delete(first)
    kept, counted = await lexeme_counts(world)
    assert kept == counted and (str(moved_to), "zebrafish") not in kept


@pytest.fixture
async def cells(world: World) -> Scope:
    collection = await world.collection()
    for body in BODIES:
        await world.document(collection, body)
    return Scope(org_id=world.org_id, collection_ids=(collection,))


async def ranked(world: World, scope: Scope, question: str, per_term: int) -> list[Candidate]:
    query = parse_query(question)
    async with world.database.sessionmaker() as session:
        terms = await bm25_repository.query_terms(session, scope, query.positive)
        return await bm25_repository.candidates(
            session, scope, query, terms, k=50, k1=K1, b=B, postings_per_term=per_term
        )


async def test_pruned_ranking_is_the_exhaustive_one_when_no_lexeme_is_cut(
    world: World, cells: Scope
) -> None:
    question = "which cells regenerate a zebrafish fin"
    exhaustive = await ranked(world, cells, question, per_term=0)
    pruned = await ranked(world, cells, question, per_term=1000)
    assert len(exhaustive) == len(BODIES)  # every chunk has "cells"
    assert [c for c, _ in pruned] == [c for c, _ in exhaustive]
    assert [s for _, s in pruned] == pytest.approx([s for _, s in exhaustive])


async def test_cut_lexemes_still_give_exact_scores_and_the_best_chunks(
    world: World, cells: Scope
) -> None:
    question = "which cells regenerate a zebrafish fin"
    exhaustive = dict(await ranked(world, cells, question, per_term=0))
    best = sorted(exhaustive, key=lambda chunk: -exhaustive[chunk])
    # Two postings per lexeme: "cell" (12 chunks) is cut, the others are read whole.
    pruned = await ranked(world, cells, question, per_term=2)
    assert len(pruned) < len(exhaustive)
    for chunk_id, score in pruned:
        assert score == pytest.approx(exhaustive[chunk_id])  # completed, not partial
    assert [c for c, _ in pruned][:3] == best[:3]


@pytest.mark.parametrize(
    "question", ['"stem cells" regenerate', "cells -zebrafish", "zebrafish OR mice"]
)
async def test_explicit_syntax_scores_its_matches_as_the_scan_would(
    world: World, cells: Scope, question: str
) -> None:
    # The matches are found through the GIN index, then scored one by one.
    scanned = await ranked(world, cells, question, per_term=0)
    scored = await ranked(world, cells, question, per_term=1000)
    assert scanned
    assert [c for c, _ in scored] == [c for c, _ in scanned]
    assert [s for _, s in scored] == pytest.approx([s for _, s in scanned])
    # Exclusion drops chunks after scoring: every chunk but the two about zebrafish.
    if question == "cells -zebrafish":
        assert len(scored) == len(BODIES) - 2


async def test_given_documents_are_scored_chunk_by_chunk_as_the_scan_would(
    world: World, cells: Scope
) -> None:
    async with world.database.engine.connect() as conn:
        chosen = [
            row.document_id
            for row in await conn.execute(
                text(
                    "SELECT DISTINCT document_id FROM search.chunks"
                    " WHERE collection_id = :c AND tsv @@ to_tsquery('english', 'zebrafish')"
                ),
                {"c": cells.collection_ids[0]},
            )
        ]
    assert len(chosen) == 2
    scope = Scope(
        org_id=cells.org_id, collection_ids=cells.collection_ids, document_ids=tuple(chosen)
    )
    for question in ("which cells regenerate a zebrafish fin", '"stem cells" -larvae'):
        scanned = await ranked(world, scope, question, per_term=0)
        scored = await ranked(world, scope, question, per_term=1000)
        assert scanned  # both documents are about cells; one has stem cells, no larvae
        assert [c for c, _ in scored] == [c for c, _ in scanned]
        assert [s for _, s in scored] == pytest.approx([s for _, s in scanned])


@pytest.mark.parametrize("cap", [bm25.MAX_CHUNKS_SCORED_ONE_BY_ONE, 1])
async def test_a_tag_filter_scores_its_few_chunks_as_the_scan_would(
    world: World, cells: Scope, cap: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # cap 1: more chunks pass the filter than may be probed, and the scan answers.
    monkeypatch.setattr(bm25, "MAX_CHUNKS_SCORED_ONE_BY_ONE", cap)
    collection = cells.collection_ids[0]
    for body in ("Zebrafish hearts regrow after injury.", "Stem cells of the zebrafish fin."):
        await world.document(collection, body, tags=["fish"])
    scope = Scope(org_id=cells.org_id, collection_ids=cells.collection_ids, tags=("fish",))
    for question in ("which cells regenerate a zebrafish fin", '"zebrafish fin"'):
        scanned = await ranked(world, scope, question, per_term=0)
        scored = await ranked(world, scope, question, per_term=1000)
        assert len(scanned) == (2 if question.startswith("which") else 1)
        assert [c for c, _ in scored] == [c for c, _ in scanned]
        assert [s for _, s in scored] == pytest.approx([s for _, s in scanned])


COPY_CHUNKS = """
INSERT INTO search.chunks (id, org_id, collection_id, document_id, version_id, ordinal, page,
    page_end, start_char, end_char, heading, context, text, token_count, language,
    text_search_config, embedding, embedding_model)
SELECT gen_random_uuid(), org_id, collection_id, document_id, version_id, ordinal + :shift,
    page, page_end, start_char, end_char, heading, context, text, token_count, language,
    text_search_config, embedding, embedding_model
FROM search.chunks WHERE org_id = :org AND ordinal < 1000
"""


async def test_concurrent_writers_of_one_collection_keep_the_frequencies(world: World) -> None:
    collection = await world.collection()
    for body in BODIES[8:]:
        await world.document(collection, body)
    moved = await world.document(collection, "Zebrafish cells regenerate; stem cells divide.")
    elsewhere = uuid.uuid4()

    async def copy(shift: int) -> None:
        async with world.database.engine.begin() as conn:
            await conn.execute(text(COPY_CHUNKS), {"org": world.org_id, "shift": shift})
            await conn.execute(text("SELECT pg_sleep(0.2)"))  # holds its locks a while

    async def move() -> None:
        async with world.database.engine.begin() as conn:
            await conn.execute(
                text("UPDATE search.chunks SET collection_id = :c WHERE document_id = :d"),
                {"c": elsewhere, "d": moved.document_id},
            )

    # Two copies of the same lexemes and a move out of the collection, at once: they queue
    # on the collection's statistics row, none deadlocks, and the counts add up.
    await asyncio.gather(copy(1000), copy(2000), move())
    kept, counted = await lexeme_counts(world)
    assert kept == counted
    zebrafish = kept[(str(collection), "zebrafish")] + kept.get((str(elsewhere), "zebrafish"), 0)
    assert zebrafish == 3 * 3  # three documents, each chunk copied twice
