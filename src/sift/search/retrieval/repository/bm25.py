"""SQL of BM25, kept over PostgreSQL's full-text structures.

PostgreSQL parses, stems and drops stop words (`to_tsvector` with each chunk's own
configuration); triggers keep a postings table (lexeme, chunk, tf, chunk length) and
per-collection counts. A query scans the postings of its lexemes in the collections it may
read, through one covering index, and scores in SQL:

    idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))
    score  = sum over t of idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))

N, df and avgdl are taken over the searched collections only, so neither another tenant
nor a collection the caller cannot read shows through the statistics.

A natural-language query without document filters is pruned: it reads at most
`postings_per_term` postings of each lexeme, best impact first (the term weight without
IDF, migration b7a7c0de0001), takes the document frequencies from `collection_lexemes`
instead of counting postings, and completes the scores of the best candidates with their
postings of the lexemes it cut short. The scores it returns are exact BM25; when no lexeme
has more postings than the bound, so is the ranking. Otherwise the lexemes within the bound
(the rarer, weightier ones) are still read whole; a chunk can be missed only when it holds
the common ones at low weight and none of the others, or when its partial score (before
completion) falls outside the top `k`.

A query narrowed to a few chunks (by given documents, tags, types, dates, or explicit syntax
such as a phrase, found through the GIN index) scores them one by one instead, exactly.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, Float, Integer, Text, Uuid, bindparam, text
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from sift.search.retrieval.fusion import Candidate
from sift.search.retrieval.query import ParsedQuery
from sift.search.retrieval.scope import Scope


@dataclass(frozen=True)
class QueryTerms:
    lexemes: list[str]  # normalized by every configuration present in the scope
    chunk_count: int  # N
    average_length: float  # avgdl, in lexemes
    # df of each lexeme over the scope's collections, in chunks (0: absent)
    document_frequencies: tuple[int, ...]
    # the text search configurations of the scope's chunks (never empty when lexemes aren't)
    configs: tuple[str, ...]


# The query's own configuration (`:query_config`, else the one most of the scope's chunks
# use) drops its stop words before the query is parsed under each configuration of the
# scope: an English "what is the cost of" never reaches `simple` as the lexemes "what",
# "the", "of". A lexeme's df counts the chunks of the configurations that gave it.
_TERMS = """
WITH stats AS (
    SELECT s.text_search_config AS config, sum(s.chunk_count) AS n, sum(s.total_length) AS len
    FROM search.collection_term_stats s
    WHERE s.org_id = :scope_org_id AND s.collection_id = ANY(:scope_collection_ids)
      AND s.chunk_count > 0
    GROUP BY s.text_search_config
),
own AS (
    SELECT coalesce(
        CAST(:query_config AS regconfig),
        (SELECT config FROM stats ORDER BY n DESC, config::text LIMIT 1)
    ) AS config
),
words AS (
    SELECT coalesce(string_agg(d.token, ' '), '') AS text
    FROM own CROSS JOIN LATERAL ts_debug(own.config, :text) d
    WHERE d.lexemes IS DISTINCT FROM '{}'
),
pairs AS (
    SELECT DISTINCT t.lexeme, stats.config
    FROM stats CROSS JOIN words CROSS JOIN LATERAL unnest(to_tsvector(stats.config, words.text)) t
),
terms AS (
    SELECT q.lexeme,
           (SELECT coalesce(sum(f.chunk_count), 0) FROM search.collection_lexemes f
            WHERE f.org_id = :scope_org_id AND f.lexeme = q.lexeme
              AND f.collection_id = ANY(:scope_collection_ids)
              AND f.text_search_config = ANY(q.configs)) AS df
    FROM (SELECT lexeme, array_agg(config) AS configs FROM pairs GROUP BY lexeme) q
)
SELECT
    coalesce((SELECT array_agg(lexeme ORDER BY lexeme) FROM terms), '{}') AS lexemes,
    coalesce((SELECT array_agg(df ORDER BY lexeme) FROM terms), '{}') AS dfs,
    coalesce((SELECT sum(n) FROM stats), 0)::bigint AS n,
    coalesce((SELECT sum(len) FROM stats), 0)::float8 AS len,
    coalesce((SELECT array_agg(config::text ORDER BY config::text) FROM stats), '{}') AS configs
