"""Errors of asking, summarizing and feedback."""

from __future__ import annotations

from sift.core.errors import NotFound, ServiceUnavailable


class RetrievalUnavailable(ServiceUnavailable):
    code = "retrieval-unavailable"
    title = "Search unavailable"

    def __init__(self) -> None:
        super().__init__("The search service did not answer; try again shortly.")


class NoProviderAnswered(ServiceUnavailable):
    code = "no-provider"
    title = "No answer provider available"

    def __init__(self) -> None:
        super().__init__("Every answer provider failed; try again shortly.")


class DocumentNotFound(NotFound):
    code = "document-not-found"
    title = "Document not found"

    def __init__(self) -> None:
        super().__init__("No indexed document you may read has this ID.")


class ConversationNotFound(NotFound):
    code = "conversation-not-found"
    title = "Conversation not found"

    def __init__(self) -> None:
        super().__init__("You have no conversation with this ID.")


class MessageNotFound(NotFound):
    code = "message-not-found"
    title = "Message not found"

    def __init__(self) -> None:
        super().__init__("You have no answer with this ID.")
