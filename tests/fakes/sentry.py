"""A fake Sentry ingest endpoint on 127.0.0.1, as the real `sentry-sdk` sends to it.

`POST /api/<project>/envelope/` with an envelope (gzip or brotli encoded, or not): a JSON
header line, then items, each a JSON header line and a payload (of the header's `length`
in bytes, or up to the next newline). The public key in `X-Sentry-Auth` must be the
DSN's. Received envelopes are kept, raw and decoded, on `fake.envelopes`; `events` lists
the payloads of `event` items.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.serving import send_json, serve_fake

PUBLIC_KEY = "fakesentrypublickey0123456789ab"
PROJECT = "42"
_PATH = re.compile(r"^/api/(?P<project>\d+)/envelope/$")


@dataclass
class Envelope:
    raw: bytes  # decoded from its content encoding, as the SDK wrote it
    header: dict[str, Any]
    items: list[tuple[dict[str, Any], bytes]]


@dataclass
class FakeSentry:
    url: str
    envelopes: list[Envelope] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def dsn(self) -> str:
        host = self.url.removeprefix("http://")
        return f"http://{PUBLIC_KEY}@{host}/{PROJECT}"

    @property
    def events(self) -> list[dict[str, Any]]:
        return [
            json.loads(payload)
            for envelope in self.envelopes
            for header, payload in envelope.items
            if header.get("type") == "event"
        ]

    def wait_for_events(self, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.events) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.events)} of {count} events arrived"
                self.arrived.wait(left)
        return self.events


def parse_envelope(raw: bytes) -> Envelope:
    header_line, _, rest = raw.partition(b"\n")
    items: list[tuple[dict[str, Any], bytes]] = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item = json.loads(item_line)
        if "length" in item:
            payload, rest = rest[: item["length"]], rest[item["length"] :]
            rest = rest.removeprefix(b"\n")
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item, payload))
    return Envelope(raw, json.loads(header_line), items)


def _decode(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "deflate":
        return zlib.decompress(body)
    if encoding == "br":
        import brotli  # only when the SDK found it installed and chose it

        return bytes(brotli.decompress(body))
    return body


def _handler(fake: FakeSentry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            matched = _PATH.match(self.path.split("?", 1)[0])
            if matched is None or matched["project"] != PROJECT:
                send_json(self, 404, {"detail": "unknown project"})
                return
            auth = self.headers.get("X-Sentry-Auth", "")
            if f"sentry_key={PUBLIC_KEY}" not in auth:
                send_json(self, 401, {"detail": "bad public key"})
                return
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            raw = _decode(body, self.headers.get("Content-Encoding", "").strip())
            envelope = parse_envelope(raw)
            with fake.arrived:
                fake.envelopes.append(envelope)
                fake.arrived.notify_all()
            send_json(self, 200, {"id": envelope.header.get("event_id")})

    return Handler


@contextmanager
def fake_sentry() -> Iterator[FakeSentry]:
    with serve_fake(FakeSentry, _handler) as fake:
        yield fake
