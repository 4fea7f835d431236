"""Tables of the identity service, all in its own `identity` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from sift.core.db import service_metadata
from sift.core.events.tables import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = service_metadata("identity")


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass
