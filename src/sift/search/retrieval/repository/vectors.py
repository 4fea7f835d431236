"""SQL of semantic candidates: k-NN over pgvector HNSW, for a query embedded by the index's
own model (`sift.search.retrieval.semantic`).

The scope's conditions sit in the same WHERE as the distance ordering. With pgvector 0.8's
iterative index scans, a selective filter (one organization, a few collections) makes the
scan continue past the first `ef_search` neighbours until `k` rows pass it, instead of
returning fewer rows than asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from pgvector.sqlalchemy import Vector
from sqlalchemy import Integer, String, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.search.retrieval.fusion import Candidate
from sift.search.retrieval.scope import Scope


@dataclass(frozen=True)
class HnswOptions:
    ef_search: int = 200
    iterative_scan: str = "relaxed_order"
    max_scan_tuples: int = 20_000


_NEAREST = """
WITH nearest AS MATERIALIZED (
    SELECT c.id, c.embedding <=> :vector AS distance
    FROM search.chunks c{join}
    WHERE {where} AND c.embedding_model = :model
    ORDER BY c.embedding <=> :vector
    LIMIT :k
)
SELECT id AS chunk_id, 1 - distance AS score FROM nearest ORDER BY distance, id
"""


class VectorRepository:
    async def nearest(
        self,
        session: AsyncSession,
        vector: list[float],
        scope: Scope,
        k: int,
        *,
        model: str,
        options: HnswOptions | None = None,
    ) -> list[Candidate]:
        """The `k` chunks of the scope nearest to `vector` (cosine similarity), best first.

        Only chunks embedded by `model` qualify: vectors of another model live in another
        space.
        """
        if scope.empty or k <= 0:
            return []
        options = options or HnswOptions()
        # Transaction-local, so pooled connections keep their defaults.
        await session.execute(
            text(
                "SELECT set_config('hnsw.ef_search', :ef, true),"
                " set_config('hnsw.iterative_scan', :scan, true),"
                " set_config('hnsw.max_scan_tuples', :tuples, true)"
            ).bindparams(
                ef=str(max(options.ef_search, min(k, 1000))),
                scan=options.iterative_scan,
                tuples=str(options.max_scan_tuples),
            )
        )
        statement = text(
            _NEAREST.format(join=scope.documents_join(), where=scope.conditions())
        ).bindparams(
            *scope.parameters(),
            bindparam("vector", vector, type_=Vector(len(vector))),
            bindparam("model", model, type_=String()),
            bindparam("k", k, type_=Integer()),
        )
        rows = await session.execute(statement)
        # relaxed_order may return neighbours slightly out of order: the outer ORDER BY sorts.
        return [(row.chunk_id, float(row.score)) for row in rows]


vector_repository = VectorRepository()
