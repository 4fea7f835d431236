"""Fuzzed queries through `POST /api/search` on the real PostgreSQL: whatever the text
(web-search syntax, control characters, quotes, lone operators), every mode answers 200
or a 4xx problem, never a 5xx (a tsquery PostgreSQL refuses would be one)."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.search.retrieval_helpers import World, world
from tests.security.fuzzing import QUERIES, drawn

__all__ = ["world"]

MODES = ["fulltext", "semantic", "hybrid"]


async def test_no_query_text_makes_search_fail(world: World) -> None:
    collection = await world.collection()
    await world.document(collection, "Cranes ran all night at the harbor; ships came in.")
    headers = world.headers()
    answers = []
    for query, mode in drawn(st.tuples(QUERIES, st.sampled_from(MODES)), 150):
        answer = await world.search(headers, query=query, mode=mode)
        answers.append(answer.status_code)
        assert answer.status_code < 500, f"{mode} {query!r}: {answer.text}"
        if answer.status_code >= 400:
            assert answer.headers["content-type"] == "application/problem+json"
    # The fuzzing reached the searches themselves, not only the validation in front.
    assert answers.count(200) > 50
    found = await world.search(headers, query='harbor -"no such" OR cranes', mode="fulltext")
    assert found.status_code == 200 and found.json()["items"]
