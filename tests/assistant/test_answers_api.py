"""Permissions, the answer cache, remote providers and summaries through the API, with the
real search app retrieving as the caller."""

from __future__ import annotations

import uuid

from sift.assistant.providers.gemini import GeminiProvider
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
    parse_sse,
    world,
)
from tests.fakes.gemini import FakeGemini
from tests.fakes.llm import BreakStream, Reply
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


async def test_an_answer_never_cites_a_collection_the_caller_cannot_read(
    assistant: Assistant,
) -> None:
    world = assistant.world
    public = await world.collection("org")
    restricted = await world.collection("restricted")
    await world.document(public, ENGINE, title="Public manual")
    secret = await world.document(restricted, SECRET, title="Secret prototype")
    viewer = uuid.uuid4()
    headers = assistant.headers("viewer", viewer)
    question = "What does the Zephyr engine prototype use and weigh?"
    answer = await assistant.answer(headers, question)
    assert answer["citations"]
    assert str(secret.document_id) not in {c["document_id"] for c in answer["citations"]}
    assert "hydrogen" not in answer["answer"]
    only_secret = await assistant.answer(headers, question, collection_ids=[str(restricted)])
    assert only_secret["citations"] == [] and "could not find" in only_secret["answer"]
    # Granted, the same question (same words) reaches the secret document: the cache key
    # follows the corpus the caller sees, so the earlier answer is not served again.
    await world.grant(restricted, viewer)
    granted = await assistant.answer(headers, question)
    assert granted["cached"] is False
    assert str(secret.document_id) in {c["document_id"] for c in granted["citations"]}
    event, *_ = [
        e for e in await assistant.events() if e["data"]["message_id"] == granted["message_id"]
    ]
    assert str(secret.document_id) in event["data"]["document_ids"]


async def test_the_cache_answers_the_same_question_on_the_same_corpus_until_it_changes(
    assistant_factory: AssistantFactory, openai_server: FakeOpenAI
) -> None:
    provider = OpenAIProvider(
        api_key=openai_server.api_key, model="gpt-4o-mini", base_url=openai_server.base_url
    )
    async with assistant_factory(config=local_config(), providers=[provider]) as running:
        world = running.world
        collection = await world.collection()
        await world.document(collection, ENGINE)
        headers = running.headers()
        first = await running.answer(headers, "How is the Zephyr engine cooled?")
        assert (first["provider"], first["cached"]) == ("openai", False)
        assert first["usage"]["prompt_tokens"] > 0 and first["usage"]["cost_usd"] > 0
        again = await running.answer(running.headers(), "how is the zephyr engine cooled")
        assert again["cached"] is True and again["answer"] == first["answer"]
        assert again["citations"] == first["citations"]
        assert again["usage"]["total_tokens"] == 0
        assert len(openai_server.chat_requests()) == 1
        # A new document that answers too changes the corpus: the cache is not used.
        await world.document(collection, "The Zephyr engine is cooled by a liquid loop.")
        changed = await running.answer(headers, "How is the Zephyr engine cooled?")
        assert changed["cached"] is False
        assert len(openai_server.chat_requests()) == 2
        # A follow-up depends on the conversation: never from the cache.
        follow_up = await running.answer(
            headers, "How is the Zephyr engine cooled?", conversation_id=first["conversation_id"]
        )
        assert follow_up["cached"] is False
        # Tokens and cost are accounted per user and per organization.
        mine = (await running.client.get("/api/assistant/usage", headers=headers)).json()
        assert mine["user_today"]["requests"] == 3
        assert mine["user_today"]["prompt_tokens"] > 0 and mine["user_30_days"]["cost_usd"] > 0
        assert mine["organization_today"] is None  # a viewer reads no organization analytics
        admin = (
            await running.client.get("/api/assistant/usage", headers=running.headers("admin"))
        ).json()
        assert admin["organization_today"]["requests"] == 4
        assert admin["user_today"]["requests"] == 0


