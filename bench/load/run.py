"""Load tests of a whole Sift stack with k6; writes bench/load/REPORT.md.

    .venv/bin/python bench/load/run.py --scenarios mixed,mixed-ask,overload,users-1000 \
        --users 1000 --documents 40 --duration 90s --rate 167 --model-users 1000 \
        --ramp-up 1m --out /tmp/load-REPORT.md

Without `--target`, a throwaway stack is started (`sift up --no-web` in a subprocess, as
bench/retrieval/stack.py does: its own data directory, PostgreSQL, Redis prefix and
ports), with the assistant on its local extractive provider only. `sift seed load`
writes the accounts, organizations, collections and documents (indexed by the stack's
own ingestion; the run waits for them) and the tokens k6 uses. With `--target URL
--seed-file FILE` an already running stack is driven instead (seed it first with `sift
seed load --out FILE`).

Each scenario is `k6 run --summary-export` on the JS file of the same name, with every
sample also written to CSV (per endpoint p50/p95/p99, requests per minute and statuses
come from it; `mixed`, `mixed-ask` and `overload` ramp up for `--warmup` first, which is
not counted). The hot SQL statements of each scenario come from `pg_stat_statements` and
the server's slow-statement log (hotsql.py). A sampler reads /proc every second: CPU
and RSS of each process of the stack and of k6, and the machine's load (with
`--target`: every process of this machine whose command line looks like Sift's, another
stack's too). Access tokens live
`SIFT_AUTH_ACCESS_TOKEN_SECONDS` (15 minutes on the started stack, where the seed runs
again before each scenario for fresh ones), so a scenario must fit in that.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here), str(here.parent / "retrieval")]

from hotsql import HotSql, HotStatement  # noqa: E402
from hotsql import render as render_hot_sql  # noqa: E402
from procstat import Sampler, Usage, loadavg, snapshot  # noqa: E402
from report import machine  # noqa: E402
from stack import Stack  # noqa: E402

from sift.runtime.embedded_postgres import EmbeddedPostgres  # noqa: E402
from sift.search.evaluation.metrics import percentile  # noqa: E402

SCENARIOS = ("mixed", "mixed-ask", "search", "ask", "upload", "users-1000", "overload")
REFUSALS = ("429", "503")
K6 = Path(sys.executable).parent / "k6"


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


@dataclass
class ScenarioResult:
    name: str
    command: str
    seconds: float
    summary: dict[str, Any]
    endpoints: dict[str, dict[str, Any]]
    usage: Usage
    exit_code: int
    hot_sql: list[HotStatement] = field(default_factory=list)


def seed(stack: Stack, args: argparse.Namespace, out: Path) -> None:
    env = stack.env_used | {
        "SIFT_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{stack.pg_port}/sift"
    }
    argv = [sys.executable, "-m", "sift.runtime", "seed", "load", "--out", str(out)]
    argv += ["--users", str(args.users), "--documents", str(args.documents)]
    subprocess.run(argv, env=env, check=True)


def stack_roots(stack: Stack) -> set[int]:
    """`sift up` and what it started, PostgreSQL too (its server detaches from `sift up`),
    and Redis: the stack's own, or one shared with whatever else runs on this machine."""
    assert stack.process is not None
    roots = {stack.process.pid}
    postgres = EmbeddedPostgres(stack.data_dir / "postgres", stack.pg_port).running_pid_and_port()
    if postgres is not None:
        roots.add(postgres[0])
    roots |= {pid for pid, sample in snapshot().items() if sample.role == "redis-server"}
    return roots


def wait_indexed(stack: Stack, seed_file: Path, timeout: float) -> tuple[int, int]:
    """(indexed, seeded) documents once every one is indexed or failed, or at `timeout`."""
    ids = [doc for org in json.loads(seed_file.read_text())["orgs"] for doc in org["document_ids"]]
    deadline = time.monotonic() + timeout
    with psycopg.connect(stack.database_url, autocommit=True) as connection:
        while True:
            rows = connection.execute(
                "SELECT status, count(*) FROM documents.documents WHERE id = ANY(%s::uuid[])"
                " GROUP BY status",
                (ids,),
            ).fetchall()
            counts = dict(rows)
            done = counts.get("indexed", 0) + counts.get("failed", 0)
            if done >= len(ids) or time.monotonic() > deadline:
                return counts.get("indexed", 0), len(ids)
            time.sleep(2)


WARMUP_TAG = "warmup"
# The scenarios that ramp up to their rate before they count (lib.js `withWarmup`).
WARMED_UP = ("mixed", "mixed-ask", "overload")


