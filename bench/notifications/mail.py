"""An e-mail event committed -> the mail handed to SMTP (the capture's arrival time)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

from results import Results, Sizes, until
from stack import Stack

from sift.contracts.events.identity import RecoveryCodeUsed
from sift.core.db import Database
from sift.core.events.outbox import publish
from sift.identity.models import OutboxEvent as IdentityOutbox


def captured(stack: Stack) -> dict[str, float]:
    """Recipient -> when the capture received the mail (its file name is the arrival ns)."""
    found: dict[str, float] = {}
    if not stack.mail_dir.is_dir():
        return found
    for path in stack.mail_dir.glob("*.eml"):
        with path.open("rb") as file:
            first = file.readline().decode(errors="replace")  # X-RcptTo: <address>
        found[first.partition(":")[2].strip()] = int(path.name.split("-", 1)[0]) / 1e9
    return found


async def phase_mail(stack: Stack, database: Database, sizes: Sizes, results: Results) -> None:
    run = uuid.uuid4().hex[:6]

    async def commit(address: str) -> float:
        payload = RecoveryCodeUsed(user_id=uuid.uuid4(), email=address, remaining=3)
        async with database.sessionmaker() as session, session.begin():
            await publish(session, IdentityOutbox, payload, producer="identity")
        return time.time()

    warm = f"warm-{run}@example.org"
    await commit(warm)

    async def warmed() -> bool:
        return warm in captured(stack)

    if not await until(warmed, within=120, every=0.25):
        raise RuntimeError("no mail reached the capture in 120 s: see the logs")
    results.load["e-mail"] = os.getloadavg()[0]
    committed: dict[str, float] = {}
    for index in range(sizes.mails):
        address = f"bench-{run}-{index}@example.org"
        committed[address] = await commit(address)
        await asyncio.sleep(0.1)  # 10 a second

    async def all_mailed() -> bool:
        return set(committed) <= set(captured(stack))

    await until(all_mailed, within=120, every=0.25)
    arrived = captured(stack)
    results.mail_latency = [arrived[a] - at for a, at in committed.items() if a in arrived]
    results.mails_missing = len(committed) - len(results.mail_latency)
