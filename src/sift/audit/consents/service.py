"""Consents: the current answer is the latest choice of each kind; every change is a new
row and a `consent.changed` event (the audit log records it, notifications obey it).

Without a choice, analytics cookies are off (they need consent first) and product e-mail
is on (mail about what the person does in Sift; they can withdraw it at any time).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.consents.exceptions import AccountBeingErased
from sift.audit.consents.models import ConsentRecord
from sift.audit.consents.repository import consent_repository
from sift.audit.consents.schemas import ConsentChoice, ConsentsRead
from sift.audit.log.models import ForgottenPerson
from sift.audit.log.pseudonyms import forgotten_digest
from sift.audit.privacy.events import events
from sift.audit.privacy.repository import privacy_request_repository
from sift.contracts.events import ConsentChanged, ConsentKind
from sift.core.auth import Principal

log = structlog.get_logger()

DEFAULTS: dict[ConsentKind, bool] = {
    ConsentKind.analytics: False,
    ConsentKind.product_email: True,
}


def current(history: Sequence[ConsentRecord]) -> dict[ConsentKind, bool]:
    """The latest choice per kind (`history` newest first), else the default."""
    state = dict(DEFAULTS)
    seen: set[str] = set()
    for record in history:
        if record.kind not in seen:
            seen.add(record.kind)
            state[ConsentKind(record.kind)] = record.granted
    return state


def consents_read(history: Sequence[ConsentRecord]) -> ConsentsRead:
    state = current(history)
    return ConsentsRead(
        analytics=state[ConsentKind.analytics],
        product_email=state[ConsentKind.product_email],
        history=[ConsentChoice.model_validate(record) for record in history],
    )


class ConsentService:
    async def read(self, session: AsyncSession, user_id: uuid.UUID) -> ConsentsRead:
        return consents_read(await consent_repository.history(session, user_id))

    async def update(
        self, session: AsyncSession, principal: Principal, wanted: dict[ConsentKind, bool]
    ) -> ConsentsRead:
        """Records each consent that changes (or is chosen for the first time)."""
        user_id = principal.user_id
        await self._check_not_erased(session, user_id)
        history = list(await consent_repository.history(session, user_id))
        chosen = {record.kind for record in history}
        state = current(history)
        now = datetime.now(UTC)
        for kind, granted in wanted.items():
            if kind in chosen and state[kind] == granted:
                continue
            record = ConsentRecord(user_id=user_id, kind=kind.value, granted=granted, at=now)
            session.add(record)
            history.insert(0, record)
            await events.publish(
                session,
                ConsentChanged(user_id=user_id, kind=kind, granted=granted),
                actor_id=user_id,
                subject_id=user_id,
            )
            log.info("privacy.consent_changed", kind=kind.value, granted=granted)
        await session.flush()
        return consents_read(history)

    async def erase(self, session: AsyncSession, user_id: uuid.UUID) -> int:
        return await consent_repository.delete_all_of(session, user_id)

    @staticmethod
    async def _check_not_erased(session: AsyncSession, user_id: uuid.UUID) -> None:
        # A choice made while the account is erased would outlive it.
        if await privacy_request_repository.running_erasure(session, user_id) is not None:
            raise AccountBeingErased()
        if await session.get(ForgottenPerson, forgotten_digest(user_id)) is not None:
            raise AccountBeingErased()


consent_service = ConsentService()
