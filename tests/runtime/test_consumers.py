"""Service consumers are found by convention and run by `sift consume` / `sift up`."""

from __future__ import annotations

import asyncio

import pytest
from redis.asyncio import Redis

from sift import SERVICES
from sift.core.config import CoreSettings
from sift.core.events.bus import stream_key
from sift.runtime.consumers import consume, discover_consumers, services_with_consumers
from sift.runtime.gateway import GatewaySettings
from sift.runtime.services import service_layouts
from sift.runtime.up import UpOptions, child_specs


def test_consumers_are_discovered_in_consumers_modules() -> None:
    groups = [consumer.group for consumer in discover_consumers("documents")]
    assert groups == ["documents"]
    # The audit log, analytics and privacy requests each have a group of their own.
    assert sorted(consumer.group for consumer in discover_consumers("audit")) == [
        "audit",
        "audit.analytics",
        "audit.privacy",
    ]
    assert services_with_consumers(SERVICES) == list(SERVICES)


def test_up_runs_one_consumer_process_per_service_with_consumers(settings: CoreSettings) -> None:
    layouts = service_layouts()
    names = {
        spec.name
        for spec in child_specs(
            settings, layouts, UpOptions(), env={}, gateway=GatewaySettings(), gateway_paths=None
        )
    }
    assert {f"consume.{s}" for s in services_with_consumers(SERVICES)} <= names
    assert "consume.audit" in names
    without = child_specs(
        settings,
        layouts,
        UpOptions(consumers=False),
        env={},
        gateway=GatewaySettings(),
        gateway_paths=None,
    )
    assert not any(spec.name.startswith("consume.") for spec in without)


async def test_consume_joins_the_stream_and_stops(settings: CoreSettings, redis: Redis) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(consume(settings, "documents", stop))
    for _ in range(100):
        if await redis.exists(stream_key(settings)):
            groups = await redis.xinfo_groups(stream_key(settings))
            if any(group["name"] == b"documents" for group in groups):
                break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the documents consumer group never appeared")
    stop.set()
    await asyncio.wait_for(task, timeout=10)


async def test_consume_returns_at_once_when_a_service_has_nothing_to_consume(
    settings: CoreSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sift.runtime.consumers.discover_consumers", lambda service: [])
    await asyncio.wait_for(consume(settings, "audit", asyncio.Event()), timeout=5)


def test_the_worker_registers_every_service_task() -> None:
    from sift.core.tasks import celery_app
    from sift.runtime.process_cli import import_task_modules

    modules = import_task_modules()
    assert "sift.search.ingestion.tasks" in modules
    assert all(name.endswith(".tasks") for name in modules)
    assert "search.ingest.index_version" in celery_app.tasks
