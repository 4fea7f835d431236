"""A consent choice reaches the audit log through the real outbox, relay and `audit` group,
naming the person by pseudonym only."""

from __future__ import annotations

import uuid

from redis.asyncio import Redis
from sqlalchemy import delete, select

from sift.audit.consents.models import ConsentRecord
from sift.audit.consents.service import consent_service
from sift.audit.log.consumers import consumer
from sift.audit.log.models import AuditEntry
from sift.audit.models import OutboxEvent
from sift.contracts.events import ConsentKind
from sift.core.auth import Principal
from sift.core.auth.permissions import Role, permissions_for
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.relay import relay_once
from sift.core.events.runner import consume_once


async def test_each_change_is_an_audit_entry_about_a_pseudonym(
    database: Database, redis: Redis, settings: CoreSettings, clean_outboxes: None
) -> None:
    user = uuid.uuid4()
    me = Principal(
        user_id=user,
        org_id=uuid.uuid4(),
        role=Role.viewer,
        permissions=permissions_for(Role.viewer),
        token_id="t",
    )
    try:
        async with database.sessionmaker() as session, session.begin():
            await consent_service.update(
                session, me, {ConsentKind.analytics: True, ConsentKind.product_email: False}
            )
            event_ids = list(
                await session.scalars(
                    select(OutboxEvent.id).where(OutboxEvent.type == "consent.changed")
                )
            )
        while await relay_once(database, redis, settings, schemas=["audit"]):
            pass
        stats = await consume_once(
            consumer, database=database, redis=redis, settings=settings, name="test-audit"
        )
        assert stats.failed == 0
        async with database.sessionmaker() as session:
            entries = (
                await session.scalars(select(AuditEntry).where(AuditEntry.id.in_(event_ids)))
            ).all()
        assert len(entries) == 2
        assert {(e.data["kind"], e.data["granted"]) for e in entries} == {
            ("analytics", True),
            ("product_email", False),
        }
        for entry in entries:
            assert entry.action == "consent.changed" and entry.producer == "audit"
            assert entry.target_type == "user"
            assert entry.actor and entry.actor == entry.data["user_id"] == entry.target_id
            assert str(user) not in f"{entry.actor} {entry.target_id} {entry.data}"
    finally:
        async with database.sessionmaker() as session, session.begin():
            await session.execute(delete(ConsentRecord).where(ConsentRecord.user_id == user))
