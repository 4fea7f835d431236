"""CPU per request of one code state: a throwaway stack, a warm-up, then N short runs.

    .venv/bin/python bench/load/cpu.py --label before --runs 3 --rate 60 --duration 30s

On a shared machine wall-clock latency measures the neighbours; CPU time per request
(each process's CPU from /proc over a run, divided by the requests served) does not. Each
invocation starts `sift up --no-web` on the same data directory (seeded and indexed once,
reused after), runs `mixed.js` once to warm the pools and caches (not counted), then
`--runs` times at `--rate` for `--duration`, and writes `<workdir>/<label>.json`: per run,
CPU ms per request of each process role and of the request path (nginx, every `serve`,
PostgreSQL). `--profile` adds one more run with `py-spy record` on every `serve` process
and `consume` process and the relay
(speedscope files; py-spy slows what it samples, so that run is not counted) and
`pg_stat_statements` over it. `--compare a,b,...` prints the medians of earlier labels.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here), str(here.parent / "retrieval")]

from procstat import _descendants, loadavg, snapshot  # noqa: E402
from run import (  # noqa: E402
    log,
    request_path_cpu,
    run_scenario,
    seed,
    stack_roots,
    wait_indexed,
)
from stack import Stack  # noqa: E402

PY_SPY = Path(sys.executable).parent / "py-spy"
TOP_STATEMENTS = """
SELECT calls, round(total_exec_time::numeric, 1) AS total_ms,
       round(mean_exec_time::numeric, 3) AS mean_ms, round(max_exec_time::numeric, 1) AS max_ms,
       rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) AS query
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25
"""


def one_run(base: str, seed_file: Path, args: argparse.Namespace, roots: set[int]) -> dict:
    result = run_scenario("mixed", base, seed_file, args, set(roots))
    requests = sum(s["requests"] for s in result.endpoints.values())
    statuses: dict[str, int] = {}
    for s in result.endpoints.values():
        for status, count in s["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    roles = {
        role: round(1000 * u.cpu_seconds / requests, 3) if requests else None
        for role, u in result.usage.roles.items()
    }
    ones = [one for one, _, _ in result.usage.load] or [0.0]
    return {
        "requests": requests,
        "statuses": statuses,
        "roles_ms": roles,
        "request_path_ms": round(1000 * request_path_cpu(result.usage) / requests, 3),
        "load_1m": [min(ones), max(ones)],
        "p50_p95": {
            n: [round(s["p50"], 1), round(s["p95"], 1)] for n, s in result.endpoints.items()
        },
    }


def profile_run(
    stack: Stack, seed_file: Path, args: argparse.Namespace, roots: set[int], out: Path
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    processes = snapshot()
    serving = {
        pid: processes[pid].role
        for pid in _descendants(processes, roots)  # this stack's, not another on the host
        if processes[pid].role.startswith(("serve ", "consume ")) or processes[pid].role == "relay"
    }
    with psycopg.connect(stack.database_url, autocommit=True) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        connection.execute("SELECT pg_stat_statements_reset()")
    spies = []
    for pid, role in serving.items():
        name = role.replace(" ", "-")
        argv = [str(PY_SPY), "record", "--pid", str(pid), "--rate", "200", "--format"]
        # --gil: only samples holding the GIL, so an idle event loop leaves none;
        # --nonblocking: the processes are not paused at each sample (slightly torn stacks).
        argv += ["speedscope", "--output", str(out / f"{name}-{pid}.json"), "--gil"]
        argv.append("--nonblocking")
        spies.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    time.sleep(1)
    one_run(stack.base, seed_file, args, roots)
    for spy in spies:
        spy.send_signal(2)  # SIGINT: py-spy writes its file and exits
    for spy in spies:
        spy.wait(60)
    with psycopg.connect(stack.database_url, autocommit=True) as connection:
        rows = connection.execute(TOP_STATEMENTS).fetchall()
    (out / "statements.tsv").write_text("\n".join("\t".join(map(str, row)) for row in rows) + "\n")
    log(f"profiles and statements: {out}")


def compare(workdir: Path, labels: list[str]) -> None:
    states = {label: json.loads((workdir / f"{label}.json").read_text()) for label in labels}
    roles = sorted({r for s in states.values() for run in s["runs"] for r in run["roles_ms"]})
    print("| role | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for role in [*roles, "request path", "stack (all but k6)"]:
        cells = []
        for state in states.values():
            values = [
                (
                    run["request_path_ms"]
                    if role == "request path"
                    else (
                        sum(v for r, v in run["roles_ms"].items() if r != "k6" and v)
                        if role.startswith("stack")
                        else run["roles_ms"].get(role)
                    )
                )
                for run in state["runs"]
            ]
            values = [v for v in values if v is not None]
            cells.append(f"{statistics.median(values):.2f}" if values else "-")
        print(f"| {role} | " + " | ".join(cells) + " |")
    for label, state in states.items():
        runs = ", ".join(f"{run['request_path_ms']:.2f}" for run in state["runs"])
        loads = [x for run in state["runs"] for x in run["load_1m"]] or [0.0]
        # A refused request (503) costs less than an answered one: a run with many reads low.
        refused = ", ".join(
            f"{100 * (run['requests'] - run['statuses'].get('200', 0)) / run['requests']:.1f}"
            for run in state["runs"]
        )
        print(
            f"{label}: request path per run {runs}; not 200 (%) {refused};"
            f" load {min(loads):.2f}-{max(loads):.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sift-cpu")
    parser.add_argument("--label", default="state")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=int, default=60)
    parser.add_argument("--duration", default="30s")
    parser.add_argument("--warmup", default="30s")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--profile", action="store_true", help="one more run under py-spy")
    parser.add_argument("--compare", help="comma-separated labels: print their medians")
    args = parser.parse_args()
    args.workdir = args.workdir.resolve()
    if args.compare:
        compare(args.workdir, [x for x in args.compare.split(",") if x])
        return 0
    args.model_users, args.ramp_up = args.users, "1s"  # what run_scenario reads
    stack = Stack(
        args.workdir / "stack",
        extra_env={
            "SIFT_ASSISTANT_PROVIDERS": '["local"]',
            "SIFT_AUTH_ACCESS_TOKEN_SECONDS": "900",
        },
    )
    seed_file = args.workdir / "seed.json"
    state: dict[str, Any] = {"label": args.label, "rate": args.rate, "duration": args.duration}
    state["load_before"] = loadavg()
    try:
        log("starting the stack")
        stack.start()
        roots = stack_roots(stack)
        seed(stack, args, seed_file)
        indexed, total = wait_indexed(stack, seed_file, 600)
        log(f"{indexed} of {total} indexed; warm-up")
        warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
        one_run(stack.base, seed_file, warm, roots)
        state["runs"] = []
        for index in range(args.runs):
            run = one_run(stack.base, seed_file, args, roots)
            log(f"run {index + 1}: {run['request_path_ms']:.2f} ms, load {run['load_1m']}")
            state["runs"].append(run)
        if args.profile:
            profile_run(stack, seed_file, args, roots, args.workdir / f"profile-{args.label}")
    finally:
        stack.stop()
    (args.workdir / f"{args.label}.json").write_text(json.dumps(state, indent=1))
    compare(args.workdir, [args.label])
    return 0


if __name__ == "__main__":
    sys.exit(main())
