"""Serving a fake on 127.0.0.1 on a background thread for the length of a `with` block."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseServer
from typing import Any, TypeVar

Fake = TypeVar("Fake")


@contextmanager
def serving(server: BaseServer) -> Iterator[None]:
    """Serves until the block ends, then stops and closes the server."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_fake(
    fake_at: Callable[[str], Fake],
    handler_for: Callable[[Fake], type[BaseHTTPRequestHandler]],
    *,
    server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer,
) -> Iterator[Fake]:
    """A free port, the fake made for its URL, its handler serving until the block ends."""
    server = server_class(("127.0.0.1", 0), BaseHTTPRequestHandler)
    fake = fake_at(f"http://127.0.0.1:{server.server_address[1]}")
    server.RequestHandlerClass = handler_for(fake)
    with serving(server):
        yield fake


def send_json(handler: BaseHTTPRequestHandler, status: int, body: Any) -> None:
    raw = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(raw)))
    handler.end_headers()
    handler.wfile.write(raw)
