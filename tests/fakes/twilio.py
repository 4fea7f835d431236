"""A fake Twilio REST API on 127.0.0.1: the Messages resource, as the real SDK calls it.

`POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP basic auth (account SID
and auth token) and a form body (`To`, `From`, `Body`) answers 201 with the Message
resource's documented JSON; wrong credentials get Twilio's 401 error (code 20003), an
invalid `To` (or one listed in `invalid_numbers`: well-formed, but no phone) its 400 (code
21211). Sent messages are kept on `server.messages`, with the `StatusCallback` URL Twilio
would post their status to.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.serving import send_json, serve_fake

ACCOUNT_SID = "AC" + "0" * 31 + "1"
AUTH_TOKEN = "fake-twilio-auth-token"
FROM_NUMBER = "+15005550006"
_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")


@dataclass
class SentMessage:
    sid: str
    to: str
    from_: str
    body: str
    status_callback: str | None = None


@dataclass
class FakeTwilio:
    url: str
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    messages: list[SentMessage] = field(default_factory=list)
    fail_with: int | None = None  # answer every send with this status (an outage)
    invalid_numbers: set[str] = field(default_factory=set)

    def last_to(self, number: str) -> SentMessage:
        return next(message for message in reversed(self.messages) if message.to == number)


def _error(status: int, code: int, message: str) -> dict[str, Any]:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _message(sid: str, account: str, to: str, from_: str, body: str) -> dict[str, Any]:
    now = format_datetime(datetime.now(UTC), usegmt=True)
    return {
        "account_sid": account,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": from_,
        "messaging_service_sid": None,
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {
            "media": f"/2010-04-01/Accounts/{account}/Messages/{sid}/Media.json",
        },
        "to": to,
        "uri": f"/2010-04-01/Accounts/{account}/Messages/{sid}.json",
    }


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            send_json(self, status, body)

        def _authorized(self, sid: str) -> bool:
            header = self.headers.get("Authorization", "")
            if not header.startswith("Basic "):
                return False
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return False
            expected = (fake.account_sid, fake.auth_token)
            return (user, password) == expected and sid == fake.account_sid

        def do_POST(self) -> None:
            match = _PATH.match(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            if match is None:
                self._send(404, _error(404, 20404, "The requested resource was not found"))
                return
            if not self._authorized(match["sid"]):
                self._send(401, _error(401, 20003, "Authenticate"))
                return
            if fake.fail_with is not None:
                self._send(fake.fail_with, _error(fake.fail_with, 20500, "Internal error"))
                return
            to, from_, body = (form.get(name, [""])[0] for name in ("To", "From", "Body"))
            if not _E164.match(to) or to in fake.invalid_numbers:
                self._send(400, _error(400, 21211, f"The 'To' number {to} is not valid."))
                return
            if not body:
                self._send(400, _error(400, 21602, "Message body is required."))
                return
            sid = "SM" + secrets.token_hex(16)
            callback = form.get("StatusCallback", [None])[0]
            fake.messages.append(SentMessage(sid, to, from_, body, status_callback=callback))
            self._send(201, _message(sid, match["sid"], to, from_, body))

    return Handler


@contextmanager
def fake_twilio() -> Iterator[FakeTwilio]:
    """`with fake_twilio() as twilio:` a server for one test (or a whole module)."""
    with serve_fake(FakeTwilio, _handler) as fake:
        yield fake