def k6_seconds(text: str) -> float:
    units = {"h": 3600, "m": 60, "s": 1}
    return sum(
        float(value) * units[unit] for value, unit in re.findall(r"(\d+(?:\.\d+)?)(h|m|s)", text)
    )


def endpoint_stats(samples: Path, seconds: float) -> dict[str, dict[str, Any]]:
    """Per `endpoint` tag: latencies (ms), requests per minute, answers by status."""
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    with gzip.open(samples, "rt", newline="") as lines:
        for row in csv.DictReader(lines):
            if row["metric_name"] != "http_req_duration":
                continue
            tags = dict(p.split("=", 1) for p in row["extra_tags"].split("&") if "=" in p)
            endpoint = tags.get("endpoint", "untagged")
            if endpoint == WARMUP_TAG:
                continue
            latencies[endpoint].append(float(row["metric_value"]))
            statuses[endpoint][row["status"] or "0"] += 1
    return {
        name: {
            "requests": len(values),
            "per_minute": len(values) / seconds * 60 if seconds else 0.0,
            "p50": percentile(values, 50),
            "p95": percentile(values, 95),
            "p99": percentile(values, 99),
            "statuses": dict(statuses[name]),
        }
        for name, values in sorted(latencies.items())
    }


def recovery_seconds(samples: Path) -> float | None:
    """Seconds from the overload burst's last request to the last refusal after it (CSV
    timestamps are whole seconds); None when nothing was refused after the burst."""
    burst_end, last_refusal = 0, None
    with gzip.open(samples, "rt", newline="") as lines:
        for row in csv.DictReader(lines):
            if row["metric_name"] != "http_req_duration":
                continue
            stamp = int(row["timestamp"])
            if "endpoint=mixed_burst" in row["extra_tags"]:
                burst_end = max(burst_end, stamp)
            elif "endpoint=mixed_after" in row["extra_tags"] and row["status"] in REFUSALS:
                last_refusal = max(last_refusal or 0, stamp)
    return None if last_refusal is None else max(0, last_refusal - burst_end)


def run_scenario(
    name: str,
    base: str,
    seed_file: Path,
    args: argparse.Namespace,
    roots: set[int] | None,
    hot_sql: HotSql | None = None,
) -> ScenarioResult:
    out = args.workdir / "runs" / f"{name}-{datetime.now(UTC):%Y%m%dT%H%M%S}"
    out.mkdir(parents=True, exist_ok=True)
    env_args = {"SIFT_BASE_URL": base, "SIFT_SEED": str(seed_file), "DURATION": args.duration}
    warmup = args.warmup if name in WARMED_UP else "0s"
    env_args["WARMUP"] = warmup
    if args.rate:
        env_args["RATE"] = str(args.rate)
    if name == "users-1000":
        env_args |= {"USERS": str(args.model_users), "RAMP_UP": args.ramp_up}
    argv = [str(K6), "run", "--quiet", "--summary-export", str(out / "summary.json")]
    argv += ["--out", f"csv={out / 'samples.csv.gz'}"]
    for key, value in env_args.items():
        argv += ["-e", f"{key}={value}"]
    argv.append(str(here / f"{name}.js"))
    if hot_sql is not None:
        hot_sql.start()
    sampler = Sampler(roots)
    sampler.start()
    started = time.monotonic()
    log(f"k6: {name}")
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    sampler.watch(process.pid)
    code = process.wait()
    seconds = time.monotonic() - started - k6_seconds(warmup)
    usage = sampler.stop()
    summary = json.loads((out / "summary.json").read_text())
    command = shlex.join(argv).replace(str(here.parents[1]) + "/", "")
    stats = endpoint_stats(out / "samples.csv.gz", seconds)
    if name == "overload":
        summary["recovery_seconds"] = recovery_seconds(out / "samples.csv.gz")
    statements = hot_sql.finish() if hot_sql is not None else []
    return ScenarioResult(name, command, seconds, summary, stats, usage, code, statements)


# The processes a request of the API goes through: their CPU divided by the requests
# served is the cost of a request (the background ones, the relay, consumers, workers and
# `sift up` itself, work on a timer or on events, whatever the rate).
REQUEST_PATH = ("nginx", "serve ", "postgres")


def request_path_cpu(usage: Usage) -> float:
    return sum(
        u.cpu_seconds
        for role, u in usage.roles.items()
        if any(role == p or (p.endswith(" ") and role.startswith(p)) for p in REQUEST_PATH)
    )


