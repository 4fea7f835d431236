"""Errors of the audit log's API."""

from __future__ import annotations

from sift.core.errors import BadRequest


class InvalidTimeRange(BadRequest):
    code = "invalid-time-range"
    title = "Invalid time range"
