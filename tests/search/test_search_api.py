"""`POST /api/search` beyond ranking: semantic and hybrid modes, filters, grouping,
pagination and its cursors, validation, the result cache and the query log."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from sift.search.models import QueryLog
from sift.search.retrieval.cursor import CursorCodec, search_digest
from sift.search.retrieval.fusion import group_by_document, reciprocal_rank_fusion
from tests.search.retrieval_helpers import World, world

__all__ = ["world"]

CAT = "The feline rested peacefully on the woven rug by the fireplace."
MARKET = "Stock markets fell sharply today as investors sold technology shares."
RAIN = "Heavy rain caused floods in the valley and closed several roads."


async def test_a_paraphrase_is_found_by_meaning(world: World) -> None:
    collection = await world.collection()
    cat = await world.document(collection, CAT)
    await world.document(collection, MARKET)
    await world.document(collection, RAIN)
    headers = world.headers()
    query = "a cat sleeping on a carpet"  # no word in common with the cat passage
    assert await world.found(headers, query, mode="fulltext") == []
    semantic = await world.search(headers, query=query, mode="semantic")
    items = semantic.json()["items"]
    assert items[0]["document_id"] == str(cat.document_id)
    assert items[0]["score"] > items[1]["score"] and -1 <= items[-1]["score"] <= 1
    assert (await world.found(headers, query, mode="hybrid"))[0] == cat.document_id
    # Hybrid fuses both lists: a lexical match and a semantic one both rank.
    hybrid = await world.found(headers, "feline investors", mode="hybrid")
    assert set(hybrid[:2]) == {cat.document_id, world.docs[1].document_id}


def test_reciprocal_rank_fusion_and_grouping() -> None:
    a, b, c, d = (uuid.UUID(int=n) for n in range(1, 5))
    fused = reciprocal_rank_fusion([([(a, 9.0), (b, 5.0)], 1.0), ([(b, 0.9), (c, 0.8)], 1.0)], k=60)
    assert [chunk for chunk, _ in fused] == [b, a, c]  # b is in both lists
    assert fused[0][1] == 1 / 61 + 1 / 62
    weighted = reciprocal_rank_fusion([([(a, 1.0)], 1.0), ([(c, 1.0)], 2.0)], k=60)
    assert [chunk for chunk, _ in weighted] == [c, a]
    # Equal scores break by the first list's ranks, whatever the IDs.
    swapped = reciprocal_rank_fusion(
        [([(d, 1.0), (a, 0.5)], 1.0), ([(a, 1.0), (d, 0.5)], 1.0)], k=60
    )
    assert [chunk for chunk, _ in swapped] == [d, a]
    alone = reciprocal_rank_fusion([([(d, 1.0)], 1.0), ([(a, 1.0)], 1.0)], k=60)
    assert [chunk for chunk, _ in alone] == [d, a]
    doc1, doc2 = uuid.uuid4(), uuid.uuid4()
    ranked = [(a, 4.0), (b, 3.0), (c, 2.0), (d, 1.0)]
    grouped = group_by_document(ranked, {a: doc1, b: doc1, c: doc1, d: doc2}, per_document=2)
    assert grouped == [(a, 4.0), (b, 3.0), (d, 1.0)]
    # A chunk no longer in the scope (unknown document) is dropped.
    assert group_by_document(ranked, {d: doc2}, per_document=2) == [(d, 1.0)]


async def test_one_document_does_not_flood_the_page(world: World) -> None:
    collection = await world.collection()
    sentences = " ".join(
        f"Zebrafish observation {n} describes how the larvae regenerate tissue quickly."
        for n in range(120)
    )
    long_doc = await world.document(collection, sentences)
    short = await world.document(collection, "Zebrafish live in rivers.")
    answer = await world.search(world.headers(), query="zebrafish larvae", mode="fulltext")
    items = answer.json()["items"]
    from_long = [item for item in items if item["document_id"] == str(long_doc.document_id)]
    assert len(from_long) == 2  # of many matching chunks
    assert str(short.document_id) in {item["document_id"] for item in items}
    pages = {(item["page"], item["start_char"]) for item in from_long}
    assert len(pages) == 2


async def test_filters(world: World) -> None:
    first, second = await world.collection(), await world.collection()
    old = await world.document(
        first,
        "Zebrafish notes from the archive.",
        tags=["archive", "fish"],
        created_at=datetime(2024, 1, 10, tzinfo=UTC),
    )
    new = await world.document(
        first,
        "# Zebrafish\n\nNotes on the lab's zebrafish.",
        tags=["lab"],
        content_type="text/markdown",
        created_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    other = await world.document(second, "Zebrafish in the second collection.", tags=["fish"])
    headers = world.headers()

    async def found(**filters: object) -> set[uuid.UUID]:
        return set(await world.found(headers, "zebrafish", mode="hybrid", **filters))

    everything = {old.document_id, new.document_id, other.document_id}
    assert await found() == everything
    assert await found(collection_ids=[str(second)]) == {other.document_id}
    assert await found(tags=["fish"]) == {old.document_id, other.document_id}
    assert await found(tags=["lab", "archive"]) == {old.document_id, new.document_id}
    assert await found(mime_types=["text/markdown"]) == {new.document_id}
    assert await found(created_before="2025-01-01T00:00:00Z") == {old.document_id}
    assert await found(
        created_after="2025-01-01T00:00:00Z", created_before="2026-07-01T00:00:00Z"
    ) == {new.document_id}
    assert await found(tags=["fish"], collection_ids=[str(first)]) == {old.document_id}


async def test_pages_follow_each_other_and_cursors_are_checked(world: World) -> None:
    collection = await world.collection()
    for n in range(5):
        await world.document(collection, f"Zebrafish report number {n} " + "fin " * n)
    headers = world.headers()
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        body: dict[str, object] = {"query": "zebrafish fin", "mode": "fulltext", "limit": 2}
        if cursor:
            body["cursor"] = cursor
        answer = await world.client.post("/api/search", headers=headers, json=body)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += [item["chunk_id"] for item in page["items"]]
        assert isinstance(page["took_ms"], int) and page["took_ms"] >= 0
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == len(set(seen)) == 5
    scores_in_order = await world.search(headers, query="zebrafish fin", mode="fulltext")
    assert [item["chunk_id"] for item in scores_in_order.json()["items"]] == seen

    first = await world.search(headers, query="zebrafish fin", mode="fulltext", limit=2)
    good = first.json()["next_cursor"]
    payload, signature = good.split(".")
    forged = CursorCodec(b"another secret").encode(2, search_digest(["x"]))
    for bad in (
        payload[:-2] + ("AA" if not payload.endswith("AA") else "BB") + "." + signature,
        payload + "." + signature[::-1],
        "not-a-cursor",
        forged,
        "",  # empty means "first page": allowed
    ):
        answer = await world.search(
            headers, query="zebrafish fin", mode="fulltext", limit=2, cursor=bad
        )
        if bad == "":
            assert answer.status_code == 200
            continue
        assert answer.status_code == 400, bad
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["type"].endswith("/invalid-cursor")
    # A cursor belongs to its search: replayed with another query or mode it is refused.
    for other in ({"query": "zebrafish"}, {"query": "zebrafish fin", "mode": "hybrid"}):
        body = {"query": "zebrafish fin", "mode": "fulltext", "limit": 2, "cursor": good, **other}
        answer = await world.client.post("/api/search", headers=headers, json=body)
        assert answer.status_code == 400


async def test_invalid_requests_are_problems(world: World) -> None:
    headers = world.headers()
    for body in (
        {"query": ""},
        {"query": "   "},
        {"query": "x" * 1001},
        {"query": "fish", "mode": "fuzzy"},
        {"query": "fish", "limit": 0},
        {"query": "fish", "limit": 101},
        {"query": "fish", "created_after": "2026-01-01T00:00:00"},  # no time zone
        {"query": "fish", "collection_ids": ["not-a-uuid"]},
        {"query": "fish", "unknown": True},
    ):
        answer = await world.client.post("/api/search", headers=headers, json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json")


async def test_results_are_cached_until_the_index_changes(world: World) -> None:
    collection = await world.collection()
    first = await world.document(collection, "Zebrafish larvae regenerate their fins.")
    headers = world.headers()
    assert await world.found(headers, "zebrafish", mode="fulltext") == [first.document_id]
    redis = world.app.state.redis
    cached = [
        key
        async for key in redis.scan_iter(
            match=world.settings.redis_key("cache", "search.results", "v", "*")
        )
    ]
    assert len(cached) == 1
    # The cached answer is what a second identical search returns.
    assert await world.found(headers, "zebrafish", mode="fulltext") == [first.document_id]

    second = await world.document(collection, "Zebrafish swim in schools.")
    assert set(await world.found(headers, "zebrafish", mode="fulltext")) == {
        first.document_id,
        second.document_id,
    }
    await world.delete(first)
    assert await world.found(headers, "zebrafish", mode="fulltext") == [second.document_id]
    passages = await world.client.get(
        f"/internal/search/documents/{first.document_id}/passages", headers=headers
    )
    assert passages.status_code == 404


async def test_each_search_is_logged(world: World) -> None:
    collection = await world.collection()
    await world.document(collection, "Zebrafish larvae regenerate their fins.")
    user = uuid.uuid4()
    headers = world.headers(user_id=user)
    await world.found(headers, "zebrafish", mode="semantic")
    await world.found(headers, "unicorns", mode="fulltext")
    async with world.database.sessionmaker() as session:
        rows = list(
            await session.scalars(
                select(QueryLog).where(QueryLog.user_id == user).order_by(QueryLog.created_at)
            )
        )
    assert [(r.query, r.mode, r.result_count, r.zero_result) for r in rows] == [
        ("zebrafish", "semantic", 1, False),
        ("unicorns", "fulltext", 0, True),
    ]
    assert all(r.org_id == world.org_id and r.took_ms >= 0 for r in rows)
