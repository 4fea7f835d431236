"""What an answer or a summary costs: the caller's daily usage and the `assistant.answered`
event, written in the caller's transaction, and the usage as the API reports it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.answers.schemas import UsageRead
from sift.assistant.conversations.repository import conversation_repository as repository
from sift.assistant.events import events
from sift.assistant.providers.base import Usage
from sift.assistant.providers.chain import Skip
from sift.assistant.providers.metrics import (
    PROVIDER_ANSWERS,
    PROVIDER_COST,
    PROVIDER_TOKENS,
)
from sift.contracts.events import AssistantAnswered
from sift.core.auth import Principal


async def record_usage(
    session: AsyncSession,
    principal: Principal,
    answered: AssistantAnswered,
    *,
    subject_id: uuid.UUID,
    usage: Usage,
    cost: Decimal,
    cached: bool,
) -> None:
    await repository.add_usage(
        session,
        org_id=principal.org_id,
        user_id=principal.user_id,
        day=datetime.now(UTC).date(),
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cost_usd=cost,
        cached=cached,
    )
    provider = answered.provider
    PROVIDER_ANSWERS.labels(provider, answered.kind, str(cached).lower()).inc()
    PROVIDER_TOKENS.labels(provider, "prompt").inc(usage.prompt_tokens)
    PROVIDER_TOKENS.labels(provider, "completion").inc(usage.completion_tokens)
    PROVIDER_COST.labels(provider).inc(float(cost))
    await events.publish(
        session,
        answered,
        org_id=principal.org_id,
        actor_id=principal.user_id,
        subject_id=subject_id,
    )


def is_failover(skipped: Sequence[Skip]) -> bool:
    """A provider that was configured failed or had its circuit open before one answered."""
    return any(skip.reason != "not_configured" for skip in skipped)


def usage_read(usage: Usage, cost: Decimal) -> UsageRead:
    return UsageRead.from_row(usage, cost_usd=float(cost))
