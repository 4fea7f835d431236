"""Consent to product e-mail, as `audit` announces it (`consent.changed`), through the real
outbox, relay and consumer group: withdrawn, product mail (digests included) is not sent,
security alerts still are; granted again, it goes again; an older event cannot undo a newer
choice; an erasure removes the choice."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from sift.contracts.events import ConsentChanged, ConsentKind
from sift.contracts.events.identity import PasswordChanged
from sift.contracts.events.privacy import ErasureRequested
from sift.core.db import Database
from sift.notifications.consents.models import ProductEmailConsent
from sift.notifications.delivery.models import Delivery
from sift.notifications.preferences.service import preference_service
from tests.notifications.inapp import (
    Caller,
    Inbox,
    empty_preferences_and_deliveries,
    inbox,
    signing_key,
)
from tests.notifications.test_inapp_events import indexed, upload

__all__ = ["inbox", "signing_key"]  # fixtures


async def _empty(database: Database) -> None:
    await empty_preferences_and_deliveries(database)
    async with database.engine.begin() as connection:
        await connection.execute(text("TRUNCATE notifications.product_email_consents"))


@pytest.fixture
async def consents(inbox: Inbox, database: Database) -> AsyncIterator[Inbox]:
    await _empty(database)
    yield inbox
    await _empty(database)


async def choose(inbox: Inbox, me: Caller, granted: bool, **envelope: object) -> None:
    await inbox.publish(
        ConsentChanged(user_id=me.user_id, kind=ConsentKind.product_email, granted=granted),
        producer="audit",
        actor_id=me.user_id,
        subject_id=me.user_id,
        **envelope,
    )


async def mails_of(database: Database, user_id: uuid.UUID) -> list[tuple[str, str, str | None]]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(Delivery).where(Delivery.user_id == user_id).order_by(Delivery.created_at)
        )
        return [(row.kind, row.status, row.error) for row in rows]


async def index_one(inbox: Inbox, me: Caller) -> None:
    document_id, version_id = await upload(inbox, me)
    await inbox.publish(indexed(document_id, version_id), producer="search", org_id=inbox.org_id)
    await inbox.deliver()


async def test_withdrawn_product_mail_is_not_sent_but_security_mail_is(
    consents: Inbox, database: Database
) -> None:
    me = consents.caller()
    # Identity names the address (and alerts about the password change).
    changed = PasswordChanged(user_id=me.user_id, email="me@example.com", sessions_revoked=0)
    await consents.publish(changed, producer="identity", subject_id=me.user_id)
    await choose(consents, me, False)
    await consents.deliver()
    await index_one(consents, me)
    withdrawn = "The user withdrew consent to product e-mail."
    assert await mails_of(database, me.user_id) == [
        ("security_alert", "queued", None),
        ("document_indexed", "skipped", withdrawn),
    ]
    # In-app is no e-mail: the notification is still there.
    assert "document_indexed" in [item["type"] for item in await consents.items(me)]
    async with database.sessionmaker() as session:
        digest = await preference_service.email_plan(
            session, me.user_id, "digest", now=datetime.now(UTC)
        )
        assert (digest.send, digest.reason) == (False, withdrawn)
        alert = await preference_service.email_plan(
            session, me.user_id, "security_alert", now=datetime.now(UTC)
        )
        assert alert.send
        assert not await preference_service.email_wanted(session, me.user_id, "document_indexed")

    # Granted again: it goes again.
    await choose(consents, me, True)
    await consents.deliver()
    await index_one(consents, me)
    assert [m[:2] for m in await mails_of(database, me.user_id)][-1] == (
        "document_indexed",
        "queued",
    )


async def test_an_older_event_does_not_undo_a_newer_choice(
    consents: Inbox, database: Database
) -> None:
    me = consents.caller()
    await choose(consents, me, False)
    await choose(consents, me, True, occurred_at=datetime.now(UTC) - timedelta(minutes=5))
    await consents.deliver()
    async with database.sessionmaker() as session:
        row = await session.get(ProductEmailConsent, me.user_id)
        assert row is not None and row.granted is False
        assert not await preference_service.product_email_allowed(session, me.user_id)


async def test_analytics_consent_changes_nothing_here(consents: Inbox, database: Database) -> None:
    me = consents.caller()
    await consents.publish(
        ConsentChanged(user_id=me.user_id, kind=ConsentKind.analytics, granted=False),
        producer="audit",
    )
    await consents.deliver()
    async with database.sessionmaker() as session:
        assert await session.get(ProductEmailConsent, me.user_id) is None
        assert await preference_service.product_email_allowed(session, me.user_id)


async def test_the_choice_is_erased_with_the_person(consents: Inbox, database: Database) -> None:
    me = consents.caller()
    await choose(consents, me, False)
    await consents.deliver()
    await consents.publish(
        ErasureRequested(request_id=uuid.uuid4(), user_id=me.user_id), producer="audit"
    )
    await consents.deliver()
    async with database.sessionmaker() as session:
        assert await session.get(ProductEmailConsent, me.user_id) is None
