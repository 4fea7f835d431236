"""Text inputs through every service's API: what PostgreSQL cannot store is refused
everywhere, and names people see are shown without bidirectional tricks.

The sweep sends every string input of every operation of the merged OpenAPI a NUL byte, a
lone surrogate, a megabyte of text, and text of its declared maximum length and one more:
never a 5xx (and one more than the maximum is refused). The inputs come from the specs, not
from a list: JSON body fields (nested objects, list items and dictionary keys included,
`$ref`s resolved), query, path and multipart form fields. Each request carries one bad
value and valid values elsewhere, from an owner of the organization, to every service app
over ASGI on the real PostgreSQL and Redis. A NUL byte must be refused as invalid (422)
naming the input it was in, and so must a lone surrogate where one can arrive at all
(JSON escapes it; URLs and form fields carry bytes, which never decode to one).
"""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift import SERVICES
from sift.assistant.app import create_app as create_assistant
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings, StorageSettings
from sift.core.db import Database
from sift.documents.app import create_app as create_documents
from sift.identity.app import create_app as create_identity
from sift.identity.config import IdentitySettings
from sift.runtime.apidocs import merge_specs
from sift.search.app import create_app as create_search
from sift.search.config import SearchSettings
from tests.assistant.world import local_config
from tests.conftest import TransactionalDatabase
from tests.core.auth.conftest import claims_for, ed25519_key
from tests.identity.conftest import Identity, add_member, cheap_config, make_org
from tests.search.retrieval_helpers import StaticKeys

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
GENEROUS = "100000/minute"
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


@asynccontextmanager
async def started(
    app: FastAPI, db_connection: AsyncConnection, database: Database
) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        await app.state.database.dispose()
        app.state.database = TransactionalDatabase(db_connection, database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@dataclass
class Services:
    """Every service app, started; an organization owner's headers; IDs of real things."""

    apps: dict[str, FastAPI]
    clients: dict[str, httpx.AsyncClient]
    headers: dict[str, dict[str, str]]
    ids: dict[str, str]


@pytest.fixture
async def services(
    settings: CoreSettings,
    session: AsyncSession,
    db_connection: AsyncConnection,
    database: Database,
    tmp_path: Path,
) -> AsyncIterator[Services]:
    app_settings = settings.model_copy(
        update={"storage": StorageSettings(local_root=tmp_path / "files")}
    )
    search = create_search(app_settings, config=SearchSettings(search_rate_limit=GENEROUS))
    limits = {name: GENEROUS for name in IdentitySettings.model_fields if "_limit" in name}
    apps: dict[str, FastAPI] = {
        "identity": create_identity(app_settings, config=cheap_config(**limits)),
        "documents": create_documents(app_settings),
        "search": search,
        "assistant": create_assistant(
            app_settings,
            config=local_config(user_rate_limit=GENEROUS),
            search_transport=httpx.ASGITransport(app=search),
        ),
    }
    for name in SERVICES:
        if name not in apps:
            apps[name] = importlib.import_module(f"sift.{name}.app").create_app(app_settings)
    key = ed25519_key()
    verifier = TokenVerifier(StaticKeys(key), issuer=app_settings.public_url, config=AuthSettings())
    for name, app in apps.items():
        if name != "identity":
            Authenticator.install(app, Authenticator(verifier))
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(started(app, db_connection, database))
            for name, app in apps.items()
        }
        org = await make_org(session, "Sweepers")
        owner = await add_member(
            session, Identity(apps["identity"], clients["identity"]), org, "owner"
        )
        claims = claims_for(app_settings, role="owner", sub=str(owner.user.id), org=str(org.id))
        token = {"Authorization": f"Bearer {key.sign(claims)}"}
        headers = {name: owner.headers if name == "identity" else token for name in apps}
        ids = await real_things(clients, headers, org.id, owner.user.id)
        yield Services(apps, clients, headers, ids)


async def real_things(
    clients: dict[str, httpx.AsyncClient],
    headers: dict[str, dict[str, str]],
    org_id: uuid.UUID,
    user_id: uuid.UUID,
) -> dict[str, str]:
    """Path IDs of things that exist, so that requests reach as far as they can."""
    documents = clients["documents"]
    collection = await documents.post(
        "/api/collections", headers=headers["documents"], json={"name": "Sweep"}
    )
    assert collection.status_code == 201, collection.text
    collection_id = collection.json()["id"]
    document = await documents.post(
        "/api/documents",
        headers=headers["documents"],
        data={"collection_id": collection_id},
        files={"file": ("sweep.txt", b"Sweeping notes.\n", "text/plain")},
    )
    assert document.status_code == 201, document.text
    saved = await clients["search"].post(
        "/api/saved-searches", headers=headers["search"], json={"name": "S", "query": "notes"}
    )
    assert saved.status_code == 201, saved.text
    return {
        "org_id": str(org_id),
        "user_id": str(user_id),
        "collection_id": collection_id,
        "document_id": document.json()["id"],
        "saved_search_id": saved.json()["id"],
    }


