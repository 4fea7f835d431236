"""Errors of collections and their grants."""

from __future__ import annotations

import uuid

from sift.core.errors import Conflict, Forbidden, NotFound, SiftError


class CollectionNotFound(NotFound):
    code = "collection-not-found"
    title = "Collection not found"

    def __init__(self) -> None:
        super().__init__("No collection you may read has this ID.")


class CollectionAccessDenied(Forbidden):
    code = "collection-access-denied"
    title = "Not allowed on this collection"


class OriginalsNeedRedaction(SiftError):
    """`keep_original_files` off is for collections that keep only their redacted text."""

    status_code = 422
    code = "originals-need-redaction"
    title = "Original files are kept without redaction"

    def __init__(self) -> None:
        super().__init__(
            "Only a collection that hides personal data (redact_pii) may drop its original"
            " files: turn redact_pii on, or keep_original_files on."
        )


class CollectionNameTaken(Conflict):
    code = "collection-name-taken"
    title = "Collection name taken"

    def __init__(self) -> None:
        super().__init__("Another collection of the organization has this name.")


class CollectionNotEmpty(Conflict):
    code = "collection-not-empty"
    title = "Collection not empty"

    def __init__(self, documents: int, being_deleted: int = 0) -> None:
        detail = (
            f"The collection still holds {documents} document(s); delete them first."
            if documents
            else "Documents of the collection are still being deleted; try again shortly."
        )
        super().__init__(detail, documents=documents, being_deleted=being_deleted)


class CollectionNotRestricted(Conflict):
    code = "collection-not-restricted"
    title = "Collection not restricted"

    def __init__(self) -> None:
        super().__init__(
            "Grants apply to restricted collections; every member of the organization "
            "reads this one per their role."
        )


class GrantNotFound(NotFound):
    code = "grant-not-found"
    title = "Grant not found"

    def __init__(self, user_id: uuid.UUID) -> None:
        super().__init__("This user has no grant on the collection.", user_id=str(user_id))
