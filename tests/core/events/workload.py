"""A test workload shared by in-process tests and the relay/consumer subprocesses they kill.

`python -m tests.core.events.workload relay --schemas documents` runs the real relay;
`python -m tests.core.events.workload consume --group g --name n` runs a real consumer whose
handler records each applied event in a scratch table (duplicates are not prevented there, so
an event applied twice would show up as two rows).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import uuid
from collections.abc import Callable, Sequence

from sqlalchemy import String, Uuid, column, insert, table
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import DocumentUploaded, EventEnvelope
from sift.core.config import CoreSettings
from sift.core.events.consumer import Consumer
from sift.core.events.relay import run_relay
from sift.core.events.runner import run_consumer
from sift.core.logging import configure_logging
from sift.notifications.models import ProcessedEvent

SCRATCH_SCHEMA = "events_scratch"
EFFECTS = table(
    "effects",
    column("event_id", Uuid()),
    column("consumer_group", String()),
    column("filename", String()),
    schema=SCRATCH_SCHEMA,
)


def uploaded(index: int, *, filename: str | None = None) -> DocumentUploaded:
    name = filename or f"file-{index:05d}.pdf"
    return DocumentUploaded(
        document_id=uuid.uuid4(),
        version_id=uuid.uuid4(),
        collection_id=uuid.uuid4(),
        filename=name,
        content_type="application/pdf",
        size_bytes=1024 + index,
        sha256=hashlib.sha256(name.encode()).hexdigest(),
        storage_key=f"documents/{name}",
    )


class Poisoned(RuntimeError):
    """What the test handler raises for an event it is told to fail on."""


def effects_consumer(
    group: str, *, poison: Callable[[DocumentUploaded], bool] | None = None
) -> Consumer:
    """A group applying `document.uploaded` by writing one effects row per application."""
    consumer = Consumer(group, ProcessedEvent)

    @consumer.on(DocumentUploaded)
    async def record(session: AsyncSession, envelope: EventEnvelope) -> None:
        payload = envelope.payload_as(DocumentUploaded)
        if poison is not None and poison(payload):
            raise Poisoned(f"poisoned: cannot apply {payload.filename}")
        await session.execute(
            insert(EFFECTS).values(
                event_id=envelope.id, consumer_group=group, filename=payload.filename
            )
        )

    return consumer


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["relay", "consume"])
    parser.add_argument("--schemas", default="documents")
    parser.add_argument("--group", default="workload")
    parser.add_argument("--name", default=None)
    args = parser.parse_args(argv)
    settings = CoreSettings()  # from the SIFT_* environment the test passes through
    configure_logging(service=args.role, level=settings.log_level, json=False)
    if args.role == "relay":
        asyncio.run(run_relay(settings, schemas=args.schemas.split(",")))
    else:
        asyncio.run(run_consumer(settings, effects_consumer(args.group), name=args.name))


if __name__ == "__main__":
    main()
