"""Tables of the notifications service, all in its own `notifications` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from sift.core.db import service_metadata
from sift.core.events.tables import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = service_metadata("notifications")


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass
