"""Pseudonyms: how the audit log names people so that erasure can unlink them.

Each person referred to by an event gets a random 256-bit secret, kept only in
`audit.person_keys`. Entries name them by `HMAC-SHA256(secret, user ID)` (hex, 32
characters, prefixed `p_`), and the address and user agent of what they did are sealed
with that secret (AES-256-GCM). While the key exists, the log resolves the pseudonym to
the person; `forget` deletes it (crypto-shredding): the entries, which can never change,
keep a pseudonym that nothing links to anyone and values nobody can open. Events about
a forgotten person that arrive later name them `ERASED` (a digest of the user ID marks them
as forgotten; a new key would link what comes after).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy import delete, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.models import ForgottenPerson, PersonKey
from sift.core.auth.sealing import SealError, decrypt, encrypt

PSEUDONYM_PREFIX = "p_"
SEALED_PREFIX = "s1."
LABEL_LENGTH = 320
ERASED = "erased"


def pseudonym_of(secret: bytes, user_id: uuid.UUID) -> str:
    digest = hmac.new(secret, user_id.bytes, hashlib.sha256).hexdigest()
    return PSEUDONYM_PREFIX + digest[:32]


def forgotten_digest(user_id: uuid.UUID) -> str:
    return hashlib.sha256(b"sift.audit.forgotten:" + user_id.bytes).hexdigest()


def seal_for(key: PersonKey, value: str) -> str:
    """`s1.<pseudonym>.<base64 of nonce and ciphertext>`: who can open it is in the clear."""
    sealed = encrypt(key.secret, value.encode(), context=key.pseudonym.encode())
    return f"{SEALED_PREFIX}{key.pseudonym}.{base64.urlsafe_b64encode(sealed).decode()}"


def sealed_by(value: str | None) -> str | None:
    """The pseudonym whose key opens a sealed value; None for a value stored in clear."""
    if value is None or not value.startswith(SEALED_PREFIX):
        return None
    return value[len(SEALED_PREFIX) :].split(".", 1)[0]


def open_sealed(keys: Mapping[str, PersonKey], value: str | None) -> str | None:
    """A stored address or user agent in clear: a sealed one needs its person's key (None
    once that is destroyed); others were stored in clear (no person to erase)."""
    pseudonym = sealed_by(value)
    if value is None or pseudonym is None:
        return value
    key = keys.get(pseudonym)
    if key is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(value.rsplit(".", 1)[1])
        return decrypt(key.secret, raw, context=key.pseudonym.encode()).decode()
    except (SealError, ValueError, IndexError):
        return None


def _person_lock_key(user_id: uuid.UUID) -> int:
    digest = hashlib.blake2b(b"sift.audit.person." + user_id.bytes, digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PersonKeys:
    @staticmethod
    async def _lock(session: AsyncSession, user_id: uuid.UUID) -> None:
        """Making and destroying one person's key wait for each other (until commit): a key
        is never made for someone being forgotten, nor left behind by a forgetting."""
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _person_lock_key(user_id)}
        )

    async def key_of(self, session: AsyncSession, user_id: uuid.UUID) -> PersonKey | None:
        """The person's key, made on first mention (two consumers at once make one); None
        for a person who was forgotten."""
        # Most events name someone whose key exists: one query then, instead of the lock,
        # the forgotten check, the insert and the read (most of the audit consumers' work
        # per event). FOR KEY SHARE waits for a forgetting in progress (its DELETE), after
        # which the row is gone and the slow path below answers; a forgetting that starts
        # later waits for this transaction instead.
        key = await session.scalar(
            select(PersonKey)
            .where(PersonKey.user_id == user_id)
            .with_for_update(read=True, key_share=True)
        )
        if key is not None:
            return key
        await self._lock(session, user_id)
        if await session.get(ForgottenPerson, forgotten_digest(user_id)) is not None:
            return None
        secret = secrets.token_bytes(32)
        await session.execute(
            pg_insert(PersonKey)
            .values(user_id=user_id, secret=secret, pseudonym=pseudonym_of(secret, user_id))
            .on_conflict_do_nothing(index_elements=[PersonKey.user_id])
        )
        key = await session.scalar(select(PersonKey).where(PersonKey.user_id == user_id))
        assert key is not None  # inserted above, or by the transaction we waited for
        return key

    async def existing(self, session: AsyncSession, user_id: uuid.UUID) -> PersonKey | None:
        return await session.scalar(select(PersonKey).where(PersonKey.user_id == user_id))

    async def by_pseudonym(
        self, session: AsyncSession, pseudonyms: Iterable[str]
    ) -> dict[str, PersonKey]:
        wanted = {name for name in pseudonyms if name}
        if not wanted:
            return {}
        rows = await session.scalars(select(PersonKey).where(PersonKey.pseudonym.in_(wanted)))
        return {row.pseudonym: row for row in rows}

    async def label(self, session: AsyncSession, user_id: uuid.UUID, label: str) -> None:
        await session.execute(
            update(PersonKey).where(PersonKey.user_id == user_id).values(label=label[:LABEL_LENGTH])
        )

    async def forget(self, session: AsyncSession, user_id: uuid.UUID) -> bool:
        """Destroys the person's key: their audit entries can no longer be linked to them.

        The erasure flow calls this (in its own transaction, on
        `privacy.erasure_requested`); True if there was a key. Idempotent.
        """
        await self._lock(session, user_id)
        result = await session.execute(
            delete(PersonKey).where(PersonKey.user_id == user_id).returning(PersonKey.user_id)
        )
        await session.execute(
            pg_insert(ForgottenPerson)
            .values(digest=forgotten_digest(user_id))
            .on_conflict_do_nothing()
        )
        return result.first() is not None


person_keys = PersonKeys()


async def forget_person(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """The erasure hook: call it on `privacy.erasure_requested` (in the handler's
    transaction). Destroys the person's key; their entries stay, unlinkable. Idempotent."""
    return await person_keys.forget(session, user_id)
