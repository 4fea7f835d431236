"""`sift seed load`: the command line of `sift.runtime.seed` (refused outside development/test)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from sift.core.config import Environment, SiftSettings

REFUSED_STATUS = 2


class _EnvironmentOnly(SiftSettings):
    """Just `SIFT_ENV`: read before the full settings, which refuse to load in production
    without its secrets (the refusal must not depend on them)."""

    env: Environment = Environment.development


def cmd_seed(args: argparse.Namespace) -> int:
    from sift.core.db import Database
    from sift.runtime.cli import _ensure_database, load_settings
    from sift.runtime.gateway.settings import GatewaySettings, public_url
    from sift.runtime.seed import SeedPlan, SeedRefused, check_environment, seed_load, seed_summary

    try:
        check_environment(_EnvironmentOnly().env)
        settings = load_settings(process="seed")
        check_environment(settings.env)
    except SeedRefused as exc:
        print(f"sift seed {args.kind}: {exc}", file=sys.stderr)
        return REFUSED_STATUS
    plan = SeedPlan(args.users, args.documents, team_size=args.team_size)
    # Tokens name the issuer the services expect: the public URL `sift up` gives them.
    settings = settings.model_copy(update={"public_url": public_url(settings, GatewaySettings())})
    _ensure_database(settings)
    out = (args.out or settings.data_dir / "load-seed.json").resolve()

    async def main() -> None:
        database = Database(settings.sqlalchemy_url, pool_size=2)
        try:
            result = await seed_load(database, settings, plan)
        finally:
            await database.dispose()
        result.write(out)
        print("\n".join(seed_summary(result, out)))

    asyncio.run(main())
    return 0


def add_seed_parser(commands: Any) -> None:
    """`commands`: the `sift` parser's subparsers (argparse keeps their type private)."""
    seed = commands.add_parser("seed", help="test data (development and test only)")
    seed.add_argument("kind", choices=("load",), help="load: accounts and documents for k6")
    seed.add_argument("--users", type=_positive, default=100)
    seed.add_argument("--documents", type=_non_negative, default=200)
    seed.add_argument("--team-size", type=_positive, default=10, help="users per organization")
    seed.add_argument("--out", type=Path, help="the JSON file (default: <data dir>/load-seed.json)")
    seed.set_defaults(handler=cmd_seed)


def _non_negative(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return number


def _positive(value: str) -> int:
    number = _non_negative(value)
    if number == 0:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number
