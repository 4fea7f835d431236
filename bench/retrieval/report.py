"""The Markdown report of a retrieval benchmark run."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime
from pathlib import Path
from typing import Any

from sift.search.evaluation.metrics import percentile

TARGETS = {"hybrid": 0.72, "fulltext": 0.68}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}"
    )


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q):.0f}"


def render(
    *,
    dataset: Any,
    command: str,
    started_at: datetime,
    startup_s: float,
    load: tuple[float, float],
    extra_env: dict[str, str],
    summary: dict[str, Any],
    ingestion: Any,
    runs: list[Any],
    page_limit: int,
) -> str:
    relevant = sum(
        1 for judgments in dataset.qrels.values() for grade in judgments.values() if grade
    )
    lines = [
        f"# Retrieval benchmark: {dataset.name}",
        "",
        f"Run {started_at:%Y-%m-%d %H:%M} UTC on: {machine()}.",
        "",
        f"Command: `{command}`",
        "",
        f"Load average (1 min) at start / end: {load[0]:.2f} / {load[1]:.2f} (the machine is",
        "shared; above ~0.5 other work competed with the stack).",
        "",
        f"Corpus: {len(dataset.corpus):,} documents; {len(dataset.queries)} test queries with "
        f"{relevant} relevance judgments (`qrels/test.tsv`).",
        "",
        "## Quality",
        "",
        "Document-level rankings (distinct documents in result order) scored with BEIR's",
        "conventions (pytrec_eval): nDCG@10 with graded gains, Recall@100, MRR@10.",
        "",
        "| mode | nDCG@10 | Recall@100 | MRR@10 | target nDCG@10 |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        m = run.metrics
        target = TARGETS.get(run.mode)
        verdict = (
            "—"
            if target is None
            else f"≥ {target:.2f} " + ("(met)" if m["ndcg@10"] >= target else "(**not met**)")
        )
        lines.append(
            f"| {run.mode} | {m['ndcg@10']:.4f} | {m['recall@100']:.4f} | {m['mrr@10']:.4f} "
            f"| {verdict} |"
        )
    lines += [
        "",
        "## Latency",
        "",
        "One client, one query at a time, through the gateway (HTTPS, keep-alive). *first page*:",
        f"the client's wall time of the first `POST /api/search` (limit {page_limit});",
        "*all pages*: until 100 distinct documents or the last page; *took_ms*: what the",
        "service reports for the first page.",
        "",
        "| mode | first page p50 / p95 / p99 ms | all pages p50 / p95 ms | took_ms p50 / p95 "
        "| requests |",
        "|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run.mode} | {_ms(run.first_page_ms, 50)} / {_ms(run.first_page_ms, 95)} / "
            f"{_ms(run.first_page_ms, 99)} | {_ms(run.all_pages_ms, 50)} / "
            f"{_ms(run.all_pages_ms, 95)} | {_ms(run.took_ms, 50)} / {_ms(run.took_ms, 95)} "
            f"| {run.pages} |"
        )
    minutes = ingestion.index_s / 60
    lines += [
        "",
        "## Ingestion",
        "",
        "Every document is uploaded through `POST /api/documents` as a Markdown file",
        "(`# title` heading, then the text; Markdown punctuation escaped so the text comes back",
        "verbatim) with the title as the document's title, and goes the real way: documents",
        "service → outbox → relay → search consumer → ingest worker (extract, spaCy, chunk,",
        "embed with all-MiniLM-L6-v2, index). The bench account has its mail per indexed",
        "document switched off (the stack has no mail server). Stack start-up (migrations",
        f"included): {startup_s:.0f} s.",
        "",
    ]
    if ingestion.resumed and not ingestion.uploaded_now:
        lines.append("This run reused an indexed stack (`--workdir`): no ingestion timings.")
    else:
        docs_per_s = ingestion.uploaded_now / ingestion.index_s if ingestion.index_s else 0
        chunks_per_s = ingestion.chunks / ingestion.index_s if ingestion.index_s else 0
        lines += [
            "| documents | uploads | upload wall time | first upload → all indexed | "
            "documents/s | chunks | chunks/s | failed |",
            "|---|---|---|---|---|---|---|---|",
            f"| {ingestion.documents:,} | {ingestion.uploaded_now:,} | "
            f"{ingestion.upload_s:.0f} s | {ingestion.index_s:.0f} s ({minutes:.1f} min) | "
            f"{docs_per_s:.1f} | {ingestion.chunks:,} | {chunks_per_s:.1f} | "
            f"{len(ingestion.failed)} |",
        ]
    lines += [
        "",
        f"Chunks indexed: {ingestion.chunks:,} "
        f"({ingestion.chunks / max(1, ingestion.documents):.2f} per document).",
        "",
        *by_config(ingestion.configs),
        *left_out(ingestion.refused, ingestion.failed),
    ]
    if extra_env:
        lines += ["", "Settings given to the stack:", ""]
        lines += [f"- `{name}={value}`" for name, value in sorted(extra_env.items())]
    lines += [
        "",
        "Summary (the last line the command prints):",
        "",
        "```json",
        json.dumps(summary),
        "```",
        "",
    ]
    return "\n".join(lines)


def by_config(configs: dict[str, int]) -> list[str]:
    """The chunks indexed under each text search configuration (the language each
    document was taken to be in, or its collection's when too short to tell)."""
    if not configs:
        return []
    total = sum(configs.values()) or 1
    lines = [
        "Chunks by text search configuration:",
        "",
        "| configuration | chunks | share |",
        "|---|---|---|",
    ]
    lines += [
        f"| {config} | {count:,} | {100 * count / total:.1f} % |"
        for config, count in configs.items()
    ]
    return [*lines, ""]


def left_out(refused: dict[str, str], failed: dict[str, str]) -> list[str]:
    """The documents missing from the index, by reason (their judgements count as misses)."""
    if not refused and not failed:
        return ["Every document of the corpus was accepted and indexed."]
    lines = [
        f"Left out of the index: {len(refused)} refused at upload, {len(failed)} failed to "
        "index; queries judged relevant to them count them as misses.",
        "",
        "| what | reason | documents | IDs |",
        "|---|---|---|---|",
    ]
    for what, reasons in (("refused", refused), ("failed", failed)):
        by_reason: dict[str, list[str]] = {}
        for doc_id, reason in sorted(reasons.items()):
            by_reason.setdefault(reason, []).append(doc_id)
        for reason, ids in sorted(by_reason.items(), key=lambda item: -len(item[1])):
            shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
            lines.append(f"| {what} | {reason.replace('|', '/')} | {len(ids)} | {shown} |")
    return lines
