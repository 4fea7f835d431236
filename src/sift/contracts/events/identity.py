"""Events of accounts and organizations.

Payloads carry IDs, never e-mail addresses or names: streams and dead letters outlive an
erasure, so a consumer that needs contact data asks `identity` for it.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sift.contracts.events.base import EventPayload, event


class SignupMethod(StrEnum):
    password = "password"  # noqa: S105 - a sign-up method, not a secret
    google = "google"
    github = "github"
    invitation = "invitation"


@event("user.signed_up", version=1)
class UserSignedUp(EventPayload):
    """A new account exists; the envelope's `org_id` is the organization it belongs to."""

    user_id: uuid.UUID
    method: SignupMethod
    created_organization: bool
