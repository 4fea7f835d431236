"""A fake OpenAI API on 127.0.0.1, as the openai SDK (and any OpenAI-compatible client) calls it.

- `POST /v1/chat/completions` → a `chat.completion`; with `stream: true`, SSE
  `data: {chat.completion.chunk}` lines (role first, then content deltas, then
  `finish_reason: "stop"`, then a usage chunk when `stream_options.include_usage`) and
  `data: [DONE]`;
- `POST /v1/embeddings` → `{object: "list", data: [{embedding}], usage}`, deterministic,
  honouring `dimensions` (default 3072 for text-embedding-3-large, else 1536) and
  `encoding_format` (`float`, or `base64` little-endian float32 as the SDK asks by default).
The key travels as `Authorization: Bearer`; a wrong one gets OpenAI's 401 invalid_api_key.

    with fake_openai() as openai_server:
        client = AsyncOpenAI(api_key=openai_server.api_key, base_url=openai_server.base_url)
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from tests.fakes.llm import (
    BreakStream,
    Fail,
    Hang,
    JsonHandler,
    ReceivedRequest,
    Reply,
    ScriptedServer,
    count_tokens,
    delay,
    embed,
    now,
    serve,
    tokens_of,
)

API_KEY = "sk-fake-openai-key"
_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
    500: ("server_error", None),
    503: ("server_error", None),
}


def default_dimensions(model: str) -> int:
    return 3072 if model.endswith("-large") else 1536


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return ""


def _prompt(body: dict[str, Any]) -> str:
    messages = body.get("messages") or []
    return "\n".join(_content_text(m.get("content")) for m in messages if isinstance(m, dict))


def _error(status: int, message: str) -> dict[str, Any]:
    kind, code = _ERROR_TYPES.get(status, ("server_error", None))
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _inputs(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, int) for v in value):
        return [" ".join(map(str, value))]  # one input given as token IDs
    if isinstance(value, list):
        return [v if isinstance(v, str) else " ".join(map(str, v)) for v in value]
    return []


class FakeOpenAI(ScriptedServer):
    @property
    def base_url(self) -> str:
        """What `AsyncOpenAI(base_url=...)` expects: the URL with `/v1`."""
        return f"{self.url}/v1"


class _Handler(JsonHandler):
    fake: FakeOpenAI

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        body = self.read_json()
        request = ReceivedRequest(
            "POST", path, {k.lower(): v for k, v in self.headers.items()}, body, _prompt(body)
        )
        self.fake.record(request)
        if self.fake.api_key and self.headers.get("Authorization") != f"Bearer {self.fake.api_key}":
            self.send_json(401, _error(401, "Incorrect API key provided."))
            return
        if path == "/v1/embeddings":
            self._embeddings(body)
        elif path == "/v1/chat/completions":
            self._chat(body, request.prompt)
        else:
            self.send_json(404, _error(404, f"Unknown path {path}"))

    def _embeddings(self, body: dict[str, Any]) -> None:
        self.fake.sleep(self.fake.latency)
        model = str(body.get("model") or "text-embedding-3-small")
        texts = _inputs(body.get("input"))
        if not texts:
            self.send_json(400, _error(400, "'input' must not be empty."))
            return
        dimensions = int(body.get("dimensions") or default_dimensions(model))
        as_base64 = body.get("encoding_format") == "base64"
        data = []
        for index, text in enumerate(texts):
            vector = embed(text, dimensions)
            encoded: Any = vector
            if as_base64:
                encoded = base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode()
            data.append({"object": "embedding", "index": index, "embedding": encoded})
        tokens = sum(count_tokens(text) for text in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        self.send_json(200, {"object": "list", "data": data, "model": model, "usage": usage})

    def _chat(self, body: dict[str, Any], prompt: str) -> None:
        model = str(body.get("model") or "gpt-4o-mini")
        behaviour = self.fake.next_behaviour()
        delay(self.fake, behaviour)
        if isinstance(behaviour, Fail):
            headers = {}
            if behaviour.retry_after is not None:
                headers["Retry-After"] = str(int(behaviour.retry_after))
            self.send_json(behaviour.status, _error(behaviour.status, behaviour.message), headers)
            return
        if isinstance(behaviour, Hang):
            self.hang(behaviour.seconds)
            return
        completion_id = f"chatcmpl-{uuid.uuid4().hex}"
        prompt_tokens = count_tokens(prompt)
        stream = _Stream(self, completion_id, model, body)
        if isinstance(behaviour, BreakStream):
            text = behaviour.text if behaviour.text is not None else Reply().answer(prompt)
            stream.start()
            for piece in tokens_of(text)[: behaviour.after_tokens]:
                stream.delta({"content": piece})
                self.fake.sleep(behaviour.token_delay)
            self.drop_connection()
            return
        answer = behaviour.answer(prompt)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": count_tokens(answer),
            "total_tokens": prompt_tokens + count_tokens(answer),
        }
        if not body.get("stream"):
            message = {"role": "assistant", "content": answer, "refusal": None}
            choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}
            self.send_json(200, stream.envelope("chat.completion", [choice], usage=usage))
            return
        stream.start()
        for index, piece in enumerate(tokens_of(answer)):
            if index:
                self.fake.sleep(behaviour.token_delay)
            stream.delta({"content": piece})
        stream.finish(usage)


class _Stream:
    """The chunks of one streamed completion."""

    def __init__(self, handler: _Handler, completion_id: str, model: str, body: Any) -> None:
        self.handler = handler
        self.id = completion_id
        self.model = model
        self.include_usage = bool((body.get("stream_options") or {}).get("include_usage"))

    def envelope(self, kind: str, choices: list[Any], **extra: Any) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": kind,
            "created": now(),
            "model": self.model,
            "system_fingerprint": "fp_fake",
            "choices": choices,
            **extra,
        }

    def _send(self, choices: list[Any], usage: Any = None) -> None:
        extra = {"usage": usage} if self.include_usage else {}
        chunk = self.envelope("chat.completion.chunk", choices, **extra)
        self.handler.send_chunk(f"data: {json.dumps(chunk)}\n\n".encode())

    def start(self) -> None:
        self.handler.start_stream()
        self.delta({"role": "assistant", "content": ""})

    def delta(self, delta: dict[str, Any], finish_reason: str | None = None) -> None:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        self._send([choice])

    def finish(self, usage: dict[str, int]) -> None:
        self.delta({}, finish_reason="stop")
        if self.include_usage:
            self._send([], usage)
        self.handler.send_chunk(b"data: [DONE]\n\n")
        self.handler.end_stream()


@contextmanager
def fake_openai(api_key: str = API_KEY) -> Iterator[FakeOpenAI]:
    """`with fake_openai() as server:` a server for one test (or a module)."""
    fake = FakeOpenAI(api_key=api_key)
    with serve(fake, _Handler):
        yield fake
