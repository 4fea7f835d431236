"""Errors of saved searches."""

from __future__ import annotations

from sift.core.errors import Conflict, NotFound


class SavedSearchNotFound(NotFound):
    code = "saved-search-not-found"
    title = "Saved search not found"

    def __init__(self) -> None:
        super().__init__("You have no saved search with this ID.")


class SavedSearchNameTaken(Conflict):
    code = "saved-search-name-taken"
    title = "Saved search name taken"

    def __init__(self) -> None:
        super().__init__("You already have a saved search with this name.")


class SavedSearchLimitReached(Conflict):
    code = "saved-search-limit-reached"
    title = "Too many saved searches"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You may keep at most {limit} saved searches; delete one first.", limit=limit
        )
