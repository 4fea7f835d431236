"""The e-mail handlers of the notifications consumer, by event type.

`HANDLERS` maps each event type that sends mail to an `async handler(session, envelope)`
(the `sift.core.events` handler shape): register each on the service's one consumer
(group `notifications`), e.g. `for event_type, handler in HANDLERS.items():
consumer.on(event_type)(handler)`. A handler adds the delivery row (unique per event,
recipient and channel, so a redelivered event adds nothing) and enqueues its send for after
the consumer's commit; it does not commit. An erasure request makes the address book forget
the user.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.privacy import ErasureRequested
from sift.notifications.config import get_notifications_settings
from sift.notifications.delivery import address_book
from sift.notifications.delivery.catalog import MAIL_TYPES
from sift.notifications.delivery.service import delivery_service

Handler = Callable[[AsyncSession, EventEnvelope], Awaitable[None]]


async def queue_email(session: AsyncSession, envelope: EventEnvelope) -> None:
    """The mail this event asks for, queued once."""
    config = get_notifications_settings().delivery
    await delivery_service.plan(session, envelope, max_attempts=config.max_attempts)


HANDLERS: dict[str, Handler] = {
    **dict.fromkeys(MAIL_TYPES, queue_email),
    ErasureRequested.event_type: address_book.forget,
}
