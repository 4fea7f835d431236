"""A process's tracing: off by default; on, spans reach an OTLP/HTTP collector under the
process's name (in a subprocess: a process sets its tracer provider once)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sift.core.tracing import TracingSettings, configure_tracing, tracing_enabled
from tests.fakes.otlp import fake_collector

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_tracing_is_off_unless_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIFT_TRACING_ENABLED", raising=False)
    assert TracingSettings().enabled is False
    assert configure_tracing("documents") is False
    assert tracing_enabled() is False


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("http://collector:4318", "http://collector:4318/v1/traces"),
        ("http://collector:4318/", "http://collector:4318/v1/traces"),
        ("https://otlp.example.com/v1/traces", "https://otlp.example.com/v1/traces"),
    ],
)
def test_the_traces_url_comes_from_the_endpoint(endpoint: str, url: str) -> None:
    assert TracingSettings(otlp_endpoint=endpoint).traces_url == url


def test_a_configured_process_exports_its_spans_under_its_name() -> None:
    script = textwrap.dedent("""
        from sift.core.tracing import configure_tracing, flush_tracing, tracer
        assert configure_tracing("consume.search")
        assert configure_tracing("ignored")  # once per process: the first name stays
        with tracer().start_as_current_span("process document.uploaded"):
            pass
        flush_tracing()
        """)
    with fake_collector() as collector:
        env = {
            **os.environ,
            "SIFT_TRACING_ENABLED": "true",
            "SIFT_TRACING_OTLP_ENDPOINT": collector.url,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")])
            ),
        }
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        [span] = collector.spans()
    assert (span.service, span.name) == ("consume.search", "process document.uploaded")
