"""The mail whose events name no address, or need earlier events to be news: sent through
the real outbox, relay and consumer group (both channels, one transaction), then by the
worker's code to the development capture."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from sift.contracts.events import EventPayload
from sift.contracts.events.documents import DocumentIndexFailed, IndexFailureCode
from sift.contracts.events.identity import LoginSucceeded, MfaEnabled, MfaMethod, SignupMethod
from sift.contracts.events.privacy import ErasureRequested
from sift.contracts.events.search import SavedSearchMatched
from sift.notifications.config import NotificationsSettings
from sift.notifications.delivery.models import Delivery, EmailAddress
from sift.notifications.delivery.tasks import run_delivery
from sift.notifications.email.schemas import CapturedMailRead
from tests.notifications.conftest import Capture
from tests.notifications.inapp import Caller, Inbox, inbox, signing_key
from tests.notifications.test_inapp_events import indexed, upload

__all__ = ["inbox", "signing_key"]  # fixtures

EMAIL = "ann@example.org"


async def mails_of(inbox: Inbox, payload: EventPayload, **envelope: Any) -> list[Delivery]:
    """The e-mail deliveries the event made once the group has read it."""
    published = await inbox.publish(payload, **envelope)
    await inbox.deliver()
    async with inbox.database.sessionmaker() as session:
        found = await session.scalars(select(Delivery).where(Delivery.event_id == published.id))
        return list(found)


async def sent(
    inbox: Inbox, delivery: Delivery, capture: Capture, config: NotificationsSettings
) -> CapturedMailRead:
    recorded = await run_delivery(delivery.id, inbox.settings, config, database=inbox.database)
    assert recorded is not None and recorded.status == "sent"
    [mail] = capture.store.latest(1)
    return mail


def sign_in(user_id: uuid.UUID, ip: str, email: str | None = EMAIL) -> LoginSucceeded:
    return LoginSucceeded(
        user_id=user_id, session_id=uuid.uuid4(), method=SignupMethod.password, ip=ip, email=email
    )


async def known(inbox: Inbox, me: Caller) -> None:
    """Identity has named the user's address once (a first sign-in)."""
    assert await mails_of(inbox, sign_in(me.user_id, "192.0.2.1"), producer="identity") == []


async def test_a_sign_in_from_a_new_address_is_mailed_once_and_alerted_in_app_once(
    inbox: Inbox,
    committed_deliveries: None,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    me = inbox.caller()
    await known(inbox, me)  # the account's first sign-in: no surprise
    assert await mails_of(inbox, sign_in(me.user_id, "192.0.2.1"), producer="identity") == []

    [delivery] = await mails_of(inbox, sign_in(me.user_id, "198.51.100.7"), producer="identity")

    # One decision for both channels: the in-app alert went too.
    assert [item["title"] for item in await inbox.items(me)] == ["New sign-in to your account"]
    mail = await sent(inbox, delivery, capture, mail_settings())
    assert (mail.to, mail.subject) == ([EMAIL], "New sign-in to your Sift account")
    assert "198.51.100.7" in (mail.text or "")
    assert "Stop these e-mails" not in (mail.text or "")  # security mail cannot be switched off


async def test_the_uploader_is_mailed_when_a_document_is_indexed_once(
    inbox: Inbox,
    committed_deliveries: None,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    me = inbox.caller()
    await known(inbox, me)
    document_id, version_id = await upload(inbox, me, title="Field notes")

    [delivery] = await mails_of(inbox, indexed(document_id, version_id), org_id=me.org_id)
    # Indexed again (a retried task): no news, neither in-app nor by mail.
    assert await mails_of(inbox, indexed(document_id, version_id), org_id=me.org_id) == []
    assert len(await inbox.items(me)) == 1

    mail = await sent(inbox, delivery, capture, mail_settings())
    assert (mail.to, mail.subject) == ([EMAIL], "“Field notes” is ready to search")
    assert f"{inbox.settings.public_url}/documents/{document_id}" in mail.links
    assert "Stop these e-mails" in (mail.text or "")  # one-click unsubscribe


async def test_a_failed_document_is_mailed_with_its_reason(
    inbox: Inbox,
    committed_deliveries: None,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    me = inbox.caller()
    await known(inbox, me)
    document_id, version_id = await upload(inbox, me, title="Scan")
    failed = DocumentIndexFailed(
        document_id=document_id,
        version_id=version_id,
        collection_id=uuid.uuid4(),
        code=IndexFailureCode.encrypted_pdf,
        reason="The PDF is password-protected.",
    )
    [delivery] = await mails_of(inbox, failed, org_id=me.org_id)
    mail = await sent(inbox, delivery, capture, mail_settings())
    assert mail.subject == "“Scan” could not be indexed"
    assert "The PDF is password-protected." in (mail.text or "")


async def test_a_saved_search_owner_is_mailed_the_new_documents_title_and_link(
    inbox: Inbox,
    committed_deliveries: None,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    uploader, owner = inbox.caller(), inbox.caller()
    await known(inbox, owner)
    document_id, version_id = await upload(inbox, uploader, title="Tide tables 2027")
    match = SavedSearchMatched(
        saved_search_id=uuid.uuid4(),
        user_id=owner.user_id,
        document_id=document_id,
        collection_id=uuid.uuid4(),
        version_id=version_id,
        match_count=2,
    )
    [delivery] = await mails_of(inbox, match, producer="search", org_id=owner.org_id)
    mail = await sent(inbox, delivery, capture, mail_settings())
    assert mail.subject == "New matches for one of your saved searches"
    assert "Tide tables 2027" in (mail.text or "")
    assert f"{inbox.settings.public_url}/documents/{document_id}" in mail.links


async def test_without_a_known_address_the_mail_is_recorded_as_skipped(
    inbox: Inbox, committed_deliveries: None
) -> None:
    me = inbox.caller()
    document_id, version_id = await upload(inbox, me)
    [delivery] = await mails_of(inbox, indexed(document_id, version_id), org_id=me.org_id)
    assert (delivery.status, delivery.error) == ("skipped", "No address is known.")


async def test_an_event_published_before_it_named_the_address_uses_the_known_one(
    inbox: Inbox,
    committed_deliveries: None,
    capture: Capture,
    mail_settings: Callable[..., NotificationsSettings],
) -> None:
    me = inbox.caller()
    await known(inbox, me)
    enabled = MfaEnabled(user_id=me.user_id, method=MfaMethod.totp)  # no `email`
    [delivery] = await mails_of(inbox, enabled, producer="identity")
    mail = await sent(inbox, delivery, capture, mail_settings())
    assert (mail.to, mail.subject) == ([EMAIL], "Two-step verification is on")
    assert "TOTP" in (mail.text or "")


async def test_the_newest_address_wins_and_an_erasure_forgets_it(
    inbox: Inbox, committed_deliveries: None
) -> None:
    me = inbox.caller()
    await known(inbox, me)
    await mails_of(
        inbox, sign_in(me.user_id, "192.0.2.1", "ann@new.example.org"), producer="identity"
    )
    async with inbox.database.sessionmaker() as session:
        book = await session.get(EmailAddress, me.user_id)
        assert book is not None and book.address == "ann@new.example.org"

    erasure = ErasureRequested(request_id=uuid.uuid4(), user_id=me.user_id)
    await mails_of(inbox, erasure, producer="audit")

    async with inbox.database.sessionmaker() as session:
        assert await session.get(EmailAddress, me.user_id) is None
