"""The `sift` command: up, status, logs, stop, serve, worker, relay, migrate, db, audit...

Every command that touches the database first makes sure it is there: with no
DATABASE_URL, the embedded PostgreSQL under `<data_dir>/postgres` is started (or reused
when it already runs), so `sift serve identity` alone works.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
import warnings
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import structlog

import sift
from sift import SERVICES
from sift.core.config import CoreSettings, Environment
from sift.core.logging import configure_logging
from sift.core.sentry import init_sentry
from sift.core.tracing import configure_tracing
from sift.runtime.audit_cli import add_audit_parser
from sift.runtime.backup_cli import add_backup_parsers
from sift.runtime.demo_cli import add_demo_parser
from sift.runtime.newrelic_agent import start_agent
from sift.runtime.ops_cli import add_ops_parsers, add_up_parser
from sift.runtime.seed_cli import add_seed_parser

log = structlog.get_logger()

Handler = Callable[[argparse.Namespace], int]


class CommandError(RuntimeError):
    """A failure the user can act on: printed without a traceback, exit status 1."""


def load_settings(*, process: str) -> CoreSettings:
    """Settings from the environment, data directory made absolute, logging configured."""
    settings = CoreSettings()
    settings = settings.model_copy(update={"data_dir": settings.data_dir.resolve()})
    configure_logging(service=process, level=settings.log_level, json=settings.log_json)
    init_sentry(settings, service=process)
    return settings


def _ensure_database(settings: CoreSettings) -> None:
    from sift.runtime.infra import ensure_database

    server, started = ensure_database(settings)
    if server is not None and started:
        log.info("embedded_postgres.left_running", hint="stop it with `sift db stop`")


def _start_background(process: str, *, trace_name: str | None = None) -> CoreSettings:
    """What every process without HTTP does first: settings and logs, the APM agent (before
    the modules it instruments are imported), the database, metrics and tracing."""
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


# --- commands ---


def cmd_serve(args: argparse.Namespace) -> int:
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


def cmd_migrate(args: argparse.Namespace) -> int:
    from sift.core import migrations
    from sift.runtime.migrate import migrate_all

    settings = load_settings(process="migrate")
    _ensure_database(settings)
    if args.service:
        migrations.upgrade(args.service, settings.sqlalchemy_url, args.revision)
    else:
        migrate_all(settings, args.revision)
    return 0


def cmd_makemigrations(args: argparse.Namespace) -> int:
    from sift.core import migrations

    settings = load_settings(process="migrate")
    _ensure_database(settings)
    # Autogenerate compares against the database: bring the service to head first.
    migrations.upgrade(args.service, settings.sqlalchemy_url)
    migrations.make_revision(args.service, settings.sqlalchemy_url, args.message)
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from sift.runtime.embedded_postgres import embedded_postgres_for

    settings = load_settings(process="db")
    if settings.database_url is not None and args.action in ("start", "stop"):
        raise CommandError("DATABASE_URL is set: there is no embedded PostgreSQL to manage")
    server = embedded_postgres_for(settings)
    if args.action == "start":
        started = server.ensure_running()
        print(f"{'started' if started else 'already running'}: {server.url}")
    elif args.action == "stop":
        server.stop(quiet=True)
        print("stopped")
    elif args.action == "status":
        running = server.running_pid_and_port()
        print(f"running (pid {running[0]}, port {running[1]})" if running else "not running")
        return 0 if running else 3
    else:
        print(settings.sqlalchemy_url)
    return 0


def cmd_gateway(args: argparse.Namespace) -> int:
    from sift.runtime.gateway import (
        GatewaySettings,
        check_config,
        nginx_command,
        prepare_gateway,
    )
    from sift.runtime.services import service_layouts

    settings = load_settings(process="gateway")
    if args.action == "spans":
        return _run_gateway_spans()
    gateway = GatewaySettings()
    paths = prepare_gateway(settings, gateway, service_layouts())
    if args.action == "render":
        print(paths.config)
        return 0
    check_config(gateway, paths)
    command = nginx_command(gateway, paths)
    os.execv(command[0], command)  # noqa: S606 - becomes nginx: signals go straight to it


def _run_gateway_spans() -> int:
    from sift.core.tracing import TracingSettings
    from sift.runtime.gateway.spans import run_span_forwarder

    tracing = TracingSettings()
    if not tracing.enabled:
        raise CommandError("tracing is off: set SIFT_TRACING_ENABLED=true")

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await run_span_forwarder(tracing, stop)

    asyncio.run(main())
    return 0


# --- parser ---


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sift", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_up_parser(commands)
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

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--service", choices=SERVICES, help="only this service's history")
    migrate.add_argument("--revision", default="heads")
    migrate.set_defaults(handler=cmd_migrate)

    make = commands.add_parser("makemigrations", help="autogenerate a service's migration")
    make.add_argument("service", choices=SERVICES)
    make.add_argument("-m", "--message", required=True)
    make.set_defaults(handler=cmd_makemigrations)

    db = commands.add_parser("db", help="the embedded PostgreSQL")
    db.add_argument("action", choices=("start", "stop", "status", "url"))
    db.set_defaults(handler=cmd_db)

    gateway = commands.add_parser(
        "gateway", help="render or run the nginx gateway alone, or forward its spans"
    )
    gateway.add_argument("action", choices=("render", "run", "spans"))
    gateway.set_defaults(handler=cmd_gateway)
    add_ops_parsers(commands)
    add_seed_parser(commands)
    add_demo_parser(commands)
    add_audit_parser(commands)
    add_backup_parsers(commands)
    return parser


def expected_errors() -> tuple[type[Exception], ...]:
    """Failures the user can act on: one line, no traceback."""
    from sift.runtime.background import BackgroundError
    from sift.runtime.backup import BackupError
    from sift.runtime.embedded_postgres import EmbeddedPostgresError
    from sift.runtime.gateway import GatewayError
    from sift.runtime.infra import InfraError
    from sift.runtime.up import UpError
    from sift.runtime.web import WebError

    return (
        BackgroundError,
        BackupError,
        CommandError,
        EmbeddedPostgresError,
        GatewayError,
        InfraError,
        UpError,
        WebError,
    )


def main(argv: Sequence[str] | None = None) -> int:
    # platformdirs (via embedded-postgres) warns on every start where XDG_RUNTIME_DIR is unset.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # `sift up --detach` re-runs it
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if isinstance(exc, expected_errors()):
            print(f"sift {args.command}: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
