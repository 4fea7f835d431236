"""Prometheus series of the AI providers: answers, failovers, tokens and cost, counted in
the assistant's processes (the circuits' state is read at scrape time: circuit_metrics)."""

from __future__ import annotations

from prometheus_client import Counter

PROVIDER_ANSWERS = Counter(
    "sift_provider_answers_total",
    "Answers and summaries given, by the provider that gave them",
    ("provider", "kind", "cached"),
)
PROVIDER_FAILOVERS = Counter(
    "sift_provider_failovers_total",
    "A configured provider skipped for the next in the chain (failed, timed out, circuit open)",
    ("provider", "reason"),
)
PROVIDER_TOKENS = Counter(
    "sift_provider_tokens_total",
    "Tokens of the answers given (direction: prompt, completion)",
    ("provider", "direction"),
)
PROVIDER_COST = Counter(
    "sift_provider_cost_usd_total", "What the answers given cost, in US dollars", ("provider",)
)
