"""Errors of invitations."""

from __future__ import annotations

from sift.core.errors import Conflict, Forbidden, NotFound


class AlreadyMember(Conflict):
    code = "already-member"
    title = "Already a member"


class InvitationForAnotherAddress(Forbidden):
    code = "invitation-for-another-address"
    title = "Invitation for another address"

    def __init__(self) -> None:
        super().__init__("This invitation was sent to another e-mail address than yours.")


class InvitationNotFound(NotFound):
    code = "invitation-not-found"
    title = "Invitation not found"

    def __init__(self) -> None:
        super().__init__("No pending invitation of this organization has this ID.")


class InvitationAlreadyAccepted(Conflict):
    code = "invitation-already-accepted"
    title = "Invitation already accepted"

    def __init__(self) -> None:
        super().__init__("This invitation was accepted; the person is a member now.")