"""


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


# The pruned form. `hits` are the best postings of each lexeme; `partial` the best chunks by
# what those hits add up to, with the cut-short lexemes (`:cut`, more postings than the
# bound) each one was seen with; `missing` completes them with their postings of the other
# cut-short lexemes, one primary-key probe each (LIMIT 1 keeps the planner from turning the
# probes into a scan of those lexemes' postings).
_PRUNED = """
WITH terms AS (
    SELECT t.lexeme, ln(1 + (:n - t.df + 0.5) / (t.df + 0.5)) AS idf
    FROM unnest(CAST(:lexemes AS text[]), CAST(:dfs AS float8[])) AS t(lexeme, df)
    WHERE t.df > 0
),
hits AS MATERIALIZED (
    SELECT t.lexeme, p.chunk_id,
           t.idf * p.tf * (:k1 + 1) / (p.tf + :k1 * (1 - :b + :b * p.dl / :avgdl)) AS weight
    FROM terms t
    CROSS JOIN LATERAL (
        SELECT p.chunk_id, p.tf, p.dl
        FROM search.postings p
        WHERE p.org_id = :scope_org_id
          AND p.lexeme = t.lexeme
          AND p.collection_id = ANY(:scope_collection_ids)
        ORDER BY p.impact DESC
        LIMIT :per_term
    ) p
),
partial AS MATERIALIZED (
    SELECT chunk_id, sum(weight) AS score,
           coalesce(array_agg(lexeme) FILTER (WHERE lexeme = ANY(:cut)), '{{}}') AS seen
    FROM hits
    GROUP BY chunk_id
    ORDER BY score DESC, chunk_id
    LIMIT :k
){missing}
SELECT c.chunk_id, c.score{missing_score} AS score
FROM partial c{missing_join}
ORDER BY score DESC, c.chunk_id
LIMIT :k
"""
_MISSING = """,
missing AS (
    SELECT c.chunk_id,
           sum(t.idf * p.tf * (:k1 + 1) / (p.tf + :k1 * (1 - :b + :b * p.dl / :avgdl)))
               AS score
    FROM partial c
    JOIN terms t ON t.lexeme = ANY(:cut) AND NOT t.lexeme = ANY(c.seen)
    CROSS JOIN LATERAL (
        SELECT p.tf, p.dl
        FROM search.postings p
        WHERE p.chunk_id = c.chunk_id AND p.lexeme = t.lexeme
        LIMIT 1
    ) p
    GROUP BY c.chunk_id
)"""


# A query narrowed to a few documents (given ones, or tags, types, dates that few documents
# have): their chunks are scored one by one (a primary-key probe per chunk and lexeme)
# rather than by reading every posting of the query's lexemes in the organization.
_FILTERED_CHUNKS = """
SELECT c.id FROM search.chunks c{join} WHERE {where} LIMIT :cap
"""
_OF_CHUNKS = """
WITH terms AS (
    SELECT t.lexeme, ln(1 + (:n - t.df + 0.5) / (t.df + 0.5)) AS idf
    FROM unnest(CAST(:lexemes AS text[]), CAST(:dfs AS float8[])) AS t(lexeme, df)
    WHERE t.df > 0
)
SELECT c.id AS chunk_id,
       sum(t.idf * p.tf * (:k1 + 1) / (p.tf + :k1 * (1 - :b + :b * p.dl / :avgdl))) AS score
