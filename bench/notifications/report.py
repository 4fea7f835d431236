"""REPORT.md from a run's results."""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

import psutil
from results import Results, Sizes


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else max(values, default=0)


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )


def render(args: argparse.Namespace, sizes: Sizes, results: Results) -> str:
    def row(name: str, values: list[float], target: str, met: bool | None) -> str:
        if not values:
            return f"| {name} | - | - | - | {target} | no data |"
        verdict = "" if met is None else ("yes" if met else "**no**")
        return (
            f"| {name} | {statistics.median(values):.3f} s | **{p95(values):.3f} s** | "
            f"{max(values):.3f} s | {target} | {verdict} |"
        )

    stored = results.burst_stored_s
    consumer_ms = results.burst_cpu.get("consumer", 0.0) * 1000 / max(sizes.burst, 1)
    command = "python " + " ".join(shlex.quote(a) for a in sys.argv)
    lines = [
        "# Notifications benchmark" + (" (quick)" if args.quick else ""),
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on: {machine()}.",
        "",
        f"Command: `{command}`.",
        "",
        "Load average (1 min) when each part started: "
        + ", ".join(f"{name} {value:.2f}" for name, value in results.load.items())
        + ".",
        "",
        "Real processes (bench/notifications/stack.py): `sift serve notifications` (one",
        "uvicorn replica), `sift relay`, `sift consume notifications`, `sift worker --queues",
        "deliver`, `sift mail-capture`; embedded PostgreSQL 18, the local Redis. Events are",
        "committed to the producers' outboxes as the services commit them; the SSE clients",
        "are httpx streams in the bench process, on the same 2 cores.",
        "",
        "| measure | median | p95 | max | target | met |",
        "|---|---|---|---|---|---|",
        row(
            f"event committed -> on the stream (10 streams, {len(results.latency_few)} events)",
            results.latency_few,
            "p95 < 1 s",
            bool(results.latency_few) and p95(results.latency_few) < 1 and not results.lost_few,
        ),
        row(
            f"the same with {results.streams_open} streams open",
            results.latency_many,
            "p95 < 1 s",
            bool(results.latency_many) and p95(results.latency_many) < 1 and not results.lost_many,
        ),
        row(
            f"e-mail event committed -> handed to SMTP ({len(results.mail_latency)} mails)",
            results.mail_latency,
            "p95 < 5 s",
            bool(results.mail_latency) and p95(results.mail_latency) < 5,
        ),
        "",
        f"- Streams: {results.streams_open} of {sizes.streams} established on one replica "
        f"({len(results.streams_failed)} refused or failed"
        + (f": {sorted(set(results.streams_failed))}" if results.streams_failed else "")
        + f"; {results.streams_refused} attempts shed with 503 and retried after "
        "`Retry-After`, as EventSource does, while 100 clients connected at once). "
        f"Replica RSS: {results.rss_idle_mib:.0f} MiB before, "
        f"**{results.rss_streams_mib:.0f} MiB** with them open (peak {results.rss_peak_mib:.0f}"
        f" MiB); target < 300 MB: "
        + ("yes" if results.rss_peak_mib * 2**20 < 300e6 else "**no**")
        + ".",
        f"- Notifications that never reached a stream: {results.lost_few} (10 streams), "
        f"{results.lost_many} ({results.streams_open} streams).",
        f"- Burst: {sizes.burst:,} events committed in {results.burst_commit_s:.1f} s "
        "(transactions of 500); all notifications stored "
        + (f"**{stored:.1f} s** after the first commit" if stored else "**not within 300 s**")
        + f"; target < 60 s: {'yes' if stored and stored < 60 else '**no**'}. Rows "
        f"{results.burst_rows:,}, distinct (event, user, channel) {results.burst_distinct:,}: "
        + ("none twice." if results.burst_rows == results.burst_distinct else "**duplicates**.")
        + (
            f" Throughput: **{sizes.burst / stored:.0f} events/s** from the first commit to "
            f"the last row; the consumer spent {consumer_ms:.2f} ms of CPU per event."
            if stored
            else ""
        ),
        "- CPU seconds used during the burst, by process (children included): "
        + ", ".join(
            f"{name} {seconds:.1f}"
            for name, seconds in sorted(results.burst_cpu.items(), key=lambda item: -item[1])
        )
        + (
            f" (of {stored * (os.cpu_count() or 1):.0f} core-seconds in {stored:.0f} s)."
            if stored
            else "."
        ),
        f"- Mails never captured: {results.mails_missing} of {sizes.mails} "
        "(committed 10 a second; the delivery worker runs with its default concurrency).",
        "",
    ]
    return "\n".join(lines)
