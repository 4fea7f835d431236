"""Errors of identity's privacy endpoints."""

from __future__ import annotations

import uuid

from sift.core.errors import Conflict, Unauthorized


class ReauthenticationFailed(Unauthorized):
    code = "reauthentication-failed"
    title = "Re-authentication failed"

    def __init__(self) -> None:
        super().__init__("The password is not correct.")


class OwnershipNeeded(Conflict):
    """The person is the only owner of an organization that has other members."""

    code = "organization-needs-an-owner"
    title = "Organization needs another owner"

    def __init__(self, org_ids: list[uuid.UUID]) -> None:
        super().__init__(
            "You are the only owner of an organization with other members: make another "
            "member an owner first.",
            org_ids=[str(org_id) for org_id in org_ids],
        )
