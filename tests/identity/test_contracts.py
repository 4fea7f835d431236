"""identity's event payloads: registered, round-trip, refuse what they must."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from sift.contracts.events import EventEnvelope, EventPayload, event_registry
from sift.contracts.events.identity import (
    AccountLocked,
    InvitationCreated,
    LockoutScope,
    MemberRoleChanged,
)
from tests.identity.contract_examples import EMAIL, ID, IDENTITY_EXAMPLES, LINK, WHEN


def test_every_identity_event_has_an_example() -> None:
    identity_types = {
        event_type
        for event_type in event_registry.event_types()
        if event_type.split(".")[0] in {"user", "auth", "org", "invitation", "member"}
    }
    assert {type(example).event_type for example in IDENTITY_EXAMPLES} == identity_types


@pytest.mark.parametrize("payload", IDENTITY_EXAMPLES, ids=lambda p: p.event_type)
def test_each_travels_and_reads_back(payload: EventPayload) -> None:
    wire = EventEnvelope.wrap(payload, producer="identity").model_dump_json()
    assert EventEnvelope.model_validate_json(wire).payload() == payload


def test_links_must_be_sealed_and_roles_real() -> None:
    with pytest.raises(ValidationError):
        InvitationCreated(
            invitation_id=ID,
            org_id=ID,
            org_name="Acme",
            email="a@example.com",
            role="editor",
            invited_by=ID,
            link="https://sift.example/invitations?token=plain",
            expires_at=WHEN,
        )
    with pytest.raises(ValidationError):
        MemberRoleChanged(org_id=ID, user_id=ID, old_role="viewer", new_role="god")
    assert LINK.startswith("v1.")


def test_an_account_locked_event_without_a_scope_still_reads() -> None:
    """Written before `scope` existed: such lockouts stopped browsers without a device cookie."""
    envelope = EventEnvelope(
        type="auth.account_locked",
        version=1,
        producer="identity",
        data={"user_id": str(ID), "email": EMAIL, "locked_seconds": 30, "failed_attempts": 5},
    )
    assert envelope.payload_as(AccountLocked).scope is LockoutScope.unknown_devices
    with pytest.raises(ValidationError):
        AccountLocked(user_id=ID, email=EMAIL, locked_seconds=30, failed_attempts=5, scope="all")
