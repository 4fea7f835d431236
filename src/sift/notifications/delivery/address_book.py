"""The address book: the latest address identity named for each user, for the mail whose
event carries only a user ID (documents, saved searches, and security events published
before they carried one).

Every identity event that names its owner's address (a sign-in, a verification link, a
security alert) keeps it up to date, an older event never overwriting a newer one; an
erasure request deletes it. Until identity has named someone's address, their
user-ID-only mail is recorded as `skipped` ("no address known").
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope, EventPayload
from sift.contracts.events.identity import ApiKeyCreated, InvitationCreated
from sift.contracts.events.privacy import ErasureRequested
from sift.notifications.delivery.address_repository import address_book_repository
from sift.notifications.email.rendering import Recipient


def _named(payload: EventPayload) -> tuple[uuid.UUID, str] | None:
    """The owner and the address an event names for them, if it does."""
    if isinstance(payload, InvitationCreated):
        return None  # the invitee's address, and the invitee has no account yet
    email = getattr(payload, "email", None)
    owner = payload.created_by if isinstance(payload, ApiKeyCreated) else None
    owner = owner or getattr(payload, "user_id", None)
    if not email or not isinstance(owner, uuid.UUID):
        return None
    return owner, str(email)


async def learn(session: AsyncSession, envelope: EventEnvelope, payload: EventPayload) -> None:
    named = _named(payload)
    if named is not None:
        await address_book_repository.remember(session, *named, envelope.occurred_at)


async def recipient(session: AsyncSession, to: Recipient | uuid.UUID) -> Recipient | None:
    """`to` as a recipient with an address; None when the book has none for the user."""
    if isinstance(to, Recipient):
        return to
    address = await address_book_repository.address_of(session, to)
    return Recipient(address=address, user_id=to) if address is not None else None


async def forget(session: AsyncSession, envelope: EventEnvelope) -> None:
    """An erasure request: the user's address goes (the handler of `privacy.erasure_requested`)."""
    await address_book_repository.forget(session, envelope.payload_as(ErasureRequested).user_id)
