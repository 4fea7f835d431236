"""Searches tell analytics what was searched (`search.performed`), and `POST
/api/search/clicks` which result was opened (`search.result_clicked`)."""

from __future__ import annotations

import uuid

from tests.search.retrieval_helpers import World, world

__all__ = ["world"]


async def test_a_search_publishes_its_outcome_and_a_click_on_its_result(world: World) -> None:
    collection = await world.collection()
    doc = await world.document(collection, "Zebrafish larvae regenerate their fins.")
    user = uuid.uuid4()
    headers = world.headers(user_id=user)
    answer = await world.search(headers, query="  ZEBRAFISH   Larvae ", mode="fulltext")
    body = answer.json()
    query_id, hit = body["query_id"], body["items"][0]
    await world.search(headers, query="unicorns", mode="fulltext")

    performed = [
        e for e in await world.ingest.events("search.performed") if e["org_id"] == str(world.org_id)
    ]
    assert [
        (e["data"]["query"], e["data"]["mode"], e["data"]["result_count"]) for e in performed
    ] == [
        ("zebrafish larvae", "fulltext", 1),
        ("unicorns", "fulltext", 0),
    ]
    assert performed[0]["data"]["query_id"] == query_id
    assert performed[0]["actor_id"] == str(user)

    click = {
        "query_id": query_id,
        "document_id": hit["document_id"],
        "chunk_id": hit["chunk_id"],
        "rank": 1,
    }
    answer = await world.client.post("/api/search/clicks", headers=headers, json=click)
    assert answer.status_code == 204, answer.text
    clicked = await world.ingest.events("search.result_clicked")
    assert [(e["org_id"], e["actor_id"], e["data"]) for e in clicked] == [
        (
            str(world.org_id),
            str(user),
            {
                "query_id": query_id,
                "user_id": str(user),
                "document_id": str(doc.document_id),
                "chunk_id": hit["chunk_id"],
                "rank": 1,
            },
        )
    ]


async def test_a_click_names_a_search_of_the_callers_organization(world: World) -> None:
    collection = await world.collection()
    await world.document(collection, "Zebrafish larvae regenerate their fins.")
    answer = await world.search(world.headers(), query="zebrafish", mode="fulltext")
    query_id = answer.json()["query_id"]
    click = {"query_id": query_id, "document_id": str(uuid.uuid4()), "rank": 1}
    for other in ({"org_id": uuid.uuid4()}, {}):
        body = click if other else {**click, "query_id": str(uuid.uuid4())}
        answer = await world.client.post(
            "/api/search/clicks", headers=world.headers(**other), json=body
        )
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert await world.ingest.events("search.result_clicked") == []


async def test_malformed_clicks_are_problems(world: World) -> None:
    good = {"query_id": str(uuid.uuid4()), "document_id": str(uuid.uuid4()), "rank": 1}
    for body in (
        {**good, "rank": 0},
        {**good, "rank": 1001},
        {**good, "query_id": "nope"},
        {"document_id": good["document_id"], "rank": 1},
        {**good, "extra": True},
    ):
        answer = await world.client.post("/api/search/clicks", headers=world.headers(), json=body)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json")
    answer = await world.client.post("/api/search/clicks", json=good)
    assert answer.status_code == 401
