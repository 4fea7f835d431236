"""Gemini and OpenAI embeddings through their real SDKs, against the fake servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from sift.core.config import CoreSettings
from sift.core.tasks import configure_celery
from sift.search.config import IngestSettings, SearchSettings
from sift.search.ingestion.embedding import (
    EmbeddingConfigurationError,
    EmbeddingRefused,
    EmbeddingUnavailable,
    get_embedder,
)
from sift.search.ingestion.remote_embedding import normalize
from sift.search.models import DocumentIndex
from tests.fakes.gemini import FakeGemini, fake_gemini
from tests.fakes.llm import embed
from tests.fakes.openai import FakeOpenAI, fake_openai
from tests.search.conftest import Ingest

PGVECTOR = SearchSettings()
PINECONE = SearchSettings(vector_backend="pinecone")
TEXTS = [f"Passage {n} about harbor cranes and tides." for n in range(5)]


@pytest.fixture(scope="module")
def openai_server() -> Iterator[FakeOpenAI]:
    with fake_openai() as server:
        yield server


@pytest.fixture(scope="module")
def gemini_server() -> Iterator[FakeGemini]:
    with fake_gemini() as server:
        yield server


def remote(provider: str, api_key: str, base_url: str, **overrides: object) -> IngestSettings:
    values: dict[str, object] = {
        "embedding_provider": provider,
        "embedding_api_key": SecretStr(api_key),
        "embedding_base_url": base_url,
        "embedding_max_retries": 2,
        **overrides,
    }
    return IngestSettings(**values)  # type: ignore[arg-type]


def test_openai_embeds_in_batches_with_384_dimensions_for_pgvector(
    openai_server: FakeOpenAI,
) -> None:
    openai_server.requests.clear()
    embedder = get_embedder(
        remote("openai", openai_server.api_key, openai_server.base_url, embedding_batch_size=2),
        PGVECTOR,
    )
    assert (embedder.name, embedder.dimension) == ("text-embedding-3-small", 384)
    vectors = embedder.embed(TEXTS)
    assert vectors == [pytest.approx(normalize(embed(t, 384)), abs=1e-6) for t in TEXTS]
    calls = [r for r in openai_server.requests if r.path == "/v1/embeddings"]
    assert [len(r.body["input"]) for r in calls] == [2, 2, 1]
    assert {r.body["dimensions"] for r in calls} == {384}
    assert {r.body["model"] for r in calls} == {"text-embedding-3-small"}
    assert {r.headers["authorization"] for r in calls} == {f"Bearer {openai_server.api_key}"}
    assert embedder.count_tokens(["harbor cranes"]) == [2]  # the local WordPiece tokenizer


def test_gemini_embeds_in_batches_for_retrieval_documents(gemini_server: FakeGemini) -> None:
    gemini_server.requests.clear()
    embedder = get_embedder(
        remote("gemini", gemini_server.api_key, gemini_server.url, embedding_batch_size=3),
        PGVECTOR,
    )
    assert (embedder.name, embedder.dimension) == ("gemini-embedding-001", 384)
    vectors = embedder.embed(TEXTS)
    assert vectors == [pytest.approx(normalize(embed(t, 384)), abs=1e-6) for t in TEXTS]
    calls = [r for r in gemini_server.requests if "embed" in r.path.lower()]
    assert all(r.path.endswith("/models/gemini-embedding-001:batchEmbedContents") for r in calls)
    assert [len(r.body["requests"]) for r in calls] == [3, 2]
    first = calls[0].body["requests"][0]
    assert first["outputDimensionality"] == 384 and first["taskType"] == "RETRIEVAL_DOCUMENT"
    assert {r.headers["x-goog-api-key"] for r in calls} == {gemini_server.api_key}


def test_pinecone_takes_the_model_size_and_pgvector_refuses_another(
    openai_server: FakeOpenAI,
) -> None:
    settings = remote("openai", openai_server.api_key, openai_server.base_url)
    wide = get_embedder(settings, PINECONE)
    assert wide.dimension == 1536 and len(wide.embed(["one text"])[0]) == 1536

    explicit = remote(
        "openai", openai_server.api_key, openai_server.base_url, embedding_dimension=1536
    )
    with pytest.raises(EmbeddingConfigurationError, match="pgvector backend stores 384"):
        get_embedder(explicit, PGVECTOR)
    with pytest.raises(EmbeddingConfigurationError, match="EMBEDDING_API_KEY"):
        get_embedder(IngestSettings(embedding_provider="gemini"), PGVECTOR)
    unknown = remote("openai", "k", openai_server.base_url, embedding_model_name="house-model")
    with pytest.raises(EmbeddingConfigurationError, match="EMBEDDING_DIMENSION"):
        get_embedder(unknown, PINECONE)


def test_a_wrong_key_is_refused_for_good(
    openai_server: FakeOpenAI, gemini_server: FakeGemini
) -> None:
    bad_openai = get_embedder(remote("openai", "sk-wrong", openai_server.base_url), PGVECTOR)
    with pytest.raises(EmbeddingRefused):
        bad_openai.embed(["text"])
    bad_gemini = get_embedder(remote("gemini", "wrong", gemini_server.url), PGVECTOR)
    with pytest.raises(EmbeddingRefused):
        bad_gemini.embed(["text"])


@dataclass
class Front:
    url: str
    seen: list[int] = field(default_factory=list)  # statuses answered, in order


@contextmanager
def flaky(upstream: str, failures: list[int], body: dict[str, Any]) -> Iterator[Front]:
    """A front for a fake that answers the given statuses first, then forwards requests."""
    remaining = list(failures)
    seen: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if remaining:
                status = remaining.pop(0)
                payload = json.dumps(body).encode()
                headers = {"Content-Type": "application/json", "retry-after-ms": "10"}
            else:
                forwarded = httpx.post(
                    upstream + self.path,
                    content=raw,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                status, payload = forwarded.status_code, forwarded.content
                headers = {"Content-Type": "application/json"}
            seen.append(status)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Front(f"http://127.0.0.1:{server.server_address[1]}", seen)
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("statuses", [[429, 503], [500]])
def test_openai_retries_429_and_5xx(openai_server: FakeOpenAI, statuses: list[int]) -> None:
    error = {"error": {"message": "slow down", "type": "rate_limit_error", "code": None}}
    with flaky(openai_server.url, statuses, error) as front:
        embedder = get_embedder(
            remote("openai", openai_server.api_key, f"{front.url}/v1"), PGVECTOR
        )
        assert len(embedder.embed(["after a hiccup"])) == 1
    assert front.seen == [*statuses, 200]


def test_gemini_retries_then_gives_up_as_unavailable(gemini_server: FakeGemini) -> None:
    error = {"error": {"code": 429, "message": "quota", "status": "RESOURCE_EXHAUSTED"}}
    with flaky(gemini_server.url, [429, 503], error) as front:
        embedder = get_embedder(remote("gemini", gemini_server.api_key, front.url), PGVECTOR)
        assert len(embedder.embed(["after a hiccup"])) == 1
    assert front.seen == [429, 503, 200]

    with flaky(gemini_server.url, [503, 503, 503], error) as front:
        embedder = get_embedder(remote("gemini", gemini_server.api_key, front.url), PGVECTOR)
        with pytest.raises(EmbeddingUnavailable):
            embedder.embed(["never answered"])
    assert front.seen == [503, 503, 503]  # one attempt and two retries


async def test_ingestion_indexes_with_a_remote_model(
    ingest: Ingest, openai_server: FakeOpenAI
) -> None:
    settings = remote("openai", openai_server.api_key, openai_server.base_url)
    announced = await ingest.announce(b"Tides and harbor cranes. " * 40, content_type="text/plain")
    assert await ingest.run(announced.version_id, settings) == "indexed"
    [indexed] = await ingest.events("document.indexed")
    assert indexed["data"]["embedding_model"] == "text-embedding-3-small"  # type: ignore[index]


async def test_a_provider_outage_puts_the_batch_mates_back_in_the_queue(
    ingest: Ingest, openai_server: FakeOpenAI, settings: CoreSettings
) -> None:
    configure_celery(settings)  # the batch-mates' new tasks go to the test deployment's queue
    leader, mate = [
        await ingest.announce(f"Tides and harbor cranes, note {n}. ".encode() * 20)
        for n in range(2)
    ]
    error = {"error": {"message": "overloaded", "type": "server_error", "code": None}}
    with flaky(openai_server.url, [503, 503, 503], error) as front:
        down = remote("openai", openai_server.api_key, f"{front.url}/v1")
        with pytest.raises(EmbeddingUnavailable):
            await ingest.run(leader.version_id, down)

    async with ingest.database.sessionmaker() as session:
        own = await session.get(DocumentIndex, leader.version_id)
        other = await session.get(DocumentIndex, mate.version_id)
    assert own is not None and other is not None
    # The leader is retried by Celery; the outage is remembered for when it gives up.
    assert (own.status, own.attempts, own.error_code) == ("processing", 1, "embedding_failed")
    # The mate's attempt did not happen: it waits in the queue for a task of its own.
    assert (other.status, other.attempts, other.claimed_by) == ("queued", 0, None)
    assert await ingest.run(mate.version_id) == "indexed"
