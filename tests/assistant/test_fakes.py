"""The fake provider servers speak the wire formats the real SDKs expect (embeddings here;
chat and streaming are exercised through the providers in test_providers.py)."""

from __future__ import annotations

import math

import pytest
from google import genai
from google.genai import errors, types
from openai import AsyncOpenAI, AuthenticationError

from tests.fakes.gemini import fake_gemini
from tests.fakes.llm import embed, grounded_answer
from tests.fakes.openai import fake_openai


def _cosine(left: list[float], right: list[float]) -> float:
    return sum(a * b for a, b in zip(left, right, strict=True))


def test_embeddings_are_deterministic_unit_vectors_that_reflect_shared_words() -> None:
    first, again = embed("Solar panels convert light", 64), embed("Solar panels convert light", 64)
    assert first == again
    assert math.isclose(sum(v * v for v in first), 1.0, rel_tol=1e-9)
    related = embed("solar panels in winter", 64)
    unrelated = embed("tax law of medieval towns", 64)
    assert _cosine(first, related) > _cosine(first, unrelated)


def test_the_default_answer_cites_the_passages_of_the_prompt() -> None:
    prompt = (
        '<passage n="1">Water boils at 100 C. More text.</passage><passage n="2">Ice.</passage>'
    )
    assert grounded_answer(prompt) == "Water boils at 100 C [1]. Ice [2]."
    assert "do not answer" in grounded_answer("no passages here")


async def test_gemini_embeddings_through_the_sdk_honour_output_dimensionality() -> None:
    with fake_gemini() as server:
        client = genai.Client(
            api_key=server.api_key, http_options=types.HttpOptions(base_url=server.url)
        )
        answer = await client.aio.models.embed_content(
            model="gemini-embedding-001",
            contents=["first text", "second text"],
            config=types.EmbedContentConfig(output_dimensionality=16),
        )
        assert answer.embeddings is not None
        assert [len(e.values or []) for e in answer.embeddings] == [16, 16]
        assert answer.embeddings[0].values == pytest.approx(embed("first text", 16))
        default = await client.aio.models.embed_content(model="gemini-embedding-001", contents="x")
        assert default.embeddings is not None and len(default.embeddings[0].values or []) == 3072


async def test_gemini_refuses_a_wrong_key() -> None:
    with fake_gemini() as server:
        client = genai.Client(api_key="wrong", http_options=types.HttpOptions(base_url=server.url))
        with pytest.raises(errors.ClientError) as raised:
            await client.aio.models.generate_content(model="gemini-2.5-flash", contents="hi")
        assert raised.value.code == 400


async def test_openai_embeddings_through_the_sdk_in_base64_and_float() -> None:
    with fake_openai() as server:
        client = AsyncOpenAI(api_key=server.api_key, base_url=server.base_url, max_retries=0)
        packed = await client.embeddings.create(
            model="text-embedding-3-small", input=["alpha beta", "gamma"], dimensions=12
        )
        assert server.requests[-1].body["encoding_format"] == "base64"  # the SDK's default
        assert [len(item.embedding) for item in packed.data] == [12, 12]
        assert packed.data[0].embedding == pytest.approx(embed("alpha beta", 12), abs=1e-6)
        plain = await client.embeddings.create(
            model="text-embedding-3-large", input="alpha beta", encoding_format="float"
        )
        assert len(plain.data[0].embedding) == 3072
        assert plain.usage.prompt_tokens == 2


async def test_openai_refuses_a_wrong_key() -> None:
    with fake_openai() as server:
        client = AsyncOpenAI(api_key="sk-wrong", base_url=server.base_url, max_retries=0)
        with pytest.raises(AuthenticationError):
            await client.embeddings.create(model="text-embedding-3-small", input="x")
