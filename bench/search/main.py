"""Search latency through the gateway with a large index, at N concurrent clients.

    bench/search/run --workdir /tmp/bench-scifact --out bench/search/REPORT.md

`--workdir` is a stack that `bench/retrieval/run --workdir` indexed (SciFact through the
real ingestion path). Embedding 100,000 chunks here (~35 chunks/s at best) would take
most of an hour, so the index is grown by a documented shortcut: the indexed documents'
rows (index state, chunks with their text, tsvector config and vector, search's document
projection) are copied with new IDs into a new collection of the same organization until
the organization holds `--chunks` chunks. Postings and collection statistics are kept by
the `chunks` table's own triggers, exactly as for ingested rows, so BM25 sees consistent
statistics (every document frequency scaled alike). Each copied vector gets a little
noise (then is normalized again): exact duplicates would be a degenerate case for HNSW.

Then, per mode, `--clients` clients each send `POST /api/search` (limit 20, every readable
collection: the whole index) one after another with no think time, for `--seconds`,
cycling through the dataset's queries; the result cache is off so that the engine is
measured (`--result-cache` keeps it on). Reports p50/p95/p99 and throughput per mode.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shlex
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "retrieval"))

from report import machine
from stack import Client, Stack, gateway_client

from sift.search.evaluation.metrics import percentile

MODES = ("hybrid", "fulltext", "semantic")
TARGETS = {"hybrid": 150.0, "fulltext": 50.0}
NOISE = 0.01  # per dimension, before normalizing: cosine to the original stays above ~0.98

_COPY = """
CREATE TEMP TABLE copy_map ON COMMIT DROP AS
SELECT di.version_id AS old_version, di.document_id AS old_document,
       gen_random_uuid() AS new_version, gen_random_uuid() AS new_document
FROM search.documents_index di
WHERE di.collection_id = %(source)s AND di.status = 'indexed';

INSERT INTO search.documents_index (
    version_id, document_id, org_id, collection_id, status, storage_key, content_type,
    filename, announced_at, attempts, file_type, language, page_count, char_count,
    chunk_count, keywords, embedding_model, embedding_dimension, steps, queued_at,
    started_at, finished_at)
SELECT m.new_version, m.new_document, di.org_id, %(target)s, di.status, di.storage_key,
       di.content_type, di.filename, di.announced_at, di.attempts, di.file_type, di.language,
       di.page_count, di.char_count, di.chunk_count, di.keywords, di.embedding_model,
       di.embedding_dimension, di.steps, di.queued_at, di.started_at, di.finished_at
FROM copy_map m JOIN search.documents_index di ON di.version_id = m.old_version;

INSERT INTO search.documents (
    document_id, org_id, collection_id, title, tags, mime_type, created_at, updated_at,
    version_at)
SELECT m.new_document, d.org_id, %(target)s, d.title, d.tags, d.mime_type, d.created_at,
       d.updated_at, d.version_at
FROM copy_map m JOIN search.documents d ON d.document_id = m.old_document;

INSERT INTO search.chunks (
    id, org_id, collection_id, document_id, version_id, ordinal, page, page_end,
    start_char, end_char, heading, text, token_count, language, text_search_config,
    embedding, embedding_model)
SELECT gen_random_uuid(), c.org_id, %(target)s, m.new_document, m.new_version, c.ordinal,
       c.page, c.page_end, c.start_char, c.end_char, c.heading, c.text, c.token_count,
       c.language, c.text_search_config,
       l2_normalize(c.embedding + (
           SELECT array_agg((random() - 0.5) * 2 * %(noise)s)::vector
           FROM generate_series(1, vector_dims(c.embedding)) WHERE c.id IS NOT NULL)),
       c.embedding_model
