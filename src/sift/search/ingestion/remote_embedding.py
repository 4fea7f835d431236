"""Gemini and OpenAI embeddings through their SDKs (google-genai, openai).

Batched per the APIs' limits; the SDKs retry 429 and 5xx with exponential backoff
(`SIFT_INGEST_EMBEDDING_MAX_RETRIES`). Vectors are L2-normalized here: a Matryoshka model
asked for fewer dimensions returns truncated, unnormalized ones.
"""

from __future__ import annotations

import functools
import math
import threading
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx
import structlog

from sift.search.config import IngestSettings
from sift.search.ingestion.embedding import (
    NATIVE_DIMENSIONS,
    REQUEST_LIMITS,
    WINDOWS,
    Embedder,
    EmbeddingConfigurationError,
    EmbeddingRefused,
    EmbeddingUnavailable,
    bundled_model_path,
    remote_model,
)

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

log = structlog.get_logger()

RETRY_STATUSES = [408, 429, 500, 502, 503, 504]


def normalize(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector))
    return [v / norm for v in vector] if norm else [float(v) for v in vector]


class _Tokenizer:
    """all-MiniLM-L6-v2's tokenizer (no model weights): chunk sizes for remote models."""

    def __init__(self) -> None:
        self._tokenizer: PreTrainedTokenizerBase | None = None
        self._lock = threading.Lock()

    def count(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    from transformers import AutoTokenizer

                    # The bundled model's files, never a download: nothing to pin.
                    self._tokenizer = AutoTokenizer.from_pretrained(  # nosec B615
                        str(bundled_model_path()), local_files_only=True
                    )
        encoded = self._tokenizer(
            list(texts), add_special_tokens=False, truncation=False, verbose=False
        )
        return [len(ids) for ids in encoded["input_ids"]]


_tokenizer = _Tokenizer()


class RemoteEmbedder(Embedder):
    provider: str

    def __init__(self, settings: IngestSettings, dimension: int | None) -> None:
        if settings.embedding_api_key is None:
            raise EmbeddingConfigurationError(
                f"SIFT_INGEST_EMBEDDING_PROVIDER={self.provider} needs"
                " SIFT_INGEST_EMBEDDING_API_KEY."
            )
        self.name = remote_model(settings)
        native = NATIVE_DIMENSIONS.get(self.name)
        if dimension is None and native is None:
            raise EmbeddingConfigurationError(
                f"The size of {self.name!r} vectors is unknown: set"
                " SIFT_INGEST_EMBEDDING_DIMENSION."
            )
        self.requested = dimension  # None: the model's own size
        self.dimension = dimension or native or 0
        self.max_tokens = WINDOWS[self.provider]
        self.batch = min(max(1, settings.embedding_batch_size), REQUEST_LIMITS[self.provider])

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return _tokenizer.count(texts)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch):
            batch = list(texts[start : start + self.batch])
            answered = self._guard(functools.partial(self._request, batch))
            if len(answered) != len(batch):
                raise EmbeddingRefused(
                    f"{self.provider} answered {len(answered)} vectors for {len(batch)} texts"
                )
            for vector in answered:
                if len(vector) != self.dimension:
                    raise EmbeddingRefused(
                        f"{self.provider} answered {len(vector)} dimensions, not"
                        f" {self.dimension}"
                    )
                vectors.append(normalize(vector))
        return vectors

    @abstractmethod
    def _request(self, texts: list[str]) -> list[list[float]]:
        """One request to the provider: a vector per text, in order."""

    def _guard(self, call: Callable[[], list[list[float]]]) -> list[list[float]]:
        try:
            return call()
        except httpx.TransportError as exc:
            raise EmbeddingUnavailable(f"{self.provider} could not be reached: {exc}") from exc


class GeminiEmbedder(RemoteEmbedder):
    provider = "gemini"

    def __init__(self, settings: IngestSettings, dimension: int | None) -> None:
        super().__init__(settings, dimension)
        from google import genai
        from google.genai import types

        assert settings.embedding_api_key is not None
        options = types.HttpOptions(
            base_url=settings.embedding_base_url,
            timeout=int(settings.embedding_timeout_seconds * 1000),
            retry_options=types.HttpRetryOptions(
                attempts=settings.embedding_max_retries + 1,
                initial_delay=0.5,
                max_delay=20.0,
                http_status_codes=RETRY_STATUSES,
            ),
        )
        self.client = genai.Client(
            api_key=settings.embedding_api_key.get_secret_value(), http_options=options
        )
        self.config = types.EmbedContentConfig(
            task_type="RETRIEVAL_DOCUMENT", output_dimensionality=self.requested
        )

    def _request(self, texts: list[str]) -> list[list[float]]:
        from google.genai import errors

        try:
            response = self.client.models.embed_content(
                model=self.name, contents=texts, config=self.config  # type: ignore[arg-type]
            )
        except errors.APIError as exc:
            if exc.code in RETRY_STATUSES:
                raise EmbeddingUnavailable(f"gemini: {exc.code} {exc.message}") from exc
            raise EmbeddingRefused(f"gemini refused the request: {exc.code} {exc.message}") from exc
        return [list(e.values or []) for e in response.embeddings or []]


class OpenAIEmbedder(RemoteEmbedder):
    provider = "openai"

    def __init__(self, settings: IngestSettings, dimension: int | None) -> None:
        super().__init__(settings, dimension)
        import openai

        assert settings.embedding_api_key is not None
        self.client = openai.OpenAI(
            api_key=settings.embedding_api_key.get_secret_value(),
            base_url=settings.embedding_base_url,
            max_retries=settings.embedding_max_retries,
            timeout=settings.embedding_timeout_seconds,
        )

    def _request(self, texts: list[str]) -> list[list[float]]:
        import openai

        options: dict[str, Any] = {}
        if self.requested is not None:
            options["dimensions"] = self.requested
        try:
            response = self.client.embeddings.create(
                model=self.name, input=texts, encoding_format="float", **options
            )
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise EmbeddingUnavailable(f"openai could not be reached: {exc}") from exc
        except openai.APIStatusError as exc:
            if exc.status_code in RETRY_STATUSES:
                raise EmbeddingUnavailable(f"openai: {exc.status_code}") from exc
            raise EmbeddingRefused(f"openai refused the request: {exc.status_code}") from exc
        ordered = sorted(response.data, key=lambda item: item.index)
        return [list(item.embedding) for item in ordered]


_embedders: dict[tuple[object, ...], Embedder] = {}
_lock = threading.Lock()


def remote_embedder(settings: IngestSettings, dimension: int | None) -> Embedder:
    """One client per provider, model, endpoint and size in this process."""
    key = (
        settings.embedding_provider,
        remote_model(settings),
        settings.embedding_base_url,
        dimension,
        settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None,
    )
    with _lock:
        if key not in _embedders:
            kind = GeminiEmbedder if settings.embedding_provider == "gemini" else OpenAIEmbedder
            _embedders[key] = kind(settings, dimension)
            log.info(
                "ingest.embedder_ready",
                provider=settings.embedding_provider,
                model=_embedders[key].name,
                dimension=_embedders[key].dimension,
            )
        return _embedders[key]