def _per_request(cpu_seconds: float, requests: int) -> str:
    return f"{1000 * cpu_seconds / requests:.2f}" if requests else "-"


def _errors(statuses: dict[str, int]) -> str:
    bad = {s: n for s, n in sorted(statuses.items()) if not s.isdigit() or int(s) >= 400}
    bad |= {s: n for s, n in statuses.items() if s == "0"}
    return ", ".join(f"{s}: {n}" for s, n in sorted(bad.items())) or "none"


def _overload_lines(summary: dict[str, Any]) -> list[str]:
    metrics = summary.get("metrics", {})
    refusal = metrics.get("refusal_ms")
    bare = metrics.get("refusals_without_retry_after", {}).get("count", 0)
    recovery = summary.get("recovery_seconds")
    lines = [
        "Refusals (503 or 429): "
        + (
            f"{refusal['count']:.0f}, answered in p50 {refusal['p(50)']:.1f} ms, p95"
            f" {refusal['p(95)']:.1f} ms, p99 {refusal['p(99)']:.1f} ms; {bare:.0f} without"
            " Retry-After."
            if refusal
            else "none."
        ),
        "After the burst: "
        + (
            "no refusal."
            if recovery is None
            else f"the last refusal came {recovery:.0f} s after the burst's last request."
        ),
    ]
    return lines


