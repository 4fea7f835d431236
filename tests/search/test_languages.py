"""Language that a short text cannot decide does not decide.

Short titles and abstracts take their collection's language (else the organization's,
English), not a guess; an uploader's language wins; a query's stop words never score under
another configuration; and document frequencies count only the configurations that gave a
query its lexeme.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

from sqlalchemy import text

from sift.contracts.events.documents import CollectionUpdated, DocumentUpdated
from sift.search.ingestion.jobs import Announcement
from sift.search.retrieval.repository.bm25 import bm25_repository
from sift.search.retrieval.scope import Scope
from tests.search.access_helpers import apply, envelope
from tests.search.retrieval_helpers import Doc, World, world

__all__ = ["world"]

# Titles with an author line, algorithm-style titles with a number in parentheses, and a few
# abstracts: the shapes of an old journal's table of contents.
SHORT_ENGLISH = [
    "Heap Merge (Algorithm 17)\nJ. W. Smith",
    "Treesort 3 (Algorithm 113)\nR. W. Floyd",
    "Quicksort (Algorithm 64)\nC. A. R. Hoare",
    "Bessel Functions of Integral Order (Algorithm 236)\nW. Gautschi",
    "Random Permutation (Algorithm 235)\nR. Durstenfeld",
    "Shortest Path (Algorithm 97)\nR. W. Floyd",
    "Gamma Function (Algorithm 34)\nM. F. Lipp",
    "Matrix Inversion (Algorithm 120)\nR. George",
    "Tables for Automatic Computation\nH. Lukas",
    "On the Compilation of Subscripted Variables\nP. Naur",
    "Binary Search Trees and Their Balance\nA. Aho",
    "Recursive Programming\nE. W. Dijkstra",
    "Storage Allocation in a Paging System\nB. Randell\n"
    "Fragmentation of main storage is measured under three placement rules.",
    "A Note on Rounding Errors in Floating Point Summation\nP. Linz\n"
    "The error bound of recursive summation is derived and compared with pairwise summation.",
    "Hash Table Methods for Symbol Tables\nW. Buchholz\n"
    "Open addressing and chaining are compared for the symbol tables of assemblers.",
    "Sorting on Magnetic Tapes\nE. H. Friend\nMerging strategies for tape sorting are timed.",
]

# (query, the document it is about): natural questions with stop words and inflections.
QUERIES = [
    ("what is the merge of heaps", 0),
    ("the treesort algorithm", 1),
    ("the quicksort algorithm", 2),
    ("what are bessel functions", 3),
    ("random permutations", 4),
    ("the shortest paths in a graph", 5),
    ("rounding errors of floating point sums", 13),
    ("hash tables for symbols", 14),
    ("how is storage allocated in paging systems", 12),
    ("sorting on tapes", 15),
]

ENGLISH_LONG = (
    "Search engines rank documents by how often the words of a question occur in them and "
    "how rare those words are across the whole collection. Stemming lets a question about "
    "running find a document about runs, and stop words such as the and of are ignored."
)
GERMAN_LONG = (
    "Suchmaschinen ordnen die Dokumente danach, wie oft die Wörter einer Frage in ihnen "
    "vorkommen und wie selten diese Wörter in der ganzen Sammlung sind. Die Stammformreduktion "
    "sorgt dafür, dass eine Frage nach Häusern auch ein Dokument über ein Haus findet."
)
# Polish has no text search configuration of its own: it is indexed under `simple`, with
# every word a lexeme, English ones quoted in it included.
POLISH = (
    "Artykuł opisuje, jak działa kopiec i dlaczego scalanie kopców jest szybkie. Autor "
    "pokazuje przykłady z tytułami takimi jak what the heap is, ale tekst jest po polsku i "
    "dotyczy struktur danych oraz tego, jak run wpływa na wynik."
)


async def _configs(world: World, collection_id: uuid.UUID) -> dict[uuid.UUID, set[str]]:
    async with world.database.sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT document_id, text_search_config::text AS config FROM search.chunks"
                " WHERE collection_id = :c"
            ),
            {"c": collection_id},
        )
        configs: dict[uuid.UUID, set[str]] = {}
        for row in rows:
            configs.setdefault(row.document_id, set()).add(row.config)
        return configs


async def _frequencies(world: World) -> tuple[dict[tuple[str, str], int], ...]:
    """(lexeme, configuration) → chunks: as `collection_lexemes` keeps them, and as the
    chunks' vectors hold them."""
    async with world.database.sessionmaker() as session:
        kept = await session.execute(
            text(
                "SELECT lexeme, text_search_config::text, sum(chunk_count)"
                " FROM search.collection_lexemes WHERE org_id = :org"
                " GROUP BY 1, 2 HAVING sum(chunk_count) > 0"
            ),
            {"org": world.org_id},
        )
        counted = await session.execute(
            text(
                "SELECT t.lexeme, c.text_search_config::text, count(*)"
                " FROM search.chunks c CROSS JOIN LATERAL unnest(c.tsv) t"
                " WHERE c.org_id = :org GROUP BY 1, 2"
            ),
            {"org": world.org_id},
        )
        return (
            {(lexeme, config): int(n) for lexeme, config, n in kept},
            {(lexeme, config): int(n) for lexeme, config, n in counted},
        )


def _ndcg_at_10(found: list[uuid.UUID], relevant: uuid.UUID) -> float:
    """One relevant document per query: 1 / log2(rank + 1) within the first ten."""
    for rank, document_id in enumerate(found[:10], start=1):
        if document_id == relevant:
            return 1 / math.log2(rank + 1)
    return 0.0