FROM unnest(CAST(:ids AS uuid[])) AS c(id)
CROSS JOIN terms t
CROSS JOIN LATERAL (
    SELECT p.tf, p.dl
    FROM search.postings p
    WHERE p.chunk_id = c.id AND p.lexeme = t.lexeme
    LIMIT 1
) p
GROUP BY c.id
ORDER BY score DESC, c.id
LIMIT :k
"""
# Beyond this many chunks, probing them costs about what the scan of the postings does.
MAX_CHUNKS_SCORED_ONE_BY_ONE = 2_000


def _explicit_condition(configs: tuple[str, ...]) -> tuple[str, list[BindParameter[Any]]]:
    """The query's web-search syntax on `c.tsv`, one constant configuration at a time, so
    that the GIN index on the vectors finds the matching chunks."""
    parts, params = [], []
    for n, config in enumerate(configs):
        parts.append(
            f"(c.text_search_config = CAST(:config_{n} AS regconfig)"
            f" AND c.tsv @@ websearch_to_tsquery(CAST(:config_{n} AS regconfig), :query))"
        )
        params.append(bindparam(f"config_{n}", config, type_=Text()))
    return "(" + " OR ".join(parts) + ")", params


def _scoring_parameters(
    terms: QueryTerms, *, k: int, k1: float, b: float, frequencies: bool = True
) -> list[BindParameter[Any]]:
    """What every BM25 form binds: the lexemes and their statistics, k1, b and k
    (`frequencies`: the kept document frequencies too; the exhaustive scan counts them)."""
    params: list[BindParameter[Any]] = [
        bindparam("lexemes", terms.lexemes, type_=ARRAY(Text())),
        bindparam("n", float(max(terms.chunk_count, 1)), type_=Float()),
        bindparam("avgdl", terms.average_length, type_=Float()),
        bindparam("k1", k1, type_=Float()),
        bindparam("b", b, type_=Float()),
        bindparam("k", k, type_=Integer()),
    ]
    if frequencies:
        dfs = [float(df) for df in terms.document_frequencies]
        params.append(bindparam("dfs", dfs, type_=ARRAY(Float())))
    return params


def _candidates(rows: Result[Any]) -> list[Candidate]:
    return [(row.chunk_id, float(row.score)) for row in rows]


class Bm25Repository:
    async def query_terms(
        self,
        session: AsyncSession,
        scope: Scope,
        positive_text: str,
        *,
        query_config: str | None = None,
    ) -> QueryTerms:
        """The query's lexemes under each text search configuration the scope's chunks use,
        without the stop words of `query_config` (the query's language; None: the
        configuration of most of the scope's chunks)."""
        if scope.empty or not positive_text.strip():
            return QueryTerms([], 0, 1.0, (), ())
        statement = text(_TERMS).bindparams(
            *scope.collection_parameters(),
            bindparam("text", positive_text, type_=Text()),
            bindparam("query_config", query_config, type_=Text()),
        )
        row = (await session.execute(statement)).one()
        lexemes: list[str] = list(row.lexemes or [])
        chunk_count = int(row.n or 0)
        average = float(row.len) / chunk_count if chunk_count else 1.0
        frequencies = tuple(int(df) for df in row.dfs or [])
        configs = tuple(str(config) for config in row.configs or [])
        return QueryTerms(lexemes, chunk_count, max(average, 1.0), frequencies, configs)

    async def candidates(
        self,
        session: AsyncSession,
        scope: Scope,
        query: ParsedQuery,
        terms: QueryTerms,
        *,
        k: int,
        k1: float,
        b: float,
        postings_per_term: int = 0,
    ) -> list[Candidate]:
        """The top `k` chunks in the scope by BM25, best first (ties by chunk ID).

        `postings_per_term` > 0 bounds the postings read per lexeme, or scores a few filtered
        chunks one by one, where the query allows it (see the module's docstring); 0 always
        reads every posting of the query's lexemes.
        """
        if scope.empty or not terms.lexemes or k <= 0:
            return []
        # Explicit syntax and document filters drop candidates after scoring, which a bounded
        # read per lexeme would turn into missing results: they are scored one by one when few
        # chunks pass them, and by the exhaustive scan otherwise.
        narrowed = query.explicit or scope.document_ids is not None or scope.needs_documents
        if postings_per_term > 0 and not narrowed:
            cut = [
                lexeme
                for lexeme, df in zip(terms.lexemes, terms.document_frequencies, strict=True)
                if df > postings_per_term
            ]
            sql = _PRUNED.format(
                missing=_MISSING if cut else "",
                missing_score=" + coalesce(m.score, 0)" if cut else "",
                missing_join=" LEFT JOIN missing m USING (chunk_id)" if cut else "",
            )
            statement = text(sql).bindparams(
                *scope.collection_parameters(),
                *_scoring_parameters(terms, k=k, k1=k1, b=b),
                bindparam("cut", cut, type_=ARRAY(Text())),
                bindparam("per_term", postings_per_term, type_=Integer()),
            )
            return _candidates(await session.execute(statement))
        if postings_per_term > 0:
            ids = await self._few_filtered_chunks(session, scope, query, terms)
            if ids is not None:
                statement = text(_OF_CHUNKS).bindparams(
                    bindparam("ids", ids, type_=ARRAY(Uuid())),
                    *_scoring_parameters(terms, k=k, k1=k1, b=b),
                )
                return _candidates(await session.execute(statement))
        return await self._exhaustive(session, scope, query, terms, narrowed, k=k, k1=k1, b=b)

    async def _few_filtered_chunks(
        self, session: AsyncSession, scope: Scope, query: ParsedQuery, terms: QueryTerms
    ) -> list[uuid.UUID] | None:
        """The chunks that pass the scope's document conditions and the query's explicit
        syntax, when there are at most MAX_CHUNKS_SCORED_ONE_BY_ONE of them."""
        where = scope.conditions()
        params = scope.parameters()
        if query.explicit:
            condition, config_params = _explicit_condition(terms.configs)
            where += " AND " + condition
            params += [*config_params, bindparam("query", query.text, type_=Text())]
        statement = text(
            _FILTERED_CHUNKS.format(join=scope.documents_join(), where=where)
        ).bindparams(*params, bindparam("cap", MAX_CHUNKS_SCORED_ONE_BY_ONE + 1, type_=Integer()))
        ids = list((await session.scalars(statement)).all())
        return ids if len(ids) <= MAX_CHUNKS_SCORED_ONE_BY_ONE else None

    async def _exhaustive(
        self,
        session: AsyncSession,
        scope: Scope,
        query: ParsedQuery,
        terms: QueryTerms,
        narrowed: bool,
        *,
        k: int,
        k1: float,
        b: float,
    ) -> list[Candidate]:
        # The postings scan already holds the org and collection conditions; chunks are joined
        # only when another condition needs them (explicit syntax, documents, their metadata).
        join, where = "", "true"
        if narrowed:
            join = " JOIN search.chunks c ON c.id = s.chunk_id" + scope.documents_join()
            where = scope.conditions()
        explicit: list[BindParameter[Any]] = []
        if query.explicit:
            condition, explicit = _explicit_condition(terms.configs)
            where += " AND " + condition
            explicit.append(bindparam("query", query.text, type_=Text()))
        params: list[Any] = [
            *(scope.parameters() if join else scope.collection_parameters()),
            *explicit,
            *_scoring_parameters(terms, k=k, k1=k1, b=b, frequencies=False),
        ]
        statement = text(_SCORE.format(join=join, where=where)).bindparams(*params)
        return _candidates(await session.execute(statement))


bm25_repository = Bm25Repository()
