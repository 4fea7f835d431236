"""Embedding backends compared on real SciFact chunks: speed, closeness to float32, nDCG@10.

    .venv/bin/python bench/ingest/embedders.py --corpus /work/shared/datasets/scifact \\
        [--documents 1000] [--rounds 3] [--backends torch,torch-int8,onnx,onnx-int8]

One process, the same texts for every backend: the test queries' judged documents plus a
random sample of the others (seed 0) up to `--documents`, each made into chunks by the real
pipeline (Markdown as bench/retrieval uploads it: extract, nlp, chunk; the chunks' headers
included), embedded as the ingest worker does (calls of 4 x the batch size). Rounds are
interleaved (round 1 of every backend, then round 2, ...) so that a shared host's load falls
on all alike; chunks/s is the median of the rounds.

Quality on the same sub-corpus, for each backend: cosine of each chunk vector to float32's,
and nDCG@10 of the 300 test queries, *semantic* (a document scores its best chunk) and
*hybrid* (a plain BM25 over the documents' title + text fused with the semantic ranking by
RRF at the engine's k and depth, semantic-only results under the engine's similarity floor
dropped, as in bench/retrieval/floor.py). A smaller corpus than SciFact's, so the nDCG values
are higher than the engine's on the whole corpus; what is compared is the backends' difference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "retrieval"))

import beir
import numpy as np
from floor import BM25, fuse

from sift.search.config import IngestSettings, SearchSettings
from sift.search.evaluation.metrics import evaluate
from sift.search.ingestion.embedding import SentenceTransformerEmbedder, bundled_model_path
from sift.search.ingestion.extract import Deadline
from sift.search.ingestion.pipeline import StepClock, prepare

BASELINE = "torch"


def chunk_corpus(
    data: beir.Dataset, ids: list[str], embedder: SentenceTransformerEmbedder
) -> tuple[list[str], list[int]]:
    """The embedding inputs of every chunk of the documents `ids`, and each one's document."""
    settings = IngestSettings()
    texts: list[str] = []
    owners: list[int] = []
    for index, doc_id in enumerate(ids):
        title, text = data.corpus[doc_id]
        prepared = prepare(
            beir.document_file(title, text),
            declared_type="text/markdown",
            settings=settings,
            embedder=embedder,
            clock=StepClock(),
            deadline=Deadline(600),
            title=title or None,
        )
        for chunk_text in prepared.embedding_texts():
            texts.append(chunk_text)
            owners.append(index)
    return texts, owners


def embed_timed(
    embedder: SentenceTransformerEmbedder, texts: list[str]
) -> tuple[np.ndarray, float]:
    call = max(1, IngestSettings().embedding_batch_size) * 4  # as pipeline.embed calls it
    started = time.perf_counter()
    vectors: list[list[float]] = []
    for offset in range(0, len(texts), call):
        vectors.extend(embedder.embed(texts[offset : offset + call]))
    return np.asarray(vectors, dtype=np.float32), time.perf_counter() - started


