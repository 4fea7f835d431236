"""The notifications group's before-batch hook: what its handlers will read, read at once.

Each event names users (its actor, a `user_id` in its data) and maybe a document version
(`version_id`), whose upload names one more user (the uploader). For all of them, one query
per kind: preferences, quiet hours and digest, verified phones, addresses, uploads (see
`sift.notifications.batch`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.notifications import batch
from sift.notifications.delivery.address_repository import address_book_repository
from sift.notifications.inapp.repository import document_upload_repository
from sift.notifications.preferences.repository import preference_repository, recipient_repository
from sift.notifications.sms.repository import phone_repository


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def _named(envelopes: Sequence[EventEnvelope], field: str) -> list[uuid.UUID]:
    found = (_uuid(envelope.data.get(field)) for envelope in envelopes if envelope.data.get(field))
    return [value for value in found if value is not None]


async def prefetch(session: AsyncSession, envelopes: Sequence[EventEnvelope]) -> None:
    batch.begin(session)
    users = [e.actor_id for e in envelopes if e.actor_id is not None]
    users += _named(envelopes, "user_id")
    uploads = await document_upload_repository.prefetch(session, _named(envelopes, "version_id"))
    users += [upload.uploaded_by for upload in uploads]
    users = list(dict.fromkeys(users))
    await preference_repository.prefetch(session, users)
    await recipient_repository.prefetch(session, users)
    await phone_repository.prefetch(session, users)
    await address_book_repository.prefetch(session, users)
