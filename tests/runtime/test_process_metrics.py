"""The processes that answer no HTTP serve their metrics: each is run for real (`sift worker`,
`sift relay`, `sift consume`, the scheduler's loop) against the test's PostgreSQL and Redis,
does some work, and its /metrics is scraped over HTTP."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from apscheduler.triggers.interval import IntervalTrigger
from celery import Celery
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, text

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.scheduling import ScheduledJob
from sift.core.tasks.app import celery_config
from sift.core.tasks.settings import TaskSettings
from sift.documents.models import OutboxEvent
from sift.runtime.embedded_postgres import free_port
from sift.runtime.process_metrics import ProcessMetricsSettings, serve_process_metrics
from sift.runtime.scheduler import SchedulerSettings, run_scheduler
from tests.core.events.conftest import REPO_ROOT, process_env, publish_committed
from tests.core.events.workload import uploaded

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(port: int) -> Samples:
    """Every sample on the process's /metrics, by name and labels."""
    body = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum of `name`'s samples that carry `labels` (0 when there is none)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


def wait_for_samples(
    port: int, done: Callable[[Samples], bool], process: subprocess.Popen[bytes] | None = None
) -> Samples:
    deadline = time.monotonic() + 120  # the worker imports every service's tasks first
    samples: Samples = {}
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the process exited with {process.returncode}")
        try:
            samples = scrape(port)
        except httpx.TransportError:
            samples = {}
        if samples and done(samples):
            return samples
        time.sleep(0.3)
    pytest.fail(f"the metrics never showed the work: {sorted(samples)[:80]}")


@pytest.fixture
def sift_process(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """`sift <args>` in a real process on the test's database and Redis, its metrics on `port`."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(settings: CoreSettings, port: int, *args: str) -> subprocess.Popen[bytes]:
        env = process_env(settings) | {
            "SIFT_DATA_DIR": str(tmp_path / "data"),
            "SIFT_METRICS_PORT": str(port),
        }
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        with (tmp_path / f"{args[0]}-{len(processes)}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "sift.runtime", *args],
                cwd=REPO_ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_worker_serves_the_sum_of_its_prefork_children(
    settings: CoreSettings, sift_process: Callable[..., subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    port = free_port()
    # One task per child: every task runs in a new child, so the sum is over processes.
    worker = sift_process(
        settings,
        port,
        "worker",
        "--queues",
        "deliver",
        "--concurrency",
        "2",
        "--max-tasks-per-child",
        "1",
    )
    # An app of its own: re-pointing the shared one (configure_celery) would also re-point
    # the test session's in-process worker, which would then take these tasks itself.
    celery = Celery("process-metrics-test")
    celery.conf.update(celery_config(settings, TaskSettings()))
    send = "notifications.deliver.send"
    succeeding, failing = 4, 1
    for _ in range(succeeding):  # no such delivery: the task finds nothing to send
        celery.send_task(send, args=[str(uuid.uuid4())])
    for _ in range(failing):  # not a delivery ID: the task fails for good
        celery.send_task(send, args=["not-a-uuid"])

    runs = succeeding + failing
    samples = wait_for_samples(
        port, lambda s: value(s, "sift_task_runs_total", task=send) >= runs, worker
    )
    assert value(samples, "sift_task_runs_total", task=send, state="SUCCESS") == succeeding
    assert value(samples, "sift_task_runs_total", task=send, state="FAILURE") == failing
    assert value(samples, "sift_task_started_total", task=send) == runs
    assert value(samples, "sift_task_duration_seconds_count", task=send) == runs
    assert value(samples, "sift_task_dead_letters_total", task=send) == failing
    # The values come from the files of several children (their pids name the files).
    directory = tmp_path / "data" / "metrics" / f"worker-{port}"
    pids = {path.stem.rsplit("_", 1)[1] for path in directory.glob("counter_*.db")}
    assert len(pids) >= 2, sorted(directory.iterdir())


async def test_the_relay_and_a_consumer_serve_what_they_did(
    settings: CoreSettings,
    database: Database,
    clean_outboxes: None,
    sift_process: Callable[..., subprocess.Popen[bytes]],
) -> None:
    relay_port, consumer_port = free_port(), free_port()
    relay = sift_process(settings, relay_port, "relay")
    consumer = sift_process(settings, consumer_port, "consume", "audit")
    events = 3
    await publish_committed(
        database, OutboxEvent, [uploaded(i) for i in range(events)], producer="documents"
    )

    published = wait_for_samples(
        relay_port,
        lambda s: value(s, "sift_events_published_total", schema="documents") >= events,
        relay,
    )
    assert value(published, "sift_events_published_total", type="document.uploaded") == events
    assert value(published, "sift_relay_lag_seconds_count", schema="documents") == events

    consumed = wait_for_samples(
        consumer_port,
        lambda s: value(s, "sift_events_consumed_total", group="audit", outcome="applied") >= events
        and ("sift_events_group_lag", frozenset({("group", "audit")})) in s,
        consumer,
    )
    assert value(consumed, "sift_events_failed_total", group="audit") == 0
    assert value(consumed, "sift_events_group_pending", group="audit") >= 0
    assert value(consumed, "sift_event_handler_duration_seconds_count", group="audit") >= events


RUNS: list[str] = []


def tick() -> None:
    RUNS.append("tick")


def boom() -> None:
    raise RuntimeError("this job always fails")


def test_the_scheduler_serves_its_job_runs(
    base_settings: CoreSettings, sync_engine: Engine
) -> None:
    schema = f"scheduler_test_{uuid.uuid4().hex[:8]}"
    port = free_port()
    assert serve_process_metrics("scheduler", ProcessMetricsSettings(port=port))
    stop = threading.Event()
    every = IntervalTrigger(seconds=0.3)
    jobs = [ScheduledJob("test.tick", tick, every), ScheduledJob("test.boom", boom, every)]
    thread = threading.Thread(
        target=run_scheduler,
        args=(base_settings, SchedulerSettings(schema_name=schema, leader_poll_seconds=0.1)),
        kwargs={"stop": stop, "jobs": jobs, "engine": sync_engine},
    )
    started = time.time()
    thread.start()
    try:
        samples = wait_for_samples(
            port,
            lambda s: value(s, "sift_scheduler_job_runs_total", job_id="test.tick") >= 2
            and value(s, "sift_scheduler_job_runs_total", job_id="test.boom") >= 2,
        )
    finally:
        stop.set()
        thread.join(10)
        with sync_engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    runs = "sift_scheduler_job_runs_total"
    assert value(samples, runs, job_id="test.tick", outcome="succeeded") >= 2
    assert value(samples, runs, job_id="test.boom", outcome="failed") >= 2
    assert value(samples, runs, job_id="test.boom", outcome="succeeded") == 0
    last = "sift_scheduler_job_last_success_timestamp_seconds"
    assert value(samples, last, job_id="test.tick") >= started
    assert value(samples, last, job_id="test.boom") == 0
