"""An export's audit part, the "your export is ready" notice, and the archive's retention:
through the real services, consumers and storage."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from sift.audit.privacy.models import PrivacyRequest
from sift.audit.privacy.retention import purge_expired_exports
from sift.core.privacy import export_prefix, runtime
from sift.notifications.delivery.models import Delivery
from tests.audit.privacy.people import Person, archive_entries, export, sign_up
from tests.audit.privacy.world import World


async def _ask_export(world: World, person: Person) -> str:
    asked = await world.clients["audit"].post("/api/privacy/exports", headers=person.headers)
    assert asked.status_code == 202, asked.text
    await world.pump()
    return str(asked.json()["id"])


async def test_the_archive_holds_the_persons_audit_entries_with_their_pseudonym_resolved(
    world: World,
) -> None:
    alice = await sign_up(world, "alice.quartermaine@example.com", "Alice Quartermaine")
    bob = await sign_up(world, "bob.lindqvist@example.com", "Bob Lindqvist")
    await world.pump()

    entries = archive_entries(await export(world, alice))

    part = json.loads(entries["audit/audit_entries.json"])
    assert part["user_id"] == str(alice.user_id)
    assert part["pseudonym"].startswith("p_")
    actions = [entry["action"] for entry in part["entries"]]
    assert {"user.signed_up", "org.created"} <= set(actions)
    assert {entry["actor_id"] for entry in part["entries"]} == {str(alice.user_id)}
    signed_up = next(e for e in part["entries"] if e["action"] == "user.signed_up")
    assert signed_up["organization_id"] == str(alice.org_id)
    assert signed_up["data"].get("user_id") in (None, str(alice.user_id))
    assert b"# Your data in Sift" in entries["README.md"] and b"audit/" in entries["README.md"]
    # Her pseudonym is read as her ID everywhere; nothing of Bob's.
    text = entries["audit/audit_entries.json"].decode()
    assert text.count(part["pseudonym"]) == 1
    assert str(bob.user_id) not in text and bob.email not in text


async def test_the_person_is_told_in_app_and_by_mail_when_the_export_is_ready(
    world: World,
) -> None:
    carol = await sign_up(world, "carol.ashdown@example.com", "Carol Ashdown")
    await world.pump()
    request_id = await _ask_export(world, carol)

    listed = await world.clients["notifications"].get(
        "/api/notifications", headers=carol.headers, params={"type": "export_ready"}
    )
    assert listed.status_code == 200, listed.text
    [notice] = listed.json()["items"]
    assert notice["link"] == "/settings/privacy"
    assert notice["title"] == "Your data export is ready"
    assert request_id not in json.dumps(notice)  # the signed link stays in the privacy center
    async with world.database.read_sessionmaker() as session:
        mails = (
            await session.scalars(
                select(Delivery).where(
                    Delivery.user_id == carol.user_id, Delivery.kind == "export_ready"
                )
            )
        ).all()
    assert [(mail.address, mail.status) for mail in mails] == [(carol.email, "queued")]

    # Switched off by mail in the preferences: the next export is told in-app only.
    saved = await world.clients["notifications"].put(
        "/api/notifications/preferences",
        headers=carol.headers,
        json={"types": [{"type": "export_ready", "in_app": True, "email": False, "sms": False}]},
    )
    assert saved.status_code == 200, saved.text
    await _ask_export(world, carol)
    async with world.database.read_sessionmaker() as session:
        statuses = (
            await session.scalars(
                select(Delivery.status)
                .where(Delivery.user_id == carol.user_id, Delivery.kind == "export_ready")
                .order_by(Delivery.created_at)
            )
        ).all()
    assert list(statuses) == ["queued", "skipped"]
    listed = await world.clients["notifications"].get(
        "/api/notifications", headers=carol.headers, params={"type": "export_ready"}
    )
    assert len(listed.json()["items"]) == 2


async def test_an_expired_exports_archive_leaves_storage_and_the_request_is_marked_expired(
    world: World,
) -> None:
    dora = await sign_up(world, "dora.fenwick@example.com", "Dora Fenwick")
    audit = world.clients["audit"]
    expired_id = await _ask_export(world, dora)
    fresh_id = await _ask_export(world, dora)
    ready = (await audit.get(f"/api/privacy/exports/{expired_id}", headers=dora.headers)).json()
    link = ready["download_url"]
    storage = runtime.storage
    archive = f"{export_prefix(uuid.UUID(expired_id))}/archive.zip"
    assert await storage.exists(archive)
    async with world.database.sessionmaker() as session, session.begin():
        await session.execute(
            update(PrivacyRequest)
            .where(PrivacyRequest.id == uuid.UUID(expired_id))
            .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )

    assert await purge_expired_exports(world.database, storage) == 1

    assert not await storage.exists(archive)
    assert [o async for o in storage.list_objects(export_prefix(uuid.UUID(expired_id)) + "/")] == []
    shown = (await audit.get(f"/api/privacy/exports/{expired_id}", headers=dora.headers)).json()
    assert (shown["status"], shown["download_url"]) == ("expired", None)
    assert (await audit.get(link)).status_code == 404
    # The other export is untouched, and a second run has nothing to do.
    assert await storage.exists(f"{export_prefix(uuid.UUID(fresh_id))}/archive.zip")
    fresh = (await audit.get(f"/api/privacy/exports/{fresh_id}", headers=dora.headers)).json()
    assert fresh["status"] == "ready"
    assert await purge_expired_exports(world.database, storage) == 0
