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
import warnings
from collections.abc import Callable, Sequence

import structlog

from sift import SERVICES
from sift.core.config import CoreSettings
from sift.core.logging import configure_logging
from sift.core.sentry import init_sentry
from sift.runtime.audit_cli import add_audit_parser
from sift.runtime.backup_cli import add_backup_parsers
from sift.runtime.demo_cli import add_demo_parser
from sift.runtime.ops_cli import add_ops_parsers, add_up_parser
from sift.runtime.process_cli import add_process_parsers
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


# --- commands ---


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
    add_process_parsers(commands)
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
