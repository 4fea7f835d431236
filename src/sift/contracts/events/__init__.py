"""Event contracts: the envelope, versioned payloads and the registry that reads them.

Importing this package registers every payload of the platform.
"""

from sift.contracts.events.assistant import AssistantAnswered, FeedbackGiven
from sift.contracts.events.base import (
    EVENT_TYPE_PATTERN,
    EventContext,
    EventEnvelope,
    EventPayload,
    EventRegistry,
    UnknownEventType,
    event,
    event_registry,
)
from sift.contracts.events.consents import ConsentChanged, ConsentKind
from sift.contracts.events.documents import (
    DeletionReason,
    DocumentDeleted,
    DocumentDownloaded,
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentUploaded,
    IndexFailureCode,
)
from sift.contracts.events.identity import SignupMethod, UserSignedUp
from sift.contracts.events.notifications import SuppressionLifted
from sift.contracts.events.privacy import (
    AccountErasureRequested,
    ErasedCounts,
    ErasureCompleted,
    ErasureFinished,
    ErasureRequested,
    ExportCompleted,
    ExportReady,
    ExportRequested,
    MemberErased,
    OrganizationDeletionRequested,
    OrganizationErasureRequested,
    OrganizationRemovalRequested,
)
from sift.contracts.events.search import (
    SavedSearchCreated,
    SavedSearchDeleted,
    SavedSearchMatched,
    SearchModeName,
    SearchPerformed,
    SearchResultClicked,
    normalized_query,
)

__all__ = [
    "EVENT_TYPE_PATTERN",
    "AccountErasureRequested",
    "AssistantAnswered",
    "ConsentChanged",
    "ConsentKind",
    "DeletionReason",
    "DocumentDeleted",
    "DocumentDownloaded",
    "DocumentIndexFailed",
    "DocumentIndexed",
    "DocumentUploaded",
    "ErasedCounts",
    "ErasureCompleted",
    "ErasureFinished",
    "ErasureRequested",
    "EventContext",
    "EventEnvelope",
    "EventPayload",
    "EventRegistry",
    "ExportCompleted",
    "ExportReady",
    "ExportRequested",
    "FeedbackGiven",
    "IndexFailureCode",
    "MemberErased",
    "OrganizationDeletionRequested",
    "OrganizationErasureRequested",
    "OrganizationRemovalRequested",
    "SavedSearchCreated",
    "SavedSearchDeleted",
    "SavedSearchMatched",
    "SearchModeName",
    "SearchPerformed",
    "SearchResultClicked",
    "SignupMethod",
    "SuppressionLifted",
    "UnknownEventType",
    "UserSignedUp",
    "event",
    "event_registry",
    "normalized_query",
]
