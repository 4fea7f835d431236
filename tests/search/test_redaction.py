"""PII redaction on ingest: what each detector replaces, what it must leave alone, and a
redacting collection's documents indexed, found and shown without their PII."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import spacy
from sqlalchemy import select, text

from sift.contracts.events.documents import CollectionUpdated, DocumentReindexRequested
from sift.search.ingestion.extract.base import ExtractedText, FileType, Heading, PageSpan
from sift.search.ingestion.redaction import (
    iban_valid,
    luhn_valid,
    redact_extracted,
    redact_text,
)
from sift.search.models import CollectionAccess, DocumentIndex
from tests.search.access_helpers import apply, envelope
from tests.search.retrieval_helpers import Doc, World, world

__all__ = ["world"]


@pytest.mark.parametrize(
    ("found", "kind"),
    [
        ("jane.doe@example.com", "email"),
        ("j_o+tag@mail.example.co.uk", "email"),
        ("+44 20 7946 0958", "phone"),
        ("+1 (415) 555-2671", "phone"),
        ("+49 30 901820", "phone"),
        ("DE89 3704 0044 0532 0130 00", "iban"),
        ("GB82WEST12345698765432", "iban"),
        ("FR14 2004 1010 0505 0001 3M02 606", "iban"),
        ("4111 1111 1111 1111", "card"),
        ("5500-0000-0000-0004", "card"),
        ("378282246310005", "card"),
        ("3782 822463 10005", "card"),
        ("192.168.1.20", "ip"),
        ("8.8.8.8", "ip"),
        ("2001:db8::1", "ip"),
        ("fe80::1ff:fe23:4567:890a", "ip"),
        ("::ffff:10.0.0.1", "ip"),
    ],
)
def test_each_kind_is_replaced_by_its_placeholder(found: str, kind: str) -> None:
    done = redact_text(f"Before {found}, after.")
    assert done.text == f"Before [{kind}], after."
    assert done.counts == {kind: 1}


@pytest.mark.parametrize(
    "look_alike",
    [
        "4111 1111 1111 1112",  # 16 digits failing Luhn
        "1234567890123456",  # an order number failing Luhn
        "0000 0000 0000 0000",  # passes Luhn, but no card is all zeros
        "DE89 3704 0044 0532 0130 01",  # an IBAN with a wrong check
        "GB00WEST12345698765432",
        "version 1.2.3.4.5",
        "release 10.2.3",
        "999.1.1.1",  # not an address
        "2024-01-15",
        "15.01.2024",
        "12/03/2024",
        "at 12:30:45",
        "std::vector and a::b",
        "ISBN 978-3-16-148410-0",
        "user@localhost",
        "call 030 1234567",  # a national number: only with a configured region
        "page 12, 345 words, 6789 lines",
    ],
)
def test_look_alikes_are_left_alone(look_alike: str) -> None:
    done = redact_text(look_alike)
    assert (done.text, done.counts) == (look_alike, {})


def test_a_configured_region_finds_its_national_numbers() -> None:
    assert redact_text("Call 030 1234567 today.", phone_region="DE").text == "Call [phone] today."
    assert redact_text("Call (415) 555-2671.", phone_region="US").text == "Call [phone]."


def test_checksums() -> None:
    assert iban_valid("NL91ABNA0417164300") and not iban_valid("NL91ABNA0417164301")
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("DE89")
    assert luhn_valid("4012888888881881") and not luhn_valid("4012888888881882")
    assert not luhn_valid("1111111111111111")  # passes the sum, but a single repeated digit


def test_person_names_need_an_ner_model() -> None:
    """No model configured (or a missing one): names stay, nothing fails."""
    sentence = "Ada Lovelace wrote to ada@example.org."
    assert redact_text(sentence).text == "Ada Lovelace wrote to [email]."
    missing = redact_text(sentence, ner_model="xx_no_such_model_installed")
    assert missing.text == "Ada Lovelace wrote to [email]."


def test_person_names_with_an_ner_model(tmp_path: Path) -> None:
    """A pipeline saved to disk stands for an installed model: its recognizer's PERSON
    entities are redacted, other entities are not."""
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns(  # type: ignore[attr-defined]
        [
            {"label": "PERSON", "pattern": "Ada Lovelace"},
            {"label": "ORG", "pattern": "Analytical Society"},
        ]
    )
    nlp.to_disk(tmp_path / "model")
    done = redact_text(
        "Ada Lovelace of the Analytical Society wrote to ada@example.org.",
        ner_model=str(tmp_path / "model"),
    )
    assert done.text == "[person] of the Analytical Society wrote to [email]."
    assert done.counts == {"email": 1, "person": 1}


def test_pages_and_headings_follow_the_shorter_text() -> None:
    first = "Contact\nWrite to someone.long.name@example.com now."
    second = "Server 10.1.2.3 is down."
    whole = f"{first}\n\n{second}"
    extracted = ExtractedText(
        file_type=FileType.pdf,
        text=whole,
        pages=[PageSpan(1, 0, len(first)), PageSpan(2, len(first) + 2, len(whole))],
        headings=[Heading(1, 0, 7, "Contact")],
        page_count=2,
    )
    redacted, counts = redact_extracted(extracted)
    assert counts == {"email": 1, "ip": 1}
    pages = [redacted.text[p.start : p.end] for p in redacted.pages]
    assert pages == ["Contact\nWrite to [email] now.", "Server [ip] is down."]
    [heading] = redacted.headings
    assert redacted.text[heading.start : heading.end] == heading.title == "Contact"


LETTER = (
    "Quarterly supplier review for the turbine gearbox programme. Questions about the "
    "gearbox bearings go to maria.kowalski@supplier.example, by phone on +44 20 7946 0958. "
    "Payments to DE89 3704 0044 0532 0130 00; the test card 4111 1111 1111 1111 is refused. "
    "The monitoring host 192.168.40.12 reports bearing temperatures every minute, and the "
    "firmware release 1.2.3.4.5 of 2024-01-15 fixed the gearbox vibration alarm."
)


async def _state(world: World, doc: Doc) -> DocumentIndex:
    async with world.database.sessionmaker() as session:
        state = await session.get(DocumentIndex, doc.version_id)
        assert state is not None
        return state


async def _chunk_text(world: World, doc: Doc) -> str:
    async with world.database.sessionmaker() as session:
        rows = await session.scalars(
            text("SELECT text FROM search.chunks WHERE document_id = :d ORDER BY ordinal"),
            {"d": doc.document_id},
        )
        return " ".join(rows)


async def test_a_redacting_collection_indexes_and_shows_no_pii(world: World) -> None:
    viewer = world.headers()
    redacting = await world.collection(redact_pii=True)
    doc = await world.document(redacting, LETTER)

    for pii in ("maria.kowalski@supplier.example", "maria.kowalski", "supplier.example"):
        assert await world.found(viewer, pii) == [], pii
    assert await world.found(viewer, "192.168.40.12") == []
    answer = await world.search(viewer, query="gearbox bearings")
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["items"]
    assert item["document_id"] == str(doc.document_id)
    assert "[email]" in item["snippet"] and "maria" not in item["snippet"]

    indexed = await _chunk_text(world, doc)
    assert "[email]" in indexed and "[phone]" in indexed and "[iban]" in indexed
    assert "[card]" in indexed and "[ip]" in indexed
    assert "1.2.3.4.5" in indexed and "2024-01-15" in indexed  # look-alikes stay
    for pii in ("kowalski", "7946", "3704", "4111", "192.168"):
        assert pii not in indexed
    async with world.database.sessionmaker() as session:
        pages = " ".join(
            await session.scalars(
                text("SELECT text FROM search.text_pages WHERE version_id = :v"),
                {"v": doc.version_id},
            )
        )
    assert "[email]" in pages and "kowalski" not in pages

    counts = {"card": 1, "email": 1, "iban": 1, "ip": 1, "phone": 1}
    state = await _state(world, doc)
    assert state.redactions == counts
    assert [step["name"] for step in state.steps or []][:3] == ["fetch", "extract", "redact"]
    [indexed_event] = [
        e
        for e in await world.ingest.events("document.indexed")
        if e["data"]["document_id"] == str(doc.document_id)  # type: ignore[index]
    ]
    assert indexed_event["data"]["redactions"] == counts  # type: ignore[index]


async def test_off_by_default_and_turning_it_on_reindexes(world: World) -> None:
    viewer = world.headers()
    plain = await world.collection()
    doc = await world.document(plain, LETTER)
    assert await world.found(viewer, "maria.kowalski@supplier.example") == [doc.document_id]
    state = await _state(world, doc)
    assert state.redactions is None
    assert "redact" not in [step["name"] for step in state.steps or []]

    # What search does with `collection.updated` (redact_pii) then the collection's
    # `document.reindex_requested`, as the documents service publishes them.
    async with world.database.sessionmaker() as session, session.begin():
        await apply(
            session,
            envelope(
                CollectionUpdated(collection_id=plain, fields=["redact_pii"], redact_pii=True),
                world.org_id,
                datetime.now(UTC),
            ),
            envelope(
                DocumentReindexRequested(
                    document_id=doc.document_id,
                    version_id=doc.version_id,
                    collection_id=plain,
                    content_type="text/plain",
                    storage_key=f"documents/{doc.document_id}/{doc.version_id}",
                    filename="upload",
                ),
                world.org_id,
                datetime.now(UTC),
            ),
        )
        redacts = await session.scalar(
            select(CollectionAccess.redact_pii).where(CollectionAccess.collection_id == plain)
        )
        assert redacts is True
    assert await world.ingest.run(doc.version_id) == "indexed"
    assert await world.found(viewer, "maria.kowalski@supplier.example") == []
    assert (await _state(world, doc)).redactions == {
        "card": 1,
        "email": 1,
        "iban": 1,
        "ip": 1,
        "phone": 1,
    }
    # The original stays in storage: turned off again, a re-index finds the address again.
    stored = await world.ingest.storage.read(f"documents/{doc.document_id}/{doc.version_id}")
    assert b"maria.kowalski@supplier.example" in stored
