"""Trace IDs in log lines: a structlog processor, so a log line leads to its trace."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from opentelemetry import trace


def add_trace_ids(
    _logger: Any, _method: str, event_dict: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Adds `trace.id` and `span.id` (ECS names, hex as W3C writes them) inside a span."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace.id", trace.format_trace_id(context.trace_id))
        event_dict.setdefault("span.id", trace.format_span_id(context.span_id))
    return event_dict
