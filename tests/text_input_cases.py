"""The sweep's cases: every string input of a merged OpenAPI, each given one bad value.

Used by `tests/test_text_inputs.py`; the inputs come from the specs, not from a list.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

NUL = "bad\x00text"
SURROGATE = "\ud800"
MEGABYTE = "x" * 1_000_000
Bad = Callable[[dict[str, Any]], str | None]


def at_limit(extra: int) -> Bad:
    """Plain text of a string's `maxLength` (+ `extra`); none for other strings."""

    def value(schema: dict[str, Any]) -> str | None:
        if "maxLength" not in schema or {"format", "pattern", "enum"} & schema.keys():
            return None
        return "x" * (schema["maxLength"] + extra)

    return value


BAD_VALUES: dict[str, Bad] = {
    "nul": lambda _: NUL,
    "surrogate": lambda _: SURROGATE,
    "megabyte": lambda _: MEGABYTE,
    # The longest text the API accepts must fit where it is stored; one more is refused.
    "longest": at_limit(0),
    "beyond": at_limit(1),
}
# A URL carries at most 64 KiB through httpx (and 8 KiB through nginx): as long as it can.
LONGEST_IN_URL = 60_000
REF = "#/components/schemas/"


@dataclass(frozen=True)
class Case:
    """One request, with a `kind` of bad value at `location` (`("body", "tags", 0)`, ...)."""

    service: str
    method: str
    path: str
    location: tuple[str | int, ...]
    kind: str
    path_params: dict[str, str]
    query: dict[str, str]
    json_body: Any = None
    form: dict[str, Any] | None = None
    files: dict[str, Any] | None = None

    def __str__(self) -> str:
        where = ".".join(str(part) for part in self.location)
        return f"{self.method.upper()} {self.path} {where} ({self.kind})"


