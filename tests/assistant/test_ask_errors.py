"""An ask that fails after it was accepted: a problem response as JSON, an `error` event
(the same problem shape) once an SSE stream has started, and nothing recorded either way."""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator

from sift.assistant.providers.base import GenerationRequest, Provider, ProviderError, Usage
from sift.assistant.providers.local import LocalProvider
from tests.assistant.world import (
    ENGINE,
    AssistantFactory,
    assistant_factory,
    clean_index,
    embedder,
    ingest,
    ingest_settings,
    ingest_thread,
    parse_sse,
    world,
)

__all__ = [  # fixtures
    "assistant_factory",
    "clean_index",
    "embedder",
    "ingest",
    "ingest_settings",
    "ingest_thread",
    "world",
]

QUESTION = "How is the Zephyr engine cooled?"


class LastResortBreaks(LocalProvider):
    """The last resort failing too: a chain adds no other provider after a local one."""

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str | Usage, None]:
        yield "The "
        raise ProviderError("offline", retryable=False)


class FailsAfterOneToken(Provider):
    """A backend with a bug of its own: not a provider error, so no failover catches it."""

    name = "faulty"
    model = "faulty-1"

    async def stream(self, request: GenerationRequest) -> AsyncGenerator[str | Usage, None]:
        yield "The "
        raise RuntimeError("a bug in the backend")


async def test_no_provider_answering_is_a_503_problem_or_an_error_event_and_nothing_is_kept(
    assistant_factory: AssistantFactory,
) -> None:
    async with assistant_factory(providers=[LastResortBreaks()]) as running:
        await running.world.document(await running.world.collection(), ENGINE)
        user = uuid.uuid4()
        headers = running.headers(user_id=user)
        plain = await running.ask(headers, QUESTION)
        assert plain.status_code == 503
        assert plain.headers["content-type"] == "application/problem+json"
        assert plain.json()["type"] == "https://sift.dev/problems/no-provider"
        streamed = await running.ask(headers, QUESTION, stream=True)
        assert streamed.status_code == 200
        assert parse_sse(streamed.text) == [
            ("token", {"text": "The "}),
            ("restart", {"provider": "local", "reason": "stream_broken:offline"}),
            (
                "error",
                {
                    "type": "https://sift.dev/problems/no-provider",
                    "title": "No answer provider available",
                    "status": 503,
                    "detail": "Every answer provider failed; try again shortly.",
                },
            ),
        ]
        assert await running.usage(user) == (0, 0, 0)
        assert await running.events() == []
        listed = await running.client.get("/api/assistant/conversations", headers=headers)
        assert listed.json()["items"] == []


async def test_an_unexpected_failure_is_a_500_problem_or_an_error_event_after_the_tokens(
    assistant_factory: AssistantFactory,
) -> None:
    async with assistant_factory(providers=[FailsAfterOneToken()]) as running:
        await running.world.document(await running.world.collection(), ENGINE)
        user = uuid.uuid4()
        headers = running.headers(user_id=user)
        plain = await running.ask(headers, QUESTION)
        assert plain.status_code == 500
        assert plain.headers["content-type"] == "application/problem+json"
        assert "bug" not in plain.text
        streamed = await running.ask(headers, QUESTION, stream=True)
        assert streamed.status_code == 200
        assert parse_sse(streamed.text) == [
            ("token", {"text": "The "}),
            (
                "error",
                {
                    "type": "https://sift.dev/problems/500",
                    "title": "Internal server error",
                    "status": 500,
                    "detail": "The answer failed.",
                },
            ),
        ]
        assert await running.usage(user) == (0, 0, 0)
        assert await running.events() == []
