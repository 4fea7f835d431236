"""Calibrates hybrid search's similarity floor offline, on the embeddings alone.

    .venv/bin/python bench/retrieval/floor.py --dataset DIR [--sample N] [--cache FILE]

A result that only the semantic side found is kept in hybrid mode when its cosine
similarity to the query clears `SIFT_SEARCH_SEMANTIC_FLOOR`. The floor is chosen without
judgments: the similarities of the dataset's *train* queries (those without test
judgments) to a random sample of the corpus — almost all unrelated pairs — are counted,
and the floor is the similarity that only 1 % of those pairs reach.

The test queries are used only to report what the floor changes, on a sub-corpus (the
random sample plus the documents judged for the test queries; embedding the whole corpus
takes hours on a busy 2-core machine): nDCG@10 of an offline hybrid ranking (a plain BM25
over title + text, the model's vectors of title + text, reciprocal rank fusion at the
engine's k and depth) with and without the floor, and how many semantic-only results leave
the first ten.

An approximation of the engine (one vector per document, not per chunk; BM25 without
stemming, not PostgreSQL's; a smaller corpus): it measures the floor's effect, not the
engine's nDCG.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import beir

from sift.search.config import IngestSettings, SearchSettings
from sift.search.evaluation.metrics import evaluate
from sift.search.ingestion.embedding import get_embedder

_WORD = re.compile(r"[a-z0-9]+")
FLOOR_QUANTILE = 0.99


def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def all_queries(directory: Path) -> dict[str, str]:
    with (directory / "queries.jsonl").open(encoding="utf-8") as lines:
        return {str(row["_id"]): str(row["text"]) for row in map(json.loads, lines) if row}


def embed(texts: list[str]) -> np.ndarray:
    embedder = get_embedder(IngestSettings())
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding per batch
    vectors: dict[int, list[float]] = {}
    for start in range(0, len(order), 256):
        batch = order[start : start + 256]
        vectors.update(zip(batch, embedder.embed([texts[i] for i in batch]), strict=True))
        print(f"embedded {len(vectors)}/{len(texts)}", file=sys.stderr, flush=True)
    matrix = np.asarray([vectors[i] for i in range(len(texts))], dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


class BM25:
    def __init__(self, documents: list[str], *, k1: float, b: float) -> None:
        stop = _stop_words()
        self.k1, self.b = k1, b
        self.stop = stop
        self.tfs = [
            Counter(w for w in _WORD.findall(d.lower()) if w not in stop) for d in documents
        ]
        self.lengths = np.asarray([sum(tf.values()) for tf in self.tfs], dtype=np.float32)
        self.average = float(self.lengths.mean())
        df: Counter[str] = Counter()
        for tf in self.tfs:
            df.update(tf.keys())
        n = len(documents)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.postings: dict[str, list[tuple[int, int]]] = {}
        for index, tf in enumerate(self.tfs):
            for term, count in tf.items():
                self.postings.setdefault(term, []).append((index, count))

    def top(self, query: str, k: int) -> list[int]:
        scores: dict[int, float] = {}
        for term in {w for w in _WORD.findall(query.lower()) if w not in self.stop}:
            idf = self.idf.get(term)
            if idf is None:
                continue
            for index, tf in self.postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[index] / self.average)
                scores[index] = scores.get(index, 0.0) + idf * tf * (self.k1 + 1) / (tf + norm)
        return sorted(scores, key=lambda i: (-scores[i], i))[:k]


def fuse(lists: list[list[int]], k: int) -> list[int]:
    fused: dict[int, float] = {}
    for ranked in lists:
        for rank, index in enumerate(ranked, start=1):
            fused[index] = fused.get(index, 0.0) + 1 / (k + rank)
    return sorted(fused, key=lambda i: -fused[i])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--sample", type=int, default=500, help="random documents")
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "sift-floor-vectors.npz"
    )
    parser.add_argument(
        "--floor", type=float, help="evaluate this floor (default: the calibrated one)"
    )
    args = parser.parse_args()
    data = beir.load(args.dataset)
    judged = {doc for judgments in data.qrels.values() for doc in judgments}
    sample = random.Random(0).sample(sorted(set(data.corpus) - judged), args.sample)
    ids = sample + sorted(judged)
    texts = [f"{data.corpus[i][0]}\n\n{data.corpus[i][1]}" for i in ids]
    queries = all_queries(args.dataset)
    train = {q: t for q, t in queries.items() if q not in data.qrels}
    test = data.queries
    query_ids = list(train) + list(test)
    if args.cache.exists():
        cached = np.load(args.cache)
        documents, query_vectors = cached["documents"], cached["queries"]
    else:
        documents = embed(texts)
        query_vectors = embed([queries[q] for q in query_ids])
        np.savez(args.cache, documents=documents, queries=query_vectors)
    similarity = query_vectors @ documents.T
    train_sims = similarity[: len(train), : len(sample)]  # train queries x random documents
    calibrated = float(np.quantile(train_sims, FLOOR_QUANTILE))
    floor = calibrated if args.floor is None else args.floor
    nearest = np.sort(train_sims, axis=1)[:, ::-1]
    report: dict[str, object] = {
        "documents": len(ids),
        "random_documents": len(sample),
        "train_queries": len(train),
        "pairs": int(train_sims.size),
        "pair_quantiles": {
            str(q): round(float(np.quantile(train_sims, q)), 4) for q in (0.5, 0.9, 0.99, 0.999)
        },
        "train_nearest_document_median": round(float(np.median(nearest[:, 0])), 4),
        "train_tenth_nearest_median": round(float(np.median(nearest[:, 9])), 4),
        "floor_at_99th_percentile": round(calibrated, 4),
        "floor_evaluated": round(floor, 4),
        "train_pairs_reaching_floor": round(float((train_sims >= floor).mean()), 4),
    }
    config = SearchSettings()
    bm25 = BM25(texts, k1=config.bm25_k1, b=config.bm25_b)
    depth = config.candidate_depth
    runs: dict[str, dict[str, list[str]]] = {"semantic": {}, "hybrid": {}, "hybrid_floor": {}}
    removed_top10 = 0
    relevant_semantic_only_below = 0
    for offset, query_id in enumerate(test):
        row = similarity[len(train) + offset]
        semantic = list(np.argsort(-row)[:depth])
        lexical = bm25.top(test[query_id], depth)
        lexical_set = set(lexical)
        hybrid = fuse([lexical, semantic], config.rrf_k)
        kept = [i for i in hybrid if i in lexical_set or row[i] >= floor]
        removed_top10 += len(set(hybrid[:10]) - set(kept))
        relevant = data.qrels[query_id]
        relevant_semantic_only_below += sum(
            1 for i in hybrid[:10] if ids[i] in relevant and i not in lexical_set and row[i] < floor
        )
        runs["semantic"][query_id] = [ids[i] for i in semantic]
        runs["hybrid"][query_id] = [ids[i] for i in hybrid]
        runs["hybrid_floor"][query_id] = [ids[i] for i in kept]
    report["test_queries"] = len(test)
    report["offline"] = {name: evaluate(run, data.qrels) for name, run in runs.items()}
    report["semantic_only_results_removed_from_top10"] = removed_top10
    report["relevant_results_removed_from_top10"] = relevant_semantic_only_below
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
