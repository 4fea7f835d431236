"""`sift up`: the whole stack on one machine, supervised, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import importlib.util
import logging
import os
import signal
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import structlog

from sift.core.config import CoreSettings
from sift.runtime.embedded_postgres import EmbeddedPostgres
from sift.runtime.gateway import (
    GatewayPaths,
    GatewaySettings,
    check_config,
    nginx_command,
    prepare_gateway,
    public_url,
)
from sift.runtime.infra import (
    InfraError,
    ensure_database,
    local_redis_command,
    ports_in_use,
    redis_answers,
    redis_data_dir,
)
from sift.runtime.mail import capture_port, capture_spec, where_to_read
from sift.runtime.migrate import migrate_all
from sift.runtime.services import ServiceLayout, service_layouts
from sift.runtime.supervisor import ProcessSpec, RestartPolicy, Supervisor
from sift.runtime.web import WebApp, WebSettings, prepare_web, web_spec

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
            specs.append(ProcessSpec(name, argv, env=env, tier=TIER_BACKEND))
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
    if web is not None:
        specs.append(web_spec(web, env, tier=TIER_BACKEND))
    if gateway_paths is not None:
        specs.append(
            ProcessSpec(
                "gateway",
                nginx_command(gateway, gateway_paths),
                env=env,
                tier=TIER_GATEWAY,
                stop_signal=signal.SIGQUIT,  # graceful: in-flight requests finish
            )
        )
    return specs


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
            "SIFT_GATEWAY_HTTP_PORT to run beside it."
        )


def run_up(settings: CoreSettings, options: UpOptions) -> int:
    settings = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
    gateway = GatewaySettings()
    layouts = service_layouts()
    web_settings = WebSettings() if options.web else None
    with data_dir_lock(settings.data_dir):
        mail_port = capture_port(settings, enabled=options.mail_capture)
        check_ports(layouts, gateway, options, web_settings, mail_port)
        database, started_database = ensure_database(settings)
        try:
            if options.migrate:
                log.info("up.migrating")
                migrate_all(settings)
            web = prepare_web(web_settings, os.environ) if web_settings else None
            gateway = with_web_upstream(gateway, web)
            gateway_paths = None
            if options.gateway:
                gateway_paths = prepare_gateway(settings, gateway, layouts)
                check_config(gateway, gateway_paths)
            return asyncio.run(
                _supervise(settings, gateway, layouts, options, database, gateway_paths, web)
            )
        finally:
            if database is not None and started_database:
                log.info("up.stopping_database")
                database.stop(quiet=True)


def with_web_upstream(gateway: GatewaySettings, web: WebApp | None) -> GatewaySettings:
    """Route `/` to the web app `sift up` runs, unless an upstream is configured already."""
    if web is None or gateway.web_upstream:
        return gateway
    return gateway.model_copy(update={"web_upstream": web.upstream})


def _child_env(
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
    }
    identity = (layouts or {}).get("identity")
    if identity is not None and "SIFT_AUTH_JWKS_URL" not in os.environ:
        # Services verify tokens against identity's keys wherever identity listens.
        env["SIFT_AUTH_JWKS_URL"] = f"http://127.0.0.1:{identity.ports[0]}/.well-known/jwks.json"
    search = (layouts or {}).get("search")
    if search is not None and "SIFT_ASSISTANT_SEARCH_URL" not in os.environ:
        # The assistant retrieves through search's internal API wherever search listens.
        env["SIFT_ASSISTANT_SEARCH_URL"] = f"http://127.0.0.1:{search.ports[0]}"
    if database is not None:
        # The children use the cluster `sift up` manages; none of them starts or stops it.
        env["SIFT_DATABASE_URL"] = database.url
    return env


async def _supervise(
    settings: CoreSettings,
    gateway: GatewaySettings,
    layouts: Mapping[str, ServiceLayout],
    options: UpOptions,
    database: EmbeddedPostgres | None,
    gateway_paths: GatewayPaths | None,
    web: WebApp | None = None,
) -> int:
    url = public_url(settings, gateway)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per readiness poll
    supervisor = Supervisor(
        policy=RestartPolicy(), stop_timeout=options.stop_timeout, prefix=options.log_prefix
    )
    shutdown = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if shutdown.is_set():
            log.warning("up.killing", signal=signal.Signals(signum).name)
            supervisor.kill_all()
            return
        log.info("up.shutting_down", signal=signal.Signals(signum).name)
        shutdown.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    env = _child_env(settings, database, url, layouts)
    try:
        await start_redis(settings, supervisor, env)
        for spec in child_specs(
            settings,
            layouts,
            options,
            env=env,
            gateway=gateway,
            gateway_paths=gateway_paths,
            web=web,
        ):
            await supervisor.start(spec)
        ready = asyncio.create_task(_wait_ready(layouts, gateway, options, web))
        interrupted = asyncio.create_task(shutdown.wait())
        await asyncio.wait(
            {ready, interrupted},
            timeout=options.ready_timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if ready.done() and ready.exception() is None and not shutdown.is_set():
            log.info("up.ready", url=url)
            print(f"Sift is up: {url}  (Ctrl-C stops it)", flush=True)
            if capture_port(settings, enabled=options.mail_capture) is not None:
                print(where_to_read(url), flush=True)
        elif not shutdown.is_set():
            log.error("up.not_ready", timeout_s=options.ready_timeout)
            print(f"Sift is not ready after {options.ready_timeout:.0f} s; see the logs.")
        ready.cancel()
        await interrupted
    finally:
        await supervisor.stop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        log.info("up.stopped")
    return 0


async def start_redis(
    settings: CoreSettings, supervisor: Supervisor, env: Mapping[str, str]
) -> None:
    if await asyncio.to_thread(redis_answers, settings.redis_url):
        return
    command = local_redis_command(settings.redis_url, redis_data_dir(settings))
    if command is None:
        host = urlsplit(settings.redis_url).hostname
        raise InfraError(
            f"Redis does not answer at {host}, and no local redis-server can be started for it"
        )
    log.info("up.starting_redis")
    await supervisor.start(
        ProcessSpec("redis", command, env=env, tier=TIER_INFRASTRUCTURE, restart=True)
    )
    for _ in range(100):
        if await asyncio.to_thread(redis_answers, settings.redis_url, timeout=0.2):
            return
        await asyncio.sleep(0.1)
    raise InfraError("the local redis-server did not answer within 10 s")


async def _wait_ready(
    layouts: Mapping[str, ServiceLayout],
    gateway: GatewaySettings,
    options: UpOptions,
    web: WebApp | None = None,
) -> None:
    """Every replica's /readyz answers 200 directly, then every service through the gateway."""
    direct = [
        f"http://127.0.0.1:{port}/api/{layout.name}/readyz"
        for layout in layouts.values()
        for port in layout.ports
    ]
    if web is not None:
        direct.append(web.ready_url)
    wildcard = gateway.listen_address in ("0.0.0.0", "::")  # noqa: S104
    host = "127.0.0.1" if wildcard else gateway.listen_address
    through_gateway = [f"https://{host}:{gateway.https_port}/api/{name}/readyz" for name in layouts]
    # Reachability only: the certificate may be self-signed or name another host.
    async with httpx.AsyncClient(verify=False, timeout=2.0) as client:  # noqa: S501
        await asyncio.gather(*(_until_ok(client, url) for url in direct))
        if options.gateway:
            await asyncio.gather(*(_until_ok(client, url) for url in through_gateway))


async def _until_ok(client: httpx.AsyncClient, url: str) -> None:
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if (await client.get(url)).status_code == 200:
                return
        await asyncio.sleep(0.25)
