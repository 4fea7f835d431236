"""Conversations' retention, run as the scheduler runs it (in its job context)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, create_engine, delete, insert, select

from sift.assistant.config import get_assistant_settings
from sift.assistant.conversations.jobs import purge_conversations_job
from sift.assistant.conversations.retention import purge_idle_conversations
from sift.assistant.models import Conversation, Feedback, Message
from sift.core.config import CoreSettings
from sift.runtime.scheduler import job_context_for


@pytest.fixture
def sync_engine(base_settings: CoreSettings) -> Iterator[Engine]:
    engine = create_engine(base_settings.sync_sqlalchemy_url, pool_size=1)
    yield engine
    engine.dispose()


@pytest.fixture
def org(sync_engine: Engine) -> Iterator[uuid.UUID]:
    org_id = uuid.uuid4()
    yield org_id
    with sync_engine.begin() as connection:
        connection.execute(delete(Conversation).where(Conversation.org_id == org_id))


def converse(
    engine: Engine, org_id: uuid.UUID, title: str, idle: timedelta
) -> tuple[uuid.UUID, uuid.UUID]:
    """A conversation with a question, an answer and feedback, last active `idle` ago."""
    at = datetime.now(UTC) - idle
    user, conversation, question, answer = (uuid.uuid4() for _ in range(4))
    with engine.begin() as connection:
        connection.execute(
            insert(Conversation).values(
                id=conversation,
                org_id=org_id,
                user_id=user,
                title=title,
                created_at=at,
                updated_at=at,
            )
        )
        for message, role in ((question, "user"), (answer, "assistant")):
            connection.execute(
                insert(Message).values(
                    id=message,
                    conversation_id=conversation,
                    org_id=org_id,
                    user_id=user,
                    role=role,
                    content=f"{title} {role}",
                    created_at=at,
                )
            )
        connection.execute(insert(Feedback).values(message_id=answer, user_id=user, rating="up"))
    return conversation, answer


def titles(engine: Engine, org_id: uuid.UUID) -> list[str]:
    with engine.connect() as connection:
        return sorted(
            connection.scalars(select(Conversation.title).where(Conversation.org_id == org_id))
        )


def test_the_job_deletes_idle_conversations_with_their_messages_and_feedback(
    sync_engine: Engine, base_settings: CoreSettings, org: uuid.UUID
) -> None:
    retention = timedelta(days=get_assistant_settings().conversation_retention_days)
    old, old_answer = converse(sync_engine, org, "old", retention + timedelta(hours=1))
    _, recent_answer = converse(sync_engine, org, "recent", retention - timedelta(hours=1))

    with job_context_for(base_settings, sync_engine):
        purge_conversations_job()

    assert titles(sync_engine, org) == ["recent"]
    with sync_engine.connect() as connection:
        messages = connection.scalars(select(Message.conversation_id).where(Message.org_id == org))
        assert old not in set(messages)
        feedback = set(connection.scalars(select(Feedback.message_id)))
    assert old_answer not in feedback and recent_answer in feedback
    # Idempotent: a second run has nothing left to do.
    assert purge_idle_conversations(sync_engine, older_than=retention) == 0


def test_the_purge_goes_in_batches_and_keeps_what_is_younger(
    sync_engine: Engine, org: uuid.UUID
) -> None:
    for number in range(5):
        converse(sync_engine, org, f"idle {number}", timedelta(days=40))
    converse(sync_engine, org, "active", timedelta(days=1))
    purged = purge_idle_conversations(sync_engine, older_than=timedelta(days=30), batch_size=2)
    assert purged >= 5  # other tests' idle rows may go too: nothing else was this old
    assert titles(sync_engine, org) == ["active"]
