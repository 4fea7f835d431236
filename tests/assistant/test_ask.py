"""`POST /api/assistant/ask` end to end: the real search app retrieves as the caller, the
local provider answers, citations are verified, the exchange and its event are stored."""

from __future__ import annotations

import uuid

from tests.assistant.world import (
    ENGINE,
    SOLAR,
    Assistant,
    AssistantFactory,
    assistant,
    assistant_factory,
    clean_index,
    embedder,
    ingest,
    ingest_settings,
    ingest_thread,
    local_config,
    parse_sse,
    world,
)

__all__ = [  # fixtures
    "assistant",
    "assistant_factory",
    "clean_index",
    "embedder",
    "ingest",
    "ingest_settings",
    "ingest_thread",
    "world",
]


async def test_an_answer_cites_verifiable_passages_of_the_callers_documents(
    assistant: Assistant,
) -> None:
    world = assistant.world
    collection = await world.collection()
    engine = await world.document(collection, ENGINE, title="Engine manual")
    await world.document(collection, SOLAR, title="Solar notes")
    user = uuid.uuid4()
    answer = await assistant.answer(
        assistant.headers(user_id=user), "How is the Zephyr engine cooled?"
    )
    assert answer["provider"] == "local" and answer["model"] == "extractive-mmr-v1"
    assert answer["answer"].startswith("The Zephyr engine uses liquid cooling [1]")
    assert answer["grounded"] is True and answer["unsupported_sentences"] == []
    cited = answer["citations"][0]
    assert cited["n"] == 1
    assert cited["document_id"] == str(engine.document_id)
    assert cited["document_title"] == "Engine manual"
    assert cited["quote"] == "The Zephyr engine uses liquid cooling."
    assert ENGINE[cited["start_char"] : cited["end_char"]] == cited["quote"]
    assert uuid.UUID(cited["chunk_id"])
    assert answer["usage"] == {
        "prompt_tokens": 0,
        "completion_tokens": 0,
        "total_tokens": 0,
        "cost_usd": 0.0,
    }
    assert answer["latency_ms"] < 5000
    assert [s["reason"] for s in answer["skipped"]] == []
    # Stored, and the data-access trail says which documents were read (not the question).
    stored = await assistant.client.get(
        f"/api/assistant/conversations/{answer['conversation_id']}",
        headers=assistant.headers(user_id=user),
    )
    assert stored.status_code == 200
    messages = stored.json()["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[1]["id"] == answer["message_id"]
    assert messages[1]["citations"][0]["quote"] == cited["quote"]
    (event,) = await assistant.events()
    assert event["data"]["message_id"] == answer["message_id"]
    assert event["data"]["document_ids"][0] == str(engine.document_id)
    assert event["data"]["provider"] == "local"
    # What analytics count: latency, tokens, cost, and no failover (others not configured).
    assert event["data"]["latency_ms"] == answer["latency_ms"]
    assert (event["data"]["prompt_tokens"], event["data"]["cost_usd"]) == (0, 0.0)
    assert event["data"]["failover"] is False
    assert "question" not in event["data"] and "Zephyr" not in str(event)
    assert event["actor_id"] == str(user) and event["org_id"] == str(world.org_id)
    assert (await assistant.usage(user))[0] == 1


async def test_the_answer_streams_over_sse_in_order(assistant: Assistant) -> None:
    world = assistant.world
    await world.document(await world.collection(), ENGINE)
    headers = assistant.headers()
    for extra, body, cached in (
        ({}, {"stream": True}, False),
        ({"Accept": "text/event-stream"}, {}, True),  # the same question: from the cache
    ):
        response = await assistant.client.post(
            "/api/assistant/ask",
            headers={**headers, **extra},
            json={"question": "How much does the Zephyr engine weigh?", **body},
        )
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.text)
        names = [name for name, _ in events]
        assert names == ["token"] * (len(names) - 2) + ["citations", "done"]
        assert len(names) > 3
        streamed = "".join(data["text"] for name, data in events if name == "token")
        done = events[-1][1]
        assert streamed.strip() == done["answer"]
        assert "120 kg" in done["answer"]
        assert events[-2][1]["citations"] == done["citations"]
        assert done["citations"][0]["quote"] in ENGINE
        assert done["cached"] is cached


