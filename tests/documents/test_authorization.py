"""The authorization matrix: every role and collection grant against every endpoint.

A caller's power on a collection is their org role layered with their grant on it:
owners/admins manage all; on an `org` collection viewers read and editors write; on a
`restricted` one only grant holders see it, acting per the grant but never beyond their
org role (an org viewer with any grant only reads).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth.testing import route_declarations
from sift.core.config import CoreSettings
from sift.documents.app import create_app
from tests.documents import samples
from tests.documents.conftest import Documents, make_collection


@dataclass(frozen=True)
class Profile:
    name: str
    role: str
    grant: str | None = None


PROFILES = [
    Profile("owner", "owner"),
    Profile("admin", "admin"),
    Profile("editor", "editor"),
    Profile("viewer", "viewer"),
    Profile("editor+viewer-grant", "editor", "viewer"),
    Profile("editor+editor-grant", "editor", "editor"),
    Profile("editor+manager-grant", "editor", "manager"),
    Profile("viewer+manager-grant", "viewer", "manager"),
]
LEVELS = {None: -1, "viewer": 0, "editor": 1, "manager": 2}

# What each profile may do on a collection of each visibility (None: not even see it).
EXPECTED_ROLE = {
    ("owner", "org"): "manager",
    ("owner", "restricted"): "manager",
    ("admin", "org"): "manager",
    ("admin", "restricted"): "manager",
    ("editor", "org"): "editor",
    ("editor", "restricted"): None,
    ("viewer", "org"): "viewer",
    ("viewer", "restricted"): None,
    ("editor+viewer-grant", "org"): "editor",
    ("editor+viewer-grant", "restricted"): "viewer",
    ("editor+editor-grant", "org"): "editor",
    ("editor+editor-grant", "restricted"): "editor",
    ("editor+manager-grant", "org"): "editor",
    ("editor+manager-grant", "restricted"): "manager",
    ("viewer+manager-grant", "org"): "viewer",
    ("viewer+manager-grant", "restricted"): "viewer",
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    permission: str  # what the route declares (the org role's part)
    needs: str | None  # what the collection must allow (None: org permission only)
    ok: int = 200
    body: dict[str, Any] | None = None
    upload: bool = False

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"


C, D, U = "{collection_id}", "{document_id}", "{user_id}"
# Reads first, the document's deletion last: calls run in this order in one test.
ENDPOINTS = [
    Endpoint("GET", "/api/collections", "documents:read", None),
    Endpoint("GET", f"/api/collections/{C}", "documents:read", "viewer"),
    Endpoint("GET", f"/api/collections/{C}/members", "documents:read", "viewer"),
    Endpoint("GET", f"/api/collections/{C}/members/{U}", "documents:read", "viewer"),
    Endpoint("GET", "/api/documents", "documents:read", None),
    Endpoint("GET", f"/api/documents/{D}", "documents:read", "viewer"),
    Endpoint("GET", f"/api/documents/{D}/content", "documents:read", "viewer"),
    Endpoint("GET", f"/api/documents/{D}/versions", "documents:read", "viewer"),
    Endpoint("PATCH", f"/api/documents/{D}", "documents:write", "editor", body={"tags": ["t"]}),
    Endpoint("POST", f"/api/documents/{D}/reindex", "documents:write", "editor", ok=202),
    Endpoint("POST", "/api/documents", "documents:write", "editor", ok=201, upload=True),
    Endpoint("POST", f"/api/documents/{D}/versions", "documents:write", "editor", 201, upload=True),
    Endpoint(
        "PUT",
        f"/api/collections/{C}/members/{U}",
        "documents:write",
        "manager",
        body={"role": "editor"},
    ),
    Endpoint("DELETE", f"/api/collections/{C}/members/{U}", "documents:write", "manager", ok=204),
    Endpoint("POST", f"/api/collections/{C}/reindex", "documents:write", "manager", ok=202),
    Endpoint("POST", "/api/collections", "collections:manage", None, ok=201, body={"name": "New"}),
    Endpoint(
        "PATCH", f"/api/collections/{C}", "collections:manage", "manager", body={"description": "d"}
    ),
    Endpoint("GET", "/api/documents/settings", "documents:read", None),
    Endpoint(
        "PUT",
        "/api/documents/settings",
        "collections:manage",
        None,
        body={"redact_pii_default": False},
    ),
    Endpoint("GET", "/api/documents/ingestion", "collections:manage", None),
    Endpoint("GET", "/api/documents/ingestion/documents", "collections:manage", None),
    Endpoint("POST", "/api/documents/reindex", "collections:manage", None, ok=202),
    Endpoint("DELETE", f"/api/documents/{D}", "documents:write", "editor", ok=204),
    Endpoint("DELETE", f"/api/collections/{C}", "collections:manage", "manager", ok=409),
]
HOLDERS = {
    "documents:read": {"owner", "admin", "editor", "viewer"},
    "documents:write": {"owner", "admin", "editor"},
    "collections:manage": {"owner", "admin"},
}


def test_the_matrix_covers_every_documents_endpoint(base_settings: CoreSettings) -> None:
    declared = {
        route: [repr(d) for d in dependencies]
        for route, dependencies in route_declarations(create_app(base_settings)).items()
        if any(repr(d).startswith("Authorize") for d in dependencies)
    }
    assert {e.route for e in ENDPOINTS} == set(declared)
    for endpoint in ENDPOINTS:
        assert f"Authorize({endpoint.permission!r})" in declared[endpoint.route]


def expected_status(endpoint: Endpoint, profile: Profile, visibility: str) -> int:
    if profile.role not in HOLDERS[endpoint.permission]:
        return 403
    if endpoint.needs is None:
        return endpoint.ok
    role = EXPECTED_ROLE[(profile.name, visibility)]
    if role is None:
        return 404
    if LEVELS[role] < LEVELS[endpoint.needs]:
        return 403
    if endpoint.route.startswith("PUT /api/collections") and visibility == "org":
        return 409  # grants are for restricted collections
    return endpoint.ok


@pytest.mark.parametrize("visibility", ["org", "restricted"])
@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
async def test_every_endpoint_for_every_role_and_grant(
    docs: Documents, session: AsyncSession, profile: Profile, visibility: str
) -> None:
    caller = docs.caller(profile.role)
    grantee = uuid.uuid4()
    grants = {grantee: "viewer"}
    if profile.grant:
        grants[caller.user_id] = profile.grant
    collection = await make_collection(session, docs.org_id, visibility=visibility, grants=grants)
    document = await docs.uploaded(docs.caller("admin"), collection.id)
    ids = {C: str(collection.id), D: document["id"], U: str(grantee)}

    mismatches = []
    for endpoint in ENDPOINTS:
        path = endpoint.path
        for placeholder, value in ids.items():
            path = path.replace(placeholder, value)
        if endpoint.upload:
            data = {"collection_id": str(collection.id)} if "versions" not in path else {}
            answer = await docs.client.request(
                endpoint.method,
                path,
                headers=caller.headers,
                data=data,
                files={"file": ("f.txt", samples.text(), "text/plain")},
            )
        else:
            answer = await docs.client.request(
                endpoint.method, path, headers=caller.headers, json=endpoint.body
            )
        expected = expected_status(endpoint, profile, visibility)
        if answer.status_code != expected:
            mismatches.append(f"{endpoint.route}: {answer.status_code} != {expected}")
        elif expected >= 400:
            assert answer.headers["content-type"] == "application/problem+json"
    assert mismatches == []


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.name)
async def test_lists_show_exactly_what_may_be_read(
    docs: Documents, session: AsyncSession, profile: Profile
) -> None:
    caller = docs.caller(profile.role)
    admin = docs.caller("admin")
    grants = {caller.user_id: profile.grant} if profile.grant else {}
    visible = {}
    for visibility in ("org", "restricted"):
        collection = await make_collection(
            session, docs.org_id, visibility=visibility, grants=grants
        )
        document = await docs.uploaded(admin, collection.id)
        visible[visibility] = (str(collection.id), document["id"])
    await make_collection(session, uuid.uuid4())  # another organization's

    collections = await docs.client.get("/api/collections", headers=caller.headers)
    documents = await docs.client.get("/api/documents", headers=caller.headers)

    readable = [v for v in ("org", "restricted") if EXPECTED_ROLE[(profile.name, v)] is not None]
    assert {c["id"] for c in collections.json()["items"]} == {visible[v][0] for v in readable}
    assert {d["id"] for d in documents.json()["items"]} == {visible[v][1] for v in readable}
    for item in collections.json()["items"]:
        visibility = item["visibility"]
        assert item["role"] == EXPECTED_ROLE[(profile.name, visibility)]


async def test_without_a_valid_token_every_endpoint_is_401(docs: Documents) -> None:
    for endpoint in ENDPOINTS:
        path = endpoint.path.replace(C, str(uuid.uuid4())).replace(D, str(uuid.uuid4()))
        path = path.replace(U, str(uuid.uuid4()))
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            answer = await docs.client.request(endpoint.method, path, headers=headers)
            assert answer.status_code == 401, endpoint.route
            assert answer.headers["www-authenticate"] == "Bearer"


async def test_an_api_key_without_write_permission_cannot_write(
    docs: Documents, session: AsyncSession
) -> None:
    collection = await make_collection(session, docs.org_id)
    key = docs.caller("editor", kind="api_key", perms=["documents:read"], akid=str(uuid.uuid4()))

    assert (await docs.client.get("/api/documents", headers=key.headers)).status_code == 200
    assert (await docs.upload(key, collection.id, b"nope")).status_code == 403
