"""Search latency through the gateway with a large index, at N concurrent clients.

    bench/search/run --workdir /tmp/bench-scifact --out bench/search/REPORT.md

`--workdir` is a stack that `bench/retrieval/run --workdir` indexed (SciFact through the
real ingestion path). The index is grown to `--chunks` chunks by copying the indexed rows
(see `grow.py`: postings and statistics by the table's own triggers, checked after).

Then, per mode (hybrid, fulltext, semantic), `POST /api/search` (limit 20, every readable
collection: the whole index) is driven in three patterns (see `load.py`): one client
(the engine's own cost), `--clients` clients in a closed loop (throughput, saturation) and
`--clients` users in an open loop, each sending a query about every `--interval` seconds
(a team's realistic load). Queries cycle through the dataset's. The result cache is off
so that the engine is measured (`--result-cache` keeps it on), and so is the query-
embedding cache (`--embedding-cache`): every hybrid or semantic query embeds its text.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here), str(here.parent / "retrieval")]

import load  # noqa: E402
from grow import grow_index  # noqa: E402
from report import machine  # noqa: E402
from stack import Client, Stack, gateway_client  # noqa: E402

MODES = ("hybrid", "fulltext", "semantic")
PATTERNS = ("single", "open", "closed")
TARGETS = {"hybrid": 150.0, "fulltext": 50.0}


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


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


async def benchmark(args: argparse.Namespace, stack: Stack) -> dict[str, Any]:
    state = stack.state()
    queries = load_queries(Path(args.dataset or state["dataset"]))
    connections = args.clients * 3 + 4  # an open loop may have more than one in flight a user
    async with gateway_client(stack, connections=connections) as http:
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
            grow_index,
            stack.database_url,
            org_id,
            state["collection_id"],
            grown,
            args.chunks,
            log,
        )
        log(f"index: {growth}")
        results: list[dict[str, Any]] = []
        if args.grow_only:
            return {"growth": growth, "results": results}
        loads: dict[str, float] = {"start": os.getloadavg()[0]}
        for index, mode in enumerate(args.modes):
            queries_left = load.cycle(queries, offset=index * 997)
            await load.warm_up(client, mode, queries_left, count=10)
            for pattern in args.patterns:
                log(f"{mode} / {pattern}")
                if pattern == "single":
                    run = await load.closed_loop(client, mode, queries_left, 1, args.single_seconds)
                elif pattern == "closed":
                    run = await load.closed_loop(
                        client, mode, queries_left, args.clients, args.seconds
                    )
                else:
                    run = await load.open_loop(
                        client,
                        mode,
                        queries_left,
                        args.clients,
                        args.seconds,
                        interval=args.interval,
                    )
                result = run.summary() | {"load": os.getloadavg()[0]}
                log(f"{mode} / {pattern}: {result}")
                results.append(result)
        loads["end"] = os.getloadavg()[0]
    return {"growth": growth, "results": results, "queries": len(queries), "loads": loads}


def _verdict(result: dict[str, Any]) -> str:
    target = TARGETS.get(result["mode"])
    if target is None or result["pattern"] == "single":
        return "—"
    return f"< {target:.0f} ms " + ("(met)" if result["p95"] < target else "(**not met**)")


def render(args: argparse.Namespace, outcome: dict[str, Any], load_avg: dict[str, float]) -> str:
    growth = outcome["growth"]
    command = "bench/search/run " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    offered = args.clients / args.interval
    lines = [
        "# Search latency benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on: {machine()}.",
        "",
        f"Command: `{command}`",
        "",
        f"Load average (1 min): {load_avg['start']:.2f} before the stack started, "
        f"{outcome['loads']['start']:.2f} when measuring began, {outcome['loads']['end']:.2f}"
        f" at the end (per run in the table). Everything runs on this one machine: PostgreSQL,",
        "Redis, nginx, the services, the workers *and* the load-generating client share its",
        "cores — and other sessions' work shared them too.",
        "",
        f"Index: {growth['after']:,} chunks in the organization searched ({growth['before']:,}"
        f" before this run; {growth['batches']} batches, {growth['seconds']:.0f} s including"
        f" {growth['index_build_s']:.0f} s to build the HNSW index); {growth['postings']:,}"
        f" postings rows. Postings and statistics checked: {growth['check']}.",
        "",
        f"Queries: {outcome['queries']:,} SciFact queries, in a cycle; `POST /api/search`, limit"
        " 20, over every readable collection, HTTPS through the nginx gateway with keep-alive."
        " Result cache: "
        + ("on" if args.result_cache else "off")
        + "; query-embedding cache: "
        + ("on" if args.embedding_cache else "off (every hybrid/semantic query is embedded)")
        + ".",
        "",
        "Patterns: **single** — one client, one request at a time, "
        f"{args.single_seconds:.0f} s (the engine's own cost); **open** — {args.clients} users,"
        f" each sending a query about every {args.interval:g} s (uniform ±50 % jitter) whether"
        f" or not the previous answered, {args.seconds:.0f} s (offered ≈ {offered:.0f} req/s,"
        " latency from the scheduled send time); **closed** — "
        f"{args.clients} clients with no think time, {args.seconds:.0f} s (saturation: latency"
        " ≈ clients / throughput).",
        "",
        "| mode | pattern | requests | errors | req/s | p50 ms | p95 ms | p99 ms |"
        " server p50 / p95 ms | load | target p95 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in outcome["results"]:
        lines.append(
            f"| {r['mode']} | {r['pattern']} | {r['requests']} | {r['errors']} |"
            f" {r['throughput']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} |"
            f" {r['took_p50']:.0f} / {r['took_p95']:.0f} | {r['load']:.1f} | {_verdict(r)} |"
        )
    lines += [
        "",
        "Server ms: the engine's own `took_ms` (from the search service receiving the request",
        "to the response being ready; no gateway, TLS or client time).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a bench/retrieval stack")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--dataset", type=Path, help="queries (default: the stack's dataset)")
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60, help="per open or closed run")
    parser.add_argument("--single-seconds", type=float, default=30)
    parser.add_argument("--interval", type=float, default=2.0, help="open loop: s between sends")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--patterns", nargs="+", choices=PATTERNS, default=list(PATTERNS))
    parser.add_argument("--grow-only", action="store_true", help="grow the index, measure nothing")
    parser.add_argument("--result-cache", action="store_true")
    parser.add_argument("--embedding-cache", action="store_true")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    if not args.result_cache:
        extra_env.setdefault("SIFT_SEARCH_RESULT_CACHE_SECONDS", "0")
    if not args.embedding_cache:
        extra_env.setdefault("SIFT_SEARCH_QUERY_EMBEDDING_CACHE_SECONDS", "0")
    if not (args.workdir / "stack.json").exists():
        parser.error("--workdir must be a stack indexed by bench/retrieval/run --workdir")
    if not (args.dataset or Stack(args.workdir).state().get("dataset")):
        parser.error("give --dataset: the stack does not name its dataset")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # No ingest worker: nothing but searches runs while latency is measured (documents left
    # queued by the indexing run stay queued).
    stack = Stack(args.workdir.resolve(), extra_env, up_args=("--no-worker",))
    load_avg = {"start": os.getloadavg()[0]}
    log(f"starting the stack in {args.workdir}")
    stack.start()
    try:
        outcome = asyncio.run(benchmark(args, stack))
    except BaseException:
        print(stack.tail(), file=sys.stderr)
        raise
    finally:
        stack.stop()
    if args.grow_only:
        return 0
    text = render(args, outcome, load_avg)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    summary = {
        f"{r['mode']}/{r['pattern']}": {
            "p50_ms": round(r["p50"], 1),
            "p95_ms": round(r["p95"], 1),
            "rps": round(r["throughput"], 1),
        }
        for r in outcome["results"]
    }
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
