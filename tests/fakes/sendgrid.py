"""A fake SendGrid v3 Mail Send API on 127.0.0.1, as the real SDK calls it.

`POST /v3/mail/send` with `Authorization: Bearer <key>` and a JSON body checked as SendGrid
documents it: `personalizations` (each with a non-empty `to` of `{email}`), `from.email`, a
`subject`, `content` with `text/plain` before `text/html`, string `headers` that are not
reserved, string `custom_args`. Accepted mail answers 202 with an empty body and an
`X-Message-Id` header; a wrong key answers 401, a bad payload 400, each with SendGrid's
`{"errors": [{"message", "field", "help"}]}`. Accepted requests are kept on `fake.sent`.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.serving import send_json, serve_fake

API_KEY = "SG.fake-sendgrid-api-key"
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Headers SendGrid refuses in `headers` (it sets them itself).
RESERVED_HEADERS = {
    "x-sg-id", "x-sg-eid", "received", "dkim-signature", "content-type",
    "content-transfer-encoding", "to", "from", "subject", "reply-to", "cc", "bcc",
}  # fmt: skip


@dataclass
class SentMail:
    message_id: str
    body: dict[str, Any]

    @property
    def to(self) -> list[str]:
        return [r["email"] for p in self.body["personalizations"] for r in p["to"]]

    def content(self, kind: str) -> str:
        return next(part["value"] for part in self.body["content"] if part["type"] == kind)


@dataclass
class FakeSendGrid:
    url: str
    api_key: str = API_KEY
    sent: list[SentMail] = field(default_factory=list)
    fail_with: int | None = None  # answer every send with this status (an outage, 429)


def _valid(address: Any) -> bool:
    return isinstance(address, str) and _ADDRESS.match(address) is not None


def _problems(body: Any) -> list[tuple[str, str | None]]:
    """What SendGrid would refuse in a Mail Send body: (message, field)."""
    if not isinstance(body, dict):
        return [("Bad Request", None)]
    found: list[tuple[str, str | None]] = []
    personalizations = body.get("personalizations")
    if not isinstance(personalizations, list) or not personalizations:
        found.append(("The personalizations field is required.", "personalizations"))
    else:
        for index, personalization in enumerate(personalizations):
            to = personalization.get("to") if isinstance(personalization, dict) else None
            if not isinstance(to, list) or not to or not all(_valid(r.get("email")) for r in to):
                found.append(("Each personalization needs valid `to` addresses.",
                              f"personalizations.{index}.to"))  # fmt: skip
    if not _valid((body.get("from") or {}).get("email")):
        found.append(("The from object must be provided for every email send.", "from.email"))
    if not body.get("subject"):
        found.append(("The subject is required.", "subject"))
    content = body.get("content")
    types = [part.get("type") for part in content] if isinstance(content, list) else []
    if not types or any(not part.get("value") for part in content):
        found.append(("Unless a valid template_id is provided, content is required.", "content"))
    elif "text/plain" in types and types.index("text/plain") != 0:
        found.append(("text/plain must be the first content type.", "content"))
    for name, value in (body.get("headers") or {}).items():
        if name.lower() in RESERVED_HEADERS or not isinstance(value, str):
            found.append((f"The header {name} is reserved or not a string.", "headers"))
    if not all(isinstance(value, str) for value in (body.get("custom_args") or {}).values()):
        found.append(("custom_args values must be strings.", "custom_args"))
    return found


def _handler(fake: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _errors(self, status: int, errors: list[tuple[str, str | None]]) -> None:
            body = {"errors": [{"message": m, "field": f, "help": None} for m, f in errors]}
            send_json(self, status, body)

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path != "/v3/mail/send":
                self._errors(404, [("Not Found", None)])
                return
            if self.headers.get("Authorization") != f"Bearer {fake.api_key}":
                message = "The provided authorization grant is invalid, expired, or revoked"
                self._errors(401, [(message, None)])
                return
            if fake.fail_with is not None:
                self._errors(fake.fail_with, [("Service unavailable", None)])
                return
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                self._errors(415, [("Content-Type should be application/json.", None)])
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._errors(400, [("Bad Request", None)])
                return
            problems = _problems(body)
            if problems:
                self._errors(400, problems)
                return
            message_id = secrets.token_urlsafe(16)
            fake.sent.append(SentMail(message_id, body))
            self.send_response(202)
            self.send_header("X-Message-Id", message_id)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


@contextmanager
def fake_sendgrid() -> Iterator[FakeSendGrid]:
    """`with fake_sendgrid() as sendgrid:` a server for one test (or a whole module)."""
    with serve_fake(FakeSendGrid, _handler) as fake:
        yield fake
