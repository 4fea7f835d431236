"""Errors of invitations."""

from __future__ import annotations

from sift.core.errors import Conflict, Forbidden


class AlreadyMember(Conflict):
    code = "already-member"
    title = "Already a member"


class InvitationForAnotherAddress(Forbidden):
    code = "invitation-for-another-address"
    title = "Invitation for another address"

    def __init__(self) -> None:
        super().__init__("This invitation was sent to another e-mail address than yours.")
