"""Privacy requests at the edges: who may ask, identity unreachable or refusing, answers to
unknown or finished requests, a part gone missing, links, and the stream's forgetting."""

from __future__ import annotations

import time
import uuid
from datetime import UTC
from pathlib import Path

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.privacy.config import PrivacySettings
from sift.audit.privacy.exceptions import IdentityUnavailable, ReauthenticationRefused
from sift.audit.privacy.forgetting import forget_in_redis
from sift.audit.privacy.links import download_path, link_is_valid
from sift.audit.privacy.reauth import IdentityClient
from sift.audit.privacy.receipts import receipt
from sift.audit.privacy.service import privacy_service
from sift.contracts.events import ErasureCompleted, ExportCompleted
from sift.core.auth import Principal
from sift.core.auth.permissions import Role, permissions_for
from sift.core.config import CoreSettings
from sift.core.events.bus import stream_key
from sift.core.http import create_http_client
from sift.core.privacy import ExportPart, part_key, to_jsonable
from sift.core.storage import LocalStorage
from tests import every_service
from tests.every_service import API_KEY, Services
from tests.identity.conftest import PASSWORD

services = every_service.services  # the fixture

SHA = "0" * 64


def owner(user_id: uuid.UUID | None = None) -> Principal:
    return Principal(
        user_id=user_id or uuid.uuid4(),
        org_id=uuid.uuid4(),
        role=Role.owner,
        permissions=permissions_for(Role.owner),
        token_id="t",
    )


async def test_an_api_key_may_not_export_or_erase(services: Services) -> None:
    audit = services.clients["audit"]
    key = services.callers[API_KEY]
    assert (await audit.post("/api/privacy/exports", headers=key)).status_code == 403
    erasure = await audit.post("/api/privacy/erasure", headers=key, json={"password": PASSWORD})
    assert erasure.status_code == 403


async def test_identity_refuses_to_confirm_for_an_api_key(services: Services) -> None:
    import httpx

    transport = httpx.ASGITransport(app=services.apps["identity"])
    async with create_http_client(base_url="http://identity", transport=transport) as client:
        with pytest.raises(ReauthenticationRefused):
            await IdentityClient(client).reauthenticate(
                services.callers[API_KEY]["Authorization"], PASSWORD, None
            )


async def test_an_unreachable_identity_is_a_503_and_opens_nothing(services: Services) -> None:
    audit_app = services.apps["audit"]
    audit_app.state.privacy_identity_client = create_http_client(
        base_url="http://127.0.0.1:9", retries=0
    )
    try:
        answer = await services.clients["audit"].post(
            "/api/privacy/erasure",
            headers=services.callers[Role.owner],
            json={"password": PASSWORD},
        )
    finally:
        await audit_app.state.privacy_identity_client.aclose()
        audit_app.state.privacy_identity_client = None
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    with pytest.raises(IdentityUnavailable):
        async with create_http_client(base_url="http://127.0.0.1:9", retries=0) as client:
            await IdentityClient(client).reauthenticate("Bearer x", PASSWORD, None)


async def test_answers_to_unknown_requests_are_ignored(session: AsyncSession) -> None:
    unknown = uuid.uuid4()
    part = ExportCompleted(
        request_id=unknown,
        user_id=uuid.uuid4(),
        service="search",
        storage_key="privacy/exports/x/parts/search.zip",
        size_bytes=1,
        sha256=SHA,
    )
    assert await privacy_service.record_export_part(session, part, config=PrivacySettings()) is None
    erased = ErasureCompleted(
        request_id=unknown, user_id=uuid.uuid4(), service="search", erased=1, anonymized=0
    )
    assert await privacy_service.record_erasure_part(session, erased) is None


async def test_a_missing_part_fails_the_export_and_late_answers_change_nothing(
    session: AsyncSession, tmp_path: Path
) -> None:
    storage = LocalStorage(tmp_path)
    person = owner()
    request = await privacy_service.request_export(session, person)
    services = list(request.services)
    for service in services:
        key = part_key(request.id, service)
        if service != "search":  # search's part never reached storage
            part = ExportPart(service)
            part.add_json("data.json", {"service": service})
            await part.store(storage, request.id)
        answer = ExportCompleted(
            request_id=request.id,
            user_id=person.user_id,
            service=service,
            storage_key=key,
            size_bytes=1,
            sha256=SHA,
        )
        await privacy_service.record_export_part(
            session, answer, config=PrivacySettings(), storage=storage
        )
    assert request.status == "failed" and request.finished_at is not None
    again = await privacy_service.record_export_part(
        session, answer, config=PrivacySettings(), storage=storage
    )
    assert again is request and request.status == "failed"
    read = privacy_service.export_read(CoreSettings(), request)
    assert read.download_url is None and read.status == "failed"


