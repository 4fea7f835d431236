"""A burst of events committed at once -> all notifications stored, none twice."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

import psutil
from results import Results, Sizes, until
from sqlalchemy import text
from stack import Stack

from sift.contracts.events.search import SavedSearchMatched
from sift.core.db import Database
from sift.core.events.outbox import publish
from sift.search.models import OutboxEvent as SearchOutbox


def cpu_seconds(stack: Stack) -> dict[str, float]:
    """CPU time used so far by each process of the stack (its children included)."""
    roles = {name: psutil.Process(process.pid) for name, process in stack.processes.items()}
    roles["bench (clients, commits)"] = psutil.Process()
    pidfile = next((stack.logs / "pg").rglob("postmaster.pid"), None)
    if pidfile is not None:
        roles["postgres"] = psutil.Process(int(pidfile.read_text().split()[0]))
    used: dict[str, float] = {}
    for name, root in roles.items():
        total = 0.0
        # The bench's children are the stack's processes: counted under their own names.
        family = [root] if root.pid == os.getpid() else [root, *root.children(recursive=True)]
        for process in family:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        used[name] = total
    return used


async def phase_burst(stack: Stack, database: Database, sizes: Sizes, results: Results) -> None:
    org_id = uuid.uuid4()
    users = [uuid.uuid4() for _ in range(1000)]
    results.load["burst"] = os.getloadavg()[0]
    cpu_before = cpu_seconds(stack)
    started = time.monotonic()
    for start in range(0, sizes.burst, 500):
        async with database.sessionmaker() as session, session.begin():
            for index in range(start, min(start + 500, sizes.burst)):
                payload = SavedSearchMatched(
                    saved_search_id=uuid.uuid4(),
                    user_id=users[index % len(users)],
                    document_id=uuid.uuid4(),
                    collection_id=uuid.uuid4(),
                    version_id=uuid.uuid4(),
                    match_count=1,
                )
                await publish(session, SearchOutbox, payload, producer="search", org_id=org_id)
    results.burst_commit_s = time.monotonic() - started

    async def stored() -> int:
        async with database.sessionmaker() as session:
            count = await session.scalar(
                text("SELECT count(*) FROM notifications.notifications WHERE org_id = :org"),
                {"org": org_id},
            )
        return int(count or 0)

    async def all_stored() -> bool:
        return await stored() >= sizes.burst

    if await until(all_stored, within=300, every=0.25):
        results.burst_stored_s = time.monotonic() - started
    cpu_after = cpu_seconds(stack)
    results.burst_cpu = {
        name: cpu_after[name] - cpu_before.get(name, 0.0) for name in sorted(cpu_after)
    }
    await asyncio.sleep(3)  # a late duplicate would show up now
    async with database.sessionmaker() as session:
        row = (
            await session.execute(
                text(
                    "SELECT count(*), count(DISTINCT (event_id, user_id, channel)) "
                    "FROM notifications.notifications WHERE org_id = :org"
                ),
                {"org": org_id},
            )
        ).one()
    results.burst_rows, results.burst_distinct = int(row[0]), int(row[1])
