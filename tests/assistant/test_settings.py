"""The organization's AI settings: who sets them, what they refuse, the default provider
answering first and the monthly quota refusing with 429 once used up."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from sift.assistant.providers.gemini import GeminiProvider
from sift.assistant.providers.openai import OpenAIProvider
from sift.assistant.settings.service import Month
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
    world,
)
from tests.fakes.gemini import FakeGemini
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

URL = "/api/assistant/settings"
QUESTION = "How is the Zephyr engine cooled?"


async def _put(running: Assistant, role: str = "admin", **body: Any) -> Any:
    return await running.client.put(URL, headers=running.headers(role), json=body)


async def test_the_default_provider_answers_first(
    assistant_factory: AssistantFactory, gemini_server: FakeGemini, openai_server: FakeOpenAI
) -> None:
    gemini = GeminiProvider(
        api_key=gemini_server.api_key, model="gemini-2.5-flash", base_url=gemini_server.url
    )
    openai = OpenAIProvider(
        api_key=openai_server.api_key, model="gpt-4o-mini", base_url=openai_server.base_url
    )
    async with assistant_factory(providers=[gemini, openai]) as running:
        await running.world.document(await running.world.collection(), ENGINE)
        read = (await running.client.get(URL, headers=running.headers("viewer"))).json()
        assert read["default_provider"] is None and read["monthly_answer_quota"] is None
        assert read["providers"] == [
            {"name": "gemini", "configured": True},
            {"name": "openai", "configured": True},
            {"name": "local", "configured": True},
        ]
        first = await running.answer(running.headers(), QUESTION)
        assert first["provider"] == "gemini"

        changed = await _put(running, default_provider="openai", monthly_answer_quota=None)
        assert changed.status_code == 200, changed.text
        assert changed.json()["default_provider"] == "openai" and changed.json()["updated_at"]
        # The same question again: not the cached answer of the other chain, but openai's.
        second = await running.answer(running.headers(), QUESTION)
        assert (second["provider"], second["cached"]) == ("openai", False)
        assert len(openai_server.chat_requests()) == 1

        await _put(running, default_provider="local", monthly_answer_quota=None)
        assert (await running.answer(running.headers(), QUESTION))["provider"] == "local"
        await _put(running, default_provider=None, monthly_answer_quota=None)
        assert (await running.answer(running.headers(), "Who designed it?"))["provider"] == (
            "gemini"
        )


async def test_over_the_monthly_quota_an_answer_is_refused_with_429(
    assistant: Assistant,
) -> None:
    await assistant.world.document(await assistant.world.collection(), ENGINE)
    other_org = uuid.uuid4()
    set_quota = await _put(assistant, "owner", default_provider=None, monthly_answer_quota=2)
    assert set_quota.status_code == 200, set_quota.text
    await assistant.answer(assistant.headers("viewer"), QUESTION)
    await assistant.answer(assistant.headers("editor"), "Who designed the Zephyr engine?")
    read = (await assistant.client.get(URL, headers=assistant.headers())).json()
    assert (read["monthly_answer_quota"], read["answers_this_month"]) == (2, 2)

    refused = await assistant.ask(assistant.headers("viewer"), QUESTION)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    problem = refused.json()
    assert problem["type"].endswith("/monthly-quota-exceeded")
    assert "used its 2 AI answers for this month" in problem["detail"]
    assert problem["quota"] == 2 and problem["resets_at"] == read["quota_resets_at"]
    streamed = await assistant.ask(assistant.headers("viewer"), QUESTION, stream=True)
    assert streamed.status_code == 429
    summary = await assistant.client.post(
        "/api/assistant/summarize",
        headers=assistant.headers(),
        json={"document_id": str(uuid.uuid4())},
    )
    assert summary.status_code == 429
    # Refusals are not answers: they do not count.
    read = (await assistant.client.get(URL, headers=assistant.headers())).json()
    assert read["answers_this_month"] == 2

    # Another organization has no quota of its own.
    elsewhere = assistant.world.headers("viewer", org_id=other_org)
    assert (await assistant.ask(elsewhere, QUESTION)).status_code == 200

    # Raised, the next answer comes; cleared, there is no limit.
    await _put(assistant, default_provider=None, monthly_answer_quota=3)
    await assistant.answer(assistant.headers("viewer"), QUESTION)
    assert (await assistant.ask(assistant.headers("viewer"), QUESTION)).status_code == 429
    await _put(assistant, default_provider=None, monthly_answer_quota=None)
    await assistant.answer(assistant.headers("viewer"), QUESTION)


@pytest.mark.parametrize("role", ["viewer", "editor"])
async def test_only_admins_and_owners_change_the_ai_settings(
    assistant: Assistant, role: str
) -> None:
    answer = await _put(assistant, role, default_provider=None, monthly_answer_quota=5)
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    read = await assistant.client.get(URL, headers=assistant.headers(role))
    assert read.status_code == 200 and read.json()["monthly_answer_quota"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"default_provider": "gemini", "monthly_answer_quota": None}, "default_provider"),
        ({"default_provider": "claude", "monthly_answer_quota": None}, "default_provider"),
        ({"default_provider": None, "monthly_answer_quota": -1}, "monthly_answer_quota"),
        ({"default_provider": None, "monthly_answer_quota": "many"}, "monthly_answer_quota"),
        ({"default_provider": None, "monthly_answer_quota": 10**9}, "monthly_answer_quota"),
        ({"default_provider": None}, "monthly_answer_quota"),
        ({"monthly_answer_quota": 5}, "default_provider"),
    ],
)
async def test_bad_ai_settings_are_refused(
    assistant: Assistant, body: dict[str, Any], field: str
) -> None:
    # The test installation offers only the local answerer: gemini has no key.
    answer = await assistant.client.put(URL, headers=assistant.headers("admin"), json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["loc"][:2] == ["body", field]


def test_the_quota_month_is_the_utc_calendar_month() -> None:
    late = datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5)))  # 1 Jan UTC
    assert Month.of(late) == Month(date(2027, 1, 1), datetime(2027, 2, 1, tzinfo=UTC))
    december = Month.of(datetime(2026, 12, 5, 1, 0, tzinfo=UTC))
    assert december == Month(date(2026, 12, 1), datetime(2027, 1, 1, tzinfo=UTC))
