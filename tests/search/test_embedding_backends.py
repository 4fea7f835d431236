"""The local model's other backends: loaded offline (ONNX exported once, into the cache
directory), vectors close to float32's, a collection indexed with ONNX is searchable, and a
change of backend re-embeds instead of mixing vectors."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.tasks import configure_celery
from sift.search.app import create_app
from sift.search.config import IngestSettings, SearchSettings, get_ingest_settings
from sift.search.ingestion.embedding import (
    EmbeddingConfigurationError,
    SentenceTransformerEmbedder,
    bundled_model_path,
    get_embedder,
)
from sift.search.ingestion.tasks import queue_stale_reembeds, run_reembed
from tests.core.auth.conftest import ed25519_key
from tests.search.access_helpers import truncate_access
from tests.search.conftest import Ingest
from tests.search.retrieval_helpers import StaticKeys, World
from tests.search.test_reembed import chunks_of, in_worker, state_of

FAST = "onnx"
# Real sentences, short and long, on unrelated subjects.
SENTENCES = [
    "The cat slept on the warm windowsill all afternoon.",
    "Interest rates rose for the third time this year, and mortgage demand fell.",
    "Mitochondria produce most of the chemical energy that powers a cell.",
    "The harbor authority bought two new cranes for the container terminal.",
    "Please reset your password before the end of the week.",
    "Vitamin D deficiency is associated with a higher risk of fractures in older adults.",
    "The committee postponed its vote on the budget until the auditors' report arrives,"
    " which is expected in early spring after the regional elections.",
    "Heavy rain flooded the valley and closed several roads overnight.",
    "Our quarterly revenue grew by twelve percent, driven by subscriptions in Europe.",
    "Antibiotic resistance spreads when bacteria exchange plasmids carrying resistance"
    " genes, a process accelerated by the overuse of antibiotics in agriculture.",
]
CAT = "The feline rested peacefully on the woven rug by the fireplace."
MARKET = "Stock markets fell sharply today as investors sold technology shares."
RAIN = "Heavy rain caused floods in the valley and closed several roads."
QUERY = "a cat sleeping on a carpet"  # no word in common with CAT


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def local(backend: str, cache_dir: Path) -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(
        bundled_model_path(), name="all-MiniLM-L6-v2", backend=backend, cache_dir=cache_dir
    )


@pytest.fixture(scope="module")
def exact() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder(
        bundled_model_path(), name="all-MiniLM-L6-v2", precision="float32"
    )


def test_onnx_is_exported_offline_once_with_the_vectors_of_float32(
    exact: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    fast = local(FAST, tmp_path)
    assert fast.name == "all-MiniLM-L6-v2+onnx" and exact.name == "all-MiniLM-L6-v2"
    assert (fast.dimension, fast.max_tokens) == (384, 256)
    pairs = list(zip(exact.embed(SENTENCES), fast.embed(SENTENCES), strict=True))
    for a, b in pairs:
        assert abs(cosine(b, b) - 1) < 1e-5  # normalized
        assert cosine(a, b) > 0.999
    assert fast.count_tokens(["harbor cranes"]) == exact.count_tokens(["harbor cranes"])
    [exported] = list(tmp_path.rglob("model.onnx"))
    written = exported.stat().st_mtime_ns
    again = local(FAST, tmp_path)
    assert again.embed(SENTENCES[:1])[0] == pytest.approx(pairs[0][1], abs=1e-5)
    assert exported.stat().st_mtime_ns == written  # loaded, not exported again


def test_int8_backends_are_close_to_float32_but_not_as_close(
    exact: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    """Measured, not recommended: int8 weights cost accuracy (bench/ingest/REPORT.md)."""
    expected = exact.embed(SENTENCES)
    for backend in ("torch-int8", "onnx-int8"):
        quantized = local(backend, tmp_path)
        assert quantized.name == f"all-MiniLM-L6-v2+{backend}" and not quantized.bfloat16
        cosines = [cosine(a, b) for a, b in zip(expected, quantized.embed(SENTENCES), strict=True)]
        assert min(cosines) > 0.9


def test_the_backend_is_part_of_the_stored_model_name(tmp_path: Path) -> None:
    default = get_embedder(IngestSettings())
    fast = get_embedder(IngestSettings(embedding_backend=FAST, embedding_cache_dir=tmp_path))
    assert (default.name, fast.name) == ("all-MiniLM-L6-v2", "all-MiniLM-L6-v2+onnx")
    same = get_embedder(IngestSettings(embedding_backend=FAST, embedding_cache_dir=tmp_path))
    assert fast is same  # one per process
    with pytest.raises(EmbeddingConfigurationError):
        SentenceTransformerEmbedder(bundled_model_path(), name="m", backend="tpu")


@asynccontextmanager
async def search_app(
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    settings: CoreSettings,
    database: Database,
    ingest: Ingest,
) -> AsyncIterator[World]:
    """The real search app with the backend configured as a deployment does (environment):
    its queries are embedded by that backend."""
    monkeypatch.setenv("SIFT_INGEST_EMBEDDING_BACKEND", backend)
    monkeypatch.setenv(
        "SIFT_INGEST_EMBEDDING_CACHE_DIR", str(ingest.ingest_settings.embedding_cache_dir or "")
    )
    get_ingest_settings.cache_clear()
    try:
        app = create_app(settings, config=SearchSettings(search_rate_limit="1000/minute"))
        key = ed25519_key()
        verifier = TokenVerifier(StaticKeys(key), issuer=settings.public_url, config=AuthSettings())
        Authenticator.install(app, Authenticator(verifier))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                yield World(app, client, key, settings, database, ingest)
    finally:
        monkeypatch.delenv("SIFT_INGEST_EMBEDDING_BACKEND")
        monkeypatch.delenv("SIFT_INGEST_EMBEDDING_CACHE_DIR")
        get_ingest_settings.cache_clear()


async def models_of(database: Database, version_id: uuid.UUID) -> set[str]:
    return {c.embedding_model for c in await chunks_of(database, version_id)}


async def test_a_collection_indexed_with_onnx_is_searchable_and_a_backend_change_reembeds(
    monkeypatch: pytest.MonkeyPatch,
    settings: CoreSettings,
    database: Database,
    ingest: Ingest,
    tmp_path: Path,
) -> None:
    await truncate_access(database)
    fast_settings = ingest.ingest_settings.model_copy(
        update={"embedding_backend": FAST, "embedding_cache_dir": tmp_path}
    )
    fast_ingest = dataclasses.replace(ingest, ingest_settings=fast_settings)
    try:
        async with search_app(monkeypatch, FAST, settings, database, fast_ingest) as world:
            collection = await world.collection()
            cat = await world.document(collection, CAT)
            await world.document(collection, MARKET)
            await world.document(collection, RAIN)
            assert await models_of(database, cat.version_id) == {"all-MiniLM-L6-v2+onnx"}
            state = await state_of(database, cat.version_id)
            assert state.embedding_model == "all-MiniLM-L6-v2+onnx"
            headers = world.headers()
            assert (await world.found(headers, QUERY, mode="semantic"))[0] == cat.document_id
            assert (await world.found(headers, QUERY, mode="hybrid"))[0] == cat.document_id
            versions = [doc.version_id for doc in world.docs]

        # Back to plain torch: its query vectors are never compared with the ONNX ones, so
        # semantic search finds nothing until the versions are re-embedded (full text works).
        plain = ingest.ingest_settings.model_copy(update={"reembed_batch_versions": 10})
        configure_celery(settings)
        core = ingest.settings
        async with search_app(monkeypatch, "torch", settings, database, ingest) as world:
            headers = world.headers()
            assert await world.found(headers, QUERY, mode="semantic") == []
            assert await world.found(headers, "feline", mode="fulltext") == [cat.document_id]
            queued = await in_worker(ingest, lambda: queue_stale_reembeds(plain, core=core))
            assert queued == 3
            for version_id in versions:
                status = await in_worker(
                    ingest, lambda v=version_id: run_reembed(v, plain, core=core)  # type: ignore[misc]
                )
                assert status == "reembedded"
            assert await models_of(database, cat.version_id) == {"all-MiniLM-L6-v2"}
            assert (await world.found(headers, QUERY, mode="semantic"))[0] == cat.document_id
            assert await in_worker(ingest, lambda: queue_stale_reembeds(plain, core=core)) == 0
    finally:
        await truncate_access(database)