async def test_a_follow_up_is_answered_with_the_conversation_history(assistant: Assistant) -> None:
    world = assistant.world
    collection = await world.collection()
    await world.document(collection, ENGINE)
    await world.document(collection, SOLAR)
    user = uuid.uuid4()
    headers = assistant.headers(user_id=user)
    first = await assistant.answer(headers, "How is the Zephyr engine cooled?")
    second = await assistant.answer(headers, "What do solar panels convert?")
    follow_up = await assistant.answer(
        headers, "And how much does it weigh?", conversation_id=first["conversation_id"]
    )
    assert follow_up["conversation_id"] == first["conversation_id"]
    assert "zephyr" in follow_up["retrieval_query"].lower()
    assert "120 kg" in follow_up["answer"]
    # Most recently active first: the follow-up moved the first conversation up.
    listed = await assistant.client.get(
        "/api/assistant/conversations", headers=headers, params={"limit": 1}
    )
    assert listed.status_code == 200
    page = listed.json()
    assert [c["id"] for c in page["items"]] == [first["conversation_id"]]
    rest = await assistant.client.get(
        "/api/assistant/conversations",
        headers=headers,
        params={"limit": 1, "cursor": page["next_cursor"]},
    )
    assert [c["id"] for c in rest.json()["items"]] == [second["conversation_id"]]
    assert rest.json()["next_cursor"] is None
    detail = await assistant.client.get(
        f"/api/assistant/conversations/{first['conversation_id']}", headers=headers
    )
    assert [m["role"] for m in detail.json()["messages"]] == ["user", "assistant"] * 2
    # Somebody else's conversation does not exist for them.
    stranger = assistant.headers()
    hidden = await assistant.client.get(
        f"/api/assistant/conversations/{first['conversation_id']}", headers=stranger
    )
    assert hidden.status_code == 404
    foreign = await assistant.ask(stranger, "And?", conversation_id=first["conversation_id"])
    assert foreign.status_code == 404
    assert foreign.headers["content-type"] == "application/problem+json"


async def test_feedback_is_given_changed_and_kept_to_the_callers_answers(
    assistant: Assistant,
) -> None:
    await assistant.world.document(await assistant.world.collection(), ENGINE)
    user = uuid.uuid4()
    headers = assistant.headers(user_id=user)
    answer = await assistant.answer(headers, "How is the Zephyr engine cooled?")
    url = f"/api/assistant/messages/{answer['message_id']}/feedback"
    up = await assistant.client.post(url, headers=headers, json={"rating": "up"})
    assert up.status_code == 200 and up.json()["rating"] == "up"
    down = await assistant.client.post(
        url, headers=headers, json={"rating": "down", "comment": "Missed the weight."}
    )
    assert down.json()["rating"] == "down" and down.json()["comment"] == "Missed the weight."
    detail = await assistant.client.get(
        f"/api/assistant/conversations/{answer['conversation_id']}", headers=headers
    )
    assert detail.json()["messages"][1]["feedback"] == {
        "rating": "down",
        "comment": "Missed the weight.",
    }
    again = await assistant.client.post(url, headers=headers, json={"rating": "down"})
    assert again.status_code == 200
    # Analytics hear of each change of rating (not of the comment, nor of the same rating).
    given = await assistant.events("assistant.feedback_given")
    assert [(e["data"]["rating"], e["data"]["previous_rating"]) for e in given] == [
        ("up", None),
        ("down", "up"),
    ]
    assert all(e["data"]["message_id"] == answer["message_id"] for e in given)
    assert "comment" not in given[1]["data"] and given[1]["actor_id"] == str(user)
    other = await assistant.client.post(url, headers=assistant.headers(), json={"rating": "up"})
    assert other.status_code == 404
    invalid = await assistant.client.post(url, headers=headers, json={"rating": "meh"})
    assert invalid.status_code == 422


async def test_bad_requests_are_problems(assistant: Assistant) -> None:
    headers = assistant.headers()
    blank = await assistant.ask(headers, "   ")
    assert blank.status_code == 422
    assert blank.headers["content-type"] == "application/problem+json"
    unknown = await assistant.ask(headers, "Hi?", conversation_id=str(uuid.uuid4()))
    assert unknown.status_code == 404
    anonymous = await assistant.client.post("/api/assistant/ask", json={"question": "Hi?"})
    assert anonymous.status_code == 401
    cursor = await assistant.client.get(
        "/api/assistant/conversations", headers=headers, params={"cursor": "garbage"}
    )
    assert cursor.status_code == 400


async def test_quotas_per_user_per_minute_and_per_organization_per_day(
    assistant_factory: AssistantFactory,
) -> None:
    config = local_config(user_rate_limit="2/minute", org_rate_limit="3/day")
    async with assistant_factory(config=config) as limited:
        await limited.world.document(await limited.world.collection(), ENGINE)
        first_user = limited.headers()
        for _ in range(2):
            assert (await limited.ask(first_user, "Zephyr cooling?")).status_code == 200
        refused = await limited.ask(first_user, "Zephyr cooling?")
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        second_user = limited.headers()
        assert (await limited.ask(second_user, "Zephyr cooling?")).status_code == 200
        organization_spent = await limited.ask(second_user, "Zephyr cooling?")
        assert organization_spent.status_code == 429


async def test_a_question_nothing_answers_says_so_without_citations(assistant: Assistant) -> None:
    await assistant.world.document(await assistant.world.collection(), SOLAR)
    answer = await assistant.answer(assistant.headers(), "Who composed the Moonlight Sonata?")
    assert answer["citations"] == []
    assert "could not find" in answer["answer"]


async def test_an_unreachable_search_service_is_a_503_problem(
    assistant_factory: AssistantFactory,
) -> None:
    config = local_config(search_url="http://127.0.0.1:9", search_timeout=1.0)
    async with assistant_factory(config=config, search_reachable=False) as offline:
        for body in ({}, {"stream": True}):
            response = await offline.ask(offline.headers(), "Zephyr cooling?", **body)
            assert response.status_code == 503
            assert response.json()["type"].endswith("/retrieval-unavailable")