FROM copy_map m JOIN search.chunks c ON c.version_id = m.old_version;
"""


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def grow_index(database_url: str, org_id: str, source: str, target: str, chunks: int) -> dict:
    """Copies the source collection into `target` until the organization holds `chunks`."""
    started = time.perf_counter()
    copies = 0
    with psycopg.connect(database_url, autocommit=False) as connection:

        def count() -> int:
            row = connection.execute(
                "SELECT count(*) FROM search.chunks WHERE org_id = %s", (org_id,)
            ).fetchone()
            connection.commit()
            return int(row[0]) if row else 0

        before = total = count()
        while total < chunks:
            with connection.transaction():
                params = {"source": source, "target": target, "noise": NOISE}
                for statement in _COPY.split(";\n"):
                    if statement.strip():
                        connection.execute(statement, params)
            copies += 1
            total = count()
            log(f"copy {copies}: {total:,} chunks in the organization")
        # The org's index version moves on, as after any indexing: no stale cached result.
        connection.execute(
            "UPDATE search.org_index_versions SET version = version + 1 WHERE org_id = %s",
            (org_id,),
        )
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE search.chunks")
        connection.execute("VACUUM ANALYZE search.postings")
        connection.execute("VACUUM ANALYZE search.documents_index")
        postings = connection.execute("SELECT count(*) FROM search.postings").fetchone()
    return {
        "before": before,
        "after": total,
        "copies": copies,
        "seconds": time.perf_counter() - started,
        "postings": int(postings[0]) if postings else 0,
    }


def collection_org(database_url: str, collection_id: str) -> str:
    """The collection's organization, once search's projection has heard of it (an event)."""
    with psycopg.connect(database_url) as connection:
        for _ in range(120):
            row = connection.execute(
                "SELECT org_id FROM search.collections WHERE collection_id = %s", (collection_id,)
            ).fetchone()
            if row:
                return str(row[0])
            time.sleep(0.5)
    raise RuntimeError("the search service never heard of the new collection")


def load_queries(dataset: Path) -> list[str]:
    queries = []
    with (dataset / "queries.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                queries.append(str(json.loads(line)["text"]))  # reads only `text`
    return queries


async def drive(
    client: Client, mode: str, queries: list[str], clients: int, seconds: float
) -> dict:
    cycle = itertools.cycle(queries)
    latencies: list[float] = []
    errors = 0
    for _ in range(clients):  # warm-up, not measured (the first semantic query loads the model)
        body = {"query": next(cycle), "mode": mode}
        await client.call("POST", "/api/search", json=body, timeout=600)
    deadline = time.perf_counter() + seconds

    async def one_client() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            body = {"query": next(cycle), "mode": mode, "limit": 20}
            t0 = time.perf_counter()
            response = await client.call("POST", "/api/search", json=body)
            elapsed = (time.perf_counter() - t0) * 1000
            if response.status_code == 200:
                latencies.append(elapsed)
            else:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(one_client() for _ in range(clients)))
    wall = time.perf_counter() - started
    return {
        "mode": mode,
        "requests": len(latencies),
        "errors": errors,
        "throughput": len(latencies) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
    }


async def benchmark(args: argparse.Namespace, stack: Stack) -> dict:
    state = stack.state()
    async with gateway_client(stack, connections=args.clients + 4) as http:
        client = Client(http, state["email"])
        await client.login()
        grown = state.get("replica_collection_id")
        if grown is None:
            created = await client.json(
                "POST", "/api/collections", 201, json={"name": "Replicas", "visibility": "org"}
            )
            grown = created["id"]
            stack.save_state(replica_collection_id=grown)
        org_id = await asyncio.to_thread(collection_org, stack.database_url, grown)
        growth = await asyncio.to_thread(
            grow_index, stack.database_url, org_id, state["collection_id"], grown, args.chunks
        )
        if not (args.dataset or state.get("dataset")):
            raise RuntimeError("give --dataset: the stack does not name its dataset")
        queries = load_queries(Path(args.dataset or state["dataset"]))
        results = []
        for mode in args.modes:
            log(f"{mode}: {args.clients} clients for {args.seconds:.0f} s")
            result = await drive(client, mode, queries, args.clients, args.seconds)
            log(f"{mode}: {result}")
            results.append(result)
    return {"growth": growth, "results": results, "queries": len(queries)}


def render(args: argparse.Namespace, outcome: dict, load: tuple[float, float]) -> str:
    growth = outcome["growth"]
    command = "bench/search/run " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    lines = [
        "# Search latency benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on: {machine()}.",
        "",
        f"Command: `{command}`",
        "",
        f"Load average (1 min) at start / end: {load[0]:.2f} / {load[1]:.2f}. Everything runs on",
        "this one machine: PostgreSQL, Redis, nginx, the services, the workers *and* the",
        "load-generating client share its cores.",
        "",
        f"Index: {growth['after']:,} chunks in the organization searched ({growth['before']:,}",
        f"ingested for real, the rest copied in {growth['copies']} copies, "
        f"{growth['seconds']:.0f} s); {growth['postings']:,} postings rows in all.",
        "",
        f"Load: {args.clients} concurrent clients, closed loop (each sends its next request when",
        f"the previous answers; no think time), {args.seconds:.0f} s per mode, cycling through "
        f"{outcome['queries']:,} SciFact queries; `POST /api/search` with limit 20 over every",
        "readable collection, HTTPS through the nginx gateway with keep-alive. Result cache: "
        + ("on." if args.result_cache else "off (the engine is measured, not Redis)."),
        "",
        "| mode | requests | errors | throughput (req/s) | p50 ms | p95 ms | p99 ms | "
        "target p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for result in outcome["results"]:
        target = TARGETS.get(result["mode"])
        verdict = "—"
        if target is not None:
            verdict = f"< {target:.0f} ms " + (
                "(met)" if result["p95"] < target else "(**not met**)"
            )
        lines.append(
            f"| {result['mode']} | {result['requests']} | {result['errors']} | "
            f"{result['throughput']:.1f} | {result['p50']:.0f} | {result['p95']:.0f} | "
            f"{result['p99']:.0f} | {verdict} |"
        )
    lines += [
        "",
        "In a closed loop, latency ≈ clients / throughput: with 20 clients, a p95 under",
        "150 ms needs well over 130 requests/s from the whole stack.",
        "",
        "How the index was grown: see the docstring of `bench/search/main.py` (chunk rows",
        "copied with new IDs into a second collection; postings and statistics by the",
        "table's triggers; vectors with small noise).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a bench/retrieval stack")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, help="queries (default: the stack's dataset)")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--result-cache", action="store_true")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    if not args.result_cache:
        extra_env.setdefault("SIFT_SEARCH_RESULT_CACHE_SECONDS", "0")
    if not (args.workdir / "stack.json").exists():
        parser.error("--workdir must be a stack indexed by bench/retrieval/run --workdir")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stack = Stack(args.workdir.resolve(), extra_env)
    load_start = os.getloadavg()[0]
    log(f"starting the stack in {args.workdir}")
    stack.start()
    try:
        outcome = asyncio.run(benchmark(args, stack))
    except BaseException:
        print(stack.tail(), file=sys.stderr)
        raise
    finally:
        stack.stop()
    text = render(args, outcome, (load_start, os.getloadavg()[0]))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    summary = {
        r["mode"]: {
            "p50_ms": round(r["p50"], 1),
            "p95_ms": round(r["p95"], 1),
            "p99_ms": round(r["p99"], 1),
            "rps": round(r["throughput"], 1),
        }
        for r in outcome["results"]
    }
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
