"""SQL of evaluation runs, and which judged documents a caller can find at all."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth import Principal
from sift.core.db import ReadSession
from sift.search.access.repository import collection_access_repository
from sift.search.evaluation.models import Evaluation
from sift.search.models import Chunk


class EvaluationRepository:
    async def add(self, session: AsyncSession, evaluation: Evaluation) -> Evaluation:
        session.add(evaluation)
        await session.flush()
        return evaluation

    async def get(
        self, session: ReadSession, org_id: uuid.UUID, evaluation_id: uuid.UUID
    ) -> Evaluation | None:
        return await session.scalar(
            select(Evaluation).where(Evaluation.id == evaluation_id, Evaluation.org_id == org_id)
        )

    async def page(
        self,
        session: ReadSession,
        org_id: uuid.UUID,
        *,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
    ) -> list[Evaluation]:
        """Newest first; `after` is the (created_at, id) of the last row of the page before."""
        query = select(Evaluation).where(Evaluation.org_id == org_id)
        if after is not None:
            query = query.where(tuple_(Evaluation.created_at, Evaluation.id) < after)
        query = query.order_by(Evaluation.created_at.desc(), Evaluation.id.desc()).limit(limit)
        return list(await session.scalars(query))

    async def findable_documents(
        self,
        session: AsyncSession,
        principal: Principal,
        document_ids: Sequence[uuid.UUID],
        collection_ids: Sequence[uuid.UUID] | None,
    ) -> set[uuid.UUID]:
        """The documents among `document_ids` that have chunks the caller may search.

        The same permission rule as the search itself (readable collections of the caller's
        organization): a judged document the caller cannot read is treated exactly like one
        that does not exist, so the answer tells nothing about it.
        """
        if not document_ids:
            return set()
        query = (
            select(Chunk.document_id)
            .distinct()
            .where(
                Chunk.org_id == principal.org_id,
                Chunk.document_id.in_(document_ids),
                Chunk.collection_id.in_(
                    collection_access_repository.readable(principal).scalar_subquery()
                ),
            )
        )
        if collection_ids is not None:
            query = query.where(Chunk.collection_id.in_(collection_ids))
        return set(await session.scalars(query))


evaluation_repository = EvaluationRepository()
