"""Where one search spends its time: the real engine, one query at a time, no HTTP.

    .venv/bin/python bench/search/spans.py --workdir /tmp/bench-scifact \\
        --dataset /work/shared/datasets/scifact --mode fulltext --queries 100 [--explain]

Runs `retrieval_service.search` (the code behind `POST /api/search`) as the owner of the
organization that holds the most chunks, timing every SQL statement it issues (by what
it does) and the query embedding; prints p50/p95 per span and for the whole search.
`--explain` prints EXPLAIN (ANALYZE, BUFFERS) of the ranking statements of one query.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession

sys.path.insert(0, str(Path(__file__).resolve().parent))

from main import load_queries
from sift.core.auth.permissions import ROLE_PERMISSIONS, Role
from sift.core.auth.principal import Principal
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port
from sift.search.config import SearchSettings, get_ingest_settings
from sift.search.evaluation.metrics import percentile
from sift.search.ingestion.embedding import get_embedder
from sift.search.retrieval.engine import Retrieval
from sift.search.retrieval.schemas import Mode, SearchRequest
from sift.search.retrieval.service import retrieval_service

# Span names by a fragment of the statement (first match wins).
SPANS = (
    ("hnsw.ef_search", "knn settings"),
    ("<=>", "knn"),
    ("collection_term_stats", "terms"),
    ("search.postings", "bm25"),
    ("ts_headline", "page rows"),
    ("search.collection_access", "scope"),
    ("org_index_versions", "index version"),
    ("query_log", "query log"),
    ("SELECT c.id, c.document_id FROM", "documents of"),
)
RANKING = ("bm25", "knn", "terms")


def span_of(statement: str) -> str:
    for fragment, name in SPANS:
        if fragment in statement:
            return name
    return "other: " + " ".join(statement.split())[:40]


class Spans:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.current: dict[str, float] = defaultdict(float)
        self.captured: dict[str, tuple[str, Any]] = {}

    def install(self, database: Database) -> None:
        def before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            conn.info["started"] = time.perf_counter()

        def after(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            name = span_of(statement)
            self.current[name] += (time.perf_counter() - conn.info["started"]) * 1000
            if name in RANKING or name == "knn settings":
                self.captured[name] = (statement, params)

        event.listen(database.engine.sync_engine, "before_cursor_execute", before)
        event.listen(database.engine.sync_engine, "after_cursor_execute", after)

    def close_query(self, total_ms: float, embed_ms: float) -> None:
        self.current["embed (model)"] += embed_ms
        self.current["total"] = total_ms
        for name, value in self.current.items():
            self.times[name].append(value)
        self.current = defaultdict(float)


async def largest_org(session: AsyncSession) -> uuid.UUID:
    row = (
        await session.execute(
            text("SELECT org_id FROM search.chunks GROUP BY org_id ORDER BY count(*) DESC LIMIT 1")
        )
    ).one()
    return uuid.UUID(str(row.org_id))


async def explain(database: Database, spans: Spans) -> None:
    async with database.engine.connect() as conn:
        for name in RANKING:
            if name not in spans.captured:
                continue
            statement, params = spans.captured[name]
            if name == "knn":
                settings, settings_params = spans.captured["knn settings"]
                await conn.exec_driver_sql(settings, settings_params)
            result = await conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
            print(f"\n--- {name} ---\n{statement}\n")
            print("\n".join(row[0] for row in result))
            await conn.rollback()


async def profile(args: argparse.Namespace) -> None:
    settings = CoreSettings()
    url = args.database_url.replace("postgresql://", "postgresql+asyncpg://")
    database = Database(url, pool_size=2)
    redis = Redis.from_url(settings.redis_url)
    config = SearchSettings(result_cache_seconds=0, query_embedding_cache_seconds=0)
    embedder = get_embedder(get_ingest_settings())
    embedder.embed(["loads the model here, not in a worker thread"])
    retrieval = Retrieval(config, settings, redis, embedder)
    original_embed = retrieval.embeddings.embed
    embed_ms = 0.0

    async def timed_embed(query: str) -> list[float]:
        nonlocal embed_ms
        t0 = time.perf_counter()
        vector = await original_embed(query)
        embed_ms += (time.perf_counter() - t0) * 1000
        return vector

    retrieval.embeddings.embed = timed_embed  # type: ignore[method-assign]
    async with database.sessionmaker() as session:
        org_id = await largest_org(session)
    principal = Principal(
        user_id=uuid.uuid4(),
        org_id=org_id,
        role=Role.owner,
        permissions=ROLE_PERMISSIONS[Role.owner],
        token_id="bench-profile",  # noqa: S106 - a token ID, not a secret
    )
    queries = load_queries(args.dataset)[args.skip : args.skip + args.queries + 3]
    spans = Spans()
    spans.install(database)
    for index, query in enumerate(queries):
        request = SearchRequest(query=query, mode=Mode(args.mode), limit=20)
        embed_ms = 0.0
        t0 = time.perf_counter()
        async with database.sessionmaker() as session:
            await retrieval_service.search(session, retrieval, principal, request)
            await session.rollback()  # the query log is not kept
        total = (time.perf_counter() - t0) * 1000
        if index < 3:  # warm-up: pools, the model
            spans.current.clear()
            continue
        spans.close_query(total, embed_ms)
    report = {
        name: {
            "p50": round(percentile(values, 50), 2),
            "p95": round(percentile(values, 95), 2),
            "mean": round(sum(values) / len(values), 2),
        }
        for name, values in sorted(spans.times.items(), key=lambda kv: -sum(kv[1]))
    }
    print(json.dumps({"mode": args.mode, "queries": args.queries, "spans_ms": report}, indent=1))
    if args.explain:
        await explain(database, spans)
    await redis.aclose()
    await database.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--workdir", type=Path, help="a stopped bench stack: its PostgreSQL")
    parser.add_argument("--database-url", help="a running PostgreSQL instead")
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--mode", choices=[m.value for m in Mode], default="fulltext")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--skip", type=int, default=0)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if args.database_url:
        asyncio.run(profile(args))
        return 0
    if not args.workdir:
        parser.error("give --workdir or --database-url")
    postgres = EmbeddedPostgres(args.workdir.resolve() / "data" / "postgres", free_port())
    postgres.start()
    try:
        args.database_url = f"postgresql://postgres@127.0.0.1:{postgres.port}/sift"
        asyncio.run(profile(args))
    finally:
        postgres.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
