"""identity's security events reach a real consumer group with what their readers need."""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import EventEnvelope
from sift.contracts.events.identity import (
    LINK_SEAL_PURPOSE,
    AccountLocked,
    EmailVerificationRequested,
    InvitationCreated,
    PasswordResetRequested,
)
from sift.core.auth.sealing import unseal
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.consumer import Consumer
from sift.core.events.worker import ConsumerWorker
from sift.identity.keys.service import signing_key_service
from sift.notifications.models import ProcessedEvent
from tests.core.events.conftest import consume_until, drain_outboxes
from tests.identity.conftest import PASSWORD, Identity

# Events whose purpose is an e-mail to the person: the only ones that carry an address.
MAIL_EVENTS = {
    "user.email_verification_requested",
    "auth.password_reset_requested",
    "auth.password_reset_completed",
    "auth.password_changed",
    "auth.account_locked",
    "auth.refresh_reuse_detected",
    "invitation.created",
    "auth.login_succeeded",  # mailed when it comes from a new address
}
EXPECTED = MAIL_EVENTS | {
    "user.signed_up",
    "org.created",
    "auth.login_failed",
    "auth.sessions_revoked",
    "invitation.accepted",
    "member.role_changed",
    "member.removed",
    "auth.signing_key_rotated",
}


def bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


async def _security_story(identity: Identity, database: Database) -> None:
    """One of everything: sign-ups, failures, a lockout, resets, an invitation, a theft."""
    client = identity.client
    ada = await identity.signup("ada@example.com", name="Ada Lovelace")
    await identity.signup("carol@example.com", name="Carol")
    for _ in range(5):
        await identity.login("carol@example.com", "wrong guess!")  # locks, alerts
    await client.post("/api/auth/password/forgot", json={"email": "carol@example.com"})
    await client.post(
        "/api/auth/password/change",
        json={"current_password": PASSWORD, "new_password": "another long passphrase"},
        headers=bearer(ada),
    )
    bob = await identity.signup("bob@example.com", name="Bob")
    org = (await client.post("/api/orgs", json={"name": "Lab"}, headers=bearer(ada))).json()
    switched = (await client.post(f"/api/orgs/{org['id']}/switch", headers=bearer(ada))).json()
    invited = await client.post(
        f"/api/orgs/{org['id']}/invitations",
        json={"email": "bob@example.com", "role": "viewer"},
        headers=bearer(switched),
    )
    assert invited.status_code == 201, invited.text
    stolen = client.cookies.get("sift_refresh") or ""
    await identity.refresh()
    await client.post(
        "/api/auth/refresh",
        headers={
            "Cookie": f"sift_refresh={stolen}; sift_csrf=x",
            "X-CSRF-Token": "x",
            "Origin": "https://localhost:8443",
        },
    )
    keys = identity.app.state.key_store
    async with database.sessionmaker() as session, session.begin():
        await signing_key_service.rotate(session, keys.context)
    assert bob["user"]["email"] == "bob@example.com"


async def test_a_consumer_gets_every_security_event_with_what_it_needs(
    committed_identity: Identity,
    database: Database,
    redis: Redis,
    settings: CoreSettings,
    clean_outboxes: None,
) -> None:
    identity = committed_identity
    await _security_story(identity, database)
    received: list[EventEnvelope] = []

    async def record(session: AsyncSession, envelope: EventEnvelope) -> None:
        received.append(envelope)

    consumer = Consumer("identity-events-test", ProcessedEvent)
    for event_type in sorted(EXPECTED):
        consumer.add_handler(event_type, record)
    worker = ConsumerWorker(consumer, database=database, redis=redis, settings=settings)

    await _invitation_story(identity, database, redis, settings, worker, received)
    await drain_outboxes(database, redis, settings, ["identity"])

    async def all_seen() -> bool:
        return {envelope.type for envelope in received} >= EXPECTED

    await consume_until(worker, all_seen)
    by_type: dict[str, list[EventEnvelope]] = {}
    for envelope in received:
        by_type.setdefault(envelope.type, []).append(envelope)
        envelope.payload()  # every one reads back as its registered model
        assert envelope.producer == "identity"
        assert "Ada Lovelace" not in str(envelope.data) and PASSWORD not in str(envelope.data)
        assert ("email" in envelope.data) == (envelope.type in MAIL_EVENTS), envelope.type

    locked = by_type["auth.account_locked"][0].payload_as(AccountLocked)
    assert (locked.email, locked.failed_attempts) == ("carol@example.com", 5)
    reset = by_type["auth.password_reset_requested"][0].payload_as(PasswordResetRequested)
    assert reset.email == "carol@example.com"
    assert unseal(settings, LINK_SEAL_PURPOSE, reset.link).startswith(
        f"{settings.public_url}/reset-password?token="
    )
    invited = by_type["invitation.created"][0].payload_as(InvitationCreated)
    assert (invited.email, invited.org_name, invited.role) == ("bob@example.com", "Lab", "viewer")

    # The link the mail would carry works: notifications needs nothing more.
    verification = by_type["user.email_verification_requested"][0]
    link = unseal(
        settings, LINK_SEAL_PURPOSE, verification.payload_as(EmailVerificationRequested).link
    )
    token = link.split("token=", 1)[1]
    answer = await identity.client.post("/api/auth/email/verify", json={"token": token})
    assert answer.status_code == 204


async def _invitation_story(
    identity: Identity,
    database: Database,
    redis: Redis,
    settings: CoreSettings,
    worker: ConsumerWorker,
    received: list[EventEnvelope],
) -> None:
    """Bob follows the link from the consumed `invitation.created`, then loses his seat."""
    await drain_outboxes(database, redis, settings, ["identity"])

    async def invited() -> bool:
        types = {envelope.type for envelope in received}
        return {"invitation.created", "auth.password_reset_requested"} <= types

    await consume_until(worker, invited)
    # Carol, locked out, follows her reset link: the lockout is lifted.
    reset = next(e for e in received if e.type == "auth.password_reset_requested")
    link = unseal(settings, LINK_SEAL_PURPOSE, reset.payload_as(PasswordResetRequested).link)
    new_password = "carol's fresh passphrase"
    answer = await identity.client.post(
        "/api/auth/password/reset",
        json={"token": link.split("token=", 1)[1], "password": new_password},
    )
    assert answer.status_code == 204
    assert (await identity.login("carol@example.com", new_password)).status_code == 200
    envelope = next(e for e in received if e.type == "invitation.created")
    invitation = envelope.payload_as(InvitationCreated)
    token = unseal(settings, LINK_SEAL_PURPOSE, invitation.link).split("token=", 1)[1]
    bob = (await identity.login("bob@example.com")).json()
    accepted = await identity.client.post(f"/api/invitations/{token}/accept", headers=bearer(bob))
    assert accepted.status_code == 200, accepted.text
    ada = (await identity.login("ada@example.com", "another long passphrase")).json()
    org = str(invitation.org_id)
    bob_id = bob["user"]["id"]
    path = f"/api/orgs/{org}/members/{bob_id}"
    changed = await identity.client.patch(path, json={"role": "editor"}, headers=bearer(ada))
    assert changed.status_code == 200, changed.text
    assert (await identity.client.delete(path, headers=bearer(ada))).status_code == 204
