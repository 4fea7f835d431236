"""The query engine: scope → ranking (`ranking.py`: BM25 and vectors, fusion, grouping) → page.

Results are cached in Redis under a key made of the caller's readable collections, the
organization's index version (moved on by every indexed, deleted or moved document and
every grant or visibility change), the query, its filters, mode and page, and the query
embedding model: any change to what the caller may see lands on a new key.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth import Principal
from sift.core.db import ReadSession
from sift.search.access.repository import collection_access_repository
from sift.search.querylog import log_query
from sift.search.retrieval import highlight
from sift.search.retrieval.cursor import search_digest
from sift.search.retrieval.engine import Retrieval
from sift.search.retrieval.exceptions import DocumentNotFound
from sift.search.retrieval.fusion import Candidate
from sift.search.retrieval.query import tsquery_literal
from sift.search.retrieval.ranking import rank
from sift.search.retrieval.repository.chunks import ChunkRow, chunk_repository
from sift.search.retrieval.schemas import (
    DocumentPassages,
    GroupBy,
    Passage,
    PassageHit,
    RetrieveRequest,
    SearchHit,
    SearchRequest,
    SearchResponse,
)
from sift.search.retrieval.scope import Scope

log = structlog.get_logger()


class RetrievalService:
    async def scope(
        self,
        session: AsyncSession,
        principal: Principal,
        *,
        collection_ids: Sequence[uuid.UUID] | None = None,
        document_ids: Sequence[uuid.UUID] | None = None,
        tags: Sequence[str] | None = None,
        mime_types: Sequence[str] | None = None,
        created_after: datetime | None = None,
        created_before: datetime | None = None,
    ) -> Scope:
        """The caller's readable collections, narrowed by the request's. A collection asked for
        but not readable simply contributes nothing (whether it exists is not revealed)."""
        readable, version = await collection_access_repository.readable_with_index_version(
            session, principal
        )
        if collection_ids is not None:
            readable &= set(collection_ids)
        return Scope(
            org_id=principal.org_id,
            collection_ids=tuple(sorted(readable)),
            document_ids=None if document_ids is None else tuple(sorted(set(document_ids))),
            tags=tuple(tags) if tags else None,
            mime_types=tuple(mime_types) if mime_types else None,
            created_after=created_after,
            created_before=created_before,
            index_version=version,
        )

    async def search(
        self,
        session: AsyncSession,
        retrieval: Retrieval,
        principal: Principal,
        request: SearchRequest,
    ) -> SearchResponse:
        started = time.perf_counter()
        filters = [
            (
                sorted(str(c) for c in request.collection_ids)
                if request.collection_ids is not None
                else None
            ),
            request.tags,
            request.mime_types,
            request.created_after.isoformat() if request.created_after else None,
            request.created_before.isoformat() if request.created_before else None,
        ]
        # Pages of passages and pages of documents are different lists: a cursor is for one.
        grouping = [request.group_by.value] if request.group_by else []
        digest = search_digest(
            [" ".join(request.query.split()), request.mode.value, filters, *grouping]
        )
        offset = retrieval.cursors.decode(request.cursor, digest)
        scope = await self.scope(
            session,
            principal,
            collection_ids=request.collection_ids,
            tags=request.tags,
            mime_types=request.mime_types,
            created_after=request.created_after,
            created_before=request.created_before,
        )
        # With the query model: replicas on either side of a model change share no results.
        model = retrieval.embedder.name
        page_digest = search_digest(
            [digest, scope.fingerprint(), scope.index_version, offset, request.limit, model]
        )
        key = f"{principal.org_id}:{page_digest}"
        if retrieval.config.result_cache_seconds:
            response = await retrieval.results.get_or_load(
                key,
                lambda: self._search(session, retrieval, scope, request, offset, digest),
                ttl=retrieval.config.result_cache_seconds,
                model=SearchResponse,
            )
        else:
            response = await self._search(session, retrieval, scope, request, offset, digest)
        took_ms = round((time.perf_counter() - started) * 1000)
        query_id = await log_query(
            session,
            principal,
            query=request.query,
            mode=request.mode.value,
            result_count=len(response.items),
            took_ms=took_ms,
        )
        return response.model_copy(update={"took_ms": took_ms, "query_id": query_id})

    async def _search(
        self,
        session: AsyncSession,
        retrieval: Retrieval,
        scope: Scope,
        request: SearchRequest,
        offset: int,
        digest: str,
    ) -> SearchResponse:
        config = retrieval.config
        grouped = request.group_by is GroupBy.document
        ranking = await rank(
            session,
            retrieval,
            scope,
            request.query,
            request.mode,
            per_document=(
                config.grouped_passages_per_document if grouped else config.max_chunks_per_document
            ),
        )
        if grouped:
            # One entry per document, in the order of its best passage.
            documents: dict[uuid.UUID, list[Candidate]] = {}
            for chunk_id, score in ranking.ranked:
                documents.setdefault(ranking.document_of[chunk_id], []).append((chunk_id, score))
            entries = list(documents.values())
        else:
            entries = [[candidate] for candidate in ranking.ranked]
        page = entries[offset : offset + request.limit]
        explicit = ranking.query.explicit
        rows = await chunk_repository.rows(
            session,
            scope,
            [chunk_id for entry in page for chunk_id, _ in entry],
            headline_query=None if explicit else tsquery_literal(ranking.terms.lexemes),
            explicit_query=ranking.query.text if explicit else None,
            headline_options=highlight.headline_options(
                max_words=config.snippet_max_words,
                min_words=config.snippet_min_words,
                max_fragments=config.snippet_max_fragments,
            ),
        )

        def hit(chunk_id: uuid.UUID, score: float) -> SearchHit:
            return SearchHit.from_row(
                rows[chunk_id],
                score=score,
                snippet=_snippet(rows[chunk_id], max_words=config.snippet_max_words),
                match=ranking.match(chunk_id, floor=config.semantic_floor),
            )

        items: list[SearchHit] = []
        for entry in page:
            hits = [hit(chunk_id, score) for chunk_id, score in entry if chunk_id in rows]
            if hits and grouped:
                passages = [PassageHit.model_validate(h, from_attributes=True) for h in hits]
                items.append(hits[0].model_copy(update={"passages": passages}))
            elif hits:
                items.append(hits[0])
        end = offset + request.limit
        next_cursor = retrieval.cursors.encode(end, digest) if len(entries) > end else None
        return SearchResponse(items=items, next_cursor=next_cursor, took_ms=0)

    async def retrieve(
        self,
        session: ReadSession,
        retrieval: Retrieval,
        principal: Principal,
        request: RetrieveRequest,
    ) -> list[Passage]:
        scope = await self.scope(
            session,
            principal,
            collection_ids=request.collection_ids,
            document_ids=request.document_ids,
        )
        # Asked about given documents: their passages are the point, not variety.
        per_document = (
            request.limit
            if request.document_ids
            else retrieval.config.retrieve_max_chunks_per_document
        )
        ranking = await rank(
            session, retrieval, scope, request.query, request.mode, per_document=per_document
        )
        page = ranking.ranked[: request.limit]
        rows = await chunk_repository.rows(session, scope, [chunk_id for chunk_id, _ in page])
        return [
            Passage.from_row(rows[chunk_id], score=score)
            for chunk_id, score in page
            if chunk_id in rows
        ]

    async def document_passages(
        self, session: ReadSession, principal: Principal, document_id: uuid.UUID
    ) -> DocumentPassages:
        """Every passage of a readable document's indexed version, in order, not ranked."""
        rows = await chunk_repository.of_document(
            session, await self.scope(session, principal), document_id
        )
        if not rows:
            raise DocumentNotFound()
        return DocumentPassages(
            document_id=document_id,
            document_title=rows[0].document_title,
            passages=[Passage.from_row(row, score=0.0) for row in rows],
        )


def _snippet(row: ChunkRow, *, max_words: int) -> str:
    if row.headline is not None and highlight.START in row.headline:
        return highlight.render(row.headline)
    return highlight.plain_snippet(row.text, max_words=max_words)


retrieval_service = RetrievalService()