async def test_a_second_erasure_while_one_runs_is_a_conflict(session: AsyncSession) -> None:
    person = owner()
    first = await privacy_service.request_erasure(session, person, sole_member_org_ids=[])
    from sift.audit.privacy.exceptions import ErasureRunning

    with pytest.raises(ErasureRunning):
        await privacy_service.request_erasure(session, person, sole_member_org_ids=[])
    erased = ErasureCompleted(
        request_id=first.id, user_id=person.user_id, service="identity", erased=1, anonymized=0
    )
    # identity answering before the others does not finish the request.
    await privacy_service.record_erasure_part(session, erased)
    assert first.status == "pending"
    assert first.services["identity"]["status"] == "done"
    assert receipt(first)["services"]["identity"]["erased"] == 1


def test_links_are_bound_to_their_request_and_expiry() -> None:
    settings = CoreSettings()
    request_id = uuid.uuid4()
    from datetime import UTC, datetime, timedelta

    expires_at = datetime.now(UTC) + timedelta(hours=1)
    path = download_path(settings, request_id, expires_at)
    query = dict(part.split("=") for part in path.split("?", 1)[1].split("&"))
    expires, signature = int(query["expires"]), query["signature"]
    now = time.time()
    assert link_is_valid(settings, request_id, expires, signature, now=now)
    assert not link_is_valid(settings, uuid.uuid4(), expires, signature, now=now)
    assert not link_is_valid(settings, request_id, expires + 1, signature, now=now)
    assert not link_is_valid(settings, request_id, expires, signature, now=expires + 1)
    assert not link_is_valid(settings, request_id, expires, "é" * 64, now=now)
    other = settings.model_copy(update={"secret_key": SecretStr("another-secret")})
    assert not link_is_valid(other, request_id, expires, signature, now=now)


async def test_forgetting_walks_the_whole_stream(redis: Redis, settings: CoreSettings) -> None:
    person = str(uuid.uuid4())
    key = stream_key(settings)
    for index in range(2500):
        about = person if index % 500 == 0 else str(uuid.uuid4())
        await redis.xadd(key, {"envelope": f'{{"subject_id": "{about}"}}'})
    await redis.set(settings.redis_key("ratelimit", "user", person), "3")
    await redis.set(settings.redis_key("ratelimit", "user", "someone-else"), "3")

    removed = await forget_in_redis(redis, settings, [person, ""])

    assert removed == 5 + 1
    assert await redis.xlen(key) == 2495
    assert await redis.exists(settings.redis_key("ratelimit", "user", "someone-else"))


def test_values_become_plain_json() -> None:
    from datetime import date, datetime
    from decimal import Decimal
    from enum import Enum

    class Colour(Enum):
        red = "red"

    naive = datetime(2026, 1, 2, 3, 4, 5)
    aware = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert to_jsonable(
        {
            "when": aware,
            "naive": naive,
            "day": date(2026, 1, 2),
            "colour": Colour.red,
            "cost": Decimal("0.10"),
            "raw": b"\x01",
            "tags": ("a", "b"),
        }
    ) == {
        "when": "2026-01-02T03:04:05+00:00",
        "naive": "2026-01-02T03:04:05",
        "day": "2026-01-02",
        "colour": "red",
        "cost": "0.10",
        "raw": "01",
        "tags": ["a", "b"],
    }


async def test_the_only_owner_of_a_shared_organization_must_hand_it_over_first(
    services: Services,
) -> None:
    audit = services.clients["audit"]
    refused = await audit.post(
        "/api/privacy/erasure", headers=services.callers[Role.owner], json={"password": PASSWORD}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("organization-needs-an-owner")
    assert "another member an owner" in refused.json()["detail"]
    # The admin is no owner: their erasure is accepted.
    accepted = await audit.post(
        "/api/privacy/erasure", headers=services.callers[Role.admin], json={"password": PASSWORD}
    )
    assert accepted.status_code == 202, accepted.text
    progress = await audit.get(
        f"/api/privacy/requests/{accepted.json()['id']}", headers=services.callers[Role.admin]
    )
    assert progress.json()["status"] == "pending"
    await services.apps["audit"].state.privacy_identity_client.aclose()
