"""Event contracts: the envelope, the platform's payloads, and versions that stay readable."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pydantic import Field, ValidationError

import sift.contracts.events as contracts
from sift import SERVICES
from sift.contracts.events import (
    AccountErasureRequested,
    ConsentChanged,
    ConsentKind,
    DocumentDeleted,
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentUploaded,
    ErasedCounts,
    ErasureCompleted,
    ErasureFinished,
    ErasureRequested,
    EventEnvelope,
    EventPayload,
    EventRegistry,
    ExportCompleted,
    ExportReady,
    ExportRequested,
    MemberErased,
    OrganizationDeletionRequested,
    OrganizationErasureRequested,
    OrganizationRemovalRequested,
    UnknownEventType,
    UserSignedUp,
    event_registry,
)
from sift.contracts.events.documents import (
    DocumentIndexStarted,
    DocumentReindexRequested,
    DocumentVersionCreated,
)
from tests.assistant.contract_examples import ASSISTANT_EXAMPLES
from tests.documents.contract_examples import DOCUMENTS_EXAMPLES
from tests.identity.contract_examples import IDENTITY_EXAMPLES
from tests.notifications.contract_examples import NOTIFICATIONS_EXAMPLES
from tests.search.contract_examples import SEARCH_EXAMPLES

SHA = hashlib.sha256(b"x").hexdigest()
ID = uuid.UUID("01900000-0000-7000-8000-000000000001")

EXAMPLES: list[EventPayload] = [
    DocumentUploaded(
        document_id=ID,
        version_id=ID,
        collection_id=ID,
        filename="report.pdf",
        content_type="application/pdf",
        size_bytes=10,
        sha256=SHA,
        storage_key="documents/report.pdf",
    ),
    DocumentIndexed(
        document_id=ID,
        version_id=ID,
        collection_id=ID,
        chunk_count=12,
        page_count=3,
        language="en",
        embedding_model="all-MiniLM-L6-v2",
        duration_ms=850,
    ),
    DocumentIndexFailed(
        document_id=ID,
        version_id=ID,
        collection_id=ID,
        code="extraction_failed",
        reason="the PDF is encrypted",
    ),
    DocumentDeleted(document_id=ID, collection_id=ID, reason="erasure"),
    UserSignedUp(user_id=ID, method="github", created_organization=False),
    ErasureRequested(request_id=ID, user_id=ID),
    ErasureRequested(request_id=ID, user_id=ID, sole_member_org_ids=[ID]),
    AccountErasureRequested(request_id=ID, user_id=ID),
    ErasureFinished(request_id=ID),
    ErasureFinished(
        request_id=ID,
        kind="erasure",
        services={"search": ErasedCounts(erased=40, anonymized=2)},
    ),
    MemberErased(request_id=ID, services={"search": ErasedCounts(erased=40, anonymized=2)}),
    ExportReady(request_id=ID, user_id=ID, expires_at=datetime(2026, 12, 4, tzinfo=UTC)),
    ErasureCompleted(request_id=ID, user_id=ID, service="search", erased=40, anonymized=2),
    ErasureCompleted(
        request_id=ID, user_id=ID, service="identity", erased=3, anonymized=0, kept_org_ids=[ID]
    ),
    ErasureCompleted(request_id=ID, org_id=ID, service="search", erased=40, anonymized=0),
    OrganizationDeletionRequested(request_id=ID, org_id=ID, requested_by=ID),
    OrganizationErasureRequested(request_id=ID, org_id=ID),
    OrganizationRemovalRequested(request_id=ID, org_id=ID),
    ExportRequested(request_id=ID, user_id=ID),
    ConsentChanged(user_id=ID, kind=ConsentKind.product_email, granted=False),
    ExportCompleted(
        request_id=ID,
        user_id=ID,
        service="documents",
        storage_key="exports/1/documents.zip",
        size_bytes=2048,
        sha256=SHA,
    ),
    DocumentVersionCreated(
        document_id=ID,
        version_id=ID,
        collection_id=ID,
        filename="report-v2.pdf",
        content_type="application/pdf",
        size_bytes=4096,
        sha256=SHA,
        storage_key="org/doc/v2",
    ),
    DocumentReindexRequested(
        document_id=ID,
        version_id=ID,
        collection_id=ID,
        content_type="application/pdf",
        storage_key="org/doc/v2",
    ),
    DocumentIndexStarted(document_id=ID, version_id=ID, collection_id=ID, attempt=1),
    *IDENTITY_EXAMPLES,
    *DOCUMENTS_EXAMPLES,
    *SEARCH_EXAMPLES,
    *ASSISTANT_EXAMPLES,
    *NOTIFICATIONS_EXAMPLES,
]


def test_the_platform_flows_have_their_events() -> None:
    assert set(event_registry.event_types()) >= {
        "document.uploaded",
        "document.indexed",
        "document.index_failed",
        "document.deleted",
        "user.signed_up",
        "privacy.erasure_requested",
        "privacy.erasure_completed",
        "privacy.export_requested",
    }
    assert {type(example).event_type for example in EXAMPLES} == set(event_registry.event_types())


@pytest.mark.parametrize("payload", EXAMPLES, ids=lambda payload: payload.event_type)
def test_every_payload_travels_in_an_envelope_and_reads_back(payload: EventPayload) -> None:
    subject = uuid.uuid4()
    envelope = EventEnvelope.wrap(payload, producer="documents", subject_id=subject)
    wire = envelope.model_dump_json()

    received = EventEnvelope.model_validate_json(wire)

    assert received == envelope
    assert received.payload() == payload
    assert received.payload_as(type(payload)) == payload
    assert (received.type, received.version) == (payload.event_type, 1)
    assert received.subject_id == subject
    assert received.id.version == 7
    assert received.occurred_at.tzinfo is UTC


def test_envelope_times_are_utc_and_must_carry_a_zone() -> None:
    paris = timezone(timedelta(hours=2))
    envelope = EventEnvelope(
        type="document.deleted",
        version=1,
        producer="documents",
        occurred_at=datetime(2026, 5, 1, 14, 0, tzinfo=paris),
    )
    assert envelope.occurred_at == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    assert envelope.occurred_at.utcoffset() == timedelta(0)
    with pytest.raises(ValidationError):
        EventEnvelope(
            type="document.deleted",
            version=1,
            producer="documents",
            occurred_at=datetime(2026, 5, 1, 12, 0),  # naive: the point of the test
        )


@pytest.mark.parametrize("bad_type", ["Document.Uploaded", "uploaded", "document.", "a.b c"])
def test_envelope_types_are_dotted_lowercase_names(bad_type: str) -> None:
    with pytest.raises(ValidationError):
        EventEnvelope(type=bad_type, version=1, producer="documents")


def test_readers_tolerate_fields_added_by_newer_producers() -> None:
    envelope = EventEnvelope.wrap(EXAMPLES[3], producer="documents")
    data = {**envelope.data, "added_later": True}
    newer = envelope.model_copy(update={"data": data})
    assert newer.payload_as(DocumentDeleted) == EXAMPLES[3]


def test_an_invalid_payload_is_refused() -> None:
    envelope = EventEnvelope(
        type="document.deleted", version=1, producer="documents", data={"document_id": "nope"}
    )
    with pytest.raises(ValidationError):
        envelope.payload()


class TestVersions:
    """A v1 event written before v2 existed stays readable, as itself or upcast to v2."""

    @pytest.fixture
    def registry(self) -> EventRegistry:
        registry = EventRegistry()

        @registry.register("thing.renamed", version=2)
        class ThingRenamedV2(EventPayload):
            thing_id: uuid.UUID
            new_name: str
            old_name: str | None = None

        @registry.register("thing.renamed", version=1)
        class ThingRenamedV1(EventPayload):
            thing_id: uuid.UUID
            name: str = Field(description="the new name (v2 calls it new_name)")

            def upcast(self) -> EventPayload:
                return ThingRenamedV2(thing_id=self.thing_id, new_name=self.name)

        return registry

    def test_v1_data_parses_as_v1_and_upcasts_to_v2(self, registry: EventRegistry) -> None:
        v1 = {"thing_id": str(ID), "name": "Quarterly"}
        exact = registry.parse("thing.renamed", 1, v1)
        assert (type(exact).__name__, exact.event_version) == ("ThingRenamedV1", 1)

        latest = registry.parse_latest("thing.renamed", 1, v1)
        assert latest.event_version == 2
        assert latest.model_dump() == {"thing_id": ID, "new_name": "Quarterly", "old_name": None}

        old_envelope = EventEnvelope(type="thing.renamed", version=1, producer="t", data=v1)
        assert old_envelope.payload(registry).model_dump()["new_name"] == "Quarterly"
        assert registry.versions("thing.renamed") == [1, 2]

    def test_a_version_without_an_upcast_cannot_be_read_as_the_latest(
        self, registry: EventRegistry
    ) -> None:
        @registry.register("thing.renamed", version=3)
        class ThingRenamedV3(EventPayload):
            thing_id: uuid.UUID

        with pytest.raises(UnknownEventType, match="no upcast to v3"):
            registry.parse_latest("thing.renamed", 2, {"thing_id": str(ID), "new_name": "x"})
        assert registry.parse_latest("thing.renamed", 3, {"thing_id": str(ID)}) == ThingRenamedV3(
            thing_id=ID
        )

    def test_registration_mistakes_fail_loudly(self, registry: EventRegistry) -> None:
        class Again(EventPayload):
            pass

        with pytest.raises(ValueError, match="already registered"):
            registry.register("thing.renamed", version=2)(Again)
        with pytest.raises(ValueError, match="invalid event type"):
            registry.register("Thing")(Again)
        with pytest.raises(ValueError, match="start at 1"):
            registry.register("thing.made", version=0)(Again)
        with pytest.raises(ValueError, match="already registered as"):
            registry.register("thing.copied")(DocumentDeleted)
        with pytest.raises(UnknownEventType):
            registry.get("thing.vanished", 1)
        with pytest.raises(UnknownEventType):
            registry.latest_version("thing.vanished")
        assert not registry.knows("thing.vanished")

    def test_only_registered_payloads_can_be_published(self) -> None:
        class Unregistered(EventPayload):
            pass

        with pytest.raises(TypeError, match="not a registered event payload"):
            EventEnvelope.wrap(Unregistered(), producer="documents")

    def test_payload_as_refuses_another_type(self) -> None:
        envelope = EventEnvelope.wrap(EXAMPLES[0], producer="documents")
        with pytest.raises(TypeError):
            envelope.payload_as(DocumentDeleted)


def test_contracts_are_data_only() -> None:
    """Contract modules define models: no database, Redis or service code in them."""
    package = Path(contracts.__file__).parent
    for module in package.glob("*.py"):
        source = module.read_text(encoding="utf-8")
        for forbidden in ("sqlalchemy", "redis", *(f"sift.{service}" for service in SERVICES)):
            assert f"import {forbidden}" not in source, module.name
            assert f"from {forbidden}" not in source, module.name


def test_an_erasure_answer_names_a_person_or_an_organization() -> None:
    for subjects in ({}, {"user_id": ID, "org_id": ID}):
        with pytest.raises(ValidationError):
            ErasureCompleted(request_id=ID, service="search", erased=0, anonymized=0, **subjects)
    # An answer of before organizations could be erased still reads.
    old = {"request_id": str(ID), "user_id": str(ID), "service": "x", "erased": 1, "anonymized": 0}
    assert ErasureCompleted.model_validate(old).subject_id == ID
