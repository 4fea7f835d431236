"""Errors of organizations and memberships."""

from __future__ import annotations

from sift.core.errors import Conflict, Forbidden, NotFound


class OrganizationNotFound(NotFound):
    code = "organization-not-found"
    title = "Organization not found"

    def __init__(self) -> None:
        super().__init__("No organization of yours has this ID.")


class NotCurrentOrganization(Forbidden):
    code = "not-current-organization"
    title = "Not the current organization"

    def __init__(self) -> None:
        super().__init__("Your access token is for another organization; switch to this one first.")


class MemberNotFound(NotFound):
    code = "member-not-found"
    title = "Member not found"


class OwnersOnly(Forbidden):
    code = "owners-only"
    title = "Only owners manage owners"


class LastOwner(Conflict):
    code = "last-owner"
    title = "An organization keeps at least one owner"


class DeletionRunning(Conflict):
    code = "organization-deletion-running"
    title = "The organization is already being deleted"

    def __init__(self) -> None:
        super().__init__("This organization's deletion has started already.")


class PersonalOrganization(Conflict):
    code = "personal-organization"
    title = "A personal organization goes with its account"

    def __init__(self) -> None:
        super().__init__(
            "This is your personal organization: it cannot be deleted on its own. "
            "Delete your account from the privacy center instead."
        )
