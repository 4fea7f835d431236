"""A fake Gemini API (generativelanguage, v1beta) on 127.0.0.1, as the google-genai SDK calls it.

- `POST /v1beta/models/{model}:generateContent` → `{candidates, usageMetadata, modelVersion}`;
- `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` → SSE `data: {...}` chunks,
  the last with `finishReason: "STOP"` and the full usage;
- `POST /v1beta/models/{model}:embedContent` → `{embedding: {values}}` and
  `:batchEmbedContents` → `{embeddings: [{values}]}`, deterministic, honouring
  `outputDimensionality` (default 3072 for gemini-embedding-001, else 768).
The API key travels in `x-goog-api-key` (or `?key=`); a wrong one gets Google's 400
API_KEY_INVALID. Errors use Google's body `{"error": {code, message, status}}`.

    with fake_gemini() as gemini:
        gemini.script(Fail(429, retry_after=1), Reply("Hi [1]."))
        client = genai.Client(api_key=gemini.api_key,
                              http_options=HttpOptions(base_url=gemini.url))
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
    serve,
    tokens_of,
)

API_KEY = "fake-gemini-api-key"
_PATH = re.compile(r"^/(?P<version>v1beta|v1|v1alpha)/models/(?P<model>[^:/]+):(?P<method>\w+)$")
_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


def default_dimensions(model: str) -> int:
    return 3072 if "gemini-embedding" in model else 768


def _texts(content: Any) -> list[str]:
    if not isinstance(content, dict):
        return []
    return [str(part["text"]) for part in content.get("parts", []) if "text" in part]


def _prompt(body: dict[str, Any]) -> str:
    texts = _texts(body.get("systemInstruction") or body.get("system_instruction"))
    for content in body.get("contents", []):
        texts.extend(_texts(content))
    return "\n".join(texts)


def _error(status: int, message: str) -> dict[str, Any]:
    return {"error": {"code": status, "message": message, "status": _STATUS_NAMES.get(status)}}


def _chunk(model: str, text: str, prompt_tokens: int, output_tokens: int, final: bool) -> bytes:
    candidate: dict[str, Any] = {
        "content": {"parts": [{"text": text}], "role": "model"},
        "index": 0,
    }
    usage: dict[str, Any] = {"promptTokenCount": prompt_tokens}
    if final:
        candidate["finishReason"] = "STOP"
        usage |= {
            "candidatesTokenCount": output_tokens,
            "totalTokenCount": prompt_tokens + output_tokens,
        }
    else:
        usage["totalTokenCount"] = prompt_tokens
    body = {"candidates": [candidate], "usageMetadata": usage, "modelVersion": model}
    return f"data: {json.dumps(body)}\r\n\r\n".encode()


class FakeGemini(ScriptedServer):
    pass


class _Handler(JsonHandler):
    fake: FakeGemini

    def do_POST(self) -> None:
        split = urlsplit(self.path)
        query = parse_qs(split.query)
        body = self.read_json()
        match = _PATH.match(split.path)
        request = ReceivedRequest(
            "POST",
            split.path,
            {k.lower(): v for k, v in self.headers.items()},
            body,
            prompt=_prompt(body),
        )
        self.fake.record(request)
        if match is None:
            self.send_json(404, _error(404, f"Unknown path {split.path}"))
            return
        key = self.headers.get("x-goog-api-key") or query.get("key", [""])[0]
        if self.fake.api_key and key != self.fake.api_key:
            self.send_json(400, _error(400, "API key not valid. Please pass a valid API key."))
            return
        model, method = match["model"], match["method"]
        if method == "embedContent":
            self._embed_one(model, body)
        elif method == "batchEmbedContents":
            self._embed_batch(model, body)
        elif method in ("generateContent", "streamGenerateContent"):
            self._generate(model, request.prompt, stream=method == "streamGenerateContent")
        else:
            self.send_json(404, _error(404, f"Method {method} is not supported by the fake."))

    def _vector(self, model: str, request: dict[str, Any]) -> dict[str, list[float]]:
        dimensions = int(request.get("outputDimensionality") or default_dimensions(model))
        return {"values": embed(" ".join(_texts(request.get("content"))), dimensions)}

    def _embed_one(self, model: str, body: dict[str, Any]) -> None:
        self.fake.sleep(self.fake.latency)
        self.send_json(200, {"embedding": self._vector(model, body)})

    def _embed_batch(self, model: str, body: dict[str, Any]) -> None:
        self.fake.sleep(self.fake.latency)
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            self.send_json(400, _error(400, "requests must not be empty"))
            return
        self.send_json(200, {"embeddings": [self._vector(model, r) for r in requests]})

    def _generate(self, model: str, prompt: str, *, stream: bool) -> None:
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
        prompt_tokens = count_tokens(prompt)
        if isinstance(behaviour, BreakStream):
            text = behaviour.text if behaviour.text is not None else Reply().answer(prompt)
            self._broken(model, text, prompt_tokens, behaviour)
            return
        answer = behaviour.answer(prompt)
        output_tokens = count_tokens(answer)
        if not stream:
            response = _chunk(model, answer, prompt_tokens, output_tokens, final=True)
            payload = json.loads(response.decode()[len("data: ") :])
            payload["responseId"] = uuid.uuid4().hex
            self.send_json(200, payload)
            return
        self.start_stream()
        pieces = tokens_of(answer)
        for index, piece in enumerate(pieces):
            if index:
                self.fake.sleep(behaviour.token_delay)
            last = index == len(pieces) - 1
            self.send_chunk(_chunk(model, piece, prompt_tokens, output_tokens, final=last))
        self.end_stream()

    def _broken(self, model: str, text: str, prompt_tokens: int, behaviour: BreakStream) -> None:
        self.start_stream()
        for piece in tokens_of(text)[: behaviour.after_tokens]:
            self.send_chunk(_chunk(model, piece, prompt_tokens, 0, final=False))
            self.fake.sleep(behaviour.token_delay)
        self.drop_connection()


@contextmanager
def fake_gemini(api_key: str = API_KEY) -> Iterator[FakeGemini]:
    """`with fake_gemini() as gemini:` a server for one test (or a module)."""
    fake = FakeGemini(api_key=api_key)
    with serve(fake, _Handler):
        yield fake
