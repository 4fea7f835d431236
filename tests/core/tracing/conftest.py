"""An in-memory span exporter behind the process's tracer provider, for one test at a time.

OpenTelemetry lets a process set its provider once; the tests share one, and a test sees
only the spans it made. `sift.core.tracing` counts as configured only inside the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from sift.core.tracing import setup

_exporter = InMemorySpanExporter()
_provider = TracerProvider()
_provider.add_span_processor(SimpleSpanProcessor(_exporter))


class Spans:
    def __init__(self, exporter: InMemorySpanExporter, provider: TracerProvider) -> None:
        self.exporter = exporter
        self.provider = provider

    def finished(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def named(self, name: str) -> ReadableSpan:
        found = [span for span in self.finished() if span.name == name]
        assert len(found) == 1, (name, [span.name for span in self.finished()])
        return found[0]


@pytest.fixture
def spans(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spans]:
    trace.set_tracer_provider(_provider)  # the first call wins; later ones only warn
    assert trace.get_tracer_provider() is _provider, "another tracer provider was set first"
    monkeypatch.setattr(setup._state, "provider", _provider)
    _exporter.clear()
    yield Spans(_exporter, _provider)
    _exporter.clear()
