"""Tables of the audit service, all in its own `audit` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from sift.core.db import service_metadata
from sift.core.events.tables import OutboxMixin, ProcessedEventMixin


class Base(DeclarativeBase):
    metadata = service_metadata("audit")


class OutboxEvent(OutboxMixin, Base):
    pass


class ProcessedEvent(ProcessedEventMixin, Base):
    pass


# Domain tables live with their domain; imported here so that the metadata holds them all
# (a module import: it works whichever of the two modules is imported first).
import sift.audit.analytics.models  # noqa: E402
import sift.audit.consents.models  # noqa: E402
import sift.audit.privacy.models  # noqa: E402, F401
