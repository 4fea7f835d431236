"""The first document after an ingest worker starts: how long until it is indexed.

    .venv/bin/python bench/ingest/first.py --runs 3

Starts a throwaway embedded PostgreSQL (search schema migrated) and, for each run, a real
ingest worker process (`sift worker --queues ingest --concurrency 1`, Redis as the broker,
as `sift up` runs it), then queues one 1-page PDF and times queued -> indexed. Three cases:

- cold: warm-up off (`SIFT_INGEST_WARM_UP=false`, what every worker did before), the
  document queued as soon as the worker says it is ready;
- warm: warm-up on, the document queued once the worker has warmed up;
- early: warm-up on, the document queued as soon as the worker is ready (it waits for
  the model the warm-up is loading).

Writes the "First document" section of bench/ingest/FIRST.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from documents import MAKERS
from run import machine, states, store_and_queue

from sift.core.config import CoreSettings, Environment
from sift.core.logging import configure_logging
from sift.core.migrations import upgrade
from sift.core.tasks import configure_celery, flush_enqueued
from sift.runtime.embedded_postgres import EmbeddedPostgres, free_port

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CASES = ("cold", "warm", "early")
WORKER = [
    sys.executable,
    "-m",
    "sift.runtime",
    "worker",
    "--queues",
    "ingest",
    "--concurrency",
    "1",
]


@dataclass(frozen=True)
class Run:
    ready_s: float  # the worker's start -> Celery's "ready"
    warmed_s: float | None  # start -> "ingest.warmed", when waited for
    indexed_s: float  # queued -> indexed


def worker_env(settings: CoreSettings, warm_up: bool) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "SIFT_ENV": "test",
            "SIFT_DATABASE_URL": settings.sqlalchemy_url,
            "SIFT_REDIS_URL": settings.redis_url,
            "SIFT_REDIS_PREFIX": settings.redis_prefix,
            "SIFT_DATA_DIR": str(settings.data_dir),
            "SIFT_LOG_JSON": "false",
            "SIFT_LOG_LEVEL": "INFO",
            "SIFT_INGEST_WARM_UP": "true" if warm_up else "false",
        }
    )
    return env


def wait_for(log: Path, text: str, timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while text not in log.read_text(errors="replace"):
        if time.perf_counter() > deadline:
            raise SystemExit(f"{text!r} not in {log} after {timeout} s")
        time.sleep(0.05)


async def queue_one(settings: CoreSettings, pdf: bytes) -> uuid.UUID:
    from sift.search.ingestion.tasks import index_version

    [(version_id, _, _)] = await store_and_queue(settings, [("pdf", pdf, "application/pdf")])
    index_version.delay(str(version_id))
    await flush_enqueued()
    return version_id


def indexed_after(settings: CoreSettings, version_id: uuid.UUID, timeout: float) -> float:
    started = time.perf_counter()
    while True:
        rows = asyncio.run(states(settings, [version_id]))
        row = rows[0] if rows else None
        if row is not None and row.status in ("indexed", "failed"):
            if row.status != "indexed":
                raise SystemExit(f"the document failed: {row.error_message}")
            return time.perf_counter() - started
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"not indexed after {timeout} s")
        time.sleep(0.05)


def one_run(case: str, settings: CoreSettings, pdf: bytes, logs: Path, index: int) -> Run:
    log = logs / f"{case}-{index}.log"
    started = time.perf_counter()
    with log.open("wb") as out:
        worker = subprocess.Popen(
            [*WORKER, "--hostname", f"bench-{case}-{index}@%h"],
            cwd=REPO,
            env=worker_env(settings, warm_up=case != "cold"),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(log, " ready.", 120)
        ready_s = time.perf_counter() - started
        warmed_s = None
        if case == "warm":
            wait_for(log, "ingest.warmed", 120)
            warmed_s = time.perf_counter() - started
        version_id = asyncio.run(queue_one(settings, pdf))
        return Run(ready_s, warmed_s, indexed_after(settings, version_id, 180))
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="workers started per case")
    parser.add_argument("--report", type=Path, default=HERE / "FIRST.md")
    args = parser.parse_args()
    configure_logging(service="bench", level="WARNING", json=False)
    import random

    make, _ = MAKERS["pdf"]
    pdf = make(random.Random(1), 1)
    load_start = os.getloadavg()[0]
    results: dict[str, list[Run]] = {case: [] for case in CASES}
    with tempfile.TemporaryDirectory(prefix="sift-bench-first-") as temp:
        server = EmbeddedPostgres(Path(temp) / "pg", free_port())
        server.start()
        try:
            settings = CoreSettings(
                env=Environment.test,
                database_url=server.url,
                data_dir=Path(temp) / "data",
                redis_prefix=f"bench-first-{uuid.uuid4().hex[:8]}",
                log_json=False,
            )
            upgrade("search", settings.sqlalchemy_url)
            configure_celery(settings)
            for index in range(args.runs):
                for case in CASES:  # interleaved: load on the machine falls on every case
                    results[case].append(one_run(case, settings, pdf, Path(temp), index))
        finally:
            server.destroy()
    report = render(args, results, (load_start, os.getloadavg()[0]))
    args.report.write_text(report)
    print(report)
    return 0


def median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s" if values else "-"


def render(
    args: argparse.Namespace, results: dict[str, list[Run]], load: tuple[float, float]
) -> str:
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    lines = [
        "# Ingestion benchmark: the first document after a worker starts",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on: {machine()}.",
        "",
        f"Command: `{command}` ({args.runs} workers started per case, cases interleaved).",
        "",
        f"Load average (1 min) at start / end: {load[0]:.2f} / {load[1]:.2f}.",
        "",
        "A real ingest worker process per run (`sift worker --queues ingest --concurrency 1`,",
        "Redis broker, embedded PostgreSQL 18), one generated 1-page PDF queued through",
        "Celery. *indexed* is queued -> indexed; *ready* is the worker's start -> Celery's",
        "`ready`; *warmed* is start -> `ingest.warmed`.",
        "",
        "| case | what | ready (median) | warmed (median) | indexed (median) | indexed (max) |",
        "|---|---|---|---|---|---|",
    ]
    what = {
        "cold": "warm-up off, queued at ready",
        "warm": "warm-up on, queued once warmed",
        "early": "warm-up on, queued at ready",
    }
    for case in CASES:
        rows = results[case]
        warmed = [row.warmed_s for row in rows if row.warmed_s is not None]
        indexed = [row.indexed_s for row in rows]
        lines.append(
            f"| {case} | {what[case]} | {median([row.ready_s for row in rows])} | "
            f"{median(warmed)} | **{median(indexed)}** | {max(indexed):.2f} s |"
        )
    lines += [
        "",
        "Target (issue 14): a 1-page document indexed in under 3 s after start; compare",
        "*warm* with *cold*. Every run's numbers, in seconds (ready / warmed / indexed):",
        "",
    ]
    for case in CASES:
        runs = ", ".join(
            f"{row.ready_s:.1f} / "
            + (f"{row.warmed_s:.1f}" if row.warmed_s is not None else "-")
            + f" / {row.indexed_s:.2f}"
            for row in results[case]
        )
        lines.append(f"- {case}: {runs}")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
