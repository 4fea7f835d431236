"""`sift up`: the whole stack on one machine, supervised, until Ctrl-C, SIGTERM or `sift stop`.

The console gets one line per step and, once every process answers, how to use the stack;
the processes' own lines go to `<data_dir>/logs/` (`--verbose` shows them here too).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Mapping
from pathlib import Path

import structlog

from sift.core.config import CoreSettings
from sift.runtime.console import Console, explain_failure, ready_block
from sift.runtime.embedded_postgres import EmbeddedPostgres
from sift.runtime.gateway import (
    GatewayPaths,
    GatewaySettings,
    check_config,
    prepare_gateway,
    public_url,
)
from sift.runtime.infra import ensure_database
from sift.runtime.logs import LogFiles, RunLogSettings, log_dir
from sift.runtime.mail import capture_port, mail_url
from sift.runtime.migrate import migrate_all
from sift.runtime.owner import FirstOwner
from sift.runtime.prometheus import PrometheusPaths, prepare_prometheus, write_scrape_targets
from sift.runtime.readiness import Check, Outcome, wait_ready
from sift.runtime.runstate import StateWriter
from sift.runtime.services import ServiceLayout, service_layouts
from sift.runtime.supervisor import ProcessSpec, RestartPolicy, Supervisor
from sift.runtime.up import (
    UpOptions,
    check_ports,
    child_env,
    child_specs,
    data_dir_lock,
    gateway_host,
    metrics_ports,
    start_redis,
    with_web_upstream,
)
from sift.runtime.web import WebApp, WebSettings, needs_work, prepare_web

log = structlog.get_logger()


def prometheus_spec(
    settings: CoreSettings,
    layouts: Mapping[str, ServiceLayout],
    options: UpOptions,
    env: Mapping[str, str],
    processes: Mapping[str, int] | None = None,
) -> ProcessSpec:
    port = options.prometheus_port
    return ProcessSpec(
        "prometheus",
        prepare_prometheus(settings, layouts, port, processes),
        env=env,
        port=port,
        health_url=f"http://127.0.0.1:{port}/-/ready",
    )


def run_up(settings: CoreSettings, options: UpOptions, console: Console | None = None) -> int:
    """Start everything, say how to use it, run until stopped; 1 when the start failed."""
    console = console or Console()
    began = time.monotonic()
    settings = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
    logs = log_dir(settings)
    gateway = GatewaySettings()
    layouts = service_layouts()
    web_settings = WebSettings() if options.web else None
    console.say(f"Starting Sift ({settings.env}) with its data in {settings.data_dir}")
    # `sift stop` before the supervisor runs (during migrations, a build): stop as a
    # Ctrl-C does, so that the database this start started is stopped too.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with data_dir_lock(settings.data_dir):
            mail_port = capture_port(settings, enabled=options.mail_capture)
            check_ports(layouts, gateway, options, web_settings, mail_port)
            since = time.monotonic()
            database, started_database = ensure_database(settings)
            console.step("database", _database_detail(database, started_database), since=since)
            try:
                if options.migrate:
                    since = time.monotonic()
                    log.info("up.migrating")
                    migrate_all(settings)
                    console.step("migrations", "every service's schema is current", since=since)
                owner = asyncio.run(_first_owner(settings))
                web = _prepare_web(console, web_settings, logs)
                gateway = with_web_upstream(gateway, web)
                gateway_paths = None
                if options.gateway:
                    since = time.monotonic()
                    gateway_paths = prepare_gateway(settings, gateway, layouts)
                    check_config(gateway, gateway_paths)
                    console.step("gateway", "configuration and API reference written", since=since)
                return asyncio.run(
                    _supervise(
                        settings,
                        gateway,
                        layouts,
                        options,
                        database,
                        gateway_paths,
                        web,
                        console=console,
                        owner=owner,
                        began=began,
                    )
                )
            finally:
                if database is not None and started_database:
                    log.info("up.stopping_database")
                    database.stop(quiet=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _database_detail(database: EmbeddedPostgres | None, started: bool) -> str:
    if database is None:
        return "the PostgreSQL of DATABASE_URL"
    return f"embedded PostgreSQL on port {database.port}" + ("" if started else ", already running")


async def _first_owner(settings: CoreSettings) -> FirstOwner:
    from sqlalchemy.exc import ProgrammingError

    from sift.core.db import Database
    from sift.runtime.owner import ensure_first_owner

    database = Database(settings.sqlalchemy_url, pool_size=1)
    try:
        return await ensure_first_owner(database, settings)
    except ProgrammingError:  # --no-migrate on a database without identity's schema
        log.warning("up.no_identity_schema", hint="run `sift migrate`")
        return FirstOwner(email=None)
    finally:
        await database.dispose()


def _prepare_web(console: Console, settings: WebSettings | None, logs: Path) -> WebApp | None:
    if settings is None:
        return None
    since = time.monotonic()
    work = needs_work(settings)
    if work is not None:
        console.step(
            "web",
            f"{'installing and building' if work == 'install' else 'building'}"
            " the web app (minutes, the first time)...",
        )
    web = prepare_web(settings, os.environ, output=logs / "web-build.log")
    if web is None:
        console.step("web", "skipped: no web/ directory or no Node.js (the API runs without it)")
    elif work is not None:
        console.step("web", "built", since=since)
    else:
        console.step("web", "build is current")
    return web


async def _supervise(
    settings: CoreSettings,
    gateway: GatewaySettings,
    layouts: Mapping[str, ServiceLayout],
    options: UpOptions,
    database: EmbeddedPostgres | None,
    gateway_paths: GatewayPaths | None,
    web: WebApp | None = None,
    *,
    console: Console,
    owner: FirstOwner,
    began: float,
) -> int:
    url = public_url(settings, gateway)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per readiness poll
    run_logs = RunLogSettings()
    files = LogFiles(
        log_dir(settings), max_bytes=run_logs.file_max_bytes, backups=run_logs.file_backups
    )
    state = StateWriter(settings, url, os.getpid())
    supervisor = Supervisor(
        policy=RestartPolicy(),
        stop_timeout=options.stop_timeout,
        prefix=options.log_prefix,
        console=options.verbose,
        log_files=files,
        on_change=lambda: state.write(supervisor),
    )
    shutdown = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if shutdown.is_set():
            log.warning("up.killing", signal=signal.Signals(signum).name)
            supervisor.kill_all()
            return
        log.info("up.shutting_down", signal=signal.Signals(signum).name)
        console.say("Stopping Sift...")
        shutdown.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    env = child_env(settings, database, url, layouts)
    status = 0
    try:
        since = time.monotonic()
        detail = await start_redis(settings, supervisor, env)
        console.step("redis", detail, since=since)
        specs = child_specs(
            settings,
            layouts,
            options,
            env=env,
            gateway=gateway,
            gateway_paths=gateway_paths,
            web=web,
        )
        # Always written, so that a Prometheus run apart (or later) finds this stack.
        processes = metrics_ports(layouts, options)
        write_scrape_targets(PrometheusPaths.of(settings), layouts, processes)
        if options.observability:
            specs.append(prometheus_spec(settings, layouts, options, env, processes))
        for spec in specs:
            child = await supervisor.start(spec)
            port = f", port {spec.port}" if spec.port else ""
            console.step("started", f"{spec.name} (pid {child.pid}{port})")
        outcome = await _wait_until_ready(supervisor, layouts, gateway, options, specs, shutdown)
        if outcome is None:  # interrupted while starting
            pass
        elif outcome.ready:
            log.info("up.ready", url=url)
            state.ready = True
            state.write(supervisor)
            mail_port = capture_port(settings, enabled=options.mail_capture)
            block = ready_block(
                url=url,
                owner=owner,
                mail=mail_url(url) if mail_port is not None else None,
                logs=log_dir(settings),
                detached=options.detached,
                took=time.monotonic() - began,
            )
            console.say("\n".join(block))
            await shutdown.wait()
        else:
            log.error("up.not_ready", timeout_s=options.ready_timeout)
            explain_failure(console, outcome, log_dir(settings), options.ready_timeout)
            status = 1
    finally:
        await supervisor.stop()
        state.remove()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        log.info("up.stopped")
        if status == 0:
            console.say("Sift stopped.")
    return status


async def _wait_until_ready(
    supervisor: Supervisor,
    layouts: Mapping[str, ServiceLayout],
    gateway: GatewaySettings,
    options: UpOptions,
    specs: list[ProcessSpec],
    shutdown: asyncio.Event,
) -> Outcome | None:
    """Every process with a health URL answers, then every service through the gateway."""
    direct = [
        Check(spec.name, spec.health_url, spec.name)
        for spec in specs
        if spec.health_url and spec.name != "gateway"
    ]
    host = gateway_host(gateway)
    through_gateway = (
        [
            Check(
                f"gateway -> {name}",
                f"https://{host}:{gateway.https_port}/api/{name}/readyz",
                "gateway",
            )
            for name in layouts
        ]
        if options.gateway
        else []
    )
    waiting = asyncio.create_task(
        wait_ready(supervisor, direct, through_gateway, within=options.ready_timeout)
    )
    interrupted = asyncio.create_task(shutdown.wait())
    await asyncio.wait({waiting, interrupted}, return_when=asyncio.FIRST_COMPLETED)
    interrupted.cancel()
    if shutdown.is_set():
        waiting.cancel()
        return None
    return waiting.result()
