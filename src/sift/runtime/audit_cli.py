"""`sift audit verify`: recompute the audit log's hash chains, name the first bad entry."""

from __future__ import annotations

import argparse
import asyncio
import uuid
from typing import Any

EXIT_MISMATCH = 1


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from sift.audit.log.chain import ChainCheck
    from sift.audit.log.service import audit_log_service
    from sift.core.db import Database
    from sift.runtime.cli import _ensure_database, load_settings

    settings = load_settings(process="audit")
    _ensure_database(settings)

    async def main() -> list[tuple[uuid.UUID | None, ChainCheck]]:
        database = Database(settings.sqlalchemy_url, pool_size=1)
        try:
            async with database.read_sessionmaker() as session:
                if args.org is not None:
                    return [(args.org, await audit_log_service.verify(session, args.org))]
                return await audit_log_service.verify_all(session)
        finally:
            await database.dispose()

    results = asyncio.run(main())
    for org_id, check in results:
        chain = f"organization {org_id}" if org_id else "platform (no organization)"
        if check.first_seq > 1:
            chain += f" (from seq {check.first_seq}: older entries purged by retention)"
        if check.ok:
            print(f"{chain}: ok, {check.checked} entries")
        else:
            print(
                f"{chain}: MISMATCH at seq {check.first_mismatch_seq} "
                f"(entry {check.first_mismatch_id}); {check.checked - 1} entries before it match"
            )
    if not results:
        print("no audit entries yet")
    return 0 if all(check.ok for _, check in results) else EXIT_MISMATCH


def add_audit_parser(commands: Any) -> None:
    """`commands`: the `sift` parser's subparsers (argparse keeps their type private)."""
    audit = commands.add_parser("audit", help="the audit log")
    actions = audit.add_subparsers(dest="action", required=True, metavar="ACTION")
    verify = actions.add_parser(
        "verify", help="recompute the hash chains; exit 1 naming the first entry that differs"
    )
    verify.add_argument("--org", type=uuid.UUID, help="only this organization's chain")
    verify.set_defaults(handler=cmd_audit_verify)