def rankings(
    chunk_vectors: np.ndarray,
    owners: np.ndarray,
    query_vectors: np.ndarray,
    data: beir.Dataset,
    ids: list[str],
    bm25: BM25,
    config: SearchSettings,
) -> dict[str, dict[str, dict[str, float]]]:
    depth = config.candidate_depth
    runs: dict[str, dict[str, list[str]]] = {"semantic": {}, "hybrid": {}}
    for row, (query_id, query) in zip(query_vectors, data.queries.items(), strict=True):
        similarity = chunk_vectors @ row
        best = np.full(len(ids), -1.0, dtype=np.float32)
        np.maximum.at(best, owners, similarity)  # a document scores its best chunk
        semantic = [int(i) for i in np.argsort(-best)[:depth]]
        lexical = bm25.top(query, depth)
        lexical_set = set(lexical)
        hybrid = [
            i
            for i in fuse([lexical, semantic], config.rrf_k)
            if i in lexical_set or best[i] >= config.semantic_floor
        ]
        runs["semantic"][query_id] = [ids[i] for i in semantic]
        runs["hybrid"][query_id] = [ids[i] for i in hybrid]
    return {name: evaluate(run, data.qrels) for name, run in runs.items()}


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="a BEIR dataset directory")
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--backends", default="torch,torch-int8,onnx,onnx-int8")
    parser.add_argument("--threads", type=int, default=0, help="torch/ORT threads; 0: default")
    parser.add_argument("--cache-dir", type=Path, help="ONNX exports (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument(
        "--speed-only",
        action="store_true",
        help="the first --documents documents, speed and cosines only (no nDCG)",
    )
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if BASELINE not in backends:
        backends.insert(0, BASELINE)
    started_load = load_average()
    data = beir.load(args.corpus)
    judged = sorted({doc for judgments in data.qrels.values() for doc in judgments})
    others = sorted(set(data.corpus) - set(judged))
    sample = random.Random(0).sample(others, max(0, min(len(others), args.documents - len(judged))))
    ids = list(data.corpus)[: args.documents] if args.speed_only else judged + sample
    cache_dir = args.cache_dir or Path(tempfile.mkdtemp(prefix="sift-onnx-"))
    embedders = {
        backend: SentenceTransformerEmbedder(
            bundled_model_path(),
            name="all-MiniLM-L6-v2",
            precision="float32",
            threads=args.threads,
            backend=backend,
            cache_dir=cache_dir,
        )
        for backend in backends
    }
    load_seconds: dict[str, float] = {}
    for backend, embedder in list(embedders.items()):
        began = time.perf_counter()
        try:
            embedder.embed(["warm up: the first call builds the kernels"])
        except Exception as exc:  # e.g. onnxruntime or onnx not installed
            if backend == BASELINE:
                raise
            print(f"{backend}: left out ({exc!r})", file=sys.stderr, flush=True)
            del embedders[backend]
            backends.remove(backend)
            continue
        load_seconds[backend] = time.perf_counter() - began
        print(f"{backend}: loaded in {load_seconds[backend]:.1f} s", file=sys.stderr, flush=True)
    texts, owner_list = chunk_corpus(data, ids, embedders[BASELINE])
    owners = np.asarray(owner_list)
    tokens = embedders[BASELINE].count_tokens(texts)
    print(f"{len(ids)} documents, {len(texts)} chunks", file=sys.stderr, flush=True)
    seconds: dict[str, list[float]] = {b: [] for b in backends}
    vectors: dict[str, np.ndarray] = {}
    for round_ in range(args.rounds):
        for backend, embedder in embedders.items():
            got, elapsed = embed_timed(embedder, texts)
            seconds[backend].append(elapsed)
            vectors.setdefault(backend, got)
            print(
                f"round {round_ + 1} {backend}: {len(texts) / elapsed:.1f} chunks/s",
                file=sys.stderr,
                flush=True,
            )
    config = SearchSettings()
    bm25 = BM25(
        [f"{data.corpus[i][0]}\n\n{data.corpus[i][1]}" for i in ids],
        k1=config.bm25_k1,
        b=config.bm25_b,
    )
    queries = list(data.queries.values())
    results = []
    base_rate = len(texts) / statistics.median(seconds[BASELINE])
    for backend, embedder in embedders.items():
        query_vectors, _ = embed_timed(embedder, queries)
        cosines = np.sum(vectors[backend] * vectors[BASELINE], axis=1)
        rate = len(texts) / statistics.median(seconds[backend])
        quality = (
            {"semantic": {"ndcg@10": float("nan")}, "hybrid": {"ndcg@10": float("nan")}}
            if args.speed_only
            else rankings(vectors[backend], owners, query_vectors, data, ids, bm25, config)
        )
        results.append(
            {
                "backend": backend,
                "model_name": embedder.name,
                "chunks_per_s": round(rate, 1),
                "rounds_s": [round(s, 1) for s in seconds[backend]],
                "speedup": round(rate / base_rate, 2),
                "load_s": round(load_seconds[backend], 1),
                "cosine_mean": round(float(cosines.mean()), 5),
                "cosine_p1": round(float(np.quantile(cosines, 0.01)), 5),
                "cosine_min": round(float(cosines.min()), 5),
                "semantic_ndcg10": round(quality["semantic"]["ndcg@10"], 4),
                "hybrid_ndcg10": round(quality["hybrid"]["ndcg@10"], 4),
            }
        )
    summary = {
        "documents": len(ids),
        "chunks": len(texts),
        "mean_tokens": round(statistics.mean(tokens), 1),
        "queries": len(queries),
        "rounds": args.rounds,
        "threads": args.threads,
        "load_average_start": started_load,
        "load_average_end": load_average(),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}",
        "results": results,
    }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    print(markdown(summary))


def markdown(summary: dict[str, object]) -> str:
    lines = [
        "| backend (stored model name) | chunks/s (median) | vs torch | cosine to torch: mean /"
        " 1st percentile / min | nDCG@10 semantic | nDCG@10 hybrid |",
        "|---|---|---|---|---|---|",
    ]
    for r in summary["results"]:  # type: ignore[attr-defined]
        lines.append(
            f"| {r['backend']} (`{r['model_name']}`) | {r['chunks_per_s']} | {r['speedup']}x |"
            f" {r['cosine_mean']} / {r['cosine_p1']} / {r['cosine_min']} |"
            f" {r['semantic_ndcg10']} | {r['hybrid_ndcg10']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
