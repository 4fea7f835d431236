"""BM25 kept over PostgreSQL's full-text structures.

PostgreSQL parses, stems and drops stop words (`to_tsvector` with each chunk's own
configuration); triggers keep a postings table (lexeme, chunk, tf, chunk length) and
per-collection counts. A query scans the postings of its lexemes in the collections it may
read, through one covering index, and scores in SQL:

    idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))
    score  = sum over t of idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))

N, df and avgdl are taken over the searched collections only, so neither another tenant
nor a collection the caller cannot read shows through the statistics.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Float, Integer, Text, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.search.retrieval.query import ParsedQuery
from sift.search.retrieval.scope import Scope

Candidate = tuple[uuid.UUID, float]


@dataclass(frozen=True)
class QueryTerms:
    lexemes: list[str]  # normalized by every configuration present in the scope
    chunk_count: int  # N
    average_length: float  # avgdl, in lexemes


_TERMS = """
WITH stats AS (
    SELECT s.text_search_config AS config, sum(s.chunk_count) AS n, sum(s.total_length) AS len
    FROM search.collection_term_stats s
    WHERE s.org_id = :scope_org_id AND s.collection_id = ANY(:scope_collection_ids)
      AND s.chunk_count > 0
    GROUP BY s.text_search_config
)
SELECT
    coalesce((SELECT array_agg(DISTINCT t.lexeme ORDER BY t.lexeme)
              FROM stats, unnest(to_tsvector(stats.config, :text)) t), '{}') AS lexemes,
    coalesce((SELECT sum(n) FROM stats), 0)::bigint AS n,
    coalesce((SELECT sum(len) FROM stats), 0)::float8 AS len
"""


async def query_terms(session: AsyncSession, scope: Scope, positive_text: str) -> QueryTerms:
    """The query's lexemes under each text search configuration the scope's chunks use."""
    if scope.empty or not positive_text.strip():
        return QueryTerms([], 0, 1.0)
    statement = text(_TERMS).bindparams(
        *scope.collection_parameters(), bindparam("text", positive_text, type_=Text())
    )
    row = (await session.execute(statement)).one()
    lexemes: list[str] = list(row.lexemes or [])
    chunk_count = int(row.n or 0)
    average = float(row.len) / chunk_count if chunk_count else 1.0
    return QueryTerms(lexemes, chunk_count, max(average, 1.0))


_SCORE = """
WITH terms AS MATERIALIZED (
    SELECT p.chunk_id, p.lexeme, p.tf, p.dl
    FROM search.postings p
    WHERE p.org_id = :scope_org_id
      AND p.lexeme = ANY(:lexemes)
      AND p.collection_id = ANY(:scope_collection_ids)
),
idf AS (
    SELECT lexeme, ln(1 + (:n - count(*) + 0.5) / (count(*) + 0.5)) AS idf
    FROM terms
    GROUP BY lexeme
),
scored AS (
    SELECT t.chunk_id,
           sum(idf.idf * t.tf * (:k1 + 1) / (t.tf + :k1 * (1 - :b + :b * t.dl / :avgdl)))
               AS score
    FROM terms t
    JOIN idf USING (lexeme)
    GROUP BY t.chunk_id
)
SELECT s.chunk_id, s.score
FROM scored s{join}
WHERE {where}
ORDER BY s.score DESC, s.chunk_id
LIMIT :k
"""


async def bm25_candidates(
    session: AsyncSession,
    scope: Scope,
    query: ParsedQuery,
    terms: QueryTerms,
    *,
    k: int,
    k1: float,
    b: float,
) -> list[Candidate]:
    """The top `k` chunks in the scope by BM25, best first (ties by chunk ID)."""
    if scope.empty or not terms.lexemes or k <= 0:
        return []
    # The postings scan already holds the org and collection conditions; chunks are joined
    # only when another condition needs them (explicit syntax, documents, their metadata).
    join, where = "", "true"
    if query.explicit or scope.document_ids is not None or scope.needs_documents:
        join = " JOIN search.chunks c ON c.id = s.chunk_id" + scope.documents_join()
        where = scope.conditions()
        if query.explicit:
            where += " AND c.tsv @@ websearch_to_tsquery(c.text_search_config, :query)"
    params: list[Any] = [
        *(scope.parameters() if join else scope.collection_parameters()),
        bindparam("lexemes", terms.lexemes, type_=ARRAY(Text())),
        bindparam("n", float(max(terms.chunk_count, 1)), type_=Float()),
        bindparam("avgdl", terms.average_length, type_=Float()),
        bindparam("k1", k1, type_=Float()),
        bindparam("b", b, type_=Float()),
        bindparam("k", k, type_=Integer()),
    ]
    if query.explicit:
        params.append(bindparam("query", query.text, type_=Text()))
    statement = text(_SCORE.format(join=join, where=where)).bindparams(*params)
    rows = await session.execute(statement)
    return [(row.chunk_id, float(row.score)) for row in rows]