def render(results: list[ScenarioResult], args: argparse.Namespace, context: dict[str, Any]) -> str:
    lines = ["# Load tests (k6)", ""]
    if args.smoke:
        lines += [
            "**Smoke run, not a measurement.** Short runs at low rates on a machine other",
            "engineers were loading at the same time: they show that the tooling works end",
            "to end, not what the stack sustains.",
            "",
        ]
    lines += [
        f"- date: {context['date']}; machine: {machine()}",
        f"- k6: {context['k6']}; target: {context['target']}",
        f"- seeded: {context['seeded']}",
        f"- machine load before the run (1/5/15 min): {context['load_before']}",
        f"- to repeat: `{context['command']}`",
        "",
    ]
    for result in results:
        metrics = result.summary.get("metrics", {})
        dropped = metrics.get("dropped_iterations", {}).get("count", 0)
        lines += [f"## {result.name}", "", f"`{result.command}`", ""]
        lines += [
            f"{result.seconds:.0f} s, k6 exit status {result.exit_code}; iterations k6 could"
            f" not start on schedule (dropped): {dropped:.0f}",
            "",
            "Requests per minute are over the scenario's whole run; latencies in ms.",
            "",
            "| endpoint | requests | req/min | p50 ms | p95 ms | p99 ms | errors by status |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
        for name, s in result.endpoints.items():
            lines.append(
                f"| {name} | {s['requests']} | {s['per_minute']:.0f} | {s['p50']:.1f} |"
                f" {s['p95']:.1f} | {s['p99']:.1f} | {_errors(s['statuses'])} |"
            )
        ingest = metrics.get("ingest_seconds")
        if ingest:
            lines += [
                "",
                f"Upload → indexed: p50 {ingest['p(50)']:.1f} s, p95 {ingest['p(95)']:.1f} s"
                f" over {ingest['count']:.0f} documents.",
            ]
        if result.name == "overload":
            lines += ["", *_overload_lines(result.summary)]
        usage = result.usage
        requests = sum(s["requests"] for s in result.endpoints.values())
        lines += [
            "",
            "| process | count | CPU % (mean) | CPU % (peak 1 s) | CPU ms per request |"
            " RSS MiB (peak) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for role, u in sorted(usage.roles.items(), key=lambda item: -item[1].cpu_seconds):
            mean = 100 * u.cpu_seconds / usage.seconds if usage.seconds else 0.0
            lines.append(
                f"| {role} | {len(u.processes)} | {mean:.0f} | {u.peak_cpu_percent:.0f} |"
                f" {_per_request(u.cpu_seconds, requests)} | {u.peak_rss_bytes / 2**20:.0f} |"
            )
        path = request_path_cpu(usage)
        if requests and path:
            per_request = 1000 * path / requests
            lines += [
                "",
                "CPU per request on the request path (nginx, every `serve` process,"
                f" PostgreSQL): {per_request:.2f} ms"
                f", so {os.cpu_count()} cores serve at most"
                f" ~{1000 * (os.cpu_count() or 1) / per_request:.0f} requests/s of this mix"
                " with nothing else running (the load generator and background processes"
                " take their share too).",
            ]
        if "redis-server" in usage.roles:
            lines += [
                "",
                "redis-server may be a Redis shared with other work on this machine (the"
                " stack uses the one that answers): its CPU is not all the stack's.",
            ]
        ones = [one for one, _, _ in usage.load] or [0.0]
        lines += [
            "",
            f"Machine load (1-minute average) during the run: min {min(ones):.2f},"
            f" max {max(ones):.2f} on {os.cpu_count()} cores. CPU % is of one core; the RSS"
            " of a role of several processes is their sum, which counts memory they share"
            " (PostgreSQL's shared buffers) once per process.",
            "",
            *render_hot_sql(result.hot_sql),
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", default="mixed", help=f"comma-separated: {SCENARIOS}")
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sift-bench-load"
    )
    parser.add_argument("--out", type=Path, default=here / "REPORT.md")
    parser.add_argument("--target", help="a running stack's URL (needs --seed-file)")
    parser.add_argument("--seed-file", type=Path, help="with --target: `sift seed load --out`")
    parser.add_argument("--users", type=int, default=1000, help="accounts to seed")
    parser.add_argument("--documents", type=int, default=200, help="documents to seed")
    parser.add_argument("--index-timeout", type=float, default=600.0, metavar="SECONDS")
    parser.add_argument("--duration", default="1m", help="of each scenario (k6 syntax)")
    parser.add_argument("--rate", type=int, help="requests a second (default: the script's)")
    parser.add_argument(
        "--warmup",
        default="15s",
        help="mixed and overload first ramp up to the rate for this long, not counted",
    )
    parser.add_argument("--model-users", type=int, default=1000, help="users-1000's users")
    parser.add_argument("--ramp-up", default="1m", help="users-1000's ramp to full rate")
    parser.add_argument(
        "--stack-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the started stack, e.g. SIFT_OVERLOAD_MAX_CONCURRENT_REQUESTS=8",
    )
    parser.add_argument("--smoke", action="store_true", help="mark the report as a smoke run")
    args = parser.parse_args()
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    if unknown := set(scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.target and not args.seed_file:
        parser.error("--target needs --seed-file")
    if any("=" not in item for item in args.stack_env):
        parser.error("--stack-env takes NAME=VALUE")
    args.workdir = args.workdir.resolve()
    k6_version = subprocess.run([str(K6), "version"], capture_output=True, text=True).stdout
    context: dict[str, Any] = {
        "date": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "k6": k6_version.strip().split(" (")[0],
        "load_before": "/".join(f"{v:.2f}" for v in loadavg()),
        "command": shlex.join(["python", "bench/load/run.py", *sys.argv[1:]]),
    }
    stack: Stack | None = None
    try:
        if args.target:
            base, seed_file, roots = args.target.rstrip("/"), args.seed_file.resolve(), None
            context |= {"target": f"the running stack at {base}", "seeded": str(seed_file)}
        else:
            stack = Stack(
                args.workdir / "stack",
                extra_env={
                    "SIFT_ASSISTANT_PROVIDERS": '["local"]',
                    "SIFT_AUTH_ACCESS_TOKEN_SECONDS": "900",
                    **dict(item.split("=", 1) for item in args.stack_env),
                },
            )
            log("starting the stack")
            stack.start()
            assert stack.process is not None
            base, seed_file, roots = stack.base, args.workdir / "seed.json", stack_roots(stack)
            log(f"seeding {args.users} users, {args.documents} documents")
            seed(stack, args, seed_file)
            indexed, total = wait_indexed(stack, seed_file, args.index_timeout)
            log(f"{indexed} of {total} documents indexed")
            context |= {
                "target": "a throwaway `sift up --no-web` (local assistant provider)",
                "seeded": f"{args.users} users, {indexed} of {total} documents indexed",
            }
        results = []
        for index, name in enumerate(scenarios):
            if stack is not None and index:
                # Fresh sessions (the rest is reused): tokens last 15 minutes at most.
                seed(stack, args, seed_file)
            hot_sql = None
            if stack is not None:
                server_log = stack.data_dir / "postgres" / "pgdata" / "server.log"
                hot_sql = HotSql(stack.database_url, server_log)
            results.append(run_scenario(name, base, seed_file, args, roots, hot_sql))
    finally:
        if stack is not None:
            log("stopping the stack")
            stack.stop()
    args.out.write_text(render(results, args, context))
    log(f"report: {args.out}")
    return max(result.exit_code for result in results)


if __name__ == "__main__":
    sys.exit(main())
