"""Why a version cannot be indexed: a code the documents service shows, and a human message."""

from __future__ import annotations

from sift.contracts.events.documents import IndexFailureCode

# Worth trying again later without a change to the file.
RETRYABLE_CODES = frozenset(
    {IndexFailureCode.timeout, IndexFailureCode.internal_error, IndexFailureCode.index_unavailable}
)


class IngestError(Exception):
    """A failure of one version that retrying the same bytes will not fix (unless retryable).

    `message` is for people: it never quotes the document's content.
    """

    def __init__(self, code: IndexFailureCode, message: str) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        return self.code in RETRYABLE_CODES


def unsupported_type(what: str) -> IngestError:
    return IngestError(
        IndexFailureCode.unsupported_type,
        f"This file type ({what}) cannot be indexed; accepted: PDF, DOCX, HTML, Markdown, text.",
    )


def corrupt_file(kind: str) -> IngestError:
    return IngestError(
        IndexFailureCode.corrupt_file, f"The {kind} file is damaged and could not be read."
    )


def no_text(kind: str) -> IngestError:
    return IngestError(
        IndexFailureCode.no_text,
        f"No text was found in this {kind} (scanned pages or images need OCR, which is not"
        " enabled).",
    )


def too_large(detail: str) -> IngestError:
    return IngestError(IndexFailureCode.too_large, f"The file is too large to index: {detail}.")


def timed_out(seconds: float) -> IngestError:
    return IngestError(
        IndexFailureCode.timeout, f"Indexing took longer than the limit of {seconds:.0f} s."
    )
