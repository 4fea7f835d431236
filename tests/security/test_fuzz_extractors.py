"""Property-based fuzzing of every extractor (PDF, DOCX, HTML, Markdown, text): arbitrary
bytes, and real files of each type truncated or with bytes changed, under any declared
type. Extraction ends within its deadline with text whose page spans and headings lie
inside it, or with a typed `IngestError` (the version's failed status); nothing else.
The same files through the upload's type sniffing: an accepted type or a 415/422
problem, the same whatever the chunks the body arrives in."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sift.documents.documents.exceptions import EmptyFile, UnsupportedFileType
from sift.documents.documents.sniffing import ACCEPTED_TYPES, Sniffer
from sift.search.config import IngestSettings
from sift.search.ingestion.exceptions import IngestError
from sift.search.ingestion.extract import Deadline, ExtractedText, extract
from tests.search import files
from tests.security.fuzzing import fuzz_settings

# Bounds small enough that a fuzzed file meets them (a bomb, a page flood) in the slice.
SETTINGS = IngestSettings(max_pages=50, max_text_chars=200_000, max_unzipped_bytes=4_000_000)
DECLARED = st.sampled_from(
    [
        None,
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "text/html",
        "text/markdown",
        "text/plain",
        "application/octet-stream",
    ]
)
SAMPLES = {
    "pdf": files.pdf(["Harbor capacity grew.", "Cranes ran all night."]),
    "docx": files.docx_file(
        heading="Harbor", paragraphs=["Cranes ran.", "Ships came."], table=[["a", "b"]]
    ),
    "html": files.HTML_PAGE.encode(),
    "markdown": files.MARKDOWN.encode(),
    "text": "Plain notes, ünïcode and\ttabs.\r\n".encode(),
}


@st.composite
def damaged(draw: st.DrawFn, sample: bytes) -> bytes:
    """The sample truncated, with bytes overwritten, and with bytes inserted."""
    data = bytearray(sample[: draw(st.integers(min_value=0, max_value=len(sample)))])
    for _ in range(draw(st.integers(min_value=0, max_value=8))):
        if data:
            data[draw(st.integers(min_value=0, max_value=len(data) - 1))] = draw(
                st.integers(min_value=0, max_value=255)
            )
    at = draw(st.integers(min_value=0, max_value=len(data)))
    return bytes(data[:at] + draw(st.binary(max_size=64)) + data[at:])


def assert_extracted_or_refused(data: bytes, declared: str | None) -> None:
    deadline = Deadline(5)
    try:
        extracted = extract(data, declared_type=declared, settings=SETTINGS, deadline=deadline)
    except IngestError as refused:
        assert refused.code is not None and str(refused)
        return
    assert isinstance(extracted, ExtractedText)
    assert len(extracted.text) <= SETTINGS.max_text_chars
    for span in extracted.pages:
        assert 0 <= span.start <= span.end <= len(extracted.text)
    for heading in extracted.headings:
        assert 1 <= heading.level <= 6
        assert 0 <= heading.start <= heading.end <= len(extracted.text)


@fuzz_settings(150, deadline_seconds=5)
@given(st.binary(max_size=4096), DECLARED)
def test_arbitrary_bytes_are_extracted_or_refused(data: bytes, declared: str | None) -> None:
    assert_extracted_or_refused(data, declared)


@fuzz_settings(300, deadline_seconds=5)
@given(st.sampled_from(sorted(SAMPLES)).flatmap(lambda kind: damaged(SAMPLES[kind])), DECLARED)
def test_damaged_files_of_every_type_are_extracted_or_refused(
    data: bytes, declared: str | None
) -> None:
    assert_extracted_or_refused(data, declared)


MARKUP_PIECES = [
    *["<h1>", "</h1>", "<h7>", "<script>", "<style>", "<!--", "-->", "<![CDATA[", "&#0;"],
    *["&#x110000;", "&amp", "<table><tr><td>", "<br/>", "# ", "###### ", "```", "\n"],
    *["[a](", "<", ">", "\x00", "\r", "\u202e", "<?xml ", "<!DOCTYPE html>"],
]
MARKUP = st.lists(
    st.one_of(st.text(max_size=12), st.sampled_from(MARKUP_PIECES)), max_size=200
).map("".join)


@fuzz_settings(200, deadline_seconds=5)
@given(MARKUP, st.sampled_from(["text/html", "text/markdown", "text/plain", None]))
def test_any_markup_is_extracted_or_refused(text: str, declared: str | None) -> None:
    assert_extracted_or_refused(text.encode("utf-8", "surrogatepass"), declared)


def sniffed(data: bytes, chunk: int, name: str) -> str:
    """The upload's type as documents sniffs it while the body streams in, or its refusal."""
    sniffer = Sniffer(markdown_name=name.endswith(".md"))
    try:
        for start in range(0, len(data), chunk):
            sniffer.feed(data[start : start + chunk])
        found = sniffer.finish()
    except (EmptyFile, UnsupportedFileType) as refused:
        assert refused.status_code in (415, 422)
        return type(refused).__name__
    assert found.mime_type in ACCEPTED_TYPES
    return found.mime_type


@fuzz_settings(300, deadline_seconds=5)
@given(
    st.one_of(
        st.binary(max_size=2048),
        st.sampled_from(sorted(SAMPLES)).flatmap(lambda kind: damaged(SAMPLES[kind])),
    ),
    st.integers(min_value=1, max_value=600),
    st.sampled_from(["notes.md", "notes.txt", "file"]),
)
def test_an_upload_is_typed_or_refused_the_same_however_it_is_chunked(
    data: bytes, chunk: int, name: str
) -> None:
    assert sniffed(data, chunk, name) == sniffed(data, len(data) or 1, name)
