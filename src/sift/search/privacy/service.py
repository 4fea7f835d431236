"""What the search service holds about a person: saved searches, their matches, the query
log and the collection grants it mirrors. Chunks and vectors go with their documents
(`document.deleted`, which the documents service publishes for an erasure).

An organization's erasure drops everything of the organization here: its vectors, chunks,
the documents and collections it mirrors, saved searches, the query log and evaluations."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import (
    ErasureRequested,
    ExportRequested,
    OrganizationErasureRequested,
)
from sift.core.privacy import (
    ExportPart,
    answer_erasure,
    answer_export,
    delete_by,
    row_dict,
    run_counted,
)
from sift.search.evaluation.models import Evaluation
from sift.search.events import events
from sift.search.models import (
    Chunk,
    CollectionAccess,
    CollectionGrant,
    CollectionLexeme,
    CollectionTermStats,
    DocumentIndex,
    IndexedDocument,
    OrgIndexVersion,
    OutboxEvent,
    Posting,
    QueryLog,
    SavedSearch,
)
from sift.search.vectors import VectorIndex, default_vector_index

# In this order: chunks before their versions' states; grants before their collections.
_ORGANIZATION_TABLES = (
    SavedSearch,
    QueryLog,
    Evaluation,
    Chunk,
    DocumentIndex,
    Posting,
    CollectionTermStats,
    CollectionLexeme,
    IndexedDocument,
    CollectionAccess,
    OrgIndexVersion,
)

SERVICE = "search"


class SearchPrivacyService:
    async def export(self, session: AsyncSession, request: ExportRequested) -> None:
        user_id = request.user_id
        part = ExportPart(SERVICE)
        saved = await session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.id)
        )
        part.add_json("saved_searches.json", [row_dict(row) for row in saved])
        queries = await session.scalars(
            select(QueryLog).where(QueryLog.user_id == user_id).order_by(QueryLog.created_at)
        )
        part.add_json("query_history.json", [row_dict(row) for row in queries])
        await answer_export(session, events, request, part)

    async def erase(self, session: AsyncSession, request: ErasureRequested) -> None:
        user_id = request.user_id
        erased = await delete_by(session, (SavedSearch, QueryLog, CollectionGrant), user_id=user_id)
        await answer_erasure(
            session,
            events,
            request,
            service=SERVICE,
            erased=erased,
            anonymized=0,
            outbox=OutboxEvent,
        )

    async def erase_organization(
        self,
        session: AsyncSession,
        request: OrganizationErasureRequested,
        *,
        vectors: VectorIndex | None = None,
    ) -> None:
        """Everything of the organization (an unreachable vector index raises: redelivered)."""
        org_id = request.org_id
        await (vectors or default_vector_index()).delete_organization(org_id)
        collections = select(CollectionAccess.collection_id).where(
            CollectionAccess.org_id == org_id
        )
        erased = await run_counted(
            session, [delete(CollectionGrant).where(CollectionGrant.collection_id.in_(collections))]
        )
        erased += await delete_by(session, _ORGANIZATION_TABLES, org_id=org_id)
        await answer_erasure(
            session,
            events,
            request,
            service=SERVICE,
            erased=erased,
            anonymized=0,
            outbox=OutboxEvent,
        )


search_privacy_service = SearchPrivacyService()
