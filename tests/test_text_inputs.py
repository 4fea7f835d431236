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
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

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
from tests.text_input_cases import (
    BAD_VALUES,
    GENEROUS,
    Spec,
    cases,
    must_be_refused,
    refused_at,
    send,
)


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
