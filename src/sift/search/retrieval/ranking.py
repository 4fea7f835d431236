"""Ranking a query in a scope: BM25 and nearest-vector candidates, fused (hybrid search)
and grouped so that one document does not flood the list."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from sift.search.language import detect_language, text_search_config
from sift.search.retrieval.engine import Retrieval
from sift.search.retrieval.fusion import Candidate, group_by_document, reciprocal_rank_fusion
from sift.search.retrieval.query import ParsedQuery, parse_query
from sift.search.retrieval.repository.bm25 import QueryTerms, bm25_repository
from sift.search.retrieval.repository.chunks import chunk_repository
from sift.search.retrieval.repository.vectors import vector_repository
from sift.search.retrieval.schemas import Match, Mode
from sift.search.retrieval.scope import Scope
from sift.search.vectors.base import VectorFilters, VectorSearch


@dataclass(frozen=True)
class Ranking:
    ranked: list[Candidate]  # grouped, best first
    query: ParsedQuery
    terms: QueryTerms
    lexical: frozenset[uuid.UUID] = frozenset()  # chunks the full-text side found
    similarity: dict[uuid.UUID, float] = field(default_factory=dict)  # the semantic side's
    document_of: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)

    def match(self, chunk_id: uuid.UUID, *, floor: float) -> Match:
        """ "matching": the query's words are in it, or its meaning is close enough to be
        shown in hybrid search; "related": found by meaning alone, under the floor."""
        if chunk_id in self.lexical or self.similarity.get(chunk_id, -1.0) >= floor:
            return Match.matching
        return Match.related


async def rank(
    session: AsyncSession,
    retrieval: Retrieval,
    scope: Scope,
    text: str,
    mode: Mode,
    *,
    per_document: int,
) -> Ranking:
    config = retrieval.config
    query = parse_query(text)
    depth = config.candidate_depth
    fulltext: list[Candidate] = []
    semantic: list[Candidate] = []
    # The query is embedded (CPU, in a thread) while PostgreSQL ranks by BM25.
    embedding: asyncio.Task[list[float]] | None = None
    if mode in (Mode.semantic, Mode.hybrid) and not scope.empty and query.positive:
        embedding = asyncio.create_task(retrieval.embeddings.embed(query.positive))
    try:
        # The query's own language when the detector is sure of it (a long question);
        # otherwise the scope's main configuration stands for it (bm25_repository).
        language = detect_language(query.positive)
        terms = await bm25_repository.query_terms(
            session,
            scope,
            query.positive,
            query_config=text_search_config(language) if language else None,
        )
        if mode in (Mode.fulltext, Mode.hybrid):
            fulltext = await bm25_repository.candidates(
                session,
                scope,
                query,
                terms,
                k=depth,
                k1=config.bm25_k1,
                b=config.bm25_b,
                postings_per_term=config.bm25_postings_per_term,
            )
        if embedding is not None:
            vector = await embedding
            semantic = await _nearest(session, retrieval, scope, vector, depth)
    finally:
        if embedding is not None and not embedding.done():
            embedding.cancel()
    lexical = frozenset(chunk_id for chunk_id, _ in fulltext)
    similarity = dict(semantic)
    if mode is Mode.hybrid:
        ranked = reciprocal_rank_fusion(
            [(fulltext, config.rrf_weight_fulltext), (semantic, config.rrf_weight_semantic)],
            k=config.rrf_k,
        )
        # The vector side always has nearest neighbours: those it alone found must be
        # near enough, or a small workspace shows every document for any query.
        ranked = [
            (chunk_id, score)
            for chunk_id, score in ranked
            if chunk_id in lexical or similarity[chunk_id] >= config.semantic_floor
        ]
    else:
        ranked = fulltext or semantic
    document_of = await chunk_repository.documents_of(
        session,
        scope,
        [chunk_id for chunk_id, _ in ranked],
        must_match=query.text if query.explicit else None,
    )
    grouped = group_by_document(ranked, document_of, per_document=per_document)
    return Ranking(grouped, query, terms, lexical, similarity, document_of)


async def _nearest(
    session: AsyncSession, retrieval: Retrieval, scope: Scope, vector: list[float], k: int
) -> list[Candidate]:
    model = retrieval.embedder.name
    if not isinstance(retrieval.vectors, VectorSearch):
        return await vector_repository.nearest(
            session, vector, scope, k, model=model, options=retrieval.hnsw
        )
    # Pinecone filters by the readable collections itself; the hits are still hydrated
    # through `chunk_repository.documents_of`, which checks them against the scope in SQL
    # once more.
    hits = await retrieval.vectors.query(
        scope.org_id,
        vector,
        k=k,
        collection_ids=scope.collection_ids,
        filters=VectorFilters(
            document_ids=scope.document_ids or (),
            tags=scope.tags or (),
            mime_types=scope.mime_types or (),
            embedding_model=model,
        ),
    )
    return [(hit.chunk_id, hit.score) for hit in hits]
