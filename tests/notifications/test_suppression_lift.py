"""Organization admins lift an address off the suppression list, over HTTP: only one their
organization mailed, 404 otherwise, and the `notifications.suppression_lifted` event names
who did it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.notifications import SuppressionLifted
from sift.core.config import CoreSettings
from sift.notifications.delivery.address_repository import suppression_repository
from sift.notifications.delivery.handlers import HANDLERS
from sift.notifications.delivery.models import Delivery
from sift.notifications.models import OutboxEvent
from tests.notifications.conftest import NotificationsApi
from tests.notifications.delivery_helpers import invitation_created

PROBLEM = "application/problem+json"
ADDRESS = "Gone@Example.org"


def path(address: str) -> str:
    return f"/api/notifications/suppressions/{quote(address)}"


async def mailed(session: AsyncSession, settings: CoreSettings, org_id: uuid.UUID) -> None:
    """The organization's invitation went to ADDRESS, which then bounced."""
    envelope = invitation_created(settings, ADDRESS, org_id=org_id)
    await HANDLERS[envelope.type](session, envelope)
    await session.execute(
        update(Delivery).where(Delivery.event_id == envelope.id).values(status="bounced")
    )
    await suppression_repository.add(
        session, ADDRESS, "bounce", provider="sendgrid", detail="550 no such user"
    )


async def lifted_events(session: AsyncSession) -> list[EventEnvelope]:
    rows = await session.scalars(
        select(OutboxEvent).where(OutboxEvent.type == SuppressionLifted.event_type)
    )
    return [EventEnvelope.model_validate(row.envelope) for row in rows]


async def test_an_admin_lifts_an_address_their_organization_mailed(
    api: NotificationsApi, session: AsyncSession, settings: CoreSettings
) -> None:
    admin = api.caller("admin")
    await mailed(session, settings, admin.org_id)
    started = datetime.now(UTC)

    answer = await api.client.delete(path("gone@example.org"), headers=admin.headers)

    assert answer.status_code == 204, answer.text
    assert await suppression_repository.get(session, ADDRESS) is None
    [event] = await lifted_events(session)
    assert (event.actor_id, event.org_id, event.producer) == (
        admin.user_id,
        admin.org_id,
        "notifications",
    )
    payload = event.payload_as(SuppressionLifted)
    assert (payload.address, payload.reason, payload.provider) == (
        "gone@example.org",
        "bounce",
        "sendgrid",
    )
    assert payload.suppressed_at <= started
    # Lifted already: nothing left to lift.
    again = await api.client.delete(path(ADDRESS), headers=admin.headers)
    assert again.status_code == 404


async def test_unknown_and_other_organizations_addresses_are_404(
    api: NotificationsApi, session: AsyncSession, settings: CoreSettings
) -> None:
    admin = api.caller("admin")
    await mailed(session, settings, admin.org_id)
    elsewhere = api.caller("owner")  # another organization never mailed it

    for caller, address in ((admin, "never@example.org"), (elsewhere, ADDRESS)):
        answer = await api.client.delete(path(address), headers=caller.headers)
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith(PROBLEM)
        assert answer.json()["type"].endswith("/suppression-not-found")
    assert await suppression_repository.get(session, ADDRESS) is not None
    assert await lifted_events(session) == []


@pytest.mark.parametrize("role", ["viewer", "editor"])
async def test_only_admins_and_owners_lift_suppressions(api: NotificationsApi, role: str) -> None:
    answer = await api.client.delete(path(ADDRESS), headers=api.caller(role).headers)
    assert answer.status_code == 403
