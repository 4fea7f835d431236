"""A delivery worker killed mid-send, with real processes: nothing lost, nothing sent twice.

`sift worker --queues deliver` runs as a subprocess and sends to an SMTP server of this test
that holds one reply, so that the worker is provably inside the SMTP transaction when it
gets SIGKILL; a second worker then takes the redelivered task.

- Held at DATA (before the message is handed over): the second worker sends it, once.
- Held at QUIT (the server already took it, the worker has not recorded it): the second
  worker does not send it again; the delivery is dead, for an admin, and the mail is there
  once.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from redis import Redis as SyncRedis
from sqlalchemy import func, select

from sift.contracts.events import EventEnvelope
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.tasks.app import celery_config
from sift.core.tasks.settings import TaskSettings
from sift.notifications.config import get_notifications_settings
from sift.notifications.delivery.models import Delivery, DeliveryAttempt
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.delivery.service import DELIVERY_HEADER, SEND_TASK
from sift.notifications.delivery.tasks import run_delivery
from tests.core.events.conftest import REPO_ROOT, process_env
from tests.notifications.delivery_helpers import eventually, invitation_created

pytestmark = [pytest.mark.usefixtures("committed_deliveries"), pytest.mark.timeout(120)]

# The broker hands a dead worker's message out again after this, and the next run treats
# a claim this old as its worker's leftovers (production: 900 s and 300 s).
VISIBILITY_TIMEOUT = "1"
STALE_AFTER = "1"


class HoldingSmtp:
    """A bare SMTP server that answers like a relay, but holds one reply (to `DATA`, to the
    `END` of DATA or to `QUIT`) of the first transaction until `release` is set. It keeps
    a message once it has read its end."""

    def __init__(self, hold: str) -> None:
        self.hold: str | None = hold
        self.held = asyncio.Event()
        self.release = asyncio.Event()
        self.messages: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> HoldingSmtp:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        assert self._server is not None
        self._server.close()

    def delivery_ids(self) -> list[str]:
        return [str(message_from_bytes(raw)[DELIVERY_HEADER]) for raw in self.messages]

    async def _hold(self, command: str) -> None:
        if self.hold == command:
            self.hold = None  # the next worker's transaction goes through
            self.held.set()
            await self.release.wait()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        try:
            reply("220 holding ESMTP")
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    reply("250-holding")
                    reply("250 8BITMIME")
                elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    reply("250 OK")
                elif verb == b"DATA":
                    await self._hold("DATA")
                    reply("354 End data with <CR><LF>.<CR><LF>")
                    lines: list[bytes] = []
                    while (chunk := await reader.readline()) != b".\r\n":
                        if not chunk:
                            return  # cut off mid-DATA: nothing was handed over
                        lines.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    self.messages.append(b"".join(lines))
                    await self._hold("END")  # taken: its answer may be what is lost
                    reply("250 2.0.0 Accepted")
                elif verb == b"QUIT":
                    await self._hold("QUIT")
                    reply("221 Bye")
                    break
                else:
                    reply("502 Not implemented")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


class Workers:
    """`sift worker --queues deliver` subprocesses, each in its own process group."""

    def __init__(self, settings: CoreSettings, logs: Path) -> None:
        self.env = process_env(settings)
        self.env.update(
            {
                "SIFT_DATA_DIR": str(settings.data_dir),
                "SIFT_TASKS_VISIBILITY_TIMEOUT": VISIBILITY_TIMEOUT,
                "SIFT_NOTIFICATIONS_DELIVERY_STALE_AFTER_SECONDS": STALE_AFTER,
                # Longer than the test holds a reply: the worker must not give up first.
                "SIFT_NOTIFICATIONS_EMAIL_TIMEOUT_SECONDS": "90",
            }
        )
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        argv = ["worker", "--queues", "deliver", "--concurrency", "1", "--hostname", name]
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "sift.runtime", *argv],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # SIGKILL to the group reaches the pool child too
            )
        self.started.append(process)
        return process

    @staticmethod
    def kill(process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def workers(settings: CoreSettings, tmp_path: Path) -> Iterator[Workers]:
    running = Workers(settings, tmp_path)
    yield running
    running.stop_all()


@pytest.fixture
def broker(settings: CoreSettings) -> Iterator[Celery[Any]]:
    """A Celery app of its own sending to this test's prefix, where only its subprocesses
    listen (the shared app's pooled connections keep the prefix they were made with)."""
    app: Celery[Any] = Celery("sift-kill-test", set_as_current=False)
    app.conf.update(celery_config(settings, TaskSettings()))
    yield app
    app.close()
    with SyncRedis.from_url(settings.redis_url) as client:
        keys = list(client.scan_iter(match=settings.redis_prefix + "*"))
        if keys:
            client.delete(*keys)


async def insert(database: Database, envelope: EventEnvelope) -> uuid.UUID:
    """The delivery row as the notifications consumer's handler commits it."""
    async with database.sessionmaker() as session, session.begin():
        delivery_id = await delivery_repository.insert(
            session,
            event_id=envelope.id,
            event_type=envelope.type,
            channel="email",
            recipient=f"address:{envelope.data['email']}",
            kind="invitation",
            envelope=envelope.model_dump(mode="json"),
            max_attempts=5,
        )
    assert delivery_id is not None
    return delivery_id


async def queue(database: Database, broker: Celery[Any], envelope: EventEnvelope) -> Delivery:
    """The delivery committed, then its task sent, as the handler's after-commit does."""
    delivery_id = await insert(database, envelope)
    await asyncio.to_thread(broker.send_task, SEND_TASK, args=(str(delivery_id),))
    return await current(database, delivery_id)


async def current(database: Database, delivery_id: uuid.UUID) -> Delivery:
    async with database.sessionmaker() as session:
        delivery = await session.get(Delivery, delivery_id)
        assert delivery is not None
        return delivery


async def attempts(database: Database, delivery_id: uuid.UUID) -> list[tuple[int, str]]:
    async with database.sessionmaker() as session:
        rows = await session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == delivery_id)
            .order_by(DeliveryAttempt.number)
        )
        return [(row.number, row.status) for row in rows]


async def until_claim_is_older_than_visibility(database: Database, delivery_id: uuid.UUID) -> None:
    """The broker redelivers, and the next run recovers, only claims older than this."""
    limit = float(max(VISIBILITY_TIMEOUT, STALE_AFTER)) + 0.5

    async def old_enough() -> bool:
        async with database.sessionmaker() as session:
            age = await session.scalar(
                select(func.extract("epoch", func.now() - Delivery.claimed_at)).where(
                    Delivery.id == delivery_id
                )
            )
        return age is not None and float(age) > limit

    await eventually(old_enough, timeout=10)


async def settled(database: Database, delivery_id: uuid.UUID, status: str) -> Delivery:
    async def reached() -> Delivery | None:
        delivery = await current(database, delivery_id)
        return delivery if delivery.status == status else None

    return await eventually(reached, timeout=60)


async def test_a_worker_killed_inside_the_smtp_transaction_is_replaced_and_the_mail_goes_once(
    settings: CoreSettings, database: Database, broker: Celery[Any], workers: Workers
) -> None:
    async with HoldingSmtp(hold="DATA") as relay:
        workers.env["SIFT_NOTIFICATIONS_EMAIL_SMTP_PORT"] = str(relay.port)
        first = workers.start("deliver-1")
        delivery = await queue(database, broker, invitation_created(settings, "once@example.org"))

        await asyncio.wait_for(relay.held.wait(), timeout=60)  # MAIL, RCPT, DATA: then held
        held = await current(database, delivery.id)
        assert (held.status, held.attempts, held.handed_off_at) == ("sending", 1, None)
        await until_claim_is_older_than_visibility(database, delivery.id)
        workers.kill(first)
        assert relay.messages == []

        workers.start("deliver-2")
        sent = await settled(database, delivery.id, "sent")
        assert relay.delivery_ids() == [str(delivery.id)]
        assert sent.attempts == 2 and sent.error is None and sent.handed_off_at is not None
        assert await attempts(database, delivery.id) == [(1, "interrupted"), (2, "sent")]
        assert sent.provider_message_id
        [raw] = relay.messages
        assert re.search(rb"(?m)^To: once@example\.org\r?$", raw)


async def test_a_worker_killed_after_the_server_took_the_mail_does_not_send_it_again(
    settings: CoreSettings, database: Database, broker: Celery[Any], workers: Workers
) -> None:
    async with HoldingSmtp(hold="QUIT") as relay:
        workers.env["SIFT_NOTIFICATIONS_EMAIL_SMTP_PORT"] = str(relay.port)
        first = workers.start("deliver-1")
        delivery = await queue(database, broker, invitation_created(settings, "taken@example.org"))

        # 250 to the end of DATA, then QUIT held: taken, and not yet recorded as sent.
        await asyncio.wait_for(relay.held.wait(), timeout=60)
        assert relay.delivery_ids() == [str(delivery.id)]
        held = await current(database, delivery.id)
        assert held.status == "sending" and held.handed_off_at is not None
        await until_claim_is_older_than_visibility(database, delivery.id)
        workers.kill(first)

        workers.start("deliver-2")
        dead = await settled(database, delivery.id, "dead")
        assert dead.error and "may or may not have gone out" in dead.error
        assert await attempts(database, delivery.id) == [(1, "interrupted")]
        # The second worker ran the redelivered task and stopped there: one mail.
        assert relay.delivery_ids() == [str(delivery.id)]


async def test_silence_after_the_end_of_data_is_not_retried_into_a_second_copy(
    settings: CoreSettings, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same window for a live worker: the server took the message, no answer came."""
    delivery_id = await insert(database, invitation_created(settings, "silence@example.org"))
    async with HoldingSmtp(hold="END") as relay:
        monkeypatch.setenv("SIFT_NOTIFICATIONS_EMAIL_SMTP_PORT", str(relay.port))
        monkeypatch.setenv("SIFT_NOTIFICATIONS_EMAIL_TIMEOUT_SECONDS", "0.5")
        get_notifications_settings.cache_clear()
        try:
            recorded = await run_delivery(
                delivery_id, settings, get_notifications_settings(), database=database
            )
        finally:
            get_notifications_settings.cache_clear()
    # Before, a timeout was a transient refusal: retried, and the mail went twice.
    assert recorded is not None and recorded.status == "dead" and recorded.retry_in is None
    delivery = await current(database, delivery_id)
    assert delivery.error and "no answer after the end of DATA" in delivery.error
    assert await attempts(database, delivery_id) == [(1, "interrupted")]
    assert relay.delivery_ids() == [str(delivery_id)]
