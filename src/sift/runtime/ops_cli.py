"""`sift up`, `sift status`, `sift logs`, `sift stop` and `sift owner create`: the stack
started, its state, its logs, stopping it, and its first account."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from typing import Any

import structlog

from sift.core.config import CoreSettings


def _settings(process: str) -> CoreSettings:
    from sift.runtime.cli import load_settings

    return load_settings(process=process)


def cmd_up(args: argparse.Namespace) -> int:
    from sift.runtime.cli import CommandError, expected_errors
    from sift.runtime.logs import UP_LOG, RunLogSettings, log_dir, log_path, log_to_file
    from sift.runtime.start import run_up
    from sift.runtime.up import UpOptions

    settings = _settings("sift-up")
    if args.detach:
        from sift.runtime.background import detach

        return detach(args.argv, settings.data_dir, log_dir(settings))
    run_logs = RunLogSettings()
    verbose = args.verbose or run_logs.console
    if not verbose:
        log_to_file(log_path(log_dir(settings), UP_LOG), run_logs)
    options = UpOptions(
        gateway=args.gateway,
        reload=args.reload,
        migrate=args.migrate,
        worker=args.worker,
        scheduler=args.scheduler,
        relay=args.relay,
        consumers=args.consumers,
        web=args.web,
        mail_capture=args.mail_capture,
        log_prefix=args.log_prefix,
        verbose=verbose,
        detached=args.detached,
        observability=args.observability,
        prometheus_port=args.prometheus_port,
        ready_timeout=args.ready_timeout,
        stop_timeout=args.stop_timeout,
    )
    if verbose:
        return run_up(settings, options)
    told: tuple[type[BaseException], ...] = (KeyboardInterrupt, *expected_errors())
    try:
        return run_up(settings, options)
    except told:
        raise  # `main` prints these in a line
    except Exception as exc:
        # Quiet: the traceback goes to up.log, the console gets one line that says where.
        up_log = log_path(log_dir(settings), UP_LOG)
        structlog.get_logger().exception("up.failed")
        raise CommandError(f"{type(exc).__name__}: {exc} (the traceback is in {up_log})") from None


def cmd_status(args: argparse.Namespace) -> int:
    from sift.runtime.status import render

    status, lines = render(_settings("status").data_dir)
    print("\n".join(lines))
    return status


def cmd_logs(args: argparse.Namespace) -> int:
    from sift.runtime.cli import CommandError
    from sift.runtime.logs import available, follow, last_lines, log_dir, log_path, print_lines

    directory = log_dir(_settings("logs"))
    names = available(directory)
    if args.process is not None and args.process not in names:
        known = ", ".join(names) or "none yet: has `sift up` run with this data directory?"
        raise CommandError(f"no log of {args.process!r} in {directory}; logs: {known}")
    chosen = [args.process] if args.process else names
    prefix = args.process is None
    for name in chosen:
        print_lines(
            [(name, line) for line in last_lines(log_path(directory, name), args.lines)],
            prefix=prefix,
        )
    if args.follow:
        paths = {name: log_path(directory, name) for name in chosen}
        try:
            for name, line in follow(paths):
                print_lines([(name, line)], prefix=prefix)
        except KeyboardInterrupt:
            return 0
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    from sift.runtime.background import stop

    return stop(_settings("stop").data_dir, timeout=args.timeout)


def _read_password(email: str) -> str:
    if not sys.stdin.isatty():  # piped: the first line (`--password-stdin` style)
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password for {email}: ")
    if getpass.getpass("Once more: ") != first:
        from sift.runtime.cli import CommandError

        raise CommandError("the two passwords differ")
    return first


def cmd_owner(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import ProgrammingError

    from sift.core.db import Database
    from sift.runtime.cli import CommandError, _ensure_database
    from sift.runtime.owner import OwnerRefused, create_owner

    settings = _settings("owner")
    _ensure_database(settings)
    password = _read_password(args.email)

    async def main() -> str:
        database = Database(settings.sqlalchemy_url, pool_size=1)
        try:
            user = await create_owner(
                database,
                settings,
                email=args.email,
                password=password,
                name=args.name,
                organization=args.organization,
            )
        finally:
            await database.dispose()
        return user.email

    try:
        email = asyncio.run(main())
    except OwnerRefused as exc:
        raise CommandError(str(exc)) from None
    except ProgrammingError as exc:  # no identity schema yet
        raise CommandError(
            f"the database is not migrated; run `sift migrate` ({exc.orig})"
        ) from None
    print(f"{email} owns the organization {args.organization!r}: sign in with that password.")
    return 0


def add_ops_parsers(commands: Any) -> None:
    """`commands`: the `sift` parser's subparsers (argparse keeps their type private)."""
    status = commands.add_parser("status", help="the running stack: processes, health, queues")
    status.set_defaults(handler=cmd_status)

    logs = commands.add_parser("logs", help="the processes' logs (<data dir>/logs)")
    logs.add_argument("process", nargs="?", help="one process (default: every one)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    logs.add_argument("-n", "--lines", type=int, default=20, metavar="N", help="default: 20")
    logs.set_defaults(handler=cmd_logs)

    stop = commands.add_parser("stop", help="stop the `sift up` of this data directory")
    stop.add_argument("--timeout", type=float, default=60.0, metavar="SECONDS")
    stop.set_defaults(handler=cmd_stop)

    owner = commands.add_parser("owner", help="the instance's first account")
    owner.add_argument("action", choices=("create",))
    owner.add_argument("--email", required=True)
    owner.add_argument("--name", default="Administrator")
    owner.add_argument("--organization", default="Sift")
    owner.set_defaults(handler=cmd_owner)


def add_up_parser(commands: Any) -> None:
    up = commands.add_parser("up", help="run the whole stack on this machine")
    up.add_argument("--reload", action="store_true", help="restart services on code changes")
    up.add_argument("--no-gateway", dest="gateway", action="store_false", help="skip nginx")
    up.add_argument("--no-migrate", dest="migrate", action="store_false")
    up.add_argument("--no-worker", dest="worker", action="store_false")
    up.add_argument("--no-scheduler", dest="scheduler", action="store_false")
    up.add_argument("--no-relay", dest="relay", action="store_false")
    up.add_argument("--no-consumers", dest="consumers", action="store_false")
    up.add_argument("--no-web", dest="web", action="store_false", help="skip the web app")
    up.add_argument(
        "--no-mail-capture",
        dest="mail_capture",
        action="store_false",
        help="skip the development SMTP capture",
    )
    up.add_argument(
        "--no-log-prefix",
        dest="log_prefix",
        action="store_false",
        help="print children's lines unchanged (for log shippers)",
    )
    up.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="also stream every process's log lines here (or SIFT_LOG_CONSOLE=1)",
    )
    up.add_argument(
        "-d", "--detach", action="store_true", help="run in the background; `sift stop` stops it"
    )
    up.add_argument(
        "--observability",
        action="store_true",
        help="also run Prometheus (Debian's package) on the stack with Sift's alert rules",
    )
    up.add_argument("--prometheus-port", type=int, default=9090, metavar="PORT")
    up.add_argument("--detached", action="store_true", help=argparse.SUPPRESS)
    up.add_argument("--ready-timeout", type=float, default=120.0, metavar="SECONDS")
    up.add_argument("--stop-timeout", type=float, default=15.0, metavar="SECONDS")
    up.set_defaults(handler=cmd_up)
