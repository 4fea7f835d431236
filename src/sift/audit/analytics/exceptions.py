"""Errors of the analytics API."""

from __future__ import annotations

from sift.core.errors import SiftError


class InvalidRange(SiftError):
    status_code = 422
    code = "invalid-analytics-range"
    title = "Invalid analytics range"
