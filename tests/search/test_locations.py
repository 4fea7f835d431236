"""Where hits are: the page and span of the highlighted passage, not of the chunk's start."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from sift.search.ingestion.extract import ExtractedText, FileType, PageSpan
from sift.search.ingestion.pages import pieces, text_pages
from sift.search.reading.repository import ChunkPlace
from sift.search.reading.service import derive_pages
from sift.search.retrieval import highlight
from sift.search.retrieval.locate import locate, page_at
from sift.search.retrieval.repository.chunks import ChunkRow, PageBreak
from tests.search.files import pdf
from tests.search.retrieval_helpers import World, world

__all__ = ["world"]

PAGE_ONE = "The annual report describes the harbor budget and the ledger of the port."
PAGE_TWO = "On the second page the quarterly figures mention saffron lanterns in the warehouse."


async def text_of(world: World, version_id: uuid.UUID) -> str:
    """The version's extracted text, reassembled from its stored pages."""
    async with world.database.sessionmaker() as session:
        rows = await session.execute(
            text(
                "SELECT start_char, text FROM search.text_pages WHERE version_id = :v ORDER BY seq"
            ),
            {"v": version_id},
        )
        extracted = ""
        for start, page_text in rows:
            extracted = extracted.ljust(start, "\n") + page_text  # pages are joined by a blank line
        return extracted


async def test_a_phrase_on_page_two_of_one_chunk_is_found_on_page_two(world: World) -> None:
    collection = await world.collection()
    doc = await world.document(
        collection, "", data=pdf([PAGE_ONE, PAGE_TWO]), content_type="application/pdf"
    )
    for mode in ("fulltext", "hybrid"):
        answer = await world.search(world.headers(), query="saffron lanterns", mode=mode)
        [hit] = answer.json()["items"]
        # One chunk holds both pages: it starts on page 1, the passage is on page 2.
        assert (hit["page"], hit["page_end"], hit["start_char"]) == (2, 2, 0), hit
        extracted = await text_of(world, doc.version_id)
        span = hit["span"]
        assert "saffron lanterns" in extracted[span["start"] : span["end"]]
        assert extracted[hit["start_char"] : hit["end_char"]] == hit["text"]
    page_one = await world.search(world.headers(), query="harbor budget", mode="fulltext")
    assert page_one.json()["items"][0]["page"] == 1


def test_pages_of_a_pdf_and_pieces_of_other_text() -> None:
    extracted = ExtractedText(
        FileType.pdf, "one\n\ntwo", [PageSpan(1, 0, 3), PageSpan(3, 5, 8)], page_count=3
    )
    assert [(p.seq, p.page, p.text) for p in text_pages(extracted)] == [
        (1, 1, "one"),
        (2, 3, "two"),
    ]
    text = "\n\n".join(f"Paragraph {n} " + "word " * 30 for n in range(20))
    plain = ExtractedText(FileType.text, text, [PageSpan(None, 0, len(text))])
    drafts = text_pages(plain, piece_chars=500)
    assert len(drafts) > 3 and all(d.page is None for d in drafts)
    assert all(text[d.start : d.end] == d.text for d in drafts)
    assert all(d.text.startswith("Paragraph") for d in drafts)  # cut where paragraphs end
    # No paragraph break: a line break, a space, or at last a hard cut.
    assert pieces("a" * 10 + "\n" + "b" * 7, 8) == [(0, 10), (11, 18)]
    assert pieces("a" * 20, 8) == [(0, 8), (8, 16), (16, 20)]


def _row(text: str, headline: str | None, pages: tuple[PageBreak, ...] = ()) -> ChunkRow:
    return ChunkRow(
        chunk_id=uuid.uuid4(),
        document_id=uuid.uuid4(),
        document_title="",
        collection_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        ordinal=0,
        page=1,
        page_end=2 if pages else 1,
        start_char=100,
        end_char=100 + len(text),
        text=text,
        headline=headline,
        pages=pages,
    )


