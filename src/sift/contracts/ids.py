"""Identifiers: the IDs of rows and of events are made the same way everywhere."""

from __future__ import annotations

import uuid

from uuid6 import uuid7


def new_id() -> uuid.UUID:
    """Time-ordered UUIDs (v7) keep B-tree inserts local and sort by creation."""
    return uuid.UUID(bytes=uuid7().bytes)
