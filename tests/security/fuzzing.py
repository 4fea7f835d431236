"""Hypothesis settings of the fuzzers: a fixed-seed slice in `make test`, more on demand.

`SIFT_FUZZ_EXAMPLES=5000` runs every fuzzer with that many examples and fresh random data
(docs/security-testing.md). Each example has a deadline: a slow input is a failure too.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import TypeVar

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

FULL_RUN_VARIABLE = "SIFT_FUZZ_EXAMPLES"
T = TypeVar("T")


def fuzz_settings(examples: int, *, deadline_seconds: float = 1.0) -> settings:
    """`examples` in the slice (derandomized), or the full run's count; one deadline."""
    full = os.environ.get(FULL_RUN_VARIABLE)
    return settings(
        max_examples=int(full) if full else examples,
        derandomize=not full,
        database=None,
        deadline=timedelta(seconds=deadline_seconds),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def drawn(strategy: SearchStrategy[T], count: int, *, derandomize: bool | None = None) -> list[T]:
    """`count` examples of `strategy`, for tests that send them from an event loop
    (Hypothesis runs synchronously); fixed seed unless this is the full run."""
    examples: list[T] = []
    if derandomize is None:  # a fuzzer's own draw: the full run sets count and randomness
        full = os.environ.get(FULL_RUN_VARIABLE)
        derandomize, count = not full, int(full) if full else count

    @settings(
        max_examples=count,
        derandomize=derandomize,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(example: T) -> None:
        examples.append(example)

    collect()
    return examples


# Web-search syntax, control characters, bidirectional overrides, surrogates and the rest.
QUERY_SYNTAX = st.sampled_from(['"', "-", " or ", " OR ", "(", ")", ":", "*", "&", "|", "!", "'"])
QUERIES = st.lists(st.one_of(st.text(max_size=12), QUERY_SYNTAX), max_size=40).map("".join)
