"""Fixtures of the core tests: an S3 server (moto, over real HTTP) and a real Celery worker."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import traceback
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from moto.server import ThreadedMotoServer
from pydantic import SecretStr
from redis import Redis as SyncRedis

from sift.core.config import CoreSettings, StorageSettings
from sift.core.storage import S3Storage
from sift.core.storage.s3 import MIN_PART_SIZE, create_s3_client
from sift.core.tasks import TaskSettings, configure_celery

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free loopback port, spoken to through real HTTP."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _s3_settings(endpoint: str, bucket: str) -> StorageSettings:
    return StorageSettings(
        backend="s3",
        s3_bucket=bucket,
        s3_endpoint_url=endpoint,
        s3_region="us-east-1",
        s3_access_key_id="testing",
        s3_secret_access_key=SecretStr("testing"),
    )


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: str) -> Iterator[S3Client]:
    """One real boto3 client for the session (making one costs ~0.1 s)."""
    client = create_s3_client(_s3_settings(s3_endpoint, "unused"))
    yield client
    client.close()


@pytest.fixture
def s3_settings(s3_endpoint: str, s3_client: S3Client) -> StorageSettings:
    """Storage settings for a fresh bucket of its own."""
    settings = _s3_settings(s3_endpoint, f"sift-test-{uuid.uuid4().hex[:12]}")
    s3_client.create_bucket(Bucket=settings.s3_bucket)
    return settings


@pytest.fixture
def s3_storage(s3_settings: StorageSettings, s3_client: S3Client) -> S3Storage:
    return S3Storage(s3_client, s3_settings.s3_bucket, part_size=MIN_PART_SIZE)


@pytest.fixture(scope="session")
def celery_settings(base_settings: CoreSettings) -> CoreSettings:
    """Settings of the worker: a Redis prefix of its own, so its queues are private."""
    return base_settings.model_copy(
        update={"redis_prefix": f"{base_settings.redis_prefix}celery-{uuid.uuid4().hex[:8]}:"}
    )


WORKER_TASK_SETTINGS = TaskSettings(soft_time_limit=20, time_limit=30)


@pytest.fixture(scope="session")
def _celery_worker_thread(celery_settings: CoreSettings) -> Iterator[Celery]:
    """A real Celery worker (solo pool, in a thread) consuming every queue from real Redis."""
    app = configure_celery(celery_settings, WORKER_TASK_SETTINGS)
    app.conf.update(worker_enable_remote_control=False)  # no broadcast traffic in tests
    # A retry whose time comes as the session ends may be mid-send (a mail's 10 s SMTP
    # timeout against a fake relay that is gone): give it time to finish.
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=60
        ):
            yield app
    except RuntimeError as exc:
        if "failed to exit" not in str(exc):
            raise
        # Every test has passed by now, and the worker's daemon thread dies with the
        # process: say what held it, rather than fail a session whose tests all passed.
        print(f"\nThe test Celery worker was busy at the end:\n{busy_stacks()}", file=sys.stderr)
    client = SyncRedis.from_url(celery_settings.redis_url)
    keys = list(client.scan_iter(match=celery_settings.redis_prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


def busy_stacks() -> str:
    frames = sys._current_frames()
    stacks = []
    for thread in threading.enumerate():
        frame = frames.get(thread.ident or -1)
        if thread is threading.main_thread() or frame is None:
            continue
        stack = "".join(traceback.format_stack(frame))
        if "celery" in stack:
            stacks.append(f"{thread.name}:\n{stack}")
    return "\n".join(stacks)


@pytest.fixture
def celery_worker(_celery_worker_thread: Celery, celery_settings: CoreSettings) -> Iterator[Celery]:
    """The running worker, with the app pointed at its Redis for this test only.

    The Celery app is one per process: a test that ran a consumer or the scheduler in
    between pointed it at its own prefix, where this worker would never see what the test
    sends. Afterwards it points at a prefix no worker reads, so that the tasks later tests
    send on the side (ingestion, mail) do not reach this worker and keep it busy past the
    end of the session."""
    app = configure_celery(celery_settings, WORKER_TASK_SETTINGS)
    app.conf.update(worker_enable_remote_control=False)
    yield app
    parked = celery_settings.redis_prefix + "parked:"
    configure_celery(celery_settings.model_copy(update={"redis_prefix": parked}))


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """A TCP server that accepts connections and never answers: a hung Redis."""
    connections: list[asyncio.StreamWriter] = []

    async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer)

    server = await asyncio.start_server(accept, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"redis://127.0.0.1:{port}/0"
    for writer in connections:
        writer.close()
    server.close()
    await server.wait_closed()