async def _quality(world: World, collection_id: uuid.UUID, docs: list[Doc]) -> list[float]:
    headers = world.headers()
    scores = []
    for query, index in QUERIES:
        found = await world.found(
            headers, query, mode="fulltext", collection_ids=[str(collection_id)], limit=10
        )
        scores.append(_ndcg_at_10(found, docs[index].document_id))
    return scores


async def test_short_english_texts_are_indexed_as_english_and_rank_as_well(world: World) -> None:
    collection = await world.collection()
    docs = [
        await world.document(collection, body, title=body.split("\n")[0]) for body in SHORT_ENGLISH
    ]
    configs = await _configs(world, collection)
    assert set(configs) == {doc.document_id for doc in docs}
    assert {config for found in configs.values() for config in found} == {"english"}

    # The same texts, each forced to English by its uploader: the reference ranking.
    forced = await world.collection()
    forced_docs = [
        await world.document(forced, body, title=body.split("\n")[0], language="en")
        for body in SHORT_ENGLISH
    ]
    detected_scores = await _quality(world, collection, docs)
    forced_scores = await _quality(world, forced, forced_docs)
    assert sum(detected_scores) >= sum(forced_scores) > 0
    # Every question finds its document first.
    assert detected_scores == [1.0] * len(QUERIES)


async def test_a_mixed_collection_of_normal_length_gets_each_language(world: World) -> None:
    collection = await world.collection()
    english = await world.document(collection, ENGLISH_LONG)
    german = await world.document(collection, GERMAN_LONG)
    title = await world.document(collection, "Heap Merge (Algorithm 17)\nJ. W. Smith")
    assert await _configs(world, collection) == {
        english.document_id: {"english"},
        german.document_id: {"german"},
        title.document_id: {"english"},
    }
    headers = world.headers()
    # Stemmed in each language: "Häuser" finds the German text's "Haus".
    assert await world.found(headers, "Häuser", mode="fulltext") == [german.document_id]
    assert await world.found(headers, "runs", mode="fulltext") == [english.document_id]


async def test_a_short_text_takes_its_collections_language(world: World) -> None:
    collection = await world.collection(language="de")
    title = await world.document(collection, "Heap Merge (Algorithm 17)\nJ. W. Smith")
    english = await world.document(collection, ENGLISH_LONG)  # long enough to tell
    assert await _configs(world, collection) == {
        title.document_id: {"german"},
        english.document_id: {"english"},
    }
    # Back to the organization's default (English) for what is indexed next.
    async with world.database.sessionmaker() as session, session.begin():
        await apply(
            session,
            envelope(
                CollectionUpdated(collection_id=collection, fields=["language"], language=None),
                world.org_id,
                datetime.now(UTC),
            ),
        )
    later = await world.document(collection, "Treesort 3 (Algorithm 113)\nR. W. Floyd")
    assert (await _configs(world, collection))[later.document_id] == {"english"}


async def test_the_uploaders_language_wins_and_reindexes(world: World) -> None:
    collection = await world.collection()
    doc = await world.document(collection, ENGLISH_LONG)
    assert await _configs(world, collection) == {doc.document_id: {"english"}}
    kept, counted = await _frequencies(world)
    assert kept == counted and kept[("search", "english")] == 1
    # What search does with `document.updated` (language) and `document.reindex_requested`.
    async with world.database.sessionmaker() as session, session.begin():
        await apply(
            session,
            envelope(
                DocumentUpdated(
                    document_id=doc.document_id,
                    collection_id=collection,
                    title=doc.title,
                    language="de",
                ),
                world.org_id,
                datetime.now(UTC),
            ),
        )
    async with world.database.sessionmaker() as session:
        row = (
            await session.execute(
                text(
                    "SELECT storage_key, content_type FROM search.documents_index"
                    " WHERE version_id = :v"
                ),
                {"v": doc.version_id},
            )
        ).one()
    await world.ingest.announce_again(
        Announcement(
            org_id=world.org_id,
            document_id=doc.document_id,
            version_id=doc.version_id,
            collection_id=collection,
            storage_key=row.storage_key,
            content_type=row.content_type,
            filename="upload",
            announced_at=datetime.now(UTC),
        )
    )
    assert await world.ingest.run(doc.version_id) == "indexed"
    assert await _configs(world, collection) == {doc.document_id: {"german"}}
    # The frequencies moved from the English configuration to the German one.
    kept, counted = await _frequencies(world)
    assert kept == counted and ("search", "english") not in kept
    assert kept[("search", "german")] == 1
    indexed = await world.ingest.events("document.indexed")
    assert indexed[-1]["data"]["language"] == "de"


async def test_a_querys_stop_words_never_score_under_another_configuration(
    world: World,
) -> None:
    collection = await world.collection()
    english = await world.document(collection, ENGLISH_LONG)
    polish = await world.document(collection, POLISH)
    assert await _configs(world, collection) == {
        english.document_id: {"english"},
        polish.document_id: {"simple"},
    }
    headers = world.headers()
    # "what", "the", "is" are English stop words: under `simple` they would match the
    # Polish text, which quotes them.
    assert await world.found(headers, "what the heap is", mode="fulltext") == [
        polish.document_id
    ]  # by "heap" alone
    assert await world.found(headers, "what is the", mode="fulltext") == []

    # A lexeme's df counts the chunks of the configurations that gave it: "running" is
    # "run" in English and "running" under `simple`, so the Polish "run" is not counted.
    async with world.database.sessionmaker() as session:
        scope = Scope(org_id=world.org_id, collection_ids=(collection,))
        terms = await bm25_repository.query_terms(session, scope, "running")
    frequencies = dict(zip(terms.lexemes, terms.document_frequencies, strict=True))
    assert frequencies == {"run": 1, "running": 0}
