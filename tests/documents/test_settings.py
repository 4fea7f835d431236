"""The organization's document defaults: who sets them, what they refuse, and a new
collection taking the redaction default when it names none."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import OrganizationErasureRequested
from sift.documents.privacy.service import documents_privacy_service
from sift.documents.settings.repository import settings_repository
from tests.documents.conftest import Documents

URL = "/api/documents/settings"


async def _create(docs: Documents, role: str = "admin", **body: Any) -> dict[str, Any]:
    answer = await docs.client.post(
        "/api/collections", headers=docs.caller(role).headers, json={"name": "C", **body}
    )
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    await docs.client.delete(
        f"/api/collections/{created['id']}", headers=docs.caller("admin").headers
    )
    return created


async def test_new_collections_take_the_organizations_redaction_default(docs: Documents) -> None:
    admin = docs.caller("admin")
    before = await docs.client.get(URL, headers=docs.caller("viewer").headers)
    assert before.json() == {"redact_pii_default": False, "updated_at": None}
    assert (await _create(docs))["redact_pii"] is False

    changed = await docs.client.put(URL, headers=admin.headers, json={"redact_pii_default": True})
    assert changed.status_code == 200, changed.text
    assert changed.json()["redact_pii_default"] is True and changed.json()["updated_at"]
    seen = await docs.client.get(URL, headers=docs.caller("editor").headers)
    assert seen.json()["redact_pii_default"] is True

    assert (await _create(docs))["redact_pii"] is True
    assert (await _create(docs, redact_pii=None))["redact_pii"] is True
    # An explicit value wins over the default.
    assert (await _create(docs, redact_pii=False))["redact_pii"] is False
    # Dropping originals needs redaction, which the default now provides.
    dropping = await _create(docs, keep_original_files=False)
    assert dropping["redact_pii"] is True and dropping["keep_original_files"] is False

    # Another organization keeps its own default.
    other = docs.caller("admin", org_id=uuid.uuid4())
    elsewhere = await docs.client.get(URL, headers=other.headers)
    assert elsewhere.json()["redact_pii_default"] is False

    back = await docs.client.put(URL, headers=admin.headers, json={"redact_pii_default": False})
    assert back.json()["redact_pii_default"] is False
    assert (await _create(docs))["redact_pii"] is False
    refused = await docs.client.post(
        "/api/collections",
        headers=admin.headers,
        json={"name": "Drop", "keep_original_files": False},
    )
    assert refused.status_code == 422


@pytest.mark.parametrize("role", ["editor", "viewer"])
async def test_only_admins_and_owners_change_the_defaults(docs: Documents, role: str) -> None:
    answer = await docs.client.put(
        URL, headers=docs.caller(role).headers, json={"redact_pii_default": True}
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    owner = await docs.client.put(
        URL, headers=docs.caller("owner").headers, json={"redact_pii_default": True}
    )
    assert owner.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"redact_pii_default": None},
        {"redact_pii_default": "yes"},
        {"redact_pii_default": 1},
        {"redact_pii_default": True, "keep_original_files_default": False},
    ],
)
async def test_bad_defaults_are_refused(docs: Documents, body: dict[str, Any]) -> None:
    answer = await docs.client.put(URL, headers=docs.caller("admin").headers, json=body)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"]


async def test_an_organizations_erasure_takes_its_defaults(
    docs: Documents, session: AsyncSession
) -> None:
    admin = docs.caller("admin")
    await docs.client.put(URL, headers=admin.headers, json={"redact_pii_default": True})
    assert await settings_repository.get(session, docs.org_id) is not None
    await documents_privacy_service.erase_organization(
        session,
        OrganizationErasureRequested(request_id=uuid.uuid4(), org_id=docs.org_id),
        storage=docs.storage,
    )
    assert await settings_repository.get(session, docs.org_id) is None
