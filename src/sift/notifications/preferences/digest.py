"""Digests: the items kept for each user (the `digest` channel of `notifications`) become
one mail per period, at `DIGEST_HOUR` (`service`) in the user's time zone or later.

Once even with two scheduler replicas: each user's period is claimed by one conditional
update (`recipient_settings.digest_period`), in the same transaction that takes the items
(marked with the digest's ID, so a row is taken once) and adds the delivery, whose event ID
is made from the user and the period (a second one for the period would be a conflict).
"""

from __future__ import annotations

import uuid
from datetime import datetime

import structlog

from sift.core.db import Database
from sift.notifications.delivery import address_book
from sift.notifications.delivery.service import delivery_service, recipient_key
from sift.notifications.preferences.mail import DIGEST_EVENT, digest_envelope, digest_id
from sift.notifications.preferences.repository import (
    digest_item_repository,
    recipient_repository,
)
from sift.notifications.preferences.service import digest_period, preference_service
from sift.notifications.preferences.types import DIGEST_KIND

log = structlog.get_logger()

_BATCH = 200


async def make_digests(database: Database, *, now: datetime, max_attempts: int) -> int:
    """Queues every digest due at `now`; returns how many."""
    made, after = 0, None
    while True:
        async with database.read_sessionmaker() as session:
            batch = await recipient_repository.digest_subscribers(
                session, after=after, limit=_BATCH
            )
        for subscriber in batch:
            made += await _make_one(database, subscriber.user_id, now, max_attempts)
        if len(batch) < _BATCH:
            return made
        after = batch[-1].user_id


async def _make_one(
    database: Database, user_id: uuid.UUID, now: datetime, max_attempts: int
) -> int:
    async with database.sessionmaker() as session, session.begin():
        settings = await recipient_repository.get(session, user_id)
        recipient = await address_book.recipient(session, user_id)
        if settings is None or recipient is None:
            return 0  # no address known yet: the items wait for the next period
        period = digest_period(settings, now)
        if period is None or settings.digest_period == period:
            return 0
        if not await recipient_repository.claim_period(session, user_id, period):
            return 0  # another replica made it
        event_id = digest_id(user_id, period)
        taken = await digest_item_repository.take(session, user_id, event_id)
        # A type switched off for e-mail since it was kept leaves the digest too.
        items = [
            item
            for item in taken
            if (await preference_service.channels(session, user_id, item.type)).email
        ]
        if not items:
            return 0
        plan = await preference_service.email_plan(session, user_id, DIGEST_KIND, now=now)
        queued = await delivery_service.queue(
            session,
            event_id=event_id,
            event_type=DIGEST_EVENT,
            recipient=recipient_key(recipient),
            address=recipient.address,
            user_id=user_id,
            org_id=None,
            kind=DIGEST_KIND,
            envelope=digest_envelope(settings.digest, recipient.address, items),
            max_attempts=max_attempts,
            plan=plan,
        )
        log.info("notifications.digest_made", items=len(items), queued=queued is not None)
        return 1 if queued is not None else 0
