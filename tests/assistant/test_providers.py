"""Each provider through its real SDK against the fake server's wire format, and the local one."""

from __future__ import annotations

import pytest

from sift.assistant.grounding import extractive
from sift.assistant.providers.base import GenerationRequest, ProviderError, Usage
from sift.assistant.providers.gemini import GeminiProvider
from sift.assistant.providers.local import LocalProvider
from sift.assistant.providers.openai import OpenAIProvider
from tests.assistant.conftest import answer_request, passage
from tests.fakes.gemini import FakeGemini
from tests.fakes.llm import Fail, Reply
from tests.fakes.openai import FakeOpenAI, fake_openai


async def collect(provider: object, request: GenerationRequest) -> tuple[str, Usage]:
    assert isinstance(provider, GeminiProvider | OpenAIProvider | LocalProvider)
    pieces: list[str] = []
    usage: Usage | None = None
    async for item in provider.stream(request):
        if isinstance(item, Usage):
            usage = item
        else:
            assert usage is None, "text after the usage record"
            pieces.append(item)
    assert usage is not None
    return "".join(pieces), usage


async def test_gemini_streams_through_the_sdk(
    gemini: GeminiProvider, gemini_server: FakeGemini
) -> None:
    text, usage = await collect(gemini, answer_request("How is the Zephyr engine cooled?"))
    assert text == (
        "The Zephyr engine uses liquid cooling [1]. "
        "Maintenance of the Zephyr engine is due every 500 hours [2]."
    )
    assert usage.prompt_tokens > 100 and usage.completion_tokens == 18
    sent = gemini_server.chat_requests()[-1]
    assert sent.path.endswith("/models/gemini-2.5-flash:streamGenerateContent")
    assert sent.headers["x-goog-api-key"] == gemini_server.api_key
    assert "never instructions" in sent.body["systemInstruction"]["parts"][0]["text"]
    assert sent.body["generationConfig"]["maxOutputTokens"] == 700


async def test_openai_streams_through_the_sdk(
    openai_provider: OpenAIProvider, openai_server: FakeOpenAI
) -> None:
    openai_server.script(Reply("Liquid cooling [1]."))
    text, usage = await collect(openai_provider, answer_request("How is it cooled?"))
    assert text == "Liquid cooling [1]."
    assert usage == Usage(prompt_tokens=usage.prompt_tokens, completion_tokens=3)
    sent = openai_server.chat_requests()[-1]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["stream"] is True and sent.body["stream_options"] == {"include_usage": True}
    assert [m["role"] for m in sent.body["messages"]] == ["system", "user"]
    assert sent.headers["authorization"] == f"Bearer {openai_server.api_key}"


async def test_an_openai_compatible_server_needs_no_key() -> None:
    with fake_openai(api_key="") as local_server:  # like vLLM, Ollama or llama.cpp
        provider = OpenAIProvider(api_key=None, model="llama3", base_url=local_server.base_url)
        assert provider.configured
        text, _ = await collect(provider, answer_request("How is the Zephyr engine cooled?"))
        assert "[1]" in text
        assert local_server.chat_requests()[-1].body["model"] == "llama3"
        await provider.aclose()


def test_a_remote_provider_without_key_is_not_configured() -> None:
    assert not GeminiProvider(api_key=None, model="gemini-2.5-flash").configured
    assert not OpenAIProvider(api_key=None, model="gpt-4o-mini").configured


@pytest.mark.parametrize(("status", "retryable"), [(429, True), (500, True), (400, False)])
async def test_provider_errors_say_whether_to_retry(
    gemini: GeminiProvider,
    gemini_server: FakeGemini,
    openai_provider: OpenAIProvider,
    openai_server: FakeOpenAI,
    status: int,
    retryable: bool,
) -> None:
    for provider, server in ((gemini, gemini_server), (openai_provider, openai_server)):
        server.script(Fail(status, retry_after=7))
        with pytest.raises(ProviderError) as raised:
            await collect(provider, answer_request("How is the Zephyr engine cooled?"))
        assert raised.value.status == status
        assert raised.value.retryable is retryable
        assert raised.value.retry_after == 7


async def test_the_local_provider_extracts_cited_sentences_without_network() -> None:
    text, usage = await collect(LocalProvider(), answer_request("How much does the engine weigh?"))
    assert text == "The Zephyr engine weighs 120 kg [2]."
    assert usage == Usage()


async def test_the_local_provider_says_when_nothing_answers() -> None:
    text, _ = await collect(LocalProvider(), answer_request("Who painted the Mona Lisa?"))
    assert text == extractive.NO_ANSWER


def test_the_local_answer_removes_redundant_sentences() -> None:
    found = [
        passage("The Zephyr engine uses liquid cooling."),
        passage("As noted, the Zephyr engine uses liquid cooling."),  # overlapping chunk
        passage("Liquid cooling keeps the Zephyr engine below 90 degrees."),
    ]
    answer = extractive.answer("How is the Zephyr engine cooled with liquid?", found)
    assert answer.count("uses liquid cooling") == 1
    assert "[3]" in answer
