"""structlog logs: JSON lines with Elastic Common Schema (ECS) field names for Filebeat and
Elasticsearch, or the console renderer for development.

A JSON line carries `@timestamp`, `log.level`, `message` (the event name), `ecs.version`,
`service.name`, `process.pid`, `log.logger`, `http.request.id` when a request is being
served, `error.*` for an exception, and every other bound value under `sift.<name>`.
Keys are written dotted and flat (`"log.level": "info"`), as ECS loggers do; Filebeat
expands them into objects (`deploy/logging/filebeat.yml`).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import MutableMapping
from types import FrameType
from typing import Any

import sentry_sdk
import structlog

from sift.core.tracing.logs import add_trace_ids

ECS_VERSION = "8.11.0"
# Bound names that have an ECS field; any other is Sift's own, under `sift.`.
ECS_NAMES = {
    "service": "service.name",
    "request_id": "http.request.id",
}
CUSTOM_NAMESPACE = "sift"


def _caller_module() -> str:
    """The module that called the logger (structlog's own frames skipped)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if not name.startswith(("structlog", "logging", __name__)):
            return name
        frame = frame.f_back
    return "unknown"


def exception_of(exc_info: Any) -> BaseException | None:
    """The exception a log call's `exc_info` names (True: the one being handled)."""
    if isinstance(exc_info, BaseException):
        return exc_info
    if isinstance(exc_info, tuple):
        return exc_info[1] if len(exc_info) > 1 else None
    return sys.exc_info()[1] if exc_info else None


def report_errors(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """An error logged with its exception goes to Sentry, when it is on (`sift.core.sentry`)."""
    if event_dict.get("level") not in ("error", "critical") or not event_dict.get("exc_info"):
        return event_dict
    if not sentry_sdk.get_client().is_active():
        return event_dict
    error = exception_of(event_dict["exc_info"])
    if error is not None:
        with sentry_sdk.new_scope() as scope:
            scope.set_tag("log.event", str(event_dict.get("event", "")))
            sentry_sdk.capture_exception(error)
    return event_dict


def ecs_fields(
    logger: Any, method_name: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Renames an event's fields to ECS; the last processor before the JSON renderer.

    Keys that are already dotted (`trace.id`, `span.id` from a processor before this one)
    are ECS fields as given and stay as they are.
    """
    out: dict[str, Any] = {
        "@timestamp": event_dict.pop("timestamp", None),
        "log.level": event_dict.pop("level", method_name),
        "message": event_dict.pop("event", ""),
        "ecs.version": ECS_VERSION,
        "process.pid": os.getpid(),
    }
    record = event_dict.get("_record")
    out["log.logger"] = record.name if record is not None else _caller_module()
    error = exception_of(event_dict.pop("exc_info", None))
    formatted = event_dict.pop("exception", None)  # a traceback formatted before us
    if error is not None:
        out["error.type"] = type(error).__qualname__
        out["error.message"] = str(error)
        out["error.stack_trace"] = "".join(traceback.format_exception(error)).rstrip()
    elif formatted:
        out["error.stack_trace"] = formatted
    for key, value in event_dict.items():
        if key.startswith("_") or "." in key or key == "@timestamp":
            out[key] = value  # processors' own meta, or a field already named for ECS
        else:
            out[ECS_NAMES.get(key) or f"{CUSTOM_NAMESPACE}.{key}"] = value
    return out


def configure_logging(*, service: str, level: str = "INFO", json: bool = True) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        add_trace_ids,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        report_errors,
    ]
    # JSON: ECS names last (a processor adding fields goes into `shared`, before it).
    # Console: structlog's own names, which its renderer expects.
    renderer: structlog.types.Processor
    if json:
        last: list[structlog.types.Processor] = [ecs_fields]
        foreign_last = last
        renderer = structlog.processors.JSONRenderer()
    else:
        last = [structlog.processors.format_exc_info]
        foreign_last = [structlog.stdlib.add_logger_name, *last]
        renderer = structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[*shared, *last, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    # Libraries that log through the standard library end up as the same JSON lines.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=[*shared, *foreign_last],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
