"""Prometheus metrics of the processes that answer no HTTP: the Celery worker, the relay,
the consumers and the scheduler, each on its own port (`SIFT_METRICS_PORT`).

The relay, a consumer and the scheduler are one process each: their default registry is
served as it is. A Celery worker under prefork counts in its children, so it runs
prometheus_client's multiprocess mode: every process writes its values to files in
`PROMETHEUS_MULTIPROC_DIR` (emptied when the worker starts) and the parent serves their sum.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import structlog
from prometheus_client import REGISTRY, CollectorRegistry, start_http_server, values
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from pydantic_settings import SettingsConfigDict

from sift.core.config import CoreSettings, SiftSettings

log = structlog.get_logger()

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


class ProcessMetricsSettings(SiftSettings):
    """Environment variables `SIFT_METRICS_*`."""

    model_config = SettingsConfigDict(env_prefix="SIFT_METRICS_")

    host: str = "127.0.0.1"  # 0.0.0.0 in a container, for the scraper on the network
    port: int = 0  # 0: not served; `sift up` gives each process its own
    # `sift up`: the processes' ports, consecutive from here; 0: free ports picked at each
    # start (stacks side by side need no setting; the targets file names them).
    first_port: int = 0


# Free ports are picked once per `sift up`: the port check, the processes' environment and
# the targets file must name the same ones.
_picked: dict[tuple[str, ...], dict[str, int]] = {}


def assign_ports(names: Iterable[str], first_port: int) -> dict[str, int]:
    """`sift up`: one port per process."""
    key = tuple(names)
    if first_port:
        return {name: first_port + index for index, name in enumerate(key)}
    if key not in _picked:
        from sift.runtime.embedded_postgres import free_port

        ports: set[int] = set()
        while len(ports) < len(key):
            ports.add(free_port())
        _picked[key] = dict(zip(key, sorted(ports), strict=True))
    return dict(_picked[key])


def serve_process_metrics(process: str, config: ProcessMetricsSettings | None = None) -> bool:
    """The default registry on its port in a daemon thread; False when not served."""
    config = config or ProcessMetricsSettings()
    return bool(config.port) and _serve(process, config, REGISTRY)


def _serve(process: str, config: ProcessMetricsSettings, registry: CollectorRegistry) -> bool:
    try:
        start_http_server(config.port, config.host, registry=registry)
    except OSError as exc:
        # The process's work matters more than its metrics: it runs on, unobserved.
        log.error("metrics.port_unavailable", process=process, port=config.port, error=str(exc))
        return False
    log.info("metrics.serving", process=process, host=config.host, port=config.port)
    return True


def multiprocess_dir(settings: CoreSettings, port: int) -> Path:
    """Set by the operator, or one per worker under the data directory (two workers on
    one host must not empty each other's)."""
    given = os.environ.get(MULTIPROC_ENV)
    return Path(given) if given else settings.data_dir / "metrics" / f"worker-{port}"


def enable_multiprocess(directory: Path) -> None:
    """Empties `directory` and makes every value created from now on a file in it."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    # prometheus_client chose its value class when it was imported, before this: the
    # metrics made from now on (the worker imports the task modules after) write files.
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]


def serve_worker_metrics(
    settings: CoreSettings, config: ProcessMetricsSettings | None = None
) -> Path | None:
    """Before the worker forks: multiprocess mode, the sum served on the port, and the
    children's live gauges dropped when they exit. None when no port is set."""
    config = config or ProcessMetricsSettings()
    if not config.port:
        return None
    from celery import signals

    directory = multiprocess_dir(settings, config.port)
    enable_multiprocess(directory)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))  # type: ignore[no-untyped-call]
    signals.worker_process_shutdown.connect(_child_exited, weak=False)
    _serve("worker", config, registry)
    return directory


def _child_exited(pid: int | None = None, **_: Any) -> None:
    # Sent in the child as it exits: its counters stay in the sum, its live gauges go.
    mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]
