"""What the fake LLM servers (tests/fakes/gemini.py, tests/fakes/openai.py) share.

A fake answers each call with the next scripted `Behaviour` (then its `default`):
- `Reply(text=..., latency=..., token_delay=...)`: an answer; `text` may be a string or a
  function of the prompt; by default `grounded_answer(prompt)` echoes the first sentence
  of the first passages it finds (`<passage n="1" ...>...</passage>`) with `[n]` marks;
- `Fail(status, retry_after=...)`: the provider's error body with that status (429, 500);
- `Hang(seconds)`: holds the request open without answering (the client times out);
- `BreakStream(after_tokens=N)`: streams N tokens, then drops the connection mid-body.
Every request is recorded (`requests`) for assertions. Embeddings are deterministic
bag-of-words vectors: the same text gives the same unit vector, texts sharing words are
close, and any dimensionality is honoured.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np

_PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>(.*?)</passage>', re.DOTALL)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TOKEN = re.compile(r"\S+\s*")
_WORD = re.compile(r"\w+")


def grounded_answer(prompt: str, *, passages: int = 2) -> str:
    """A well-behaved model's answer: the first sentence of the first passages, cited."""
    found = _PASSAGE.findall(prompt)
    if not found:
        return "The provided passages do not answer this question."
    sentences = []
    for number, text in found[:passages]:
        first = _SENTENCE.split(" ".join(text.split()), maxsplit=1)[0].rstrip()
        if first:
            sentences.append(f"{first.rstrip('.')} [{number}].")
    return " ".join(sentences)


def tokens_of(text: str) -> list[str]:
    """Words with their trailing whitespace: the pieces a stream sends."""
    return _TOKEN.findall(text) or [text]


@lru_cache(maxsize=50_000)
def _word_vector(word: str, dimensions: int) -> np.ndarray[Any, Any]:
    seed = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
    return np.random.default_rng(seed).standard_normal(dimensions)


def embed(text: str, dimensions: int) -> list[float]:
    """A deterministic unit vector of `dimensions` floats for `text`."""
    words = _WORD.findall(text.lower()) or [text]
    vector = np.sum([_word_vector(word, dimensions) for word in words], axis=0)
    norm = float(np.linalg.norm(vector)) or 1.0
    return [float(value) for value in vector / norm]


def count_tokens(text: str) -> int:
    return max(1, len(_WORD.findall(text)))


@dataclass
class Reply:
    text: str | Callable[[str], str] | None = None
    latency: float = 0.0  # before the first byte
    token_delay: float = 0.0  # between streamed tokens

    def answer(self, prompt: str) -> str:
        if self.text is None:
            return grounded_answer(prompt)
        return self.text(prompt) if callable(self.text) else self.text


@dataclass
class Fail:
    status: int
    retry_after: float | None = None
    message: str = "The fake provider was told to fail."


@dataclass
class Hang:
    seconds: float = 30.0


@dataclass
class BreakStream:
    after_tokens: int = 3
    text: str | None = None
    token_delay: float = 0.0


Behaviour = Reply | Fail | Hang | BreakStream


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    body: dict[str, Any]
    prompt: str = ""  # every text part of the request, joined (for chat calls)


@dataclass
class ScriptedServer:
    """State of one fake: its URL, script, default behaviour and what it received."""

    url: str = ""
    api_key: str = ""
    default: Behaviour = field(default_factory=Reply)
    latency: float = 0.0  # added to every call, embeddings included
    requests: list[ReceivedRequest] = field(default_factory=list)
    _script: deque[Behaviour] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    def script(self, *behaviours: Behaviour) -> None:
        """Queue behaviours for the next chat calls, in order."""
        with self._lock:
            self._script.extend(behaviours)

    def next_behaviour(self) -> Behaviour:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    def record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def chat_requests(self) -> list[ReceivedRequest]:
        return [r for r in self.requests if "embed" not in r.path.lower()]

    def sleep(self, seconds: float) -> None:
        """Sleeps, but wakes when the server stops (so a hang never outlives its test)."""
        if seconds > 0:
            self.stopping.wait(seconds)


class JsonHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive; JSON answers, chunked streams that can break mid-body."""

    protocol_version = "HTTP/1.1"
    fake: ScriptedServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}

    def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(raw)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(raw)

    def start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def send_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def drop_connection(self) -> None:
        """Closes the socket mid-body: the client sees an incomplete chunked message."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def hang(self, seconds: float) -> None:
        self.fake.sleep(seconds)
        self.close_connection = True  # the client gave up long ago

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client went away (a timeout): fine


@contextmanager
def serve(fake: ScriptedServer, handler: type[JsonHandler]) -> Iterator[None]:
    """Runs `handler` for `fake` on a free port of 127.0.0.1 until the block ends."""
    bound = type("BoundHandler", (handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        fake.stopping.set()
        server.shutdown()
        server.server_close()


def delay(fake: ScriptedServer, behaviour: Behaviour) -> None:
    """The latency of the server and of the behaviour, before anything is sent."""
    extra = behaviour.latency if isinstance(behaviour, Reply) else 0.0
    fake.sleep(fake.latency + extra)


def now() -> int:
    return int(time.time())
