"""Errors of documents, their uploads and versions."""

from __future__ import annotations

import uuid
from typing import ClassVar

from sift.core.errors import Conflict, NotFound, SiftError


class DocumentNotFound(NotFound):
    code = "document-not-found"
    title = "Document not found"

    def __init__(self) -> None:
        super().__init__("No document you may read has this ID.")


class VersionNotFound(NotFound):
    code = "version-not-found"
    title = "Version not found"

    def __init__(self) -> None:
        super().__init__("The document has no version with this ID.")


class DuplicateDocument(Conflict):
    """The same bytes are already in the collection: `document_id` names that document."""

    code = "duplicate-document"
    title = "Duplicate document"

    def __init__(self, document_id: uuid.UUID) -> None:
        super().__init__(
            "The collection already holds a document with exactly these bytes.",
            document_id=str(document_id),
        )
        self.document_id = document_id


class UnsupportedFileType(SiftError):
    status_code = 415
    code = "unsupported-media-type"
    title = "Unsupported file type"
    accepted: ClassVar[tuple[str, ...]] = (
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/html",
        "text/markdown",
        "text/plain",
    )

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(
            detail or "The file's content is not of a type Sift can index.",
            accepted=list(self.accepted),
        )


class EmptyFile(SiftError):
    status_code = 422
    code = "empty-file"
    title = "Empty file"

    def __init__(self) -> None:
        super().__init__("The file is empty.")


class OriginalNotKept(SiftError):
    """The version's file left storage once indexed: its collection keeps only the redacted
    text (`keep_original_files` off)."""

    status_code = 410
    code = "original-not-kept"
    title = "Original file not kept"

    def __init__(self) -> None:
        super().__init__(
            "The original file was not kept: this collection keeps only the redacted text."
        )


class ReindexWithoutOriginal(Conflict):
    """Indexing again needs the file, which its collection no longer keeps."""

    code = "reindex-without-original"
    title = "Cannot index again without the original file"

    def __init__(self) -> None:
        super().__init__(
            "The original file was not kept (this collection keeps only the redacted text),"
            " so the document cannot be indexed again; upload the file again as a new version."
        )
