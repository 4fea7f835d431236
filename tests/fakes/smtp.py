"""A fake SMTP relay on 127.0.0.1 (aiosmtpd) that checks what a relay checks.

It requires AUTH (PLAIN or LOGIN) with `USERNAME`/`PASSWORD` before `MAIL FROM` (530
otherwise, 535 for wrong credentials), refuses `unknown@...` recipients for good (550) and
`busy@...` for now (451), and keeps the raw messages it accepts on `relay.received`.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USERNAME = "sift-relay-user"
PASSWORD = "fake-relay-password"


@dataclass
class FakeRelay:
    port: int
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)


class _Handler:
    def __init__(self, relay: FakeRelay) -> None:
        self.relay = relay

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address.startswith("unknown@"):
            return "550 5.1.1 No such mailbox"
        if address.startswith("busy@"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.relay.received.append((list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 Queued"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(),
        auth_data.password.decode(),
    ) == (USERNAME, PASSWORD)
    return AuthResult(success=ok, handled=False)  # unhandled: aiosmtpd answers 535


@asynccontextmanager
async def fake_relay() -> AsyncIterator[FakeRelay]:
    """`async with fake_relay() as relay:` a relay for one test, on a free port."""
    loop = asyncio.get_running_loop()
    relay = FakeRelay(port=0)
    handler = _Handler(relay)

    def session() -> SMTP:
        with warnings.catch_warnings():  # plain TCP on 127.0.0.1 in tests: AUTH without TLS
            warnings.simplefilter("ignore", UserWarning)
            return SMTP(
                handler,
                authenticator=_authenticate,
                auth_required=True,
                auth_require_tls=False,
                loop=loop,
            )

    server = await loop.create_server(session, "127.0.0.1", 0)
    relay.port = int(server.sockets[0].getsockname()[1])
    try:
        yield relay
    finally:
        server.close()
        await server.wait_closed()
