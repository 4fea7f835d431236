"""The notifications service's outbox and its ONE consumer group (`notifications`).

Every channel (in-app, e-mail, ...) adds its handlers to the same group, so that one event
is read once and each channel gets its turn:

    from sift.notifications.events import on

    @on(DocumentIndexed, channel="email")
    async def mail_indexed(session: AsyncSession, envelope: EventEnvelope) -> None: ...

or `register(DocumentIndexed, handler, channel="email")` (a table of handlers:
`for event_type, handler in HANDLERS.items(): register(event_type, handler, channel="email")`
in the channel's `consumers.py`). A handler takes
`(session, envelope)`, like any consumer handler, and does not commit. For each event, the
handlers of its type run in the order they were registered, in the transaction that also
records the event in `processed_events` (one per batch of events: `sift.core.events.batch`):
a redelivered event runs none of them again, and an exception in any of them rolls back
all and retries the event later. In a batch, the users' settings are read once for all its
events (`prefetch`), and notifications and deliveries are stored in one go before the
commit (the group's before-commit hooks). A handler
therefore writes its rows idempotently: notifications are unique per
(event_id, user_id, channel). Handlers live in each channel's `consumers.py`, which
`sift consume notifications` imports (importing this module registers nothing); the
group itself is found there because `inapp/consumers.py` names `consumer`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope, EventPayload
from sift.core.events.consumer import Consumer, Handler
from sift.core.events.outbox import EventPublisher
from sift.notifications.models import OutboxEvent, ProcessedEvent

PRODUCER = "notifications"

events = EventPublisher(PRODUCER, OutboxEvent)
consumer = Consumer("notifications", ProcessedEvent)

HandlerT = TypeVar("HandlerT", bound=Handler)


class Channels:
    """The handlers of each event type on a consumer group, by channel, run in order."""

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer
        # event type -> [(channel, handler)], in registration order.
        self._handlers: dict[str, list[tuple[str, Handler]]] = {}

    def register(
        self, event_type: str | type[EventPayload], handler: Handler, *, channel: str
    ) -> None:
        """Adds `handler` for `event_type` on `channel` (one handler per type and channel)."""
        name = event_type if isinstance(event_type, str) else event_type.event_type
        if not name:
            raise ValueError(f"{event_type!r} is not a registered event type")
        registered = self._handlers.setdefault(name, [])
        if any(known == channel for known, _ in registered):
            raise ValueError(f"the {channel} channel already handles {name}")
        if not registered:
            self.consumer.add_handler(name, self._dispatch)
        registered.append((channel, handler))

    def on(
        self, event_type: str | type[EventPayload], *, channel: str
    ) -> Callable[[HandlerT], HandlerT]:
        """Decorator form of `register`."""

        def decorate(handler: HandlerT) -> HandlerT:
            self.register(event_type, handler, channel=channel)
            return handler

        return decorate

    def of(self, event_type: str) -> list[str]:
        """The channels that handle `event_type`, in the order they run."""
        return [channel for channel, _ in self._handlers.get(event_type, [])]

    async def _dispatch(self, session: AsyncSession, envelope: EventEnvelope) -> None:
        for _, handler in self._handlers.get(envelope.type, []):
            await handler(session, envelope)


channels = Channels(consumer)
register = channels.register
on = channels.on
