"""The index follows its documents: deleted, moved, retagged or retitled (`document.*`
events); the indexing of a version itself is the state machine in `service.py`."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.search.access.repository import index_version_repository
from sift.search.ingestion.chunking import chunk_context
from sift.search.ingestion.repository import ingestion_repository
from sift.search.models import DocumentIndex
from sift.search.vectors import VectorIndex, default_vector_index

log = structlog.get_logger()


class IndexedDocumentService:
    async def delete_document(
        self,
        session: AsyncSession,
        document_id: uuid.UUID,
        *,
        vectors: VectorIndex | None = None,
    ) -> int:
        """Every version's state, chunks and vectors (a vector index that cannot be reached
        raises, so the event is redelivered rather than the vectors forgotten)."""
        orgs = await session.scalars(
            select(DocumentIndex.org_id).where(DocumentIndex.document_id == document_id).distinct()
        )
        for org_id in list(orgs):
            await (vectors or default_vector_index()).delete_document(org_id, document_id)
        versions = await ingestion_repository.delete_document(session, document_id)
        log.info("ingest.document_deleted", document_id=str(document_id), versions=versions)
        return versions

    async def document_updated(
        self,
        session: AsyncSession,
        document_id: uuid.UUID,
        *,
        collection_id: uuid.UUID,
        tags: list[str],
        vectors: VectorIndex | None = None,
    ) -> None:
        """A document moved or was retagged (`document.updated`): an external vector index's
        filter metadata follows (pgvector reads both from the tables at query time)."""
        orgs = await session.scalars(
            select(DocumentIndex.org_id).where(DocumentIndex.document_id == document_id).distinct()
        )
        for org_id in list(orgs):
            await (vectors or default_vector_index()).update_document(
                org_id, document_id, collection_id=collection_id, tags=tags
            )
        await self.refresh_context(session, document_id)

    async def refresh_context(self, session: AsyncSession, document_id: uuid.UUID) -> None:
        """The chunks' headers follow the document's title (the full-text vector and postings
        follow by the triggers); their versions are re-embedded by the scheduled check."""
        title = await ingestion_repository.document_title(session, document_id)
        versions = await ingestion_repository.set_contexts(
            session, document_id, lambda heading: chunk_context(title, heading)
        )
        if not versions:
            return
        await ingestion_repository.mark_for_reembedding(session, versions)
        orgs = await session.scalars(
            select(DocumentIndex.org_id).where(DocumentIndex.version_id.in_(versions)).distinct()
        )
        for org_id in list(orgs):
            await index_version_repository.bump(session, org_id)  # full-text results change
        log.info("ingest.context_refreshed", document_id=str(document_id), versions=len(versions))


indexed_documents = IndexedDocumentService()
