"""Reciprocal rank fusion, and grouping so that one document does not flood a page."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Mapping, Sequence

Candidate = tuple[uuid.UUID, float]  # a chunk and its score: ranked lists are lists of these


def reciprocal_rank_fusion(
    lists: Sequence[tuple[Sequence[Candidate], float]], *, k: int
) -> list[Candidate]:
    """score(chunk) = sum over lists of weight / (k + rank), rank counted from 1.

    Only ranks matter, so BM25 scores and cosine similarities need no calibration. Equal
    scores are common (first in one list vs. first in the other, or swapped ranks): they
    break by the ranks in the lists in the order given (the full-text list first in hybrid
    search, so a tie goes to the result whose words the reader sees highlighted), then by
    chunk ID, so that an order never depends on random IDs while a rank can decide it.
    """
    fused: dict[uuid.UUID, float] = {}
    ranks: dict[uuid.UUID, list[int]] = {}
    unranked = sys.maxsize
    for position, (candidates, weight) in enumerate(lists):
        if weight <= 0:
            continue
        for rank, (chunk_id, _) in enumerate(candidates, start=1):
            fused[chunk_id] = fused.get(chunk_id, 0.0) + weight / (k + rank)
            ranks.setdefault(chunk_id, [unranked] * len(lists))[position] = rank
    return sorted(fused.items(), key=lambda item: (-item[1], ranks[item[0]], item[0]))


def group_by_document(
    ranked: Sequence[Candidate],
    document_of: Mapping[uuid.UUID, uuid.UUID],
    *,
    per_document: int,
) -> list[Candidate]:
    """Keeps at most `per_document` chunks of each document, in rank order.

    A chunk without a document in `document_of` is dropped: it left the index (or the
    scope) between ranking and now.
    """
    seen: dict[uuid.UUID, int] = {}
    kept: list[Candidate] = []
    for chunk_id, score in ranked:
        document_id = document_of.get(chunk_id)
        if document_id is None:
            continue
        count = seen.get(document_id, 0)
        if count < per_document:
            seen[document_id] = count + 1
            kept.append((chunk_id, score))
    return kept
