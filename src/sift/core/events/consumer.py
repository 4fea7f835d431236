"""A consumer group's definition: its name, idempotency table and handlers by event type.

Services declare one in their `consumers.py`; `sift.core.events.runner.run_consumer` runs it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope, EventPayload
from sift.core.events.tables import ProcessedEventMixin

Handler = Callable[[AsyncSession, EventEnvelope], Awaitable[None]]
BatchHook = Callable[[AsyncSession, Sequence[EventEnvelope]], Awaitable[None]]
HandlerT = TypeVar("HandlerT", bound=Handler)

_GROUP_NAME = re.compile(r"[a-z][a-z0-9_.\-]{0,99}")


class Consumer:
    """A consumer group's definition: its name, idempotency table and handlers by event type.

    Declared at import time in a service's `consumers.py`; run by `run_consumer`.
    """

    def __init__(
        self, group: str, processed_model: type[ProcessedEventMixin], *, start_id: str = "0"
    ) -> None:
        if not _GROUP_NAME.fullmatch(group):
            raise ValueError(f"invalid consumer group name {group!r} (e.g. 'notifications')")
        self.group = group
        self.processed_model = processed_model
        # "0": a new group starts with what the stream still holds, so that events published
        # before its first start are not lost; "$" for a group that wants only new events.
        self.start_id = start_id
        self._handlers: dict[str, Handler] = {}
        self._before_batch: list[BatchHook] = []
        self._before_commit: list[Callable[[AsyncSession], Awaitable[None]]] = []

    def on(self, event_type: str | type[EventPayload]) -> Callable[[HandlerT], HandlerT]:
        """Decorator: `@consumer.on(DocumentUploaded)` registers the handler of that type."""

        def register(handler: HandlerT) -> HandlerT:
            self.add_handler(event_type, handler)
            return handler

        return register

    def add_handler(self, event_type: str | type[EventPayload], handler: Handler) -> None:
        name = event_type if isinstance(event_type, str) else event_type.event_type
        if not name:
            raise ValueError(f"{event_type!r} is not a registered event type")
        if name in self._handlers:
            raise ValueError(f"{self.group} already handles {name}")
        self._handlers[name] = handler

    def add_before_batch(self, hook: BatchHook) -> None:
        """`hook(session, envelopes)` runs once per transaction before its handlers, with the
        events about to be applied: it may read at once what they will each need (one
        query for the batch rather than one per event)."""
        self._before_batch.append(hook)

    async def before_batch(self, session: AsyncSession, envelopes: Sequence[EventEnvelope]) -> None:
        for hook in self._before_batch:
            await hook(session, envelopes)

    def add_before_commit(self, hook: Callable[[AsyncSession], Awaitable[None]]) -> None:
        """`hook(session)` runs once per transaction, after its events' handlers and before
        the commit: handlers may leave writes for it to do at once (one multi-row INSERT for
        a batch rather than one per event); an exception rolls the batch back like a
        handler's."""
        self._before_commit.append(hook)

    async def before_commit(self, session: AsyncSession) -> None:
        for hook in self._before_commit:
            await hook(session)

    def handler_for(self, event_type: str) -> Handler | None:
        return self._handlers.get(event_type)

    @property
    def event_types(self) -> list[str]:
        return sorted(self._handlers)
