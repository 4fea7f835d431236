"""The local sentence-transformers model on ONNX Runtime (`SIFT_INGEST_EMBEDDING_BACKEND=onnx`).

No ONNX file ships with the model, and nothing may be downloaded: on first use the local
model is exported (torch's exporter: the transformer, mean pooling and normalization in one
graph) into the cache directory, and for `onnx-int8` quantized there (ONNX Runtime's
dynamic quantization: int8 weights, activations per batch). Later processes load the file.
Each file is written under a temporary name and renamed, so workers that start together
never read half a file. Export is checked against torch on sample sentences before use.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    import numpy as np

log = structlog.get_logger()

INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Sentences of different lengths, so the exported graph is checked with padding in it.
CHECK_TEXTS = (
    "Harbor cranes were bought in spring.",
    "The committee reviewed the budget of the port authority and approved two new cranes"
    " for the container terminal, to be delivered before the end of the year.",
)
MIN_EXPORT_COSINE = 0.999  # float32 export vs torch; int8 is measured in bench/ingest


class OnnxExportError(RuntimeError):
    """The exported graph does not compute what the torch model does."""


class OnnxModel:
    """Tokenizer + ONNX Runtime session: texts in, normalized sentence vectors out."""

    def __init__(self, session: Any, tokenizer: Any, max_tokens: int) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.inputs = [i.name for i in session.get_inputs()]

    @classmethod
    def load(
        cls, path: Path, cache_dir: Path, *, quantized: bool, threads: int, max_tokens: int
    ) -> OnnxModel:
        import onnxruntime
        from transformers import AutoTokenizer

        # A directory on disk, never the Hub (local_files_only).
        tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)  # nosec B615
        target = exported(path, cache_dir, max_tokens=max_tokens, tokenizer=tokenizer)
        if quantized:
            target = quantized_copy(target)
        options = onnxruntime.SessionOptions()
        # As torch: one thread per CPU this process may use (ONNX Runtime would guess cores).
        options.intra_op_num_threads = threads or len(os.sched_getaffinity(0))
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(
            str(target), options, providers=["CPUExecutionProvider"]
        )
        return cls(session, tokenizer, max_tokens)

    def encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        """One normalized float32 vector per text, in order; texts of similar length are
        batched together (as sentence-transformers does), so little padding is computed."""
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        parts: list[np.ndarray] = []
        for start in range(0, len(order), max(1, batch_size)):
            batch = [texts[i] for i in order[start : start + max(1, batch_size)]]
            parts.append(self._run(batch))
        vectors = np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)
        result = np.empty_like(vectors)
        result[np.asarray(order)] = vectors
        norms = np.linalg.norm(result, axis=1, keepdims=True)
        normalized: np.ndarray = result / np.maximum(norms, 1e-12)
        return normalized

    def _run(self, batch: list[str]) -> np.ndarray:
        import numpy as np

        encoded = self.tokenizer(
            [text.strip() for text in batch],  # as sentence-transformers tokenizes
            padding=True,
            truncation=True,
            max_length=self.max_tokens,
            return_tensors="np",
        )
        feed = {name: np.asarray(encoded[name], dtype=np.int64) for name in self.inputs}
        [vectors] = self.session.run(["embedding"], feed)
        return np.asarray(vectors, dtype=np.float32)


def _fingerprint(path: Path) -> str:
    """Names the export after the model's files, so a changed model is exported anew."""
    digest = hashlib.sha256()
    for file in sorted(path.glob("*.json")) + sorted(path.glob("*.safetensors")):
        stat = file.stat()
        digest.update(f"{file.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def exported(path: Path, cache_dir: Path, *, max_tokens: int, tokenizer: Any) -> Path:
    """The float32 ONNX file of the model in `path`, exported into `cache_dir` if missing."""
    target = cache_dir / f"{path.name}-{_fingerprint(path)}" / "model.onnx"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".model.{os.getpid()}.onnx")
    try:
        expected = _export(path, temporary, tokenizer, max_tokens)
        _check(temporary, tokenizer, max_tokens, expected)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    log.info("ingest.onnx_exported", path=str(target))
    return target


def quantized_copy(source: Path) -> Path:
    """`source` with int8 weights (ONNX Runtime dynamic quantization), made if missing."""
    target = source.with_name("model-int8.onnx")
    if target.exists():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    temporary = target.with_name(f".model-int8.{os.getpid()}.onnx")
    try:
        quantize_dynamic(str(source), str(temporary), weight_type=QuantType.QInt8)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    log.info("ingest.onnx_quantized", path=str(target))
    return target


def _export(path: Path, target: Path, tokenizer: Any, max_tokens: int) -> np.ndarray:
    """Writes the graph to `target`; returns torch's vectors of CHECK_TEXTS."""
    import warnings

    import torch
    from transformers import AutoModel

    # Eager attention: the traced graph then holds plain matrix products and the padding
    # mask as an input-dependent tensor (nothing decided from the example's values).
    model = AutoModel.from_pretrained(  # nosec B615 - a directory on disk, never the Hub
        str(path), local_files_only=True, attn_implementation="eager"
    ).eval()
    pooled = _mean_pooled(model).eval()
    example = tokenizer(
        list(CHECK_TEXTS),
        padding=True,
        truncation=True,
        max_length=max_tokens,
        return_tensors="pt",
    )
    args = tuple(example[name] for name in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS}
    with torch.inference_mode():
        expected: np.ndarray = pooled(*args).numpy()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(
            pooled,
            args,
            str(target),
            input_names=list(INPUTS),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    return expected


def _check(target: Path, tokenizer: Any, max_tokens: int, expected: np.ndarray) -> None:
    import numpy as np
    import onnxruntime

    session = onnxruntime.InferenceSession(str(target), providers=["CPUExecutionProvider"])
    got = OnnxModel(session, tokenizer, max_tokens).encode(list(CHECK_TEXTS), len(CHECK_TEXTS))
    cosine = float(np.min(np.sum(got * expected, axis=1)))
    if cosine < MIN_EXPORT_COSINE:
        raise OnnxExportError(f"the exported model's vectors differ from torch's (cos {cosine})")


def _mean_pooled(model: Any) -> Any:
    """The transformer, the model's mean pooling over real tokens, and L2 normalization."""
    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(dim=1)
            counts = mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(summed / counts, dim=-1)

    return MeanPooled()