class Spec:
    """The merged OpenAPI document, with `$ref`s resolved on demand."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schemas: dict[str, Any] = document["components"]["schemas"]

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].removeprefix(REF)]
        if len(schema.get("allOf", ())) == 1:
            return self.resolve(schema["allOf"][0])
        return schema

    def branches(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        schema = self.resolve(schema)
        options = schema.get("anyOf") or schema.get("oneOf")
        if options is None:
            return [schema]
        return [branch for option in options for branch in self.branches(option)]

    def valid(self, schema: dict[str, Any], name: str, ids: dict[str, str]) -> Any:
        """A valid value: required properties only, the first non-null branch."""
        branches = [b for b in self.branches(schema) if b.get("type") != "null"]
        schema = branches[0] if branches else {"type": "null"}
        if "default" in schema and schema["default"] is not None:
            return schema["default"]
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object":
            return {
                prop: self.valid(schema["properties"][prop], prop, ids)
                for prop in schema.get("required", ())
            }
        if kind == "array":
            count = max(1, schema.get("minItems", 1))
            return [self.valid(schema.get("items", {}), name, ids) for _ in range(count)]
        if kind == "integer":
            return schema.get("minimum", 1)
        if kind == "number":
            return schema.get("minimum", 1)
        if kind == "boolean":
            return False
        if kind == "null":
            return None
        return valid_string(schema, name, ids)

    def mutants(
        self, schema: dict[str, Any], bad: Bad, ids: dict[str, str], name: str = ""
    ) -> Iterator[tuple[tuple[str | int, ...], Any]]:
        """(where, value) for every string of the schema in turn set to its bad value."""
        for branch in self.branches(schema):
            kind = branch.get("type")
            if kind == "string" and not is_file(branch):
                value = bad(branch)
                if value is not None:
                    yield (), value
            elif kind == "object":
                base = self.valid(branch, name, ids)
                for prop, prop_schema in branch.get("properties", {}).items():
                    for where, value in self.mutants(prop_schema, bad, ids, prop):
                        yield (prop, *where), {**base, prop: value}
                extra = branch.get("additionalProperties")
                key = bad({})
                if isinstance(extra, dict) and key is not None:
                    yield (key,), {**base, key: self.valid(extra, name, ids)}
                    for where, value in self.mutants(extra, bad, ids, name):
                        yield ("key", *where), {**base, "key": value}
            elif kind == "array":
                for where, value in self.mutants(branch.get("items", {}), bad, ids, name):
                    yield (0, *where), [value]


def is_file(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "binary" or "contentMediaType" in schema


def valid_string(schema: dict[str, Any], name: str, ids: dict[str, str]) -> str:
    if name in ids:
        return ids[name]
    match schema.get("format"):
        case "uuid":
            return str(uuid.uuid4())
        case "email":
            return f"sweep-{uuid.uuid4().hex[:8]}@example.com"
        case "date-time":
            return datetime.now(UTC).isoformat()
    return "sweep-" + "v" * max(0, schema.get("minLength", 0) - 6)


def cases(spec: Spec, ids: dict[str, str]) -> Iterator[Case]:
    for path, item in spec.document["paths"].items():
        for method, operation in item.items():
            service = operation["operationId"].split("_", 1)[0]
            parameters = operation.get("parameters", [])
            path_params = {
                p["name"]: valid_string(spec.resolve(p["schema"]), p["name"], ids)
                for p in parameters
                if p["in"] == "path"
            }
            required_query = {
                p["name"]: str(spec.valid(p["schema"], p["name"], ids))
                for p in parameters
                if p["in"] == "query" and p.get("required")
            }
            content = operation.get("requestBody", {}).get("content", {})
            json_schema = content.get("application/json", {}).get("schema")
            form_schema = content.get("multipart/form-data", {}).get("schema")
            body = spec.valid(json_schema, "", ids) if json_schema else None
            form, files = form_fields(spec, form_schema, ids) if form_schema else (None, None)
            common = {"service": service, "method": method, "path": path}
            for kind, bad in BAD_VALUES.items():
                for parameter in parameters:
                    where = parameter["in"]
                    strings = [
                        branch
                        for branch in spec.branches(parameter["schema"])
                        if branch.get("type") == "string"
                    ]
                    value = bad(strings[0]) if strings else None
                    if where not in ("path", "query") or value is None:
                        continue
                    in_url = value[:LONGEST_IN_URL]
                    yield Case(
                        **common,
                        location=(where, parameter["name"]),
                        kind=kind,
                        path_params=(
                            {**path_params, parameter["name"]: in_url}
                            if where == "path"
                            else path_params
                        ),
                        query=(
                            {**required_query, parameter["name"]: in_url}
                            if where == "query"
                            else required_query
                        ),
                        json_body=body,
                        form=form,
                        files=files,
                    )
                if json_schema:
                    for where_in_body, value in spec.mutants(json_schema, bad, ids):
                        yield Case(
                            **common,
                            location=("body", *where_in_body),
                            kind=kind,
                            path_params=path_params,
                            query=required_query,
                            json_body=value,
                        )
                if form_schema:
                    for where_in_form, value in spec.mutants(form_schema, bad, ids):
                        field = where_in_form[0]
                        yield Case(
                            **common,
                            location=("body", *where_in_form),
                            kind=kind,
                            path_params=path_params,
                            query=required_query,
                            form={**(form or {}), field: value[field]},
                            files=files,
                        )


def form_fields(
    spec: Spec, schema: dict[str, Any], ids: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    schema = spec.resolve(schema)
    form, files = {}, {}
    for name in schema.get("required", ()):
        prop = spec.resolve(schema["properties"][name])
        if is_file(prop):
            files[name] = (f"{name}.txt", f"Sweep {uuid.uuid4()}\n".encode(), "text/plain")
        else:
            form[name] = spec.valid(prop, name, ids)
    return form, files


def url_of(case: Case) -> str:
    # As a client sends them: UTF-8, percent-encoded (a lone surrogate as its raw bytes).
    path = case.path
    for name, value in case.path_params.items():
        path = path.replace("{" + name + "}", quote(value, safe="", errors="surrogatepass"))
    query = "&".join(
        f"{quote(name)}={quote(value, safe='', errors='surrogatepass')}"
        for name, value in case.query.items()
    )
    return f"{path}?{query}" if query else path


def form_bytes(value: Any) -> Any:
    if isinstance(value, list):
        return [form_bytes(item) for item in value]
    return str(value).encode("utf-8", "surrogatepass")


async def send(client: httpx.AsyncClient, headers: dict[str, str], case: Case) -> httpx.Response:
    url = url_of(case)
    if case.form is not None:
        data = {name: form_bytes(value) for name, value in case.form.items()}
        return await client.request(case.method, url, headers=headers, data=data, files=case.files)
    if case.json_body is not None:
        # json.dumps escapes a lone surrogate (`\ud800`), as any JSON encoder may.
        content = json.dumps(case.json_body).encode()
        return await client.request(
            case.method,
            url,
            headers={**headers, "Content-Type": "application/json"},
            content=content,
        )
    return await client.request(case.method, url, headers=headers)


def must_be_refused(case: Case) -> bool:
    in_json = case.location[0] == "body" and case.form is None
    return case.kind == "nul" or (case.kind == "surrogate" and in_json)


def refused_at(response: httpx.Response, case: Case) -> bool:
    """A 422 whose errors name the input (a JSON body may also fail to parse at all)."""
    if response.status_code != 422:
        return False
    locations = [tuple(error["loc"]) for error in response.json()["errors"]]
    # A lone surrogate in a key comes back as replacement characters (the loc is UTF-8).
    expected = tuple(
        str(part).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        for part in case.location
    )
    return any(location[: len(expected)] == expected for location in locations)
