"""Errors of result clicks."""

from __future__ import annotations

from sift.core.errors import NotFound


class QueryNotFound(NotFound):
    code = "query-not-found"
    title = "Search not found"

    def __init__(self) -> None:
        # The same answer for another organization's search and one purged from the log.
        super().__init__("No search with this ID was made in the caller's organization.")
