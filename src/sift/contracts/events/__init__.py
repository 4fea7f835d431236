"""Event contracts: the envelope, versioned payloads and the registry that reads them.

Importing this package registers every payload of the platform.
"""

from sift.contracts.events.assistant import AssistantAnswered
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
from sift.contracts.events.search import SavedSearchMatched

__all__ = [
    "EVENT_TYPE_PATTERN",
    "AssistantAnswered",
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
    "SavedSearchMatched",
    "SignupMethod",
    "UnknownEventType",
    "UserSignedUp",
    "event",
    "event_registry",
]
