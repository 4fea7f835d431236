"""What an event becomes in the audit log: its target, its data without secrets or contact
details, and every person it names replaced by their pseudonym."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.models import PersonKey
from sift.audit.log.pseudonyms import ERASED, person_keys, seal_for
from sift.contracts.events import EventEnvelope

# Progress of a job, not anyone's action: not recorded.
SKIPPED_TYPES = frozenset({"document.index_started"})
# Never copied into an entry: links are credentials; addresses identify people (their
# pseudonym does that job); storage keys and step timings are plumbing; `ip` has a column;
# a search's text may be personal, and entries outlive an erasure.
REDACTED_FIELDS = frozenset({"email", "link", "ip", "org_name", "storage_key", "steps", "query"})
# Fields that hold a user ID (or a list of them), replaced by the person's pseudonym.
PERSON_FIELDS = frozenset({"user_id", "created_by", "invited_by", "revoked_by"})
PERSON_LIST_FIELDS = frozenset({"members"})
# The first of these an event's data holds is its target ("document_id" -> "document").
TARGET_FIELDS = (
    "document_id",
    "collection_id",
    "api_key_id",
    "invitation_id",
    "saved_search_id",
    "request_id",
    "message_id",
    "conversation_id",
    "user_id",
    "org_id",
    "kid",
)
IP_LENGTH = 64


@dataclass
class Recorded:
    """The fields of an entry that come from its event (the chain adds seq and hashes)."""

    actor: str | None
    target_type: str | None
    target_id: str | None
    ip: str | None
    user_agent: str | None
    data: dict[str, Any]


class Recorder:
    """Turns one event into an entry's fields; people's keys are made as they are met."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._keys: dict[uuid.UUID, PersonKey | None] = {}

    async def _key(self, user_id: uuid.UUID) -> PersonKey | None:
        if user_id not in self._keys:
            self._keys[user_id] = await person_keys.key_of(self.session, user_id)
        return self._keys[user_id]

    async def _name(self, value: Any) -> Any:
        """A user ID as its pseudonym (`ERASED` for a forgotten person); else as it was."""
        try:
            user_id = uuid.UUID(str(value))
        except ValueError:
            return value
        key = await self._key(user_id)
        return key.pseudonym if key is not None else ERASED

    async def record(self, envelope: EventEnvelope) -> Recorded:
        raw = envelope.data
        data: dict[str, Any] = {}
        for name, value in raw.items():
            if name in REDACTED_FIELDS:
                continue
            if name in PERSON_FIELDS and value is not None:
                data[name] = await self._name(value)
            elif name in PERSON_LIST_FIELDS and isinstance(value, list):
                data[name] = [await self._name(item) for item in value]
            else:
                data[name] = value
        actor = await self._name(envelope.actor_id) if envelope.actor_id else None
        target_type, target_id = self._target(raw, data)
        # The person the entry is about: their key seals where it came from.
        about = envelope.actor_id or _user_id(raw.get("user_id"))
        key = await self._key(about) if about is not None else None
        email = raw.get("email")
        if (
            key is not None
            and isinstance(email, str)
            and _user_id(raw.get("user_id")) == key.user_id
        ):
            await person_keys.label(self.session, key.user_id, email)
        context = envelope.context
        ip = (context.ip if context else None) or _text(raw.get("ip"), IP_LENGTH)
        agent = context.user_agent if context else None
        if about is not None:
            # Sealed for the person, or dropped if they were forgotten: never in clear.
            ip = seal_for(key, ip) if key is not None and ip else None
            agent = seal_for(key, agent) if key is not None and agent else None
        return Recorded(
            actor=actor,
            target_type=target_type,
            target_id=target_id,
            ip=ip,
            user_agent=agent,
            data=data,
        )

    @staticmethod
    def _target(raw: dict[str, Any], data: dict[str, Any]) -> tuple[str | None, str | None]:
        for name in TARGET_FIELDS:
            if raw.get(name) is not None:
                kind = "signing_key" if name == "kid" else name.removesuffix("_id")
                value = data[name] if name in PERSON_FIELDS else raw[name]
                return kind, str(value)[:200]
        return None, None


def _user_id(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


def _text(value: Any, length: int) -> str | None:
    return value[:length] if isinstance(value, str) and value else None
