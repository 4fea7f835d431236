"""Admins list dead letters, re-drive one to the group that gave up on it, or discard it."""

from __future__ import annotations

from redis.asyncio import Redis

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.dead_letters import (
    DeadLetterNotFound,
    discard_dead_letter,
    get_dead_letter,
    list_dead_letters,
    redrive_dead_letter,
)
from sift.core.events.worker import ConsumerWorker
from sift.documents.models import OutboxEvent
from tests.core.events.conftest import (
    Effects,
    consume_until,
    drain_outboxes,
    group_pending,
    publish_committed,
)
from tests.core.events.workload import effects_consumer, uploaded


async def test_a_redriven_dead_letter_is_applied_once_by_its_group_only(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings
    broken = {"poison.pdf"}
    envelopes = await publish_committed(
        database,
        OutboxEvent,
        [uploaded(0, filename="poison.pdf"), uploaded(1, filename="fine.pdf")],
        producer="documents",
    )
    await drain_outboxes(database, redis, settings, ["documents"])
    fragile = ConsumerWorker(
        effects_consumer("fragile", poison=lambda p: p.filename in broken),
        database=database,
        redis=redis,
        settings=settings,
        name="f",
    )
    bystander = ConsumerWorker(
        effects_consumer("bystander"), database=database, redis=redis, settings=settings, name="b"
    )
    assert (await bystander.consume_once()).applied == 2

    async def dead_lettered() -> bool:
        return len(await list_dead_letters(redis, settings)) == 1

    await consume_until(fragile, dead_lettered, timeout=10)
    [letter] = await list_dead_letters(redis, settings)
    assert letter.event_id == str(envelopes[0].id)
    assert await get_dead_letter(redis, settings, letter.id) == letter

    broken.clear()  # the fix is deployed
    await redrive_dead_letter(redis, settings, letter.id)

    assert await list_dead_letters(redis, settings) == []
    assert (await fragile.consume_once()).applied == 1
    bystander_stats = await bystander.consume_once()
    assert (bystander_stats.ignored, bystander_stats.applied) == (1, 0)
    rows = await effects.filenames()
    assert sorted(rows) == ["fine.pdf", "fine.pdf", "poison.pdf", "poison.pdf"]  # 2 groups
    assert await group_pending(redis, settings, "fragile") == {}


async def test_dead_letters_page_and_can_be_discarded(
    database: Database, redis: Redis, fast_settings: CoreSettings, effects: Effects
) -> None:
    settings = fast_settings
    await publish_committed(
        database,
        OutboxEvent,
        [uploaded(i, filename=f"bad-{i}.pdf") for i in range(3)],
        producer="documents",
    )
    await drain_outboxes(database, redis, settings, ["documents"])
    worker = ConsumerWorker(
        effects_consumer("all-bad", poison=lambda p: True),
        database=database,
        redis=redis,
        settings=settings,
        name="w",
    )

    async def all_dead() -> bool:
        return len(await list_dead_letters(redis, settings)) == 3

    await consume_until(worker, all_dead, timeout=10)
    first_page = await list_dead_letters(redis, settings, count=2)
    second_page = await list_dead_letters(redis, settings, after=first_page[-1].id)
    assert len(first_page) == 2 and len(second_page) == 1
    assert second_page[0].failed_at is not None

    assert await discard_dead_letter(redis, settings, second_page[0].id)
    assert not await discard_dead_letter(redis, settings, second_page[0].id)
    assert len(await list_dead_letters(redis, settings)) == 2
    try:
        await redrive_dead_letter(redis, settings, second_page[0].id)
    except DeadLetterNotFound:
        pass
    else:
        raise AssertionError("re-driving a discarded dead letter must fail")
