"""Errors of the retrieval endpoints."""

from __future__ import annotations

from sift.core.errors import NotFound


class DocumentNotFound(NotFound):
    code = "document-not-found"
    title = "Document not found"

    def __init__(self) -> None:
        # The same answer whether the document does not exist or may not be read.
        super().__init__("No indexed document with this ID is readable by the caller.")
