"""`sift serve`, `worker`, `scheduler`, `relay`, `consume` and `mail-capture`: each long-running
process of the stack, run alone (as `sift up`, Compose and Kubernetes run them)."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import threading
import warnings
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog

import sift
from sift import SERVICES
from sift.core.config import CoreSettings, Environment
from sift.core.tracing import configure_tracing
from sift.runtime.newrelic_agent import start_agent

# `sift.runtime.cli` imports this module for its parser: its helpers are imported where used.

log = structlog.get_logger()


def _start_background(process: str, *, trace_name: str | None = None) -> CoreSettings:
    """What every process without HTTP does first: settings and logs, the APM agent (before
    the modules it instruments are imported), the database, metrics and tracing."""
    from sift.runtime.cli import _ensure_database, load_settings
    from sift.runtime.process_metrics import serve_process_metrics

    settings = load_settings(process=process)
    start_agent(settings, process)
    _ensure_database(settings)
    serve_process_metrics(process)
    configure_tracing(trace_name or process)
    return settings


def _run_until_signal(work: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Runs `work(stop)` on an event loop; SIGINT or SIGTERM sets `stop`."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await work(stop)

    asyncio.run(main())


def cmd_serve(args: argparse.Namespace) -> int:
    from sift.runtime.cli import _ensure_database, load_settings
    from sift.runtime.services import ServiceLayout, service_settings, uvicorn_options

    settings = load_settings(process=args.service)
    start_agent(settings, args.service)
    _ensure_database(settings)
    import uvicorn  # after the agent, which instruments it as it is imported

    layout = ServiceLayout.of(args.service, service_settings(args.service))
    reload = args.reload if args.reload is not None else settings.env is Environment.development
    forwarded = args.forwarded_allow_ips or os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
    uvicorn.run(
        layout.factory,
        factory=True,
        host=args.host,
        port=args.port or layout.port,
        reload=reload,
        reload_dirs=[str(Path(sift.__file__).parent)] if reload else None,
        forwarded_allow_ips=forwarded,
        **uvicorn_options(settings.overload),
    )
    return 0


def import_task_modules() -> list[str]:
    """Imports every service's `tasks` modules so that their tasks register with Celery."""
    from sift.runtime.services import service_modules

    return [module.__name__ for service in SERVICES for module in service_modules(service, "tasks")]


def cmd_worker(args: argparse.Namespace) -> int:
    from sift.runtime.cli import _ensure_database, load_settings

    settings = load_settings(process="worker")
    # The ingest worker (its own, as `sift up`, Compose and Kubernetes run it) apart in APM.
    start_agent(settings, "worker-ingest" if args.queues == "ingest" else "worker")
    _ensure_database(settings)
    from sift.runtime.process_metrics import serve_worker_metrics

    serve_worker_metrics(settings)  # before the task modules create their metrics
    configure_tracing("worker")  # before the pool forks: its children inherit it
    from sift.core.tasks import configure_celery

    celery_app = configure_celery(settings)
    import_task_modules()
    if settings.env is not Environment.production:
        # Celery warns when it runs as root (a container's or a dev VM's usual user) and
        # carries on: with JSON-only content nothing is unsafe about it, so a development
        # start stays quiet; in production the warning stays, for the operator to act on.
        from celery.exceptions import SecurityWarning

        warnings.filterwarnings("ignore", category=SecurityWarning, message=".*superuser")
    # --quiet drops Celery's banner, which is not a JSON line.
    argv = ["--quiet", "worker"] if settings.log_json else ["worker"]
    argv += [f"--loglevel={settings.log_level}", "--without-mingle"]
    if args.queues:
        argv += ["--queues", args.queues]
    if args.concurrency:
        argv += ["--concurrency", str(args.concurrency)]
    if args.hostname:
        argv += ["--hostname", args.hostname]
    if args.max_tasks_per_child:
        argv += ["--max-tasks-per-child", str(args.max_tasks_per_child)]
    celery_app.worker_main(argv)
    return 0


def cmd_scheduler(args: argparse.Namespace) -> int:
    settings = _start_background("scheduler")
    from sift.runtime.scheduler import SchedulerSettings, run_scheduler  # after the agent

    stop = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        log.info("scheduler.stopping", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    run_scheduler(settings, SchedulerSettings(), stop=stop)
    return 0


def cmd_relay(args: argparse.Namespace) -> int:
    from sift.runtime.cli import CommandError

    settings = _start_background("relay")
    try:
        from sift.core.events.relay import run_relay
    except ModuleNotFoundError as exc:
        raise CommandError(f"the event relay is not available ({exc})") from exc

    _run_until_signal(lambda stop: run_relay(settings, schemas=SERVICES, stop=stop))
    return 0


def cmd_consume(args: argparse.Namespace) -> int:
    process = f"consume-{args.service}"
    settings = _start_background(process, trace_name=f"consume.{args.service}")
    from sift.runtime.consumers import consume  # after the agent: it hooks imports

    _run_until_signal(lambda stop: consume(settings, args.service, stop))
    return 0


def cmd_mail_capture(args: argparse.Namespace) -> int:
    from sift.notifications.email.capture import MailStore, mail_dir, run_capture
    from sift.notifications.email.config import EmailSettings
    from sift.runtime.cli import load_settings

    settings = load_settings(process="mail-capture")
    config = EmailSettings()
    store = MailStore(mail_dir(settings.data_dir), max_messages=config.capture_max_messages)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run_capture(store, config.capture_host, args.port or config.capture_port, stop)

    asyncio.run(main())
    return 0


def add_process_parsers(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run one service (uvicorn)")
    serve.add_argument("service", choices=SERVICES)
    serve.add_argument("--port", type=int, help="default: the service's SIFT_<SERVICE>_PORT")
    serve.add_argument("--host", default="127.0.0.1", help="0.0.0.0 in a container")
    serve.add_argument(
        "--reload",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="hot reload (default: on in the development environment)",
    )
    serve.add_argument("--forwarded-allow-ips", help="proxies trusted for X-Forwarded-*")
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help="run a Celery worker")
    worker.add_argument("--queues", "-Q", help="comma-separated; default: every queue")
    worker.add_argument("--concurrency", "-c", type=int)
    worker.add_argument("--hostname", "-n")
    worker.add_argument(
        "--max-tasks-per-child", type=int, help="replace a pool process after this many tasks"
    )
    worker.set_defaults(handler=cmd_worker)

    commands.add_parser("scheduler", help="run the job scheduler").set_defaults(
        handler=cmd_scheduler
    )
    commands.add_parser("relay", help="publish committed outbox events").set_defaults(
        handler=cmd_relay
    )

    consume = commands.add_parser("consume", help="run a service's event consumers")
    consume.add_argument("service", choices=SERVICES)
    consume.set_defaults(handler=cmd_consume)

    mail = commands.add_parser(
        "mail-capture", help="catch outgoing mail for development (read at /api/dev/mail)"
    )
    mail.add_argument("--port", type=int, help="default: SIFT_NOTIFICATIONS_EMAIL_CAPTURE_PORT")
    mail.set_defaults(handler=cmd_mail_capture)
