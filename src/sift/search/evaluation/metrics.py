"""Retrieval quality metrics, as BEIR computes them (pytrec_eval / trec_eval conventions).

A run is, per query, a ranked list of document IDs (best first); judgments are, per query,
the graded relevance of some documents (0 or less: not relevant). Conventions:

- nDCG@k: linear gain (the grade itself), discount 1/log2(rank + 1); the ideal ranking
  is every judged-relevant document in decreasing grade, cut at k (trec_eval `ndcg_cut`).
- Recall@k: relevant documents among the first k over all relevant documents.
- MRR@k: 1/rank of the first relevant document within the first k, else 0.
- A document counted twice in a run counts once, at its first rank.
- Means are over the queries that have at least one relevant judgment; a query without a
  run scores 0 (it found nothing).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
Q = TypeVar("Q", bound=Hashable)

NDCG_AT = 10
RECALL_AT = 100
MRR_AT = 10


def distinct(ranking: Iterable[K]) -> list[K]:
    """The ranking with repeated IDs dropped (each keeps its first rank)."""
    seen: set[K] = set()
    kept = []
    for item in ranking:
        if item not in seen:
            seen.add(item)
            kept.append(item)
    return kept


def _relevant(judgments: Mapping[K, int]) -> dict[K, int]:
    return {doc: grade for doc, grade in judgments.items() if grade > 0}


def ndcg_at(ranking: Sequence[K], judgments: Mapping[K, int], k: int) -> float:
    relevant = _relevant(judgments)
    if not relevant:
        return 0.0
    gains = [relevant.get(doc, 0) for doc in distinct(ranking)[:k]]
    dcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(gains))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg


def recall_at(ranking: Sequence[K], judgments: Mapping[K, int], k: int) -> float:
    relevant = _relevant(judgments)
    if not relevant:
        return 0.0
    found = sum(1 for doc in distinct(ranking)[:k] if doc in relevant)
    return found / len(relevant)


def mrr_at(ranking: Sequence[K], judgments: Mapping[K, int], k: int) -> float:
    relevant = _relevant(judgments)
    for rank, doc in enumerate(distinct(ranking)[:k], start=1):
        if doc in relevant:
            return 1.0 / rank
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between ranks (numpy's default)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def evaluate(runs: Mapping[Q, Sequence[K]], qrels: Mapping[Q, Mapping[K, int]]) -> dict[str, float]:
    """Mean nDCG@10, Recall@100 and MRR@10 of `runs` over the judged queries of `qrels`."""
    judged = [query for query, judgments in qrels.items() if _relevant(judgments)]
    if not judged:
        return {f"ndcg@{NDCG_AT}": 0.0, f"recall@{RECALL_AT}": 0.0, f"mrr@{MRR_AT}": 0.0}
    ndcg = recall = mrr = 0.0
    for query in judged:
        ranking = runs.get(query, ())
        ndcg += ndcg_at(ranking, qrels[query], NDCG_AT)
        recall += recall_at(ranking, qrels[query], RECALL_AT)
        mrr += mrr_at(ranking, qrels[query], MRR_AT)
    n = len(judged)
    return {
        f"ndcg@{NDCG_AT}": ndcg / n,
        f"recall@{RECALL_AT}": recall / n,
        f"mrr@{MRR_AT}": mrr / n,
    }


def latency_summary(latencies_ms: Sequence[float]) -> dict[str, float]:
    return {
        "p50_ms": percentile(latencies_ms, 50),
        "p95_ms": percentile(latencies_ms, 95),
    }
