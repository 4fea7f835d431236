"""`python -m tests.search.processes consume`: the search consumer group as a real process.

Configured from the environment like `sift` processes; it applies document events and sends
ingest tasks after each commit.
"""

from __future__ import annotations

import asyncio
import signal

from sift.core.config import CoreSettings
from sift.core.events.runner import run_consumer
from sift.core.logging import configure_logging
from sift.core.tasks import configure_celery, flush_enqueued
from sift.search.consumers import consumer


async def main() -> None:
    settings = CoreSettings()
    configure_logging(service="search-consumer", level=settings.log_level, json=False)
    configure_celery(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await run_consumer(settings, consumer, stop=stop)
    await flush_enqueued()


if __name__ == "__main__":
    asyncio.run(main())
