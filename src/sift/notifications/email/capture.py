"""The development mail capture: an SMTP server (aiosmtpd) that keeps every message it is
handed as a file, and the store that reads them back for `GET /api/dev/mail`.

Files (`<data_dir>/mail/<received ns>-<random>.eml`) let any process read what the capture
process caught, without a table; a file appears whole (written aside, then renamed) and the
oldest go once there are more than `capture_max_messages`.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import os
import re
import secrets
import time
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path

import structlog
from aiosmtpd.smtp import SMTP, Envelope, Session

from sift.notifications.email.schemas import CapturedMailRead

log = structlog.get_logger()

SUFFIX = ".eml"
RECIPIENTS_HEADER = "X-RcptTo"  # as aiosmtpd's own Message handler names it
_LINK_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+")
_STORED = re.compile(r"^[0-9]{20}-[0-9a-f]{8}\.eml$")  # only files this store wrote
_UNREADABLE = re.compile("[\x00\ud800-\udfff]")
_LINK_IN_HTML = re.compile(r"""href\s*=\s*["'](https?://[^"']+)["']""", re.IGNORECASE)


def mail_dir(data_dir: Path) -> Path:
    return data_dir / "mail"


def _readable(value: str) -> str:
    """Whatever a sender put in (NUL, undecodable bytes) shown, never a failed listing."""
    return _UNREADABLE.sub("\ufffd", value)


def _part(message: EmailMessage, subtype: str) -> str | None:
    body = message.get_body(preferencelist=(subtype,))
    if body is None:
        return None
    try:
        content = str(body.get_content())
    except (LookupError, ValueError):  # an unknown charset: its bytes as UTF-8, best effort
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    # SMTP carries CRLF line ends; the reader wants the text as it was written.
    return _readable(content).replace("\r\n", "\n")


def links_in(text: str | None, markup: str | None) -> list[str]:
    """Every http(s) link, the text part's first (in reading order), each once."""
    found = _LINK_IN_TEXT.findall(text or "")
    found += [html.unescape(link) for link in _LINK_IN_HTML.findall(markup or "")]
    return list(dict.fromkeys(link.rstrip(".,;:") for link in found))


class MailStore:
    def __init__(self, directory: Path, *, max_messages: int = 500) -> None:
        self.directory = directory
        self.max_messages = max_messages

    def save(self, raw: bytes, recipients: list[str]) -> str:
        """Keeps one message; returns its ID (its file name, which sorts by arrival)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        message_id = f"{time.time_ns():020d}-{secrets.token_hex(4)}"
        header = f"{RECIPIENTS_HEADER}: {', '.join(recipients)}\r\n".encode()
        partial = self.directory / f".{message_id}.part"
        partial.write_bytes(header + raw)
        os.replace(partial, self.directory / f"{message_id}{SUFFIX}")
        self._prune()
        return message_id

    def _names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        names = (name for name in os.listdir(self.directory) if _STORED.match(name))
        return sorted(names, reverse=True)

    def _prune(self) -> None:
        for name in self._names()[self.max_messages :]:
            with contextlib.suppress(FileNotFoundError):
                (self.directory / name).unlink()

    def latest(self, limit: int) -> list[CapturedMailRead]:
        """The newest `limit` messages, newest first."""
        found: list[CapturedMailRead] = []
        for name in self._names():
            if len(found) == limit:
                break
            try:
                raw = (self.directory / name).read_bytes()
            except FileNotFoundError:  # pruned by the capture meanwhile
                continue
            found.append(self._parse(name.removesuffix(SUFFIX), raw))
        return found

    @staticmethod
    def _parse(message_id: str, raw: bytes) -> CapturedMailRead:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        text, markup = _part(message, "plain"), _part(message, "html")
        recipients = str(message.get(RECIPIENTS_HEADER, "")) or str(message.get("To", ""))
        received_ns = int(message_id.split("-", 1)[0])
        return CapturedMailRead(
            id=message_id,
            to=[_readable(address) for _, address in getaddresses([recipients]) if address],
            subject=_readable(str(message.get("Subject", ""))),
            received_at=datetime.fromtimestamp(received_ns / 1e9, UTC),
            text=text,
            html=markup,
            links=links_in(text, markup),
        )


class CaptureHandler:
    """aiosmtpd's handler: every message is accepted and stored, none is relayed."""

    def __init__(self, store: MailStore) -> None:
        self.store = store

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        message_id = await asyncio.to_thread(self.store.save, raw, list(envelope.rcpt_tos))
        log.info("notifications.mail_captured", message_id=message_id)
        return "250 Message accepted for delivery"


async def start_capture(store: MailStore, host: str, port: int) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    handler = CaptureHandler(store)
    return await loop.create_server(
        lambda: SMTP(handler, hostname="sift-mail-capture", loop=loop), host, port
    )


async def run_capture(store: MailStore, host: str, port: int, stop: asyncio.Event) -> None:
    """`sift mail-capture`: serve until `stop` is set."""
    server = await start_capture(store, host, port)
    log.info("notifications.mail_capture_started", host=host, port=port)
    async with server:
        await stop.wait()
    log.info("notifications.mail_capture_stopped")
