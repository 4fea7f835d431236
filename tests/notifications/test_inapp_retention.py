"""Retention of the in-app channel: old notifications, addresses and uploads go."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, select

from sift.core.config import CoreSettings
from sift.notifications.config import NotificationsSettings
from sift.notifications.inapp.jobs import prune_in_app, prune_in_app_job
from sift.notifications.models import DocumentUpload, KnownSignIn, Notification
from sift.runtime.scheduler import job_context_for
from tests.notifications.inapp import Inbox, inbox, signing_key

__all__ = ["inbox", "signing_key"]  # fixtures

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def notification(user_id: uuid.UUID, age: int, *, read: bool) -> Notification:
    return Notification(
        event_id=uuid.uuid4(),
        user_id=user_id,
        channel="in_app",
        type="security_alert",
        priority="high",
        title="t",
        body="b",
        created_at=days_ago(age),
        read_at=days_ago(age) if read else None,
    )


async def test_what_is_past_its_retention_goes(inbox: Inbox) -> None:
    user = uuid.uuid4()
    kept = [
        notification(user, 89, read=True),
        notification(user, 364, read=False),
    ]
    gone = [
        notification(user, 91, read=True),
        notification(user, 366, read=False),
    ]
    async with inbox.database.sessionmaker() as session, session.begin():
        session.add_all([*kept, *gone])
        for ip, seen in (("203.0.113.1", 179), ("203.0.113.2", 181)):
            session.add(
                KnownSignIn(
                    user_id=user, ip=ip, first_seen_at=days_ago(400), last_seen_at=days_ago(seen)
                )
            )
        for age in (179, 181):
            session.add(
                DocumentUpload(
                    version_id=uuid.uuid4(),
                    document_id=uuid.uuid4(),
                    uploaded_by=user,
                    title=f"{age}",
                    uploaded_at=days_ago(age),
                )
            )

    counts = await prune_in_app(inbox.database, NotificationsSettings(), now=NOW)
    assert counts == {"notifications": 2, "sign_in_addresses": 1, "uploads": 1}
    async with inbox.database.read_sessionmaker() as session:
        left = set(await session.scalars(select(Notification.id)))
        addresses = set(await session.scalars(select(KnownSignIn.ip)))
        uploads = set(await session.scalars(select(DocumentUpload.title)))
    assert left == {item.id for item in kept}
    assert addresses == {"203.0.113.1"}
    assert uploads == {"179"}


@pytest.fixture
def sync_engine(base_settings: CoreSettings) -> Iterator[Engine]:
    engine = create_engine(base_settings.sync_sqlalchemy_url, pool_size=1)
    yield engine
    engine.dispose()


def test_the_job_runs_as_the_scheduler_runs_it(
    sync_engine: Engine, base_settings: CoreSettings
) -> None:
    user = uuid.uuid4()
    old = datetime.now(UTC) - timedelta(days=NotificationsSettings().retention_days + 1)
    row = {
        "id": uuid.uuid4(),
        "event_id": uuid.uuid4(),
        "user_id": user,
        "channel": "in_app",
        "type": "security_alert",
        "priority": "high",
        "title": "t",
        "body": "b",
    }
    with sync_engine.begin() as connection:
        connection.execute(insert(Notification), [{**row, "created_at": old}])
        connection.execute(
            insert(Notification), [{**row, "id": uuid.uuid4(), "event_id": uuid.uuid4()}]
        )
    try:
        with job_context_for(base_settings, sync_engine):
            prune_in_app_job()
        with sync_engine.connect() as connection:
            left = connection.scalars(
                select(Notification.created_at).where(Notification.user_id == user)
            )
            assert [moment > old for moment in left] == [True]
    finally:
        with sync_engine.begin() as connection:
            connection.execute(delete(Notification).where(Notification.user_id == user))
