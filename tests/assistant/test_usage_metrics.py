"""The business counters, counted where the work is done and served on /metrics: the real
pipeline indexing a document (documents indexed, chunks embedded) and the local provider
answering (answers, tokens and cost by provider)."""

from __future__ import annotations

import uuid

from prometheus_client.parser import text_string_to_metric_families

from tests.assistant.world import (
    ENGINE,
    Assistant,
    assistant,
    assistant_factory,
    clean_index,
    embedder,
    ingest,
    ingest_settings,
    ingest_thread,
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


async def scrape(assistant: Assistant) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    body = (await assistant.client.get("/metrics")).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_indexing_and_an_answer_are_counted(assistant: Assistant) -> None:
    before = await scrape(assistant)
    collection = await assistant.world.collection()
    await assistant.world.document(collection, ENGINE, title="Engine manual")
    answer = await assistant.answer(
        assistant.headers(user_id=uuid.uuid4()), "How is the Zephyr engine cooled?"
    )
    assert answer["provider"] == "local"
    after = await scrape(assistant)

    def moved(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("sift_documents_indexed_total", outcome="indexed") == 1
    assert moved("sift_chunks_embedded_total") >= 1
    assert (
        moved("sift_provider_answers_total", provider="local", kind="answer", cached="false") == 1
    )
    # The local answerer costs nothing and counts no tokens: the series exist at zero.
    assert (
        "sift_provider_tokens_total",
        frozenset({("provider", "local"), ("direction", "prompt")}),
    ) in after
    assert ("sift_provider_cost_usd_total", frozenset({("provider", "local")})) in after
