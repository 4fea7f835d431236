"""Log lines: JSON with Elastic Common Schema names (what Filebeat and the index template in
deploy/logging/ expect), the console renderer for development."""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime
from typing import Any

import pytest
import structlog

from sift.core.logging import ECS_VERSION, configure_logging
from sift.runtime.logs import kept_logging

log = structlog.get_logger()
REQUEST_ID = "req-ecs-0123456789"


def emit_sample_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """Real lines of each kind: an event with context, an exception, a library's warning."""
    capsys.readouterr()
    with kept_logging():
        configure_logging(service="documents", json=True)
        structlog.contextvars.bind_contextvars(request_id=REQUEST_ID)
        log.info("document.indexed", chunks=3, document_id="d-1")
        try:
            raise ValueError("no such version")
        except ValueError:
            log.exception("document.index_failed", version_id="v-1")
        logging.getLogger("some.library").warning("a library %s", "speaks")
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_json_lines_carry_ecs_field_names(capsys: pytest.CaptureFixture[str]) -> None:
    indexed, failed, library = emit_sample_lines(capsys)

    assert set(indexed) == {
        "@timestamp",
        "log.level",
        "message",
        "ecs.version",
        "service.name",
        "process.pid",
        "log.logger",
        "http.request.id",
        "sift.chunks",
        "sift.document_id",
    }
    assert indexed["message"] == "document.indexed"
    assert (indexed["log.level"], indexed["ecs.version"]) == ("info", ECS_VERSION)
    assert indexed["service.name"] == "documents"
    assert indexed["process.pid"] == os.getpid()
    assert indexed["log.logger"] == __name__  # the module that logged
    assert indexed["http.request.id"] == REQUEST_ID
    assert (indexed["sift.chunks"], indexed["sift.document_id"]) == (3, "d-1")
    assert indexed["@timestamp"].endswith("Z")
    datetime.fromisoformat(indexed["@timestamp"])

    assert (failed["log.level"], failed["message"]) == ("error", "document.index_failed")
    assert (failed["error.type"], failed["error.message"]) == ("ValueError", "no such version")
    assert failed["error.stack_trace"].startswith("Traceback (most recent call last)")
    assert 'raise ValueError("no such version")' in failed["error.stack_trace"]
    assert failed["sift.version_id"] == "v-1"
    assert "exception" not in failed and "exc_info" not in failed

    assert library["message"] == "a library speaks"
    assert (library["log.level"], library["log.logger"]) == ("warning", "some.library")
    assert library["service.name"] == "documents"
    assert library["http.request.id"] == REQUEST_ID
    assert not [key for key in library if key.startswith("_")]


def test_a_processor_s_dotted_fields_stay_as_they_are(capsys: pytest.CaptureFixture[str]) -> None:
    # How trace IDs join a line: a processor before the renaming adds ECS names itself.
    with kept_logging():
        configure_logging(service="search", json=True)
        log.info("search.done", **{"trace.id": "4bf92f3577b34da6a3ce929d0e0e4736"})
    [line] = [json.loads(text) for text in capsys.readouterr().err.splitlines()]
    assert line["trace.id"] == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_the_console_renderer_stays_for_development(capsys: pytest.CaptureFixture[str]) -> None:
    with kept_logging():
        configure_logging(service="search", json=False)
        log.info("search.done", hits=2)
    err = capsys.readouterr().err
    assert "search.done" in err and "hits" in err
    assert not err.lstrip().startswith("{")
