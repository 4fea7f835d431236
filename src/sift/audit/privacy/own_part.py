"""The audit service's own part of an export: the person's consents (`consents.json`) and
the audit entries of what they did (`audit_entries.json`).

Entries where the person is the actor, from every organization, with their pseudonym
resolved: the actor, a user target that is them and their pseudonym anywhere in the data
read as their user ID, and the address and user agent (sealed with their key) opened.
Entries where someone else acted are left out: their address and user agent are that
person's, and the pseudonyms of others stay unresolved. Nothing is found once the person's
key is destroyed (after an erasure there is nobody left to export for).
"""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.consents.export import add_consents
from sift.audit.log.pseudonyms import person_keys
from sift.audit.log.service import Shown, audit_log_service
from sift.audit.privacy.events import consumer, events
from sift.contracts.events import EventEnvelope, ExportRequested
from sift.core.privacy import ExportPart, answer_export, to_jsonable

log = structlog.get_logger()

SERVICE = "audit"


def _resolved(value: Any, pseudonym: str, user_id: str) -> Any:
    """`value` with the person's pseudonym read as their user ID, at any depth."""
    if isinstance(value, dict):
        return {key: _resolved(item, pseudonym, user_id) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolved(item, pseudonym, user_id) for item in value]
    return user_id if value == pseudonym else value


def _entry(shown: Shown, pseudonym: str, user_id: str) -> dict[str, Any]:
    entry = shown.entry
    return {
        "id": entry.id,
        "organization_id": entry.org_id,
        "seq": entry.seq,
        "occurred_at": entry.occurred_at,
        "action": entry.action,
        "actor_id": user_id,
        "target_type": entry.target_type,
        "target_id": _resolved(shown.target_id, pseudonym, user_id),
        "ip": shown.ip,
        "user_agent": shown.user_agent,
        "data": _resolved(entry.data, pseudonym, user_id),
        "hash": entry.hash,
    }


async def export_audit_part(session: AsyncSession, request: ExportRequested) -> None:
    user_id = str(request.user_id)
    key = await person_keys.existing(session, request.user_id)
    entries: list[dict[str, Any]] = []
    if key is not None:
        async for shown in audit_log_service.about_person(session, request.user_id):
            if shown.entry.actor == key.pseudonym:
                entries.append(_entry(shown, key.pseudonym, user_id))
    entries.sort(key=lambda item: (item["occurred_at"], item["seq"]))
    part = ExportPart(SERVICE)
    await add_consents(session, part, request.user_id)
    part.add_json(
        "audit_entries.json",
        to_jsonable(
            {
                "user_id": user_id,
                # How the audit log names you: the key behind it is destroyed at erasure.
                "pseudonym": key.pseudonym if key is not None else None,
                "entries": entries,
            }
        ),
    )
    await answer_export(session, events, request, part)
    log.info("privacy.audit_part_exported", entries=len(entries))


@consumer.on(ExportRequested)
async def on_export_requested(session: AsyncSession, envelope: EventEnvelope) -> None:
    await export_audit_part(session, envelope.payload_as(ExportRequested))
