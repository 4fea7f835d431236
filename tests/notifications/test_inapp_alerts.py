"""Security alerts and membership news, each event through the real outbox and consumer."""

from __future__ import annotations

import uuid

import pytest

from sift.contracts.events import EventPayload
from sift.contracts.events.documents import DocumentDeleted, DocumentIndexed, DocumentVersionCreated
from sift.contracts.events.identity import (
    AccountLocked,
    ApiKeyCreated,
    MemberProvisioned,
    MfaDisabled,
    MfaEnabled,
    MfaMethod,
    OAuthAccountLinked,
    PasswordChanged,
    PasswordResetCompleted,
    RecoveryCodeUsed,
    RefreshReuseDetected,
)
from tests.notifications.inapp import Inbox, inbox, signing_key

__all__ = ["inbox", "signing_key"]  # fixtures

ME = uuid.UUID(int=7)
MAIL = "me@example.com"

ALERTS: list[tuple[EventPayload, str, str]] = [
    (
        RefreshReuseDetected(user_id=ME, session_id=uuid.uuid4(), email=MAIL),
        "A session was signed out for your safety",
        "/settings/sessions",
    ),
    (
        AccountLocked(user_id=ME, email=MAIL, locked_seconds=900, failed_attempts=10),
        "Sign-in locked after failed attempts",
        "/settings/security",
    ),
    (
        PasswordResetCompleted(user_id=ME, email=MAIL, sessions_revoked=2),
        "Password reset",
        "/settings/security",
    ),
    (MfaDisabled(user_id=ME, email=MAIL), "Two-step sign-in turned off", "/settings/security"),
    (
        MfaEnabled(user_id=ME, email=MAIL, method=MfaMethod.totp),
        "Two-step sign-in turned on",
        "/settings/security",
    ),
    (
        PasswordChanged(user_id=ME, email=MAIL, sessions_revoked=1),
        "Password changed",
        "/settings/security",
    ),
    (
        RecoveryCodeUsed(user_id=ME, email=MAIL, remaining=7),
        "Recovery code used",
        "/settings/security",
    ),
    (
        OAuthAccountLinked(user_id=ME, provider="github", email=MAIL),
        "Sign-in method added",
        "/settings/security",
    ),
]


@pytest.mark.parametrize(("payload", "title", "link"), ALERTS, ids=lambda v: type(v).__name__)
async def test_each_security_event_is_an_account_wide_alert(
    inbox: Inbox, payload: EventPayload, title: str, link: str
) -> None:
    await inbox.publish(payload, producer="identity", org_id=inbox.org_id)
    await inbox.deliver()
    for org_id in (inbox.org_id, uuid.uuid4()):  # account-wide: in every organization
        [alert] = await inbox.items(inbox.caller(ME, org_id=org_id))
        assert (alert["type"], alert["title"], alert["link"], alert["priority"]) == (
            "security_alert",
            title,
            link,
            "high",
        )
    if isinstance(payload, AccountLocked):
        assert "10 wrong passwords" in alert["body"] and "15 min" in alert["body"]
    if isinstance(payload, MfaEnabled):
        assert "a TOTP code" in alert["body"]
    if isinstance(payload, RecoveryCodeUsed):
        assert "7 are left" in alert["body"]


async def test_an_api_key_alert_goes_to_its_creator_in_its_organization(inbox: Inbox) -> None:
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
    assert (alert["type"], alert["title"], alert["link"], alert["priority"]) == (
        "security_alert",
        "API key created",
        "/settings/api-keys",
        "high",
    )
    assert "“CI”" in alert["body"]
    assert await inbox.items(inbox.caller(me.user_id, org_id=uuid.uuid4())) == []


async def test_a_provisioned_member_hears_of_it_in_that_organization(inbox: Inbox) -> None:
    me = inbox.caller()
    joined = MemberProvisioned(
        org_id=inbox.org_id, user_id=me.user_id, role="editor", provider="okta"
    )
    await inbox.publish(joined, producer="identity")
    await inbox.deliver()
    [item] = await inbox.items(me)
    assert item["type"] == "member_added" and "okta" in item["body"]
    assert await inbox.items(inbox.caller(me.user_id, org_id=uuid.uuid4())) == []


async def test_a_new_version_tells_its_own_uploader_and_a_deleted_document_nobody(
    inbox: Inbox,
) -> None:
    author, editor = inbox.caller(), inbox.caller()
    document_id = uuid.uuid4()
    versions = []
    for who, number in ((author, 1), (editor, 2)):
        version_id = uuid.uuid4()
        versions.append(version_id)
        created = DocumentVersionCreated(
            document_id=document_id,
            version_id=version_id,
            collection_id=uuid.uuid4(),
            filename=f"v{number}.txt",
            content_type="text/plain",
            size_bytes=1,
            sha256="b" * 64,
            storage_key=f"documents/{document_id}/{number}",
        )
        await inbox.publish(created, org_id=inbox.org_id, actor_id=who.user_id)

    def indexed(version_id: uuid.UUID) -> DocumentIndexed:
        return DocumentIndexed(
            document_id=document_id,
            version_id=version_id,
            collection_id=uuid.uuid4(),
            chunk_count=1,
            embedding_model="m",
            duration_ms=1,
        )

    await inbox.publish(indexed(versions[1]), producer="search")
    await inbox.deliver()
    deleted = DocumentDeleted(
        document_id=document_id, collection_id=uuid.uuid4(), reason="user_request"
    )
    await inbox.publish(deleted)
    await inbox.deliver()
    await inbox.publish(indexed(versions[0]), producer="search")  # after the deletion
    await inbox.deliver()
    [item] = await inbox.items(editor)
    assert "v2.txt" in item["body"]
    assert await inbox.items(author) == []
