"""Hybrid search shows no unrelated results; semantic search says how close each one is."""

from __future__ import annotations

from sift.search.config import SEMANTIC_FLOOR, SearchSettings
from tests.search.retrieval_helpers import World, world

__all__ = ["world"]

LANTERNS = "The night market sells saffron lanterns made by hand in the old town."
UNRELATED = (
    "Quarterly revenue grew by twelve percent after the new pricing model.",
    "The football club signed a young striker before the transfer deadline.",
    "Replace the printer cartridge and restart the device to clear the error.",
)


async def test_a_query_matching_one_of_four_documents_finds_one_in_hybrid(world: World) -> None:
    assert SearchSettings().semantic_floor == SEMANTIC_FLOOR > 0
    collection = await world.collection()
    lanterns = await world.document(collection, LANTERNS)
    for text in UNRELATED:
        await world.document(collection, text)
    headers = world.headers()
    answer = await world.search(headers, query="saffron lanterns")
    assert [item["document_id"] for item in answer.json()["items"]] == [str(lanterns.document_id)]
    # Semantic mode still lists its nearest neighbours, and says which are only related.
    semantic = (await world.search(headers, query="saffron lanterns", mode="semantic")).json()
    matches = {item["document_id"]: item["match"] for item in semantic["items"]}
    assert len(matches) == 4
    assert matches.pop(str(lanterns.document_id)) == "matching"
    assert set(matches.values()) == {"related"}
    assert all(item["score"] < SEMANTIC_FLOOR for item in semantic["items"][1:])
    # A paraphrase with no word in common is still found by meaning in hybrid mode.
    paraphrase = await world.found(headers, "handmade lamps sold at a street bazaar")
    assert paraphrase[:1] == [lanterns.document_id]


async def test_results_grouped_by_document_page_by_document(world: World) -> None:
    collection = await world.collection()
    long_text = " ".join(
        f"Observation {n} of the lighthouse keeper notes the tide and the fog." for n in range(150)
    )
    long_doc = await world.document(collection, long_text)
    short = await world.document(collection, "The lighthouse keeper retired in spring.")
    other = await world.document(collection, "A keeper of bees lives near the lighthouse.")
    headers = world.headers()
    flat = (await world.search(headers, query="lighthouse keeper", mode="fulltext")).json()
    assert len(flat["items"]) > 3 and all(item["passages"] is None for item in flat["items"])
    seen: list[str] = []
    cursor = None
    while True:
        body = {"query": "lighthouse keeper", "mode": "fulltext", "group_by": "document"}
        answer = await world.search(
            headers, **body, limit=1, **({"cursor": cursor} if cursor else {})
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        [item] = page["items"]
        seen.append(item["document_id"])
        passages = item["passages"]
        assert passages[0]["chunk_id"] == item["chunk_id"]
        assert {p["document_id"] for p in passages} == {item["document_id"]}
        if item["document_id"] == str(long_doc.document_id):
            assert len(passages) == 3  # of many matching chunks
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(str(d.document_id) for d in (long_doc, short, other))
    # A cursor belongs to its kind of list.
    passages_cursor = (
        await world.search(headers, query="lighthouse keeper", mode="fulltext", limit=1)
    ).json()["next_cursor"]
    mixed = await world.search(
        headers,
        query="lighthouse keeper",
        mode="fulltext",
        group_by="document",
        cursor=passages_cursor,
    )
    assert mixed.status_code == 400
    bad = await world.search(headers, query="lighthouse keeper", group_by="collection")
    assert bad.status_code == 422
