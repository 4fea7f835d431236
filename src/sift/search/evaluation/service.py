"""Evaluation runs: a team's golden set through the search engine, as the caller sees it.

Every case runs through the same engine as `POST /api/search` (scope of the caller's
readable collections, rankers, fusion), in-process, once per mode; the ranking is read at
the document level (each document at its best chunk's rank) and scored with the metrics
BEIR uses. Judged documents the caller cannot search (not indexed, another organization,
an unreadable collection) are dropped from the judgments before scoring, exactly like IDs
that do not exist, so a run neither counts nor reveals them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth import Principal
from sift.core.db import ReadSession
from sift.core.pagination import cursor_time, cursor_uuid, decode_cursor, page_of
from sift.search.access.service import access_service
from sift.search.evaluation import metrics
from sift.search.evaluation.exceptions import EvaluationNotFound
from sift.search.evaluation.models import Evaluation
from sift.search.evaluation.repository import evaluation_repository
from sift.search.evaluation.schemas import EvaluationCreate
from sift.search.retrieval.engine import Retrieval
from sift.search.retrieval.ranking import rank
from sift.search.retrieval.repository.chunks import chunk_repository
from sift.search.retrieval.schemas import Mode
from sift.search.retrieval.scope import Scope
from sift.search.retrieval.service import retrieval_service

log = structlog.get_logger()

DEPTH = metrics.RECALL_AT  # documents ranked per query: enough for Recall@100


async def rank_documents(
    session: AsyncSession, retrieval: Retrieval, scope: Scope, query: str, mode: Mode
) -> list[uuid.UUID]:
    """Distinct documents in the engine's order (each at its best chunk), at most DEPTH."""
    ranking = await rank(session, retrieval, scope, query, mode, per_document=1)
    chunk_ids = [chunk_id for chunk_id, _ in ranking.ranked[:DEPTH]]
    document_of = await chunk_repository.documents_of(session, scope, chunk_ids)
    return metrics.distinct(document_of[c] for c in chunk_ids if c in document_of)


class EvaluationService:
    async def run(
        self,
        session: AsyncSession,
        retrieval: Retrieval,
        principal: Principal,
        body: EvaluationCreate,
    ) -> Evaluation:
        await access_service.require_readable_collections(
            session, principal, body.collection_ids, loc=("body", "collection_ids")
        )
        scope = await retrieval_service.scope(
            session, principal, collection_ids=body.collection_ids
        )
        judged = {document_id for case in body.cases for document_id in case.judgments()}
        findable = await evaluation_repository.findable_documents(
            session, principal, sorted(judged), scope.collection_ids
        )
        qrels: dict[int, dict[uuid.UUID, int]] = {}
        ignored = skipped = 0
        for index, case in enumerate(body.cases):
            judgments = case.judgments()
            kept = {doc: grade for doc, grade in judgments.items() if doc in findable}
            ignored += len(judgments) - len(kept)
            if any(grade > 0 for grade in kept.values()):
                qrels[index] = kept
            else:
                skipped += 1
        results: dict[str, dict[str, float]] = {}
        for mode in body.modes:
            runs: dict[int, Sequence[uuid.UUID]] = {}
            latencies: list[float] = []
            for index in qrels:
                started = time.perf_counter()
                runs[index] = await rank_documents(
                    session, retrieval, scope, body.cases[index].query, Mode(mode)
                )
                latencies.append((time.perf_counter() - started) * 1000)
            scores = metrics.evaluate(runs, qrels)
            results[mode] = {
                **{name: round(value, 4) for name, value in scores.items()},
                **{
                    name: round(value, 1)
                    for name, value in metrics.latency_summary(latencies).items()
                },
            }
        evaluation = Evaluation(
            id=uuid.uuid4(),
            org_id=principal.org_id,
            created_by=principal.user_id,
            name=body.name,
            collection_ids=body.collection_ids,
            modes=list(body.modes),
            case_count=len(body.cases),
            metrics=results,
            ignored_judgments=ignored,
            skipped_cases=skipped,
            # The run's own time, not the transaction's: runs list in the order they finished.
            created_at=datetime.now(UTC),
        )
        await evaluation_repository.add(session, evaluation)
        log.info(
            "search.evaluation_run",
            evaluation_id=str(evaluation.id),
            cases=len(body.cases),
            scored=len(qrels),
            modes=list(body.modes),
        )
        return evaluation

    async def get(
        self, session: ReadSession, principal: Principal, evaluation_id: uuid.UUID
    ) -> Evaluation:
        evaluation = await evaluation_repository.get(session, principal.org_id, evaluation_id)
        if evaluation is None:
            raise EvaluationNotFound()
        return evaluation

    async def page(
        self, session: ReadSession, principal: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[Evaluation], str | None]:
        last = decode_cursor(cursor, 2)
        after = (cursor_time(last[0]), cursor_uuid(last[1])) if last else None
        rows = await evaluation_repository.page(
            session, principal.org_id, limit=limit + 1, after=after
        )
        return page_of(rows, limit, lambda row: (row.created_at, row.id))


evaluation_service = EvaluationService()
