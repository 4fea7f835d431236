"""Conversations follow the caller's current scope: an API key sees only the conversations
it started, and a quote from a document the caller can no longer read is neither shown nor
sent to the model again."""

from __future__ import annotations

import uuid
from typing import Any

from sift.assistant.providers.openai import OpenAIProvider
from tests.assistant.world import (
    ENGINE,
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
    world,
)
from tests.fakes.openai import FakeOpenAI

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

SECRET = "The Zephyr engine secret prototype uses hydrogen fuel cells and weighs 90 kg."
SECRET_QUESTION = "What does the Zephyr engine prototype use?"


async def conversation(
    assistant: Assistant, headers: dict[str, str], conversation_id: str
) -> dict[str, Any]:
    response = await assistant.client.get(
        f"/api/assistant/conversations/{conversation_id}", headers=headers
    )
    assert response.status_code == 200, response.text
    detail: dict[str, Any] = response.json()
    return detail


async def listed(assistant: Assistant, headers: dict[str, str]) -> dict[str, str | None]:
    """The caller's conversations: ID → the API key that started it."""
    response = await assistant.client.get("/api/assistant/conversations", headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"]: item["api_key_id"] for item in response.json()["items"]}


async def test_a_restricted_key_cannot_open_or_continue_its_creators_conversation(
    assistant: Assistant,
) -> None:
    world = assistant.world
    public = await world.collection("org")
    restricted = await world.collection("restricted")
    await world.document(public, ENGINE, title="Public manual")
    secret = await world.document(restricted, SECRET, title="Secret prototype")
    admin = uuid.uuid4()
    # An admin reads every collection; the key they made (without collections:manage) does
    # not read the restricted one, since the admin holds no grant on it.
    mine = await assistant.answer(
        assistant.headers("admin", admin), SECRET_QUESTION, collection_ids=[str(restricted)]
    )
    assert {c["document_id"] for c in mine["citations"]} == {str(secret.document_id)}
    key_id = uuid.uuid4()
    key = assistant.key_headers(admin, key_id)
    own = await assistant.answer(key, SECRET_QUESTION)
    assert "hydrogen" not in own["answer"]

    opened = await assistant.client.get(
        f"/api/assistant/conversations/{mine['conversation_id']}", headers=key
    )
    assert opened.status_code == 404 and "hydrogen" not in opened.text
    assert opened.headers["content-type"] == "application/problem+json"
    continued = await assistant.ask(
        key, "And how much does it weigh?", conversation_id=mine["conversation_id"]
    )
    assert continued.status_code == 404 and "hydrogen" not in continued.text
    rated = await assistant.client.post(
        f"/api/assistant/messages/{mine['message_id']}/feedback", headers=key, json={"rating": "up"}
    )
    assert rated.status_code == 404
    assert await listed(assistant, key) == {own["conversation_id"]: str(key_id)}


async def test_each_key_sees_only_its_own_conversations_and_its_creator_sees_them_all(
    assistant: Assistant,
) -> None:
    world = assistant.world
    await world.document(await world.collection("org"), ENGINE, title="Engine manual")
    creator = uuid.uuid4()
    first_id, second_id = uuid.uuid4(), uuid.uuid4()
    first = assistant.key_headers(creator, first_id)
    second = assistant.key_headers(creator, second_id)
    session = assistant.headers("admin", creator)
    by_first = await assistant.answer(first, "How is the Zephyr engine cooled?")
    by_session = await assistant.answer(session, "How much does the Zephyr engine weigh?")

    assert await listed(assistant, first) == {by_first["conversation_id"]: str(first_id)}
    assert await listed(assistant, second) == {}
    for headers, foreign in ((second, by_first), (first, by_session), (second, by_session)):
        url = f"/api/assistant/conversations/{foreign['conversation_id']}"
        assert (await assistant.client.get(url, headers=headers)).status_code == 404
        again = await assistant.ask(headers, "And?", conversation_id=foreign["conversation_id"])
        assert again.status_code == 404
        feedback = f"/api/assistant/messages/{foreign['message_id']}/feedback"
        rated = await assistant.client.post(feedback, headers=headers, json={"rating": "down"})
        assert rated.status_code == 404
    rated = await assistant.client.post(
        f"/api/assistant/messages/{by_first['message_id']}/feedback",
        headers=first,
        json={"rating": "up"},
    )
    assert rated.status_code == 200
    # The creator answers for what their keys do: their session lists and opens them too.
    assert await listed(assistant, session) == {
        by_first["conversation_id"]: str(first_id),
        by_session["conversation_id"]: None,
    }
    detail = await conversation(assistant, session, by_first["conversation_id"])
    assert detail["api_key_id"] == str(first_id)
    assert detail["messages"][1]["citations"][0]["available"] is True
    # A key token that does not say which key it is sees no conversation at all.
    nameless = assistant.key_headers(creator, None)
    assert await listed(assistant, nameless) == {}
    url = f"/api/assistant/conversations/{by_session['conversation_id']}"
    assert (await assistant.client.get(url, headers=nameless)).status_code == 404


async def test_a_user_who_lost_access_no_longer_sees_or_sends_its_quotes(
    assistant_factory: AssistantFactory, openai_server: FakeOpenAI
) -> None:
    provider = OpenAIProvider(
        api_key=openai_server.api_key, model="gpt-4o-mini", base_url=openai_server.base_url
    )
    async with assistant_factory(providers=[provider]) as running:
        world = running.world
        public = await world.collection("org")
        restricted = await world.collection("restricted")
        engine = await world.document(public, ENGINE, title="Public manual")
        await world.document(restricted, SECRET, title="Secret prototype")
        viewer = uuid.uuid4()
        await world.grant(restricted, viewer)
        headers = running.headers("viewer", viewer)
        first = await running.answer(headers, SECRET_QUESTION, collection_ids=[str(restricted)])
        assert "hydrogen" in first["answer"] and first["citations"]
        cooled = await running.answer(
            headers,
            "How is the Zephyr engine cooled?",
            conversation_id=first["conversation_id"],
            collection_ids=[str(public)],
        )
        assert "liquid cooling" in cooled["answer"]

        await world.revoke(restricted, viewer)
        detail = await conversation(running, headers, first["conversation_id"])
        assert "hydrogen" not in str(detail) and "Secret prototype" not in str(detail)
        question, withheld, _, kept = detail["messages"]
        assert question["content"] == SECRET_QUESTION  # the caller's own words stay
        assert withheld["withheld"] is True and withheld["content"] == ""
        assert withheld["unsupported_sentences"] == []
        assert withheld["citations"] == [
            {"n": c["n"], "available": False} for c in first["citations"]
        ]
        assert kept["withheld"] is False and kept["content"] == cooled["answer"]
        assert {c["document_id"] for c in kept["citations"]} == {str(engine.document_id)}
        assert all(c["available"] for c in kept["citations"])

        # Continued, the model hears only the turns whose sources the caller still reads.
        follow_up = await running.answer(
            headers, "And how much does it weigh?", conversation_id=first["conversation_id"]
        )
        assert "hydrogen" not in follow_up["answer"]
        prompt = openai_server.chat_requests()[-1].prompt
        assert "hydrogen" not in prompt and SECRET_QUESTION not in prompt
        assert "User: How is the Zephyr engine cooled?" in prompt


async def test_opening_a_conversation_needs_search_to_judge_its_quotes(
    assistant_factory: AssistantFactory,
) -> None:
    async with assistant_factory() as running:
        await running.world.document(await running.world.collection(), ENGINE)
        user = uuid.uuid4()
        headers = running.headers(user_id=user)
        cited = await running.answer(headers, "How is the Zephyr engine cooled?")
        nothing = await running.answer(headers, "Who composed the Moonlight Sonata?")
        assert nothing["citations"] == []
    offline_config = local_config(search_url="http://127.0.0.1:9", search_timeout=1.0)
    async with assistant_factory(config=offline_config, search_reachable=False) as offline:
        headers = offline.headers(user_id=user)
        url = f"/api/assistant/conversations/{cited['conversation_id']}"
        unavailable = await offline.client.get(url, headers=headers)
        assert unavailable.status_code == 503
        assert unavailable.json()["type"].endswith("/retrieval-unavailable")
        # Without a quote there is nothing to judge: no call to search.
        plain = await conversation(offline, headers, nothing["conversation_id"])
        assert plain["messages"][1]["withheld"] is False
