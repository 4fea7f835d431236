"""Full-text search through `POST /api/search`: query syntax, BM25 ranking, statistics per
organization, highlighting. Documents go through the real ingestion pipeline."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from sift.search.retrieval.query import parse_query, tsquery_literal
from tests.search.retrieval_helpers import World, world

__all__ = ["world"]

ASPIRIN = "Aspirin reduces the risk of a heart attack in older adults taking it daily."
HEART = "The heart pumps blood through the body; regular exercise keeps the heart strong."
APPLES = "Red apples and green apples are fruit. An apple a day keeps the doctor away."
TEA = "Green tea contains antioxidants and is a popular drink in Japan."


@pytest.fixture
async def corpus(world: World) -> dict[str, uuid.UUID]:
    collection = await world.collection()
    ids = {}
    for name, body in (("aspirin", ASPIRIN), ("heart", HEART), ("apples", APPLES), ("tea", TEA)):
        ids[name] = (await world.document(collection, body, title=name)).document_id
    return ids


def test_natural_questions_and_explicit_syntax_are_told_apart() -> None:
    assert not parse_query("does aspirin help the heart of older adults?").explicit
    assert not parse_query("covid-19 vaccines").explicit  # a hyphen inside a word
    assert not parse_query("is tea or coffee better for sleep").explicit
    phrase = parse_query('"heart attack" risk')
    assert phrase.explicit and phrase.positive == "heart attack risk"
    excluded = parse_query('heart -aspirin -"green tea"')
    assert excluded.explicit and excluded.positive == "heart"
    either = parse_query("aspirin OR tea")
    assert either.explicit and either.positive == "aspirin tea"
    assert tsquery_literal(["it's", "a\\b"]) == "'it''s' | 'a\\\\b'"
    assert tsquery_literal([]) is None


async def test_a_natural_question_does_not_need_every_term(
    world: World, corpus: dict[str, uuid.UUID]
) -> None:
    found = await world.found(
        world.headers(), "does aspirin protect the heart of older adults", mode="fulltext"
    )
    # The aspirin passage matches most terms; the heart one matches only "heart" and still
    # comes back (OR semantics), below it.
    assert found[:2] == [corpus["aspirin"], corpus["heart"]]
    assert corpus["apples"] not in found


async def test_explicit_syntax_holds(world: World, corpus: dict[str, uuid.UUID]) -> None:
    headers = world.headers()
    assert await world.found(headers, '"heart attack"', mode="fulltext") == [corpus["aspirin"]]
    # A phrase is a phrase: both words appear in the heart text, never adjacent.
    assert await world.found(headers, '"heart exercise"', mode="fulltext") == []
    assert await world.found(headers, "heart -aspirin", mode="fulltext") == [corpus["heart"]]
    assert set(await world.found(headers, "aspirin OR tea", mode="fulltext")) == {
        corpus["aspirin"],
        corpus["tea"],
    }
    # Two plain words with syntax elsewhere: both are required (web-search AND).
    assert await world.found(headers, 'heart "older adults"', mode="fulltext") == [
        corpus["aspirin"]
    ]
    # Exclusions hold in every mode, not only in the full-text list.
    for mode in ("hybrid", "semantic"):
        found = await world.found(headers, "heart -aspirin", mode=mode)
        assert corpus["aspirin"] not in found and corpus["heart"] in found


async def test_stop_words_only_find_nothing(world: World, corpus: dict[str, uuid.UUID]) -> None:
    answer = await world.search(world.headers(), query="the of and", mode="fulltext")
    assert answer.status_code == 200
    assert answer.json()["items"] == [] and answer.json()["next_cursor"] is None


async def test_a_rare_term_outweighs_a_common_one(world: World) -> None:
    collection = await world.collection()
    common = [
        await world.document(collection, f"Patients in ward {n} were treated by the nurses.")
        for n in range(4)
    ]
    heavy = await world.document(
        collection, "Patients, patients and more patients: the clinic saw many patients."
    )
    rare = await world.document(collection, "Zebrafish larvae regenerate their fins.")
    found = await world.found(world.headers(), "patients zebrafish", mode="fulltext")
    assert found[0] == rare.document_id  # one rare term beats four of a common one
    assert found[1] == heavy.document_id  # then term frequency, saturated by k1
    assert set(found[2:]) == {doc.document_id for doc in common}


async def test_statistics_are_per_organization(world: World) -> None:
    collection = await world.collection()
    await world.document(collection, "Zebrafish larvae regenerate their fins.")
    await world.document(collection, "Mice do not regenerate their limbs.")
    headers = world.headers()

    async def scores() -> list[float]:
        answer = await world.search(headers, query="zebrafish regenerate", mode="fulltext")
        return [item["score"] for item in answer.json()["items"]]

    before = await scores()
    # Another tenant indexes many documents about zebrafish: our IDF must not move.
    other_org = uuid.uuid4()
    other = await world.collection(org_id=other_org)
    for n in range(3):
        await world.document(other, f"Zebrafish study {n}: zebrafish fins.", org_id=other_org)
    assert await scores() == before
    # ... while a document in our own organization does move it.
    await world.document(collection, "Zebrafish are small fish.")
    assert await scores() != before


async def test_postings_follow_chunk_writes(world: World) -> None:
    collection = await world.collection()
    doc = await world.document(collection, "Zebrafish larvae regenerate their fins.")

    async def counts() -> tuple[int, int]:
        async with world.database.engine.connect() as conn:
            postings = await conn.scalar(
                text("SELECT count(*) FROM search.postings WHERE org_id = :org"),
                {"org": world.org_id},
            )
            chunks = await conn.scalar(
                text(
                    "SELECT coalesce(sum(chunk_count), 0) FROM search.collection_term_stats"
                    " WHERE org_id = :org"
                ),
                {"org": world.org_id},
            )
        return int(postings or 0), int(chunks or 0)

    postings, chunks = await counts()
    assert postings >= 4 and chunks == 1  # zebrafish, larva, regener, fin
    # A move to another collection (an update of the chunk rows) moves the postings along.
    moved_to = uuid.uuid4()
    async with world.database.engine.begin() as conn:
        await conn.execute(
            text("UPDATE search.chunks SET collection_id = :c WHERE document_id = :d"),
            {"c": moved_to, "d": doc.document_id},
        )
        left = await conn.scalar(
            text("SELECT count(*) FROM search.postings WHERE collection_id <> :c AND org_id = :o"),
            {"c": moved_to, "o": world.org_id},
        )
    assert left == 0 and await counts() == (postings, chunks)
    await world.delete(doc)
    assert await counts() == (0, 0)


async def test_highlights_mark_matches_and_escape_markup(world: World) -> None:
    collection = await world.collection()
    html_text = (
        "Release notes <script>alert('x')</script> & <b>bold</b> claims: the zebrafish"
        " genome was sequenced. \x01Sentinels\x02 in text are harmless."
    )
    # UTF-16 (with its BOM): the only text file whose bytes may hold control characters;
    # in UTF-8 they make it binary, refused by documents and search alike.
    await world.document(collection, html_text, encoding="utf-16")
    answer = await world.search(world.headers(), query="zebrafish genome", mode="fulltext")
    [item] = answer.json()["items"]
    snippet = item["snippet"]
    assert "<mark>zebrafish</mark>" in snippet and "<mark>genome</mark>" in snippet
    assert "<script>" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;" in snippet or "script" not in snippet
    # Nothing but <mark> tags is markup in a snippet.
    stripped = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert "\x01" not in snippet and "\x02" not in snippet
    # The text is the chunk's own, unescaped: the client renders it as text.
    assert "<script>" in item["text"]
    phrase = await world.search(world.headers(), query='"genome was sequenced"', mode="fulltext")
    assert "<mark>genome</mark>" in phrase.json()["items"][0]["snippet"]
