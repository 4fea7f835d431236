"""Retention of conversations: one idle for `SIFT_ASSISTANT_CONVERSATION_RETENTION_DAYS`
(no new message since) is deleted; its messages, their citations and feedback go with it
(foreign keys cascade). Daily usage rows stay: they count tokens and cost, no content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Engine, delete, select

from sift.assistant.models import Conversation
from sift.core.scheduling import purge_in_batches

log = structlog.get_logger()


def purge_idle_conversations(
    engine: Engine,
    *,
    older_than: timedelta,
    batch_size: int = 1_000,
    now: datetime | None = None,
) -> int:
    """Deletes conversations last active before `now - older_than`, in small transactions."""
    cutoff = (now or datetime.now(UTC)) - older_than

    def build() -> Any:
        doomed = select(Conversation.id).where(Conversation.updated_at < cutoff).limit(batch_size)
        return delete(Conversation).where(Conversation.id.in_(doomed.scalar_subquery()))

    total = purge_in_batches(engine, build, batch_size)
    log.info("assistant.conversations_purged", cutoff=cutoff.isoformat(), deleted=total)
    return total