def test_locate_picks_the_fragment_with_most_matches() -> None:
    s, e = highlight.START, highlight.STOP
    text = "Alpha beta gamma.\n\nDelta  alpha epsilon alpha beta."
    headline = f"{s}Alpha{e} beta gamma … Delta  {s}alpha{e} epsilon {s}alpha{e} {s}beta{e}"
    pages = (PageBreak(1, 100, 117), PageBreak(2, 119, 100 + len(text)))
    where = locate(_row(text, headline, pages))
    assert (where.start, where.end, where.page) == (119, 100 + len(text) - 1, 2)
    # A fragment over a page break is cut to the page of its first match.
    across = locate(_row(text, f"{s}gamma{e}.\n\nDelta", pages))
    assert (across.start, across.end, across.page) == (111, 117, 1)
    # Spacing the headline changed is undone; no match at all: the whole chunk.
    spaced = locate(_row(text, f"Delta {s}alpha{e} epsilon", pages))
    assert spaced.start == 119 and spaced.page == 2
    assert locate(_row(text, None)).start == 100
    assert locate(_row(text, f"{s}zeta{e}")).end == 100 + len(text)
    assert page_at((), 5, None) is None
    assert page_at(pages, 118, 1) == 2 and page_at(pages, 500, 1) == 2


async def test_the_pages_of_a_readable_document(world: World) -> None:
    collection = await world.collection()
    doc = await world.document(
        collection, "", data=pdf([PAGE_ONE, PAGE_TWO]), content_type="application/pdf"
    )
    url = f"/api/search/documents/{doc.document_id}/pages"
    headers = world.headers()
    answer = await world.client.get(url, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["document_id"] == str(doc.document_id) and body["page_count"] == 2
    assert [(p["page"], p["text"]) for p in body["items"]] == [(1, PAGE_ONE), (2, PAGE_TWO)]
    assert body["items"][1]["start"] == len(PAGE_ONE) + 2
    second = await world.client.get(url, headers=headers, params={"from": 2, "limit": 1})
    assert [p["page"] for p in second.json()["items"]] == [2]
    past = await world.client.get(url, headers=headers, params={"from": 3})
    assert past.json()["items"] == [] and past.json()["page_count"] == 2
    # A version indexed before pages were stored: its pages come from its chunks.
    async with world.database.sessionmaker() as session, session.begin():
        await session.execute(
            text("DELETE FROM search.text_pages WHERE version_id = :v"), {"v": doc.version_id}
        )
    derived = (await world.client.get(url, headers=headers)).json()
    assert derived["page_count"] == 2
    assert "".join(p["text"] for p in derived["items"]).startswith(PAGE_ONE)
    assert [p["page"] for p in derived["items"]] == [1]  # one chunk, starting on page 1


async def test_pages_of_text_are_pieces_and_unreadable_documents_are_404(world: World) -> None:
    collection = await world.collection("restricted")
    paragraphs = [f"Paragraph {n} about the lighthouse keeper. " * 12 for n in range(12)]
    doc = await world.document(collection, "\n\n".join(paragraphs))
    url = f"/api/search/documents/{doc.document_id}/pages"
    member = uuid.uuid4()
    await world.grant(collection, member)
    body = (await world.client.get(url, headers=world.headers(user_id=member))).json()
    assert body["page_count"] == 2 and [p["page"] for p in body["items"]] == [1, 2]
    extracted = "\n\n".join(p.strip() for p in paragraphs)
    assert all(extracted[p["start"] : p["end"]] == p["text"] for p in body["items"])
    # Not a member, another organization, an unknown document: the same 404.
    for headers, target in (
        (world.headers(), url),
        (world.headers(role="owner", org_id=uuid.uuid4()), url),
        (world.headers(user_id=member), f"/api/search/documents/{uuid.uuid4()}/pages"),
    ):
        refused = await world.client.get(target, headers=headers)
        assert refused.status_code == 404, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
    for params in ({"limit": 0}, {"limit": 21}, {"from": 0}, {"from": "x"}):
        bad = await world.client.get(url, headers=world.headers(user_id=member), params=params)
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert (await world.client.get(url)).status_code == 401


def test_derived_pages_without_page_numbers_are_pieces() -> None:
    chunks = [ChunkPlace(None, 0, "First part."), ChunkPlace(None, 13, "Second part.")]
    [piece] = derive_pages(chunks)
    assert piece.text == "First part.  Second part." and piece.page is None
    assert derive_pages([]) == []
