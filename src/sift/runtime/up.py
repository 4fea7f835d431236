"""What `sift up` runs: its options, its child processes, their ports and environment.

`sift.runtime.start` runs them (`run_up`)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import importlib.util
import os
import signal
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import structlog

from sift.core.config import CoreSettings
from sift.core.tracing import TracingSettings
from sift.runtime.embedded_postgres import EmbeddedPostgres
from sift.runtime.gateway import (
    GatewayPaths,
    GatewaySettings,
    nginx_command,
)
from sift.runtime.infra import (
    InfraError,
    local_redis_command,
    ports_in_use,
    redis_answers,
    redis_data_dir,
)
from sift.runtime.mail import capture_port, capture_spec
from sift.runtime.process_metrics import ProcessMetricsSettings, assign_ports
from sift.runtime.services import ServiceLayout
from sift.runtime.supervisor import ProcessSpec, Supervisor
from sift.runtime.web import WebApp, WebSettings, web_spec

log = structlog.get_logger()

TIER_INFRASTRUCTURE = 0
TIER_BACKEND = 1
TIER_GATEWAY = 2
WORKER_MODULE = "sift.core.tasks"
RELAY_MODULE = "sift.core.events.relay"


class UpError(RuntimeError):
    pass


@dataclass(frozen=True)
class UpOptions:
    gateway: bool = True
    reload: bool = False
    migrate: bool = True
    worker: bool = True
    scheduler: bool = True
    relay: bool = True
    consumers: bool = True
    web: bool = True
    mail_capture: bool = True  # in development only
    log_prefix: bool = True
    verbose: bool = False  # every process's lines on the console too, as well as in files
    detached: bool = False  # started by `sift up --detach`: stopped with `sift stop`
    observability: bool = False  # Debian's `prometheus` against the stack, with the alert rules
    prometheus_port: int = 9090
    ready_timeout: float = 120.0
    stop_timeout: float = 15.0


@contextlib.contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[None]:
    """One `sift up` per data directory: two would share (and stop) one database."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / "up.lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UpError(f"another `sift up` is running on {data_dir}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _python(*args: str) -> list[str]:
    return [sys.executable, "-m", "sift.runtime", *args]


def _available(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


def child_specs(
    settings: CoreSettings,
    layouts: Mapping[str, ServiceLayout],
    options: UpOptions,
    *,
    env: Mapping[str, str],
    gateway: GatewaySettings,
    gateway_paths: GatewayPaths | None,
    web: WebApp | None = None,
) -> list[ProcessSpec]:
    """Everything `sift up` runs besides PostgreSQL and Redis, in start order."""
    specs: list[ProcessSpec] = []
    mail_port = capture_port(settings, enabled=options.mail_capture)
    if mail_port is not None:
        specs.append(capture_spec(mail_port, env, tier=TIER_INFRASTRUCTURE))
    for layout in layouts.values():
        for index, port in enumerate(layout.ports):
            name = layout.name if layout.replicas == 1 else f"{layout.name}.{index + 1}"
            argv = _python("serve", layout.name, "--port", str(port), "--host", "127.0.0.1")
            argv.append("--reload" if options.reload else "--no-reload")
            health = f"http://127.0.0.1:{port}/api/{layout.name}/readyz"
            specs.append(
                ProcessSpec(name, argv, env=env, tier=TIER_BACKEND, port=port, health_url=health)
            )
    if options.worker:
        if _available(WORKER_MODULE):
            # A node name per stack: two stacks on one machine are two Celery nodes.
            from sift.core.tasks import ALL_QUEUES

            # Ingestion loads the embedding model (about 1 GiB) and keeps a core busy: its
            # own single-process worker, so it never holds up the other queues' tasks.
            general = ",".join(queue for queue in ALL_QUEUES if queue != "ingest")
            node = f"sift-{os.getpid()}"
            worker = _python("worker", "--hostname", f"{node}@%h", "--queues", general)
            ingest = _python(
                "worker",
                "--hostname",
                f"{node}-ingest@%h",
                "--queues",
                "ingest",
                "--concurrency",
                "1",
            )
            specs.append(ProcessSpec("worker", worker, env=env, tier=TIER_BACKEND))
            specs.append(ProcessSpec("worker.ingest", ingest, env=env, tier=TIER_BACKEND))
        else:
            log.warning("up.worker_unavailable", module=WORKER_MODULE)
    if options.scheduler:
        specs.append(ProcessSpec("scheduler", _python("scheduler"), env=env, tier=TIER_BACKEND))
    if options.relay:
        if _available(RELAY_MODULE):
            specs.append(ProcessSpec("relay", _python("relay"), env=env, tier=TIER_BACKEND))
        else:
            log.warning("up.relay_unavailable", module=RELAY_MODULE)
    if options.consumers:
        from sift.runtime.consumers import services_with_consumers

        for service in services_with_consumers(tuple(layouts)):
            argv = _python("consume", service)
            specs.append(ProcessSpec(f"consume.{service}", argv, env=env, tier=TIER_BACKEND))
    # Each process without HTTP serves its metrics on a port of its own.
    ports = metrics_ports(layouts, options)
    specs = [
        (
            dataclasses.replace(
                spec,
                env={**spec.env, "SIFT_METRICS_PORT": str(ports[spec.name])},
                port=ports[spec.name],
            )
            if spec.name in ports
            else spec
        )
        for spec in specs
    ]
    if web is not None:
        specs.append(web_spec(web, env, tier=TIER_BACKEND))
    if gateway_paths is not None and TracingSettings().enabled:
        # nginx's spans reach the collector through this (docs/adr/0010-tracing.md).
        spans = _python("gateway", "spans")
        specs.append(ProcessSpec("gateway.spans", spans, env=env, tier=TIER_BACKEND))
    if gateway_paths is not None:
        specs.append(
            ProcessSpec(
                "gateway",
                nginx_command(gateway, gateway_paths),
                env=env,
                tier=TIER_GATEWAY,
                stop_signal=signal.SIGQUIT,  # graceful: in-flight requests finish
                port=gateway.https_port,
                health_url=f"https://{gateway_host(gateway)}:{gateway.https_port}/gateway/healthz",
            )
        )
    return specs


def metrics_ports(layouts: Mapping[str, ServiceLayout], options: UpOptions) -> dict[str, int]:
    """The processes that answer no HTTP, each with the port it serves its metrics on."""
    names: list[str] = []
    if options.worker and _available(WORKER_MODULE):
        names += ["worker", "worker.ingest"]
    if options.scheduler:
        names.append("scheduler")
    if options.relay and _available(RELAY_MODULE):
        names.append("relay")
    if options.consumers:
        from sift.runtime.consumers import services_with_consumers

        names += [f"consume.{service}" for service in services_with_consumers(tuple(layouts))]
    return assign_ports(names, ProcessMetricsSettings().first_port)


def gateway_host(gateway: GatewaySettings) -> str:
    wildcard = gateway.listen_address in ("0.0.0.0", "::")  # noqa: S104  # nosec B104
    return "127.0.0.1" if wildcard else gateway.listen_address


def check_ports(
    layouts: Mapping[str, ServiceLayout],
    gateway: GatewaySettings,
    options: UpOptions,
    web: WebSettings | None = None,
    mail_port: int | None = None,
) -> None:
    wanted: dict[int, str] = {}
    if mail_port is not None:
        wanted[mail_port] = "mail capture"
    for layout in layouts.values():
        for port in layout.ports:
            wanted[port] = layout.name
    for name, port in metrics_ports(layouts, options).items():
        wanted[port] = f"{name} metrics"
    if web is not None:
        wanted[web.port] = "web"
    if options.gateway:
        wanted[gateway.https_port] = "gateway (HTTPS)"
        wanted[gateway.http_port] = "gateway (HTTP)"
    taken = ports_in_use("127.0.0.1", sorted(wanted))
    if options.gateway and gateway.listen_address != "127.0.0.1":
        taken += ports_in_use(gateway.listen_address, [gateway.https_port, gateway.http_port])
    if taken:
        described = ", ".join(f"{port} ({wanted[port]})" for port in sorted(set(taken)))
        raise UpError(
            f"ports in use: {described}. Is another stack running? Set SIFT_<SERVICE>_PORT "
            "SIFT_WEB_PORT, SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT and SIFT_GATEWAY_HTTPS_PORT / "
            "SIFT_GATEWAY_HTTP_PORT and SIFT_METRICS_FIRST_PORT to run beside it."
        )


def with_web_upstream(gateway: GatewaySettings, web: WebApp | None) -> GatewaySettings:
    """Route `/` to the web app `sift up` runs, unless an upstream is configured already."""
    if web is None or gateway.web_upstream:
        return gateway
    return gateway.model_copy(update={"web_upstream": web.upstream})


def child_env(
    settings: CoreSettings,
    database: EmbeddedPostgres | None,
    url: str,
    layouts: Mapping[str, ServiceLayout] | None = None,
) -> dict[str, str]:
    env = {
        "SIFT_DATA_DIR": str(settings.data_dir),
        "SIFT_PUBLIC_URL": url,
        "SIFT_REDIS_URL": settings.redis_url,
        "PYTHONUNBUFFERED": "1",
        # Progress bars (the embedding model's loading) are for terminals; in a log file
        # each redraw is a line, and Celery logs a redirected one as a warning.
        "TQDM_DISABLE": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
    identity = (layouts or {}).get("identity")
    if identity is not None and "SIFT_AUTH_JWKS_URL" not in os.environ:
        # Services verify tokens against identity's keys wherever identity listens.
        env["SIFT_AUTH_JWKS_URL"] = f"http://127.0.0.1:{identity.ports[0]}/.well-known/jwks.json"
    if identity is not None and "SIFT_PRIVACY_IDENTITY_URL" not in os.environ:
        # Audit confirms an erasure's password through identity's internal API.
        env["SIFT_PRIVACY_IDENTITY_URL"] = f"http://127.0.0.1:{identity.ports[0]}"
    search = (layouts or {}).get("search")
    if search is not None and "SIFT_ASSISTANT_SEARCH_URL" not in os.environ:
        # The assistant retrieves through search's internal API wherever search listens.
        env["SIFT_ASSISTANT_SEARCH_URL"] = f"http://127.0.0.1:{search.ports[0]}"
    if database is not None:
        # The children use the cluster `sift up` manages; none of them starts or stops it.
        env["SIFT_DATABASE_URL"] = database.url
    return env


def redis_address(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"


async def start_redis(
    settings: CoreSettings, supervisor: Supervisor, env: Mapping[str, str]
) -> str:
    """The Redis that answers, or a local redis-server started for it; says which."""
    if await asyncio.to_thread(redis_answers, settings.redis_url):
        return f"the Redis at {redis_address(settings.redis_url)}"
    command = local_redis_command(settings.redis_url, redis_data_dir(settings))
    if command is None:
        host = urlsplit(settings.redis_url).hostname
        raise InfraError(
            f"Redis does not answer at {host}, and no local redis-server can be started for it"
        )
    log.info("up.starting_redis")
    port = urlsplit(settings.redis_url).port or 6379
    await supervisor.start(
        ProcessSpec("redis", command, env=env, tier=TIER_INFRASTRUCTURE, restart=True, port=port)
    )
    for _ in range(100):
        if await asyncio.to_thread(redis_answers, settings.redis_url, timeout=0.2):
            return f"redis-server started on {redis_address(settings.redis_url)}"
        await asyncio.sleep(0.1)
    raise InfraError("the local redis-server did not answer within 10 s")
