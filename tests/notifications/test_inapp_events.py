"""In-app notifications made from events: sent through the real outbox, relay and consumer
group, read back through the real HTTP API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import func, select

from sift.contracts.events import EventEnvelope
from sift.contracts.events.documents import (
    CollectionMemberGranted,
    CollectionRoleName,
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentUploaded,
    IndexFailureCode,
)
from sift.contracts.events.identity import ApiKeyCreated, LoginSucceeded, SignupMethod
from sift.contracts.events.privacy import ErasureRequested
from sift.contracts.events.search import SavedSearchMatched
from sift.core.events.bus import encode_entry, stream_key
from sift.notifications import events as notification_events
from sift.notifications.models import DocumentUpload
from tests.notifications.inapp import Caller, Inbox, inbox, signing_key

__all__ = ["inbox", "signing_key"]  # fixtures


def uploaded(document_id: uuid.UUID, version_id: uuid.UUID, **changes: Any) -> DocumentUploaded:
    fields: dict[str, Any] = {
        "document_id": document_id,
        "version_id": version_id,
        "collection_id": uuid.uuid4(),
        "filename": "q3-report.pdf",
        "content_type": "application/pdf",
        "size_bytes": 1234,
        "sha256": "a" * 64,
        "storage_key": f"documents/{document_id}/1",
        "title": "Q3 report",
    }
    return DocumentUploaded(**{**fields, **changes})


def indexed(document_id: uuid.UUID, version_id: uuid.UUID, **changes: Any) -> DocumentIndexed:
    fields: dict[str, Any] = {
        "document_id": document_id,
        "version_id": version_id,
        "collection_id": uuid.uuid4(),
        "chunk_count": 3,
        "embedding_model": "all-MiniLM-L6-v2",
        "duration_ms": 10,
    }
    return DocumentIndexed(**{**fields, **changes})


async def upload(inbox: Inbox, uploader: Caller, **changes: Any) -> tuple[uuid.UUID, uuid.UUID]:
    document_id, version_id = uuid.uuid4(), uuid.uuid4()
    await inbox.publish(
        uploaded(document_id, version_id, **changes),
        org_id=uploader.org_id,
        actor_id=uploader.user_id,
    )
    return document_id, version_id


async def redeliver(redis: Redis, inbox: Inbox, envelope: EventEnvelope) -> None:
    """The stream hands the group the same event again (as after a crash before XACK)."""
    await redis.xadd(
        stream_key(inbox.settings),
        encode_entry(
            event_id=str(envelope.id),
            event_type=envelope.type,
            envelope_json=envelope.model_dump_json(),
        ),
    )


async def test_the_uploader_hears_that_a_document_is_indexed_once(inbox: Inbox) -> None:
    uploader, colleague = inbox.caller(), inbox.caller()
    document_id, version_id = await upload(inbox, uploader)
    envelope = await inbox.publish(
        indexed(document_id, version_id), producer="search", org_id=inbox.org_id
    )
    await inbox.deliver()

    [item] = await inbox.items(uploader)
    assert item["type"] == "document_indexed"
    assert item["title"] == "Document ready"
    assert "Q3 report" in item["body"]
    assert item["link"] == f"/documents/{document_id}"
    assert item["priority"] == "normal"
    assert item["read_at"] is None
    assert await inbox.unread(uploader) == 1
    assert await inbox.items(colleague) == []

    await redeliver(inbox.redis, inbox, envelope)
    stats = await inbox.deliver()
    assert stats.duplicates == 1
    assert len(await inbox.items(uploader)) == 1


async def test_a_failure_tells_the_uploader_why(inbox: Inbox) -> None:
    uploader = inbox.caller()
    document_id, version_id = await upload(inbox, uploader, title=None)
    failed = DocumentIndexFailed(
        document_id=document_id,
        version_id=version_id,
        collection_id=uuid.uuid4(),
        code=IndexFailureCode.encrypted_pdf,
        reason="The PDF is encrypted; upload it without a password.",
    )
    await inbox.publish(failed, producer="search", org_id=inbox.org_id)
    await inbox.deliver()

    [item] = await inbox.items(uploader)
    assert item["type"] == "document_index_failed"
    assert item["priority"] == "high"
    assert "q3-report.pdf" in item["body"]  # the file name when the upload had no title
    assert "The PDF is encrypted; upload it without a password." in item["body"]


async def test_the_uploader_hears_of_each_outcome_once_and_never_of_an_older_one(
    inbox: Inbox,
) -> None:
    uploader = inbox.caller()
    document_id, version_id = await upload(inbox, uploader)
    now = datetime.now(UTC)

    def failed(at: datetime) -> tuple[DocumentIndexFailed, datetime]:
        payload = DocumentIndexFailed(
            document_id=document_id,
            version_id=version_id,
            collection_id=uuid.uuid4(),
            code=IndexFailureCode.timeout,
            reason="Indexing took too long.",
            retryable=True,
        )
        return payload, at

    ok = indexed(document_id, version_id)
    for payload, at in (
        failed(now),
        failed(now + timedelta(seconds=1)),  # failed again: no news
        (ok, now + timedelta(seconds=2)),  # the retry worked
        (ok, now + timedelta(seconds=3)),  # indexed again (a re-index): no news
        failed(now + timedelta(seconds=1, milliseconds=500)),  # late and older than success
    ):
        await inbox.publish(payload, producer="search", occurred_at=at)
    await inbox.deliver()
    assert [item["type"] for item in await inbox.items(uploader)] == [
        "document_indexed",
        "document_index_failed",
    ]


async def test_superseded_versions_and_unknown_uploads_tell_nobody(inbox: Inbox) -> None:
    uploader = inbox.caller()
    document_id, version_id = await upload(inbox, uploader)
    await inbox.publish(
        indexed(document_id, version_id, superseded=True, chunk_count=0), producer="search"
    )
    await inbox.publish(indexed(uuid.uuid4(), uuid.uuid4()), producer="search")
    stats = await inbox.deliver()
    assert stats.applied == 3 and stats.failed == 0
    assert await inbox.items(uploader) == []


async def test_a_saved_search_match_tells_its_owner_in_its_organization(inbox: Inbox) -> None:
    uploader, owner = inbox.caller(), inbox.caller()
    document_id, version_id = await upload(inbox, uploader)
    match = SavedSearchMatched(
        saved_search_id=uuid.uuid4(),
        user_id=owner.user_id,
        document_id=document_id,
        collection_id=uuid.uuid4(),
        version_id=version_id,
        match_count=2,
    )
    await inbox.publish(match, producer="search", org_id=inbox.org_id)
    await inbox.deliver()

    [item] = await inbox.items(owner)
    assert item["type"] == "saved_search_matched"
    assert item["body"] == "“Q3 report” matches one of your saved searches (2 passages)."
    # The owner's other organization does not show it.
    assert await inbox.items(inbox.caller(owner.user_id, org_id=uuid.uuid4())) == []


async def test_a_grant_to_a_restricted_collection_tells_the_new_member(inbox: Inbox) -> None:
    admin, member = inbox.caller(), inbox.caller()
    collection_id = uuid.uuid4()
    for previous in (None, CollectionRoleName.viewer):  # a changed role is no news
        grant = CollectionMemberGranted(
            collection_id=collection_id,
            user_id=member.user_id,
            role=CollectionRoleName.editor,
            previous_role=previous,
        )
        await inbox.publish(grant, org_id=inbox.org_id, actor_id=admin.user_id)
    await inbox.deliver()

    [item] = await inbox.items(member)
    assert item["type"] == "collection_access_granted"
    assert item["link"] == f"/collections/{collection_id}"


async def test_a_sign_in_from_a_new_address_is_alerted_in_every_organization(
    inbox: Inbox,
) -> None:
    me = inbox.caller()
    for ip in ("203.0.113.7", "203.0.113.7", "198.51.100.4"):
        sign_in = LoginSucceeded(
            user_id=me.user_id, session_id=uuid.uuid4(), method=SignupMethod.password, ip=ip
        )
        await inbox.publish(sign_in, producer="identity", org_id=inbox.org_id)
    await inbox.deliver()

    # The first address is the account's first sign-in; the same one again is known.
    [alert] = await inbox.items(me)
    assert alert["type"] == "security_alert" and alert["priority"] == "high"
    assert "198.51.100.4" in alert["body"]
    elsewhere = inbox.caller(me.user_id, org_id=uuid.uuid4())
    assert [item["id"] for item in await inbox.items(elsewhere)] == [alert["id"]]


async def test_an_api_key_alert_goes_to_its_creator(inbox: Inbox) -> None:
    me = inbox.caller()
    created = ApiKeyCreated(
        api_key_id=uuid.uuid4(),
        org_id=inbox.org_id,
        created_by=me.user_id,
        name="CI",
        permissions=["documents:read"],
    )
    await inbox.publish(created, producer="identity", org_id=inbox.org_id)
    await inbox.deliver()
    [alert] = await inbox.items(me)
    assert alert["link"] == "/settings/api-keys" and "“CI”" in alert["body"]


async def test_an_erasure_request_deletes_what_the_in_app_channel_holds(inbox: Inbox) -> None:
    me, colleague = inbox.caller(), inbox.caller()
    for who in (me, colleague):
        document_id, version_id = await upload(inbox, who)
        await inbox.publish(indexed(document_id, version_id), producer="search")
    for ip in ("203.0.113.7", "198.51.100.4"):
        sign_in = LoginSucceeded(
            user_id=me.user_id, session_id=uuid.uuid4(), method=SignupMethod.password, ip=ip
        )
        await inbox.publish(sign_in, producer="identity")
    await inbox.deliver()
    assert len(await inbox.items(me)) == 2

    erasure = ErasureRequested(request_id=uuid.uuid4(), user_id=me.user_id)
    await inbox.publish(erasure, producer="audit")
    await inbox.deliver()
    assert await inbox.items(me) == []
    assert len(await inbox.items(colleague)) == 1
    # The addresses went too: the next sign-in is like an account's first, and no upload
    # of the person is known any more.
    sign_in = LoginSucceeded(
        user_id=me.user_id, session_id=uuid.uuid4(), method=SignupMethod.password, ip="192.0.2.1"
    )
    await inbox.publish(sign_in, producer="identity")
    async with inbox.database.read_sessionmaker() as session:
        uploads = await session.scalar(
            select(func.count()).where(DocumentUpload.uploaded_by == me.user_id)
        )
    assert uploads == 0
    await inbox.deliver()
    assert await inbox.items(me) == []


def test_channels_share_one_group_and_run_in_registration_order() -> None:
    assert notification_events.consumer.group == "notifications"
    assert sorted(notification_events.channels.of("document.indexed")) == ["email", "in_app", "sms"]
    assert notification_events.consumer.handler_for("document.indexed") is not None
