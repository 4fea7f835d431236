"""Decisions about one event that every channel shares: made once, by the first channel's
handler that asks, and remembered for the others in the event's transaction.

The in-app and e-mail channels both tell a user of a sign-in from a new address, and both
tell an uploader their document was indexed or not; whether that is news is one decision
with a side effect (the address is remembered, the outcome recorded), so asking twice
would answer "no" the second time. The consumer runs every handler of an event in one
session, so the session carries the answer; a retried event starts a new transaction, in
which the side effect was rolled back, and decides again.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.identity import LoginSucceeded
from sift.notifications.inapp.repository import document_upload_repository, known_sign_in_repository
from sift.notifications.models import DocumentUpload

T = TypeVar("T")
_KEY = "sift.notifications.decisions"


async def decided_once(
    session: AsyncSession, envelope: EventEnvelope, name: str, decide: Callable[[], Awaitable[T]]
) -> T:
    decisions: dict[tuple[uuid.UUID, str], Any] = session.info.setdefault(_KEY, {})
    key = (envelope.id, name)
    if key not in decisions:
        decisions[key] = await decide()
    answer: T = decisions[key]
    return answer


async def new_sign_in(session: AsyncSession, envelope: EventEnvelope) -> bool:
    """A sign-in from an address the account has not used before (its first sign-in ever
    is no surprise); the address is remembered."""
    payload = envelope.payload_as(LoginSucceeded)

    async def decide() -> bool:
        if payload.ip is None:
            return False
        known_before = await known_sign_in_repository.has_any(session, payload.user_id)
        new_address = await known_sign_in_repository.remember(
            session, payload.user_id, payload.ip, envelope.occurred_at
        )
        return known_before and new_address

    return await decided_once(session, envelope, "new_sign_in", decide)


async def upload_outcome(
    session: AsyncSession, envelope: EventEnvelope, version_id: uuid.UUID, outcome: str
) -> DocumentUpload | None:
    """The upload whose uploader should hear `outcome` ('indexed' | 'failed'): None when it
    is no news to them (told already, or a late older event) or the upload is unknown."""

    async def decide() -> DocumentUpload | None:
        return await document_upload_repository.record_outcome(
            session, version_id, outcome, envelope.occurred_at
        )

    return await decided_once(session, envelope, f"upload_outcome:{outcome}", decide)
