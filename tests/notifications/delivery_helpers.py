"""Events as identity publishes them, and waits on the worker's results."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sift.contracts.events import EventEnvelope
from sift.contracts.events.identity import (
    LINK_SEAL_PURPOSE,
    InvitationCreated,
    PasswordResetRequested,
    RecoveryCodeUsed,
)
from sift.core.auth.sealing import seal
from sift.core.config import CoreSettings
from tests.core.conftest import busy_stacks

T = TypeVar("T")


def reset_requested(
    settings: CoreSettings, email: str = "ann@example.org", *, link: str | None = None
) -> EventEnvelope:
    user_id = uuid.uuid4()
    link = link or f"{settings.public_url}/reset-password?token=tok-{uuid.uuid4().hex}"
    payload = PasswordResetRequested(
        user_id=user_id,
        email=email,
        link=seal(settings, LINK_SEAL_PURPOSE, link),
        expires_at=datetime.now(UTC) + timedelta(minutes=30),
    )
    return EventEnvelope.wrap(payload, producer="identity", subject_id=user_id)


def invitation_created(
    settings: CoreSettings, email: str, *, org_id: uuid.UUID | None = None
) -> EventEnvelope:
    org_id = org_id or uuid.uuid4()
    payload = InvitationCreated(
        invitation_id=uuid.uuid4(),
        org_id=org_id,
        org_name="Lighthouse Keepers",
        email=email,
        role="editor",
        invited_by=uuid.uuid4(),
        link=seal(settings, LINK_SEAL_PURPOSE, f"{settings.public_url}/invitations?token=inv"),
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    return EventEnvelope.wrap(payload, producer="identity", org_id=org_id)


def recovery_code_used(
    email: str = "ann@example.org", *, user_id: uuid.UUID | None = None
) -> EventEnvelope:
    user_id = user_id or uuid.uuid4()
    payload = RecoveryCodeUsed(user_id=user_id, email=email, remaining=7)
    return EventEnvelope.wrap(payload, producer="identity", subject_id=user_id)


async def eventually(check: Callable[[], Awaitable[T | None]], timeout: float = 60) -> T:
    """The first truthy answer of `check`, polled while the worker runs (a loaded CI
    machine can keep the one test worker busy for a while)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"the worker did not get there in time; it was at:\n{busy_stacks()}")
