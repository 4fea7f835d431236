"""Errors of access checks on collection IDs a request names."""

from __future__ import annotations

from collections.abc import Sequence

from sift.core.errors import SiftError


class UnknownCollections(SiftError):
    """Collection IDs that are not collections the caller may read. Unknown, deleted, another
    organization's and unreadable ones get this same answer, so it reveals nothing."""

    status_code = 422
    code = "unknown-collections"
    title = "Unknown collections"

    def __init__(self, loc: Sequence[str]) -> None:
        detail = "Some collection IDs are not collections you may read."
        super().__init__(detail, errors=[{"loc": list(loc), "msg": detail}])