async def test_a_broken_stream_restarts_the_answer_with_the_next_provider_over_sse(
    assistant_factory: AssistantFactory, gemini_server: FakeGemini, openai_server: FakeOpenAI
) -> None:
    gemini = GeminiProvider(
        api_key=gemini_server.api_key, model="gemini-2.5-flash", base_url=gemini_server.url
    )
    openai = OpenAIProvider(
        api_key=openai_server.api_key, model="gpt-4o-mini", base_url=openai_server.base_url
    )
    gemini_server.script(BreakStream(after_tokens=2, text="Broken words never finished"))
    openai_server.script(Reply("The Zephyr engine uses liquid cooling [1]."))
    async with assistant_factory(providers=[gemini, openai]) as running:
        await running.world.document(await running.world.collection(), ENGINE)
        user = uuid.uuid4()
        response = await running.client.post(
            "/api/assistant/ask",
            headers=running.headers(user_id=user),
            json={"question": "How is the Zephyr engine cooled?", "stream": True},
        )
        events = parse_sse(response.text)
        names = [name for name, _ in events]
        restart = names.index("restart")
        assert names[:restart] == ["token", "token"]
        assert events[restart][1]["provider"] == "gemini"
        assert events[restart][1]["reason"].startswith("stream_broken")
        after = "".join(data["text"] for name, data in events[restart:] if name == "token")
        assert after == "The Zephyr engine uses liquid cooling [1]."
        assert names[-2:] == ["citations", "done"]
        done = events[-1][1]
        assert (done["provider"], done["model"]) == ("openai", "gpt-4o-mini")
        assert done["answer"] == after
        assert done["skipped"][0]["provider"] == "gemini"
        assert done["usage"]["completion_tokens"] > 0
        requests, prompt_tokens, micro_dollars = await running.usage(user)
        assert requests == 1 and prompt_tokens == done["usage"]["prompt_tokens"]
        assert micro_dollars == round(done["usage"]["cost_usd"] * 1_000_000)
        (answered,) = await running.events()  # what analytics count as a failover
        assert answered["data"]["failover"] is True and answered["data"]["provider"] == "openai"
        assert answered["data"]["completion_tokens"] == done["usage"]["completion_tokens"]
        assert answered["data"]["cost_usd"] == done["usage"]["cost_usd"]


async def test_a_summary_cites_the_document_and_long_ones_are_map_reduced(
    assistant_factory: AssistantFactory,
) -> None:
    async with assistant_factory(config=local_config(summary_chunk_chars=1000)) as running:
        world = running.world
        collection = await world.collection()
        short = await world.document(collection, ENGINE, title="Engine manual")
        headers = running.headers()
        response = await running.client.post(
            "/api/assistant/summarize",
            headers=headers,
            json={"document_id": str(short.document_id)},
        )
        assert response.status_code == 200, response.text
        summary = response.json()
        assert summary["sections"] == 1 and summary["provider"] == "local"
        assert summary["document_title"] == "Engine manual"
        assert summary["citations"] and all(c["quote"] in ENGINE for c in summary["citations"])
        assert summary["grounded"] is True
        topics = ["cooling pumps", "fuel injection", "exhaust valves", "turbo chargers"]
        long_text = "\n\n".join(
            f"Section {i}. The {topic} of the engine need inspection every {100 * (i + 1)} "
            f"hours. Worn {topic} reduce power. Replace damaged {topic} with certified parts. "
            f"Record each {topic} inspection in the log book for the auditors."
            for i, topic in enumerate(topics * 4)
        )
        long = await world.document(collection, long_text, title="Service guide")
        mapped = await running.client.post(
            "/api/assistant/summarize", headers=headers, json={"document_id": str(long.document_id)}
        )
        assert mapped.status_code == 200, mapped.text
        body = mapped.json()
        assert body["sections"] > 1
        assert body["citations"] and all(c["quote"] in long_text for c in body["citations"])
        missing = await running.client.post(
            "/api/assistant/summarize", headers=headers, json={"document_id": str(uuid.uuid4())}
        )
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        trail = [e["data"] for e in await running.events() if e["data"]["kind"] == "summary"]
        assert {d["document_ids"][0] for d in trail} == {
            str(short.document_id),
            str(long.document_id),
        }
