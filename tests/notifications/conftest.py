"""Fixtures of the notifications tests: the development mail capture on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sift.notifications.email.capture import MailStore, mail_dir, start_capture


@dataclass(frozen=True)
class Capture:
    store: MailStore
    port: int


@pytest.fixture
async def capture(tmp_path: Path) -> AsyncIterator[Capture]:
    """The real aiosmtpd capture, storing under `tmp_path` (as a data dir) on a free port."""
    store = MailStore(mail_dir(tmp_path), max_messages=3)
    server = await start_capture(store, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    try:
        yield Capture(store, port)
    finally:
        server.close()
        await server.wait_closed()