async def test_no_text_input_anywhere_makes_a_service_fail(services: Services) -> None:
    spec = Spec(merge_specs([(name, app.openapi()) for name, app in services.apps.items()]))
    swept = list(cases(spec, services.ids))
    failures, misjudged = [], []
    for case in swept:
        client, headers = services.clients[case.service], services.headers[case.service]
        response = await send(client, headers, case)
        if response.status_code >= 500:
            failures.append(f"{case}: {response.status_code} {response.text[:200]}")
        elif case.kind == "beyond" and response.status_code < 400:
            misjudged.append(f"{case}: {response.status_code}, over the declared limit")
        elif must_be_refused(case) and not refused_at(response, case):
            misjudged.append(f"{case}: {response.status_code} {response.text[:300]}")
    assert failures == []
    assert misjudged == []
    operations = {f"{case.method.upper()} {case.path}" for case in swept}
    # The sweep found the inputs that once failed, and inputs of every kind.
    assert {
        "POST /api/collections",
        "PATCH /api/documents/{document_id}",
        "POST /api/documents",
        "GET /api/documents",
        "POST /api/search",
        "POST /api/saved-searches",
        "POST /api/assistant/ask",
        "PATCH /api/users/me",
        "POST /api/orgs",
        "POST /api/orgs/{org_id}/api-keys",
        "POST /api/assistant/messages/{message_id}/feedback",
    } <= operations
    assert {case.location[0] for case in swept} == {"body", "query", "path"}
    assert {case.kind for case in swept} == set(BAD_VALUES)
    assert len(swept) > 300


async def test_a_question_with_a_nul_byte_is_refused_before_any_search(
    services: Services,
) -> None:
    answer = await services.clients["assistant"].post(
        "/api/assistant/ask",
        headers=services.headers["assistant"],
        json={"question": "What is\x00 in the notes?"},
    )
    assert answer.status_code == 422, answer.text  # once 503 retrieval-unavailable
    assert answer.json()["errors"][0]["loc"] == ["body", "question"]


RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "Q3 {RLO}fdp.exe" reads as "Q3 exe.pdf"
SPOOFED = f"  Q3{RLO} fdp.exe\u200b\u2066 "
SHOWN = "Q3 fdp.exe"


async def test_names_people_see_lose_bidirectional_overrides_everywhere(
    services: Services,
) -> None:
    ids, clients, headers = services.ids, services.clients, services.headers
    identity, documents = clients["identity"], clients["documents"]
    org = f"/api/orgs/{ids['org_id']}"
    collection = f"/api/collections/{ids['collection_id']}"
    document = f"/api/documents/{ids['document_id']}"
    answers = {
        "profile": await identity.patch(
            "/api/users/me", headers=headers["identity"], json={"name": SPOOFED}
        ),
        "new organization": await identity.post(
            "/api/orgs", headers=headers["identity"], json={"name": SPOOFED}
        ),
        "organization": await identity.patch(
            org, headers=headers["identity"], json={"name": SPOOFED}
        ),
        "API key": await identity.post(
            f"{org}/api-keys",
            headers=headers["identity"],
            json={"name": SPOOFED, "permissions": ["documents:read"]},
        ),
        "new collection": await documents.post(
            "/api/collections", headers=headers["documents"], json={"name": "New" + SPOOFED}
        ),
        "collection": await documents.patch(
            collection, headers=headers["documents"], json={"name": SPOOFED}
        ),
        "uploaded document": await documents.post(
            "/api/documents",
            headers=headers["documents"],
            data={"collection_id": ids["collection_id"], "title": SPOOFED},
            files={"file": ("other.txt", b"Other notes.\n", "text/plain")},
        ),
        "document": await documents.patch(
            document, headers=headers["documents"], json={"title": SPOOFED}
        ),
        "saved search": await clients["search"].post(
            "/api/saved-searches",
            headers=headers["search"],
            json={"name": SPOOFED, "query": "notes"},
        ),
    }
    shown = {}
    for what, answer in answers.items():
        assert answer.status_code in (200, 201), f"{what}: {answer.text}"
        shown[what] = answer.json().get("name") or answer.json().get("title")
    assert shown == {
        **dict.fromkeys(answers, SHOWN),
        "new collection": "New " + SHOWN,
    }
    tagged = await documents.patch(
        document, headers=headers["documents"], json={"tags": [f"in{RLO}voice", "q3"]}
    )
    assert tagged.json()["tags"] == ["invoice", "q3"]


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
