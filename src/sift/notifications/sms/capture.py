"""Texts caught on this machine in development, like mail (`email.capture`).

With no Twilio account configured, the development profile keeps each text (a phone
verification code, an SMS notification) as a JSON file under the data directory instead
of sending it, and `GET /api/dev/sms` lists them, newest first: a newcomer (and the
Playwright journeys) can verify a phone and see SMS notifications without an account.
Any other profile, or a configured account, sends through Twilio.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from sift.core.config import CoreSettings, Environment
from sift.notifications.sms.config import SmsSettings
from sift.notifications.sms.schemas import CapturedSmsRead
from sift.notifications.sms.sender import SmsSender, TwilioSender, no_hand_off

PROVIDER = "dev-capture"


def sms_dir(data_dir: Path) -> Path:
    return data_dir / "sms"


class SmsStore:
    """One file per text, named by the nanosecond it arrived (sorts newest last)."""

    def __init__(self, directory: Path, *, max_messages: int = 500) -> None:
        self.directory = directory
        self.max_messages = max_messages

    def add(self, to: str, body: str) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        message_id = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        record = {"to": to, "body": body, "received_at": datetime.now(UTC).isoformat()}
        temporary = self.directory / f".{message_id}.tmp"
        temporary.write_text(json.dumps(record))
        os.replace(temporary, self.directory / f"{message_id}.json")  # whole or not at all
        for old in self._files()[: -self.max_messages]:
            old.unlink(missing_ok=True)
        return message_id

    def latest(self, limit: int) -> list[CapturedSmsRead]:
        found = []
        for path in reversed(self._files()[-limit:]):
            try:
                record = json.loads(path.read_text())
            except (OSError, ValueError):
                continue  # pruned meanwhile
            found.append(CapturedSmsRead(id=path.stem, **record))
        return found

    def _files(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob("*.json"))


class CaptureSender:
    """Sends nothing: keeps the text in the store (the development profile's SMS)."""

    provider = PROVIDER

    def __init__(self, store: SmsStore) -> None:
        self.store = store

    async def send(
        self,
        to: str,
        body: str,
        *,
        status_callback: str | None = None,
        handing_off: Callable[[], Awaitable[None]] = no_hand_off,
    ) -> str:
        await handing_off()
        return "SMdev" + await asyncio.to_thread(self.store.add, to, body)


def sms_sender(config: SmsSettings, settings: CoreSettings) -> SmsSender:
    """Twilio, or in development without an account, the local capture."""
    if not config.configured and settings.env is Environment.development:
        return CaptureSender(SmsStore(sms_dir(settings.data_dir)))
    return TwilioSender(config)
