"""Benchmark of the assistant's answer path on the SciFact questions.

    .venv/bin/python bench/assistant/run.py --dataset ../shared/datasets/scifact \
        --out bench/assistant/REPORT.md

What is timed, per answer: the grounded prompt, the provider chain (circuit breaker in
Redis when it answers, timeouts, the provider itself), citation resolution and quote
verification, and the grounding check; i.e. everything `POST /api/assistant/ask` does
after retrieval. Retrieval is the search service's work (bench/retrieval measures it);
here the 8 passages of each question come from a small in-process BM25 over the corpus,
computed before the clock starts. Two runs:
- `local`: the extractive provider, every SciFact test question;
- `remote`: the real openai SDK against tests/fakes/openai.py (in its own process),
  answering after 800 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import statistics
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the fakes live in tests/

from redis.asyncio import Redis  # noqa: E402

from sift.assistant.grounding import citations, prompt  # noqa: E402
from sift.assistant.grounding import text as tx  # noqa: E402
from sift.assistant.passages import Passage  # noqa: E402
from sift.assistant.providers.base import GenerationRequest, Provider, Task  # noqa: E402
from sift.assistant.providers.breaker import BreakerConfig, CircuitBreaker  # noqa: E402
from sift.assistant.providers.chain import ChainConfig, Finished, ProviderChain, Token  # noqa: E402
from sift.assistant.providers.local import LocalProvider  # noqa: E402
from sift.assistant.providers.openai import OpenAIProvider  # noqa: E402
from tests.fakes.llm import Reply  # noqa: E402
from tests.fakes.openai import fake_openai  # noqa: E402


class Bm25:
    def __init__(self, corpus: dict[str, tuple[str, str]]) -> None:
        self.docs = corpus
        self.postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.length: dict[str, int] = {}
        for doc_id, (title, body) in corpus.items():
            words = tx.content_words(f"{title} {body}")
            self.length[doc_id] = len(words)
            for word, count in Counter(words).items():
                self.postings[word].append((doc_id, count))
        self.average = statistics.fmean(self.length.values())

    def top(self, query: str, k: int = 8) -> list[str]:
        scores: defaultdict[str, float] = defaultdict(float)
        total = len(self.docs)
        for word in set(tx.content_words(query)):
            posting = self.postings.get(word, [])
            idf = math.log(1 + (total - len(posting) + 0.5) / (len(posting) + 0.5))
            for doc_id, count in posting:
                norm = count + 1.2 * (0.25 + 0.75 * self.length[doc_id] / self.average)
                scores[doc_id] += idf * count * 2.2 / norm
        return sorted(scores, key=lambda doc_id: -scores[doc_id])[:k]


def load(directory: Path) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    corpus = {}
    for line in (directory / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            corpus[str(row["_id"])] = (row.get("title") or "", row.get("text") or "")
    judged = {
        line.split("\t")[0]
        for line in (directory / "qrels" / "test.tsv").read_text().splitlines()[1:]
        if line.strip()
    }
    queries = {}
    for line in (directory / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if str(row["_id"]) in judged:
                queries[str(row["_id"])] = row["text"]
    return corpus, queries


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)
    first_tokens: list[float] = field(default_factory=list)
    marks: int = 0
    resolved: int = 0
    verified_quotes: int = 0
    citations: int = 0
    grounded: int = 0
    cited_answers: int = 0
    providers: Counter[str] = field(default_factory=Counter)
    wall: float = 0.0

    def percentile(self, values: list[float], share: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]

    def lines(self) -> list[str]:
        n = len(self.latencies)
        per_minute = n / self.wall * 60
        return [
            f"| {self.name} | {n} | {1000 * statistics.median(self.latencies):.0f} ms "
            f"| {1000 * self.percentile(self.latencies, 0.95):.0f} ms "
            f"| {1000 * self.percentile(self.first_tokens, 0.95):.0f} ms | {per_minute:.0f} "
            f"| {100 * self.resolved / max(1, self.marks):.1f} % "
            f"| {100 * self.verified_quotes / max(1, self.citations):.1f} % "
            f"| {100 * self.cited_answers / n:.1f} % | {100 * self.grounded / n:.1f} % "
            f"| {dict(self.providers)} |"
        ]


def passages_for(doc_ids: list[str], corpus: dict[str, tuple[str, str]]) -> list[Passage]:
    found = []
    for doc_id in doc_ids:
        title, body = corpus[doc_id]
        found.append(
            Passage(
                chunk_id=uuid.uuid5(uuid.NAMESPACE_URL, doc_id),
                document_id=uuid.uuid5(uuid.NAMESPACE_DNS, doc_id),
                document_title=title,
                version_id=uuid.uuid5(uuid.NAMESPACE_OID, doc_id),
                start_char=0,
                end_char=len(body),
                text=body,
            )
        )
    return found


async def answer(chain: ProviderChain, question: str, found: list[Passage], run: Run) -> None:
    started = time.perf_counter()
    request = GenerationRequest(
        task=Task.answer,
        question=question,
        passages=found,
        system=prompt.ANSWER_SYSTEM,
        prompt=prompt.answer_prompt(question, found, []),
    )
    parts: list[str] = []
    first: float | None = None
    finished: Finished | None = None
    async for event in chain.run(request):
        if isinstance(event, Token):
            first = first if first is not None else time.perf_counter() - started
            parts.append(event.text)
        elif isinstance(event, Finished):
            finished = event
    text = "".join(parts)
    checked = citations.check(text, found)
    run.latencies.append(time.perf_counter() - started)
    run.first_tokens.append(first or 0.0)
    assert finished is not None
    run.providers[finished.provider] += 1
    marks = len(citations._MARK.findall(text))
    run.marks += marks
    run.resolved += marks - checked.dropped
    run.citations += len(checked.citations)
    run.verified_quotes += sum(
        c.passage.text[c.start : c.end] == c.quote for c in checked.citations
    )
    run.cited_answers += bool(checked.citations)
    run.grounded += checked.grounded


async def bench(
    name: str,
    providers: list[Provider],
    work: list[tuple[str, list[Passage]]],
    concurrency: int,
    redis: Redis | None,
) -> Run:
    breaker = None
    if redis is not None:
        prefix = f"bench:{uuid.uuid4().hex[:8]}:breaker:"
        breaker = CircuitBreaker(redis, prefix, BreakerConfig())
    # The whole budget for the first token: this run measures the provider, not failover.
    config = ChainConfig(budget_seconds=5.0, first_token_timeout=4.5)
    chain = ProviderChain(providers, breaker=breaker, config=config)
    run = Run(name)
    queue: asyncio.Queue[tuple[str, list[Passage]]] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)

    async def worker() -> None:
        while not queue.empty():
            question, found = queue.get_nowait()
            await answer(chain, question, found, run)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    run.wall = time.perf_counter() - started
    await chain.aclose()
    return run


def _serve_fake(found: multiprocessing.Queue[tuple[str, str]], latency: float) -> None:
    with fake_openai() as fake:
        fake.default = Reply(latency=latency)
        found.put((fake.base_url, fake.api_key))
        threading.Event().wait()  # until the benchmark terminates this process


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dataset", type=Path, default=ROOT.parent / "shared/datasets/scifact")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/assistant/REPORT.md")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--remote-questions", type=int, default=120)
    parser.add_argument("--remote-concurrency", type=int, default=8)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    corpus, queries = load(args.dataset)
    index = Bm25(corpus)
    work = [(q, passages_for(index.top(q), corpus)) for q in queries.values()]
    redis: Redis | None = Redis.from_url(args.redis)
    try:
        await redis.ping()  # type: ignore[union-attr]
    except OSError:
        redis = None
    runs = [await bench("local", [LocalProvider()], work, args.concurrency, redis)]
    with fake_openai() as server:
        server.default = Reply(latency=0.8)
        remote = OpenAIProvider(
            api_key=server.api_key, model="gpt-4o-mini", base_url=server.base_url
        )
        runs.append(
            await bench(
                "remote (fake, +800 ms)",
                [remote],
                work[: args.remote_questions],
                args.remote_concurrency,
                redis,
            )
        )
    if redis is not None:
        await redis.aclose()
    header = [
        "| run | answers | p50 | p95 | p95 first token | answers/min | marks resolved "
        "| quotes verified | answers with citations | grounded | provider |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    machine_load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    table = [f"Load average when it finished: {machine_load} (2 cores).", "", *header]
    table += [line for run in runs for line in run.lines()]
    report = args.out.read_text() if args.out.exists() else ""
    marker = "<!-- results -->"
    head = report.split(marker)[0] if marker in report else report
    args.out.write_text(f"{head}{marker}\n\n" + "\n".join(table) + "\n")
    print("\n".join(table))


if __name__ == "__main__":
    asyncio.run(main())
