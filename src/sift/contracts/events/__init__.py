"""Event contracts: the envelope, versioned payloads and the registry that reads them.

Importing this package registers every payload of the platform.
"""

from sift.contracts.events.base import (
    EVENT_TYPE_PATTERN,
    EventEnvelope,
    EventPayload,
    EventRegistry,
    UnknownEventType,
    event,
    event_registry,
)
from sift.contracts.events.documents import (
    DeletionReason,
    DocumentDeleted,
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentUploaded,
    IndexFailureCode,
)
from sift.contracts.events.identity import SignupMethod, UserSignedUp
from sift.contracts.events.privacy import (
    ErasureCompleted,
    ErasureRequested,
    ExportCompleted,
    ExportRequested,
)

__all__ = [
    "EVENT_TYPE_PATTERN",
    "DeletionReason",
    "DocumentDeleted",
    "DocumentIndexFailed",
    "DocumentIndexed",
    "DocumentUploaded",
    "ErasureCompleted",
    "ErasureRequested",
    "EventEnvelope",
    "EventPayload",
    "EventRegistry",
    "ExportCompleted",
    "ExportRequested",
    "IndexFailureCode",
    "SignupMethod",
    "UnknownEventType",
    "UserSignedUp",
    "event",
    "event_registry",
]
