"""Finds each service's event consumers and runs them (`sift consume <service>`)."""

from __future__ import annotations

import asyncio

import structlog

from sift.core.config import CoreSettings
from sift.core.events.consumer import Consumer
from sift.core.events.runner import run_consumer
from sift.core.privacy import runtime as privacy_runtime
from sift.core.tasks import configure_celery, flush_enqueued
from sift.runtime.services import service_modules

log = structlog.get_logger()


def discover_consumers(service: str) -> list[Consumer]:
    """The `Consumer` objects declared in the service's `consumers` modules."""
    found: dict[int, Consumer] = {}
    for module in service_modules(service, "consumers"):
        for value in vars(module).values():
            if isinstance(value, Consumer):
                found[id(value)] = value
    return list(found.values())


def services_with_consumers(services: tuple[str, ...]) -> list[str]:
    return [service for service in services if discover_consumers(service)]


async def consume(settings: CoreSettings, service: str, stop: asyncio.Event) -> None:
    consumers = discover_consumers(service)
    if not consumers:
        log.info("consume.nothing_to_consume", service=service)
        return
    # Handlers may enqueue Celery tasks after their commit: point Celery at our Redis, and
    # hand over what is still queued for sending before the process exits.
    configure_celery(settings)
    privacy_runtime.configure(settings)  # privacy handlers' storage and Redis
    log.info("consume.started", service=service, groups=[c.group for c in consumers])
    try:
        await asyncio.gather(
            *(run_consumer(settings, consumer, stop=stop) for consumer in consumers)
        )
    finally:
        await flush_enqueued()
