"""A fake Pinecone on 127.0.0.1: control plane and one index's data plane, as the SDK calls them.

Control plane: `GET /indexes/{name}` answers the index description (2026-07 shape: `schema`
with a dense vector field, `deployment`, `status`, `host`), 404 for another name. Data
plane (same server, the description's `host`): `POST /vectors/upsert`, `/query` (namespace,
`topK`, `filter`, `includeMetadata`/`includeValues`, cosine scores), `/vectors/delete`
(`ids`, `filter` or `deleteAll`; 404 for an unknown namespace, as Pinecone does),
`/vectors/update` (metadata by filter or one ID), `/describe_index_stats`, and
`GET /vectors/fetch`. Metadata filters are evaluated for real: `$eq`, `$ne`, `$in`, `$nin`,
`$exists`, `$and`, `$or`, and the implicit `{"field": value}` equality; a list-valued field
matches `$eq`/`$in` when any element does. Every request needs the `Api-Key` header.
"""

from __future__ import annotations

import json
import math
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.serving import send_json, serve_fake

API_KEY = "fake-pinecone-api-key"
INDEX_NAME = "sift-test"


@dataclass
class StoredVector:
    id: str
    values: list[float]
    metadata: dict[str, Any]


@dataclass
class FakePinecone:
    url: str
    dimension: int = 384
    index_name: str = INDEX_NAME
    api_key: str = API_KEY
    # namespace -> id -> vector
    namespaces: dict[str, dict[str, StoredVector]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    # Answer every data-plane request with this status (an outage), e.g. 503.
    fail_with: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def vectors(self, namespace: str) -> dict[str, StoredVector]:
        with self.lock:
            return dict(self.namespaces.get(namespace, {}))

    def count(self) -> int:
        with self.lock:
            return sum(len(vectors) for vectors in self.namespaces.values())


class BadRequest(Exception):
    pass


def _matches_condition(value: Any, operator: str, operand: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    if operator == "$eq":
        return value is not None and operand in values
    if operator == "$ne":
        return value is None or operand not in values
    if operator == "$in":
        if not isinstance(operand, list):
            raise BadRequest("$in requires an array")
        return value is not None and any(v in operand for v in values)
    if operator == "$nin":
        if not isinstance(operand, list):
            raise BadRequest("$nin requires an array")
        return value is None or not any(v in operand for v in values)
    if operator == "$exists":
        return (value is not None) == bool(operand)
    if operator in ("$gt", "$gte", "$lt", "$lte"):
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        return {
            "$gt": value > operand,
            "$gte": value >= operand,
            "$lt": value < operand,
            "$lte": value <= operand,
        }[operator]
    raise BadRequest(f"unsupported filter operator {operator}")


def matches(metadata: dict[str, Any], selector: dict[str, Any]) -> bool:
    """Pinecone's metadata filter semantics (the subset Sift and most clients use)."""
    for key, condition in selector.items():
        if key == "$and":
            if not isinstance(condition, list):
                raise BadRequest("$and requires an array")
            if not all(matches(metadata, part) for part in condition):
                return False
        elif key == "$or":
            if not isinstance(condition, list):
                raise BadRequest("$or requires an array")
            if not any(matches(metadata, part) for part in condition):
                return False
        elif key.startswith("$"):
            raise BadRequest(f"unsupported filter operator {key}")
        elif isinstance(condition, dict):
            value = metadata.get(key)
            if not all(_matches_condition(value, op, arg) for op, arg in condition.items()):
                return False
        elif not _matches_condition(metadata.get(key), "$eq", condition):
            return False
    return True


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def _valid_metadata(metadata: Any) -> dict[str, Any]:
    if metadata is None:
        return {}
    if not isinstance(metadata, dict):
        raise BadRequest("metadata must be an object")
    for key, value in metadata.items():
        ok = isinstance(value, str | int | float | bool) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        )
        if not ok:
            raise BadRequest(
                f"Metadata value for field {key!r} must be a string, number,"
                " boolean or list of strings"
            )
    return dict(metadata)


def _handler(fake: FakePinecone) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any) -> None:
            send_json(self, status, body)

        def _data_error(self, status: int, code: int, message: str) -> None:
            # The data plane answers gRPC-gateway style errors.
            self._send(status, {"code": code, "message": message, "details": []})

        def _control_error(self, status: int, code: str, message: str) -> None:
            self._send(status, {"error": {"code": code, "message": message}, "status": status})

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            data = json.loads(raw or b"{}")
            if not isinstance(data, dict):
                raise BadRequest("body must be a JSON object")
            return data

        def _authorized(self) -> bool:
            return self.headers.get("Api-Key") == fake.api_key

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            fake.requests.append(("GET", url.path))
            if not self._authorized():
                self._control_error(401, "UNAUTHENTICATED", "Invalid API Key")
                return
            if url.path.startswith("/indexes/"):
                name = url.path.removeprefix("/indexes/")
                if name != fake.index_name:
                    self._control_error(404, "NOT_FOUND", f"Resource {name} not found")
                    return
                self._send(200, self._description())
                return
            if url.path == "/vectors/fetch":
                query = parse_qs(url.query)
                namespace = query.get("namespace", [""])[0]
                with fake.lock:
                    stored = fake.namespaces.get(namespace, {})
                    found = {
                        i: {"id": i, "values": stored[i].values, "metadata": stored[i].metadata}
                        for i in query.get("ids", [])
                        if i in stored
                    }
                self._send(200, {"vectors": found, "namespace": namespace, "usage": {}})
                return
            self._data_error(404, 5, "Not Found")

        def _description(self) -> dict[str, Any]:
            return {
                "name": fake.index_name,
                "host": fake.url,
                "status": {"ready": True, "state": "Ready"},
                "deletion_protection": "disabled",
                "schema": {
                    "fields": {
                        "values": {
                            "type": "dense_vector",
                            "dimension": fake.dimension,
                            "metric": "cosine",
                        }
                    }
                },
                "deployment": {"deployment_type": "managed", "cloud": "aws", "region": "us-east-1"},
                "tags": None,
            }

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            fake.requests.append(("POST", path))
            try:
                body = self._body()  # read first: the connection is kept alive
            except (BadRequest, ValueError) as exc:
                self._data_error(400, 3, str(exc))
                return
            if not self._authorized():
                self._control_error(401, "UNAUTHENTICATED", "Invalid API Key")
                return
            if fake.fail_with is not None:
                self._data_error(fake.fail_with, 14, "Service unavailable")
                return
            routes = {
                "/vectors/upsert": self._upsert,
                "/query": self._query,
                "/vectors/delete": self._delete,
                "/vectors/update": self._update,
                "/describe_index_stats": self._stats,
            }
            route = routes.get(path)
            if route is None:
                self._data_error(404, 5, "Not Found")
                return
            try:
                route(body)
            except (BadRequest, ValueError, TypeError, KeyError) as exc:
                self._data_error(400, 3, str(exc))

        def _upsert(self, body: dict[str, Any]) -> None:
            namespace = body.get("namespace") or ""
            vectors = body.get("vectors")
            if not isinstance(vectors, list) or not vectors:
                raise BadRequest("vectors must be a non-empty array")
            if len(vectors) > 1000:
                raise BadRequest("Batch size exceeds 1000 vectors")
            parsed = []
            for vector in vectors:
                values = [float(v) for v in vector["values"]]
                if len(values) != fake.dimension:
                    raise BadRequest(
                        f"Vector dimension {len(values)} does not match the dimension of the"
                        f" index {fake.dimension}"
                    )
                parsed.append(
                    StoredVector(str(vector["id"]), values, _valid_metadata(vector.get("metadata")))
                )
            with fake.lock:
                space = fake.namespaces.setdefault(namespace, {})
                for vector in parsed:
                    space[vector.id] = vector
            self._send(200, {"upsertedCount": len(parsed)})

        def _query(self, body: dict[str, Any]) -> None:
            namespace = body.get("namespace") or ""
            top_k = int(body["topK"])
            if not 1 <= top_k <= 10_000:
                raise BadRequest("topK must be between 1 and 10000")
            selector = body.get("filter") or {}
            with fake.lock:
                space = fake.namespaces.get(namespace, {})
                if "vector" in body:
                    query = [float(v) for v in body["vector"]]
                elif body.get("id") in space:
                    query = space[body["id"]].values
                else:
                    raise BadRequest("a query needs a vector or a stored id")
                if len(query) != fake.dimension:
                    raise BadRequest(
                        f"Query vector dimension {len(query)} does not match the dimension of"
                        f" the index {fake.dimension}"
                    )
                scored = [
                    (cosine(query, vector.values), vector)
                    for vector in space.values()
                    if matches(vector.metadata, selector)
                ]
            scored.sort(key=lambda pair: (-pair[0], pair[1].id))
            matches_ = []
            for score, vector in scored[:top_k]:
                match: dict[str, Any] = {"id": vector.id, "score": score}
                if body.get("includeValues"):
                    match["values"] = vector.values
                if body.get("includeMetadata"):
                    match["metadata"] = vector.metadata
                matches_.append(match)
            self._send(
                200, {"matches": matches_, "namespace": namespace, "usage": {"readUnits": 1}}
            )

        def _delete(self, body: dict[str, Any]) -> None:
            namespace = body.get("namespace") or ""
            selectors = [k for k in ("ids", "filter", "deleteAll") if body.get(k)]
            if len(selectors) != 1:
                raise BadRequest("exactly one of ids, filter, deleteAll is required")
            with fake.lock:
                space = fake.namespaces.get(namespace)
                if space is None:
                    self._data_error(404, 5, "Namespace not found")
                    return
                if body.get("deleteAll"):
                    del fake.namespaces[namespace]
                elif body.get("ids"):
                    for vector_id in body["ids"]:
                        space.pop(str(vector_id), None)
                else:
                    for vector_id in [
                        i for i, v in space.items() if matches(v.metadata, body["filter"])
                    ]:
                        del space[vector_id]
            self._send(200, {})

        def _update(self, body: dict[str, Any]) -> None:
            namespace = body.get("namespace") or ""
            changes = _valid_metadata(body.get("setMetadata"))
            with fake.lock:
                space = fake.namespaces.get(namespace)
                if space is None:
                    self._data_error(404, 5, "Namespace not found")
                    return
                if "id" in body:
                    targets = [space[body["id"]]] if body["id"] in space else []
                    if "values" in body and targets:
                        targets[0].values = [float(v) for v in body["values"]]
                else:
                    targets = [v for v in space.values() if matches(v.metadata, body["filter"])]
                for vector in targets:
                    vector.metadata.update(changes)
            self._send(200, {"matchedRecords": len(targets)})

        def _stats(self, body: dict[str, Any]) -> None:
            selector = body.get("filter") or {}
            with fake.lock:
                counts = {
                    name: sum(1 for v in space.values() if matches(v.metadata, selector))
                    for name, space in fake.namespaces.items()
                }
            self._send(
                200,
                {
                    "namespaces": {name: {"vectorCount": n} for name, n in counts.items()},
                    "dimension": fake.dimension,
                    "indexFullness": 0.0,
                    "totalVectorCount": sum(counts.values()),
                    "metric": "cosine",
                    "vectorType": "dense",
                },
            )

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The SDK keeps connections alive and drops them when it is closed: not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def fake_pinecone(dimension: int = 384) -> Iterator[FakePinecone]:
    """`with fake_pinecone() as pinecone:` control and data plane for one test or module."""

    def fake_at(url: str) -> FakePinecone:
        return FakePinecone(url=url, dimension=dimension)

    with serve_fake(fake_at, _handler, server_class=_Server) as fake:
        yield fake
