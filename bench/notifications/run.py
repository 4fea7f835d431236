"""Notifications under load: event -> live feed, 1,000 open streams, a burst, e-mail.

    .venv/bin/python bench/notifications/run.py            # full: writes REPORT.md
    .venv/bin/python bench/notifications/run.py --quick    # smaller numbers, a smoke test
    .venv/bin/python bench/notifications/run.py --only burst   # one part (report to stdout)

Modules: `stack.py` (the processes), `streams.py`, `burst.py`, `mail.py` (the parts),
`results.py` (sizes, results), `report.py` (REPORT.md).

Against real processes (see stack.py): events are committed to the producers' outboxes
(search's `search.saved_search_matched`, identity's `auth.recovery_code_used`) exactly as
the services commit them; the relay, the notifications consumer, the API and the delivery
worker do the rest. Measured:

1. event committed -> the notification on an open SSE stream (few streams open);
2. one API replica holding N concurrent SSE clients (httpx streams in this process): the
   replica's RSS, every stream established, and the same latency with all of them open;
3. a burst of events committed at once -> all notifications stored, none twice (checked in
   the table: one row per event, user and channel);
4. an e-mail event committed -> the mail handed to SMTP (the capture's arrival time).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from burst import phase_burst
from mail import phase_mail
from report import render
from results import FULL, QUICK, Results, Sizes
from stack import Stack, running_stack
from streams import phase_streams

from sift.core.db import Database
from sift.core.logging import configure_logging

HERE = Path(__file__).resolve().parent


Phase = Callable[[Stack, Database, Sizes, Results], Awaitable[None]]
PHASES: dict[str, Phase] = {"streams": phase_streams, "burst": phase_burst, "mail": phase_mail}


async def bench(stack: Stack, sizes: Sizes, results: Results, parts: list[str]) -> None:
    database = Database(stack.settings.sqlalchemy_url, pool_size=4)
    try:
        for part in parts:
            await PHASES[part](stack, database, sizes, results)
    finally:
        await database.dispose()


def run_in(logs: Path, sizes: Sizes, parts: list[str]) -> Results:
    results = Results()
    results.load["start"] = os.getloadavg()[0]
    with running_stack(logs) as stack:  # migrations run their own event loop: before ours
        asyncio.run(bench(stack, sizes, results, parts))
    results.load["end"] = os.getloadavg()[0]
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller numbers: a smoke test")
    parser.add_argument("--report", type=Path, help="default: REPORT.md (full), stdout (quick)")
    parser.add_argument("--burst", type=int, help="events in the burst (default: 10,000)")
    parser.add_argument("--keep-logs", type=Path, help="run in this directory and keep it")
    parser.add_argument(
        "--only",
        choices=sorted(PHASES),
        action="append",
        help="run only this part (repeatable); the report goes to stdout unless --report",
    )
    args = parser.parse_args()
    parts = args.only or list(PHASES)
    configure_logging(service="bench", level="WARNING", json=False)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a socket per stream
    sizes = QUICK if args.quick else FULL
    if args.burst:
        sizes = Sizes(sizes.latency_events, sizes.streams, args.burst, sizes.mails)
    if args.keep_logs:
        args.keep_logs.mkdir(parents=True, exist_ok=True)
        results = run_in(args.keep_logs, sizes, parts)
    else:
        with tempfile.TemporaryDirectory(prefix="sift-bench-notify-") as temp:
            results = run_in(Path(temp), sizes, parts)
    report = render(args, sizes, results)
    whole = not (args.quick or args.only)
    target = args.report or (HERE / "REPORT.md" if whole else None)
    if target is not None:
        target.write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
