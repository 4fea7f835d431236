"""Retrieval benchmark: a BEIR dataset through the real ingestion path and the real search API.

    bench/retrieval/run --dataset ../shared/datasets/scifact --out bench/retrieval/REPORT.md

Starts a throwaway `sift up --no-web` stack, signs up (a new personal organization),
creates a collection, uploads every corpus document through `POST /api/documents` (a
Markdown file: the BEIR title as its heading, then the text), waits until every document
is `indexed`, then runs every judged test query through `POST /api/search` in each mode
and scores the document rankings (nDCG@10, Recall@100, MRR@10; BEIR conventions). The
last line printed is one JSON object of metrics per mode.

`--workdir DIR` keeps the stack's data (and the _id -> document mapping) in DIR: a second
run on it starts the same stack again and skips the uploads, e.g. to compare engine
settings (`--env SIFT_SEARCH_...=...`) without indexing again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import beir
import httpx
import psycopg
import report
from stack import ApiError, Client, Stack, gateway_client

from sift.search.evaluation.metrics import RECALL_AT, distinct, evaluate, percentile

MODES = ("hybrid", "fulltext", "semantic")
PAGE_LIMITS = (100, 50, 20)  # the first the API accepts is used
MAX_PAGES = 10
WARM_UP = ("warming up the search engine", "second warm-up query", "third warm-up query")


@dataclass
class Ingestion:
    documents: int = 0
    uploaded_now: int = 0
    upload_s: float = 0.0
    index_s: float = 0.0  # first upload to the last document indexed
    chunks: int = 0
    # Documents Sift would not take or could not index: left out of the index, reported,
    # and their relevant judgements scored as misses. BEIR ID -> reason / document ID -> reason.
    refused: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    resumed: bool = False
    # Chunks of the collection by text search configuration (english, simple, german, ...).
    configs: dict[str, int] = field(default_factory=dict)


@dataclass
class ModeRun:
    mode: str
    rankings: dict[str, list[str]]
    first_page_ms: list[float]
    all_pages_ms: list[float]
    took_ms: list[float]
    pages: int
    metrics: dict[str, float] = field(default_factory=dict)


def chunks_by_config(database_url: str, collection_id: str) -> dict[str, int]:
    """How many of the collection's chunks are indexed under each text search
    configuration, most first: a short English text under `simple` or `german` is a miss
    waiting to happen (issue 22)."""
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT text_search_config::text, count(*) FROM search.chunks"
            " WHERE collection_id = %s GROUP BY 1 ORDER BY 2 DESC, 1",
            (collection_id,),
        ).fetchall()
    return {str(config): int(count) for config, count in rows}


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


async def upload_corpus(
    client: Client,
    stack: Stack,
    dataset: beir.Dataset,
    collection_id: str,
    concurrency: int,
    refused: dict[str, str],
) -> tuple[dict[str, str], int, float]:
    """Uploads what is not uploaded (or refused) yet; the mapping and the refusals are
    saved as they grow (resumable). A refused file is noted with its reason, not fatal."""
    mapping: dict[str, str] = stack.state().get("documents", {})
    refused.update(stack.state().get("refused", {}))
    todo = [doc_id for doc_id in dataset.corpus if doc_id not in mapping and doc_id not in refused]
    queue: asyncio.Queue[str] = asyncio.Queue()
    for doc_id in todo:
        queue.put_nowait(doc_id)
    started = time.perf_counter()
    done = 0

    async def worker() -> None:
        nonlocal done
        while not queue.empty():
            doc_id = queue.get_nowait()
            title, text = dataset.corpus[doc_id]
            files = {"file": (f"{doc_id}.md", beir.document_file(title, text), "text/markdown")}
            data = {"collection_id": collection_id}
            if title.strip():
                data["title"] = title.strip()[:300]
            response = await client.call("POST", "/api/documents", files=files, data=data)
            if response.status_code == 201:
                mapping[doc_id] = response.json()["id"]
            elif response.status_code == 409 and "document_id" in response.text:
                mapping[doc_id] = response.json()["document_id"]  # same bytes as another
            elif response.status_code in REFUSALS:
                refused[doc_id] = refusal_reason(response)
                log(f"refused {doc_id}: {refused[doc_id]}")
            else:
                raise ApiError(response)
            done += 1
            if done % 250 == 0:
                stack.save_state(documents=mapping, refused=refused)
                rate = done / (time.perf_counter() - started)
                log(f"uploaded {done}/{len(todo)} ({rate:.0f}/s)")

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    stack.save_state(documents=mapping, refused=refused)
    return mapping, len(todo), time.perf_counter() - started


# What Sift answers a file it will not take (type, size, content); anything else is the
# bench's or the stack's fault and stops the run.
REFUSALS = (413, 415, 422)


def refusal_reason(response: httpx.Response) -> str:
    try:
        problem = response.json()
        detail = problem.get("detail") or problem.get("title") or ""
    except ValueError:
        detail = response.text[:200]
    return f"{response.status_code} {detail}".strip()


async def collection_documents(client: Client, collection_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"collection_id": collection_id, "limit": 100}
        if cursor:
            params["cursor"] = cursor
        page = await client.json("GET", "/api/documents", params=params)
        rows += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return rows


async def wait_indexed(
    client: Client, collection_id: str, total: int, limit_s: float
) -> tuple[int, dict[str, str]]:
    started = time.monotonic()
    while True:
        rows = await collection_documents(client, collection_id)
        statuses: dict[str, int] = {}
        for row in rows:
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
        indexed = statuses.get("indexed", 0)
        failed = {
            row["id"]: ((row.get("error") or {}).get("message") or "no reason given")
            for row in rows
            if row["status"] == "failed"
        }
        chunks = sum(row.get("chunk_count") or 0 for row in rows if row["status"] == "indexed")
        elapsed = time.monotonic() - started
        log(
            f"indexed {indexed}/{total}, failed {len(failed)}, chunks {chunks} "
            f"({elapsed:.0f} s; {statuses})"
        )
        if indexed + len(failed) >= total:
            return chunks, failed
        if elapsed > limit_s:
            raise TimeoutError(f"not indexed after {limit_s:.0f} s: {statuses}")
        await asyncio.sleep(10)


async def page_limit(client: Client, collection_id: str) -> int:
    for limit in PAGE_LIMITS:
        body = {"query": "warm up", "mode": "fulltext", "collection_ids": [collection_id]}
        response = await client.call("POST", "/api/search", json=body | {"limit": limit})
        if response.status_code == 200:
            return limit
        if response.status_code != 422:
            raise ApiError(response)
    raise RuntimeError("the search API accepts none of the page sizes tried")


async def search_documents(
    client: Client, collection_id: str, query: str, mode: str, limit: int
) -> tuple[list[str], float, float, float, int]:
    """Distinct document IDs in result order, paging until RECALL_AT of them (or the end)."""
    body: dict[str, Any] = {
        "query": query,
        "mode": mode,
        "collection_ids": [collection_id],
        "limit": limit,
    }
    documents: list[str] = []
    first_ms = took_ms = 0.0
    started = time.perf_counter()
    pages = 0
    while pages < MAX_PAGES:
        t0 = time.perf_counter()
        answer = await client.json("POST", "/api/search", json=body)
        pages += 1
        if pages == 1:
            first_ms = (time.perf_counter() - t0) * 1000
            took_ms = float(answer.get("took_ms") or 0)
        documents = distinct(documents + [item["document_id"] for item in answer["items"]])
        if len(documents) >= RECALL_AT or not answer.get("next_cursor"):
            break
        body["cursor"] = answer["next_cursor"]
    return documents[:RECALL_AT], first_ms, (time.perf_counter() - started) * 1000, took_ms, pages


async def run_mode(
    client: Client,
    collection_id: str,
    dataset: beir.Dataset,
    mode: str,
    limit: int,
    to_beir: dict[str, list[str]],
) -> ModeRun:
    run = ModeRun(mode, {}, [], [], [], 0)
    # Loads the query-embedding model, fills connection pools; not test queries, which would
    # then come from the result cache.
    for query in WARM_UP:  # the first semantic query loads the model: minutes on a busy host
        body = {"query": query, "mode": mode, "collection_ids": [collection_id], "limit": limit}
        await client.json("POST", "/api/search", json=body, timeout=600)
    started = time.perf_counter()
    for index, (query_id, query) in enumerate(dataset.queries.items(), start=1):
        found, first, whole, took, pages = await search_documents(
            client, collection_id, query, mode, limit
        )
        run.rankings[query_id] = [doc_id for d in found for doc_id in to_beir.get(d, [])]
        run.first_page_ms.append(first)
        run.all_pages_ms.append(whole)
        run.took_ms.append(took)
        run.pages += pages
        if index % 100 == 0:
            log(f"{mode}: {index}/{len(dataset.queries)} queries")
    run.metrics = evaluate(run.rankings, dataset.qrels)
    seconds = time.perf_counter() - started
    log(f"{mode}: {run.metrics} in {seconds:.0f} s")
    return run


async def benchmark(
    args: argparse.Namespace, stack: Stack, dataset: beir.Dataset
) -> dict[str, Any]:
    ingestion = Ingestion(documents=len(dataset.corpus))
    async with gateway_client(stack) as http:
        stack.save_state(dataset=str(args.dataset.resolve()))
        state = stack.state()
        if state.get("email"):
            client = Client(http, state["email"])
            await client.login()
            ingestion.resumed = True
        else:
            client = await Client.signup(http)
            stack.save_state(email=client.email)
            await client.mute_document_mail()
        collection_id = state.get("collection_id")
        if not collection_id:
            name = f"BEIR {dataset.name}"
            created = await client.json(
                "POST", "/api/collections", 201, json={"name": name, "visibility": "org"}
            )
            collection_id = created["id"]
            stack.save_state(collection_id=collection_id)
        log(f"uploading {len(dataset.corpus)} documents ({args.concurrency} at a time)")
        started = time.perf_counter()
        mapping, ingestion.uploaded_now, ingestion.upload_s = await upload_corpus(
            client, stack, dataset, collection_id, args.concurrency, ingestion.refused
        )
        log(
            f"uploaded {ingestion.uploaded_now} in {ingestion.upload_s:.0f} s; waiting for indexing"
        )
        ingestion.chunks, ingestion.failed = await wait_indexed(
            client, collection_id, len(set(mapping.values())), args.index_timeout
        )
        ingestion.index_s = time.perf_counter() - started
        ingestion.configs = await asyncio.to_thread(
            chunks_by_config, stack.database_url, collection_id
        )
        log(f"chunks by text search configuration: {ingestion.configs}")
        to_beir: dict[str, list[str]] = {}
        for doc_id, document_id in mapping.items():  # two _ids share a document if same bytes
            to_beir.setdefault(document_id, []).append(doc_id)
        limit = await page_limit(client, collection_id)
        runs = []
        for mode in args.modes:
            runs.append(await run_mode(client, collection_id, dataset, mode, limit, to_beir))
    return {"ingestion": ingestion, "runs": runs, "page_limit": limit}


def summary(runs: list[ModeRun], ingestion: Ingestion) -> dict[str, Any]:
    """Each mode's metrics, the documents left out of the index with their reasons, and
    the chunks indexed under each text search configuration."""
    scores: dict[str, Any] = {
        run.mode: {
            **{name: round(value, 4) for name, value in run.metrics.items()},
            "p95_ms": round(percentile(run.first_page_ms, 95), 1),
        }
        for run in runs
    }
    return scores | {
        "refused": ingestion.refused,
        "failed": ingestion.failed,
        "chunks_by_config": ingestion.configs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, required=True, help="a BEIR-format directory")
    parser.add_argument("--out", type=Path, required=True, help="the Markdown report to write")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--concurrency", type=int, default=4, help="uploads in flight")
    parser.add_argument("--index-timeout", type=float, default=3600)
    parser.add_argument(
        "--ingest-workers", type=int, default=1, help="ingest worker processes (sift up runs 1)"
    )
    parser.add_argument("--workdir", type=Path, help="keep the stack here (resumable)")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="for the stack"
    )
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    # Every query is ranked by the engine as it is now: a second run over the same index
    # (--workdir) would otherwise be answered from the first run's cached results.
    extra_env.setdefault("SIFT_SEARCH_RESULT_CACHE_SECONDS", "0")

    # A terminated run still stops its stack (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    dataset = beir.load(args.dataset)
    log(f"{dataset.name}: {len(dataset.corpus)} documents, {len(dataset.queries)} test queries")
    root = args.workdir or Path(tempfile.mkdtemp(prefix="sift-bench-retrieval-"))
    stack = Stack(root.resolve(), extra_env)
    load_start = os.getloadavg()[0]
    started_at = datetime.now(UTC)
    log(f"starting the stack in {root}")
    t0 = time.perf_counter()
    stack.start()
    startup_s = time.perf_counter() - t0
    log(f"stack up in {startup_s:.0f} s at {stack.base}")
    if args.ingest_workers > 1:
        stack.add_ingest_workers(args.ingest_workers - 1)
    try:
        result = asyncio.run(benchmark(args, stack, dataset))
    except BaseException:
        print(stack.tail(), file=sys.stderr)
        raise
    finally:
        stack.stop()
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    command = "bench/retrieval/run " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    text = report.render(
        dataset=dataset,
        command=command,
        started_at=started_at,
        startup_s=startup_s,
        load=(load_start, os.getloadavg()[0]),
        extra_env=extra_env,
        summary=summary(result["runs"], result["ingestion"]),
        **result,
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    log(f"report written to {args.out}")
    print(json.dumps(summary(result["runs"], result["ingestion"])), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
