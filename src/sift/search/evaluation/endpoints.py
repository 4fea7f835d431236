"""Retrieval evaluation (`/api/search/evaluations`): a golden set in, metrics per mode out."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from sift.core.db import ReadSessionDep, SessionDep
from sift.core.errors import RateLimited
from sift.core.pagination import InvalidCursor
from sift.core.ratelimit import RateLimit, by_principal
from sift.core.text import StorableText
from sift.search.access.exceptions import UnknownCollections
from sift.search.evaluation.auth import EvaluationsManage
from sift.search.evaluation.exceptions import EvaluationNotFound
from sift.search.evaluation.schemas import EvaluationCreate, EvaluationPage, EvaluationRead
from sift.search.evaluation.service import evaluation_service
from sift.search.retrieval.endpoints import RetrievalDep

# A run searches up to cases x modes times inside one request.
EvaluationLimit = Annotated[
    None, Depends(RateLimit("search.evaluation", "30/hour", key=by_principal))
]

router = APIRouter(prefix="/api/search/evaluations", tags=["evaluations"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EvaluationRead,
    responses={**RateLimited.openapi(), **UnknownCollections.openapi()},
)
async def run_evaluation(
    principal: EvaluationsManage,
    _: EvaluationLimit,
    body: EvaluationCreate,
    session: SessionDep,
    retrieval: RetrievalDep,
) -> EvaluationRead:
    """Run a golden set (query → relevant documents) in each mode; nDCG@10, Recall@100, MRR@10."""
    evaluation = await evaluation_service.run(session, retrieval, principal, body)
    return EvaluationRead.model_validate(evaluation)


@router.get("", response_model=EvaluationPage, responses=InvalidCursor.openapi())
async def list_evaluations(
    principal: EvaluationsManage,
    session: ReadSessionDep,
    limit: int = Query(default=20, ge=1, le=100),
    cursor: StorableText | None = Query(default=None, max_length=200),
) -> EvaluationPage:
    """The organization's evaluation runs, newest first."""
    rows, next_cursor = await evaluation_service.page(
        session, principal, limit=limit, cursor=cursor
    )
    return EvaluationPage(
        items=[EvaluationRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


@router.get(
    "/{evaluation_id}", response_model=EvaluationRead, responses=EvaluationNotFound.openapi()
)
async def get_evaluation(
    principal: EvaluationsManage, evaluation_id: uuid.UUID, session: ReadSessionDep
) -> EvaluationRead:
    """One evaluation run of the organization."""
    return EvaluationRead.model_validate(
        await evaluation_service.get(session, principal, evaluation_id)
    )
