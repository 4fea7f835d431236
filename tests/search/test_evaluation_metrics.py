"""Retrieval metrics against values computed by hand (trec_eval / BEIR conventions)."""

from __future__ import annotations

import pytest

from sift.search.evaluation.metrics import (
    distinct,
    evaluate,
    latency_summary,
    mrr_at,
    ndcg_at,
    percentile,
    recall_at,
)

# Ranking a, b, c, d; b is relevant (1), d highly relevant (2), e relevant (1) but not found.
RANKING = ["a", "b", "c", "d"]
GRADED = {"b": 1, "d": 2, "e": 1, "z": 0}


def test_ndcg_uses_linear_gains_and_the_ideal_ranking_of_all_judged_documents() -> None:
    # DCG = 1/log2(3) + 2/log2(5) = 0.6309298 + 0.8613531 = 1.4922829
    # IDCG = 2/log2(2) + 1/log2(3) + 1/log2(4) = 2 + 0.6309298 + 0.5 = 3.1309298
    assert ndcg_at(RANKING, GRADED, 10) == pytest.approx(1.4922829 / 3.1309298, abs=1e-7)
    assert ndcg_at(RANKING, GRADED, 10) == pytest.approx(0.4766258, abs=1e-6)


def test_ndcg_cuts_both_the_run_and_the_ideal_at_k() -> None:
    # @2: DCG = 1/log2(3) = 0.6309298; IDCG = 2 + 0.6309298 = 2.6309298
    assert ndcg_at(RANKING, GRADED, 2) == pytest.approx(0.6309298 / 2.6309298, abs=1e-7)
    assert ndcg_at(["b"], {"b": 1}, 10) == 1.0
    assert ndcg_at(["x", "b"], {"b": 1}, 10) == pytest.approx(0.6309298, abs=1e-7)
    assert ndcg_at(["x", "b"], {"b": 1}, 1) == 0.0


def test_a_perfect_graded_ranking_scores_one_and_a_swapped_one_less() -> None:
    assert ndcg_at(["d", "b", "e"], GRADED, 10) == pytest.approx(1.0)
    # b (1) before d (2): 1 + 2/log2(3) = 2.2618595 over 1 + 1 + ... -> below 1
    swapped = ndcg_at(["b", "d", "e"], GRADED, 10)
    assert swapped == pytest.approx((1 + 2 / 1.5849625 + 0.5) / 3.1309298, abs=1e-6)
    assert swapped < 1.0


def test_recall_counts_relevant_documents_found_within_k() -> None:
    assert recall_at(RANKING, GRADED, 2) == pytest.approx(1 / 3)
    assert recall_at(RANKING, GRADED, 100) == pytest.approx(2 / 3)
    assert recall_at(["x"] * 5, GRADED, 100) == 0.0


def test_mrr_is_the_reciprocal_rank_of_the_first_relevant_document_within_k() -> None:
    assert mrr_at(RANKING, GRADED, 10) == 0.5
    assert mrr_at(RANKING, GRADED, 1) == 0.0
    assert mrr_at(["d"], GRADED, 10) == 1.0
    assert mrr_at([f"x{i}" for i in range(10)] + ["b"], GRADED, 10) == 0.0


def test_a_repeated_document_counts_once_at_its_first_rank() -> None:
    assert distinct(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]
    # Without deduplication b would fill rank 2 and push d out of the top 2.
    assert recall_at(["b", "b", "d"], GRADED, 2) == pytest.approx(2 / 3)
    assert ndcg_at(["b", "b"], {"b": 1}, 10) == 1.0


def test_judgments_of_zero_or_less_are_not_relevant() -> None:
    assert ndcg_at(["z"], {"z": 0, "b": 1}, 10) == 0.0
    assert ndcg_at(["z"], {"z": 0}, 10) == 0.0
    assert recall_at(["z"], {"z": -1}, 10) == 0.0


def test_evaluate_averages_over_judged_queries_and_a_missing_run_scores_zero() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    runs = {"q1": ["a", "x"], "q3": ["c"]}  # q2 found nothing; q3 has no relevant document
    metrics = evaluate(runs, qrels)
    assert metrics == {"ndcg@10": 0.5, "recall@100": 0.5, "mrr@10": 0.5}
    assert evaluate({}, {}) == {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}


def test_percentiles_interpolate_between_ranks() -> None:
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50], 95) == pytest.approx(48.0)
    assert percentile([7], 95) == 7
    assert percentile([], 50) == 0.0
    assert latency_summary([1, 2, 3, 4, 5]) == {"p50_ms": 3, "p95_ms": pytest.approx(4.8)}
