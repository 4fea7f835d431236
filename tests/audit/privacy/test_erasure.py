"""Erasure end to end: re-authentication, every service's part, then the account; afterwards
no table, stored file or Redis key names the person."""

from __future__ import annotations

import uuid
from pathlib import Path

from redis.asyncio import Redis
from sqlalchemy import select, text

from sift import SERVICES
from sift.audit.consents.models import ConsentRecord
from sift.audit.privacy.models import PrivacyRequest
from sift.core.db import Database
from sift.core.events.bus import stream_key
from sift.core.privacy import ERASED_USER_ID
from sift.documents.models import Document
from sift.notifications.consents.models import ProductEmailConsent
from sift.search.models import Chunk
from tests.audit.privacy.busy import (
    ALICE_FILE_V1,
    ALICE_FILE_V2,
    ALICE_SHARED_FILE,
    BOB_FILE,
    busy_people,
)
from tests.audit.privacy.people import Person, sign_up
from tests.audit.privacy.world import World
from tests.identity.conftest import PASSWORD


async def columns_mentioning(database: Database, needles: list[str]) -> list[str]:
    """Every column of every table of every service schema whose text holds a needle."""
    found: list[str] = []
    async with database.engine.connect() as conn:
        columns = (
            await conn.execute(
                text(
                    "SELECT c.table_schema, c.table_name, c.column_name "
                    "FROM information_schema.columns c JOIN information_schema.tables t "
                    "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
                    "WHERE c.table_schema = ANY(:schemas) AND t.table_type = 'BASE TABLE'"
                ),
                {"schemas": list(SERVICES)},
            )
        ).all()
        for schema, table, column in columns:
            for needle in needles:
                hits = await conn.scalar(
                    text(
                        f'SELECT count(*) FROM "{schema}"."{table}" '
                        f'WHERE strpos(lower(CAST("{column}" AS text)), :needle) > 0'
                    ),
                    {"needle": needle.lower()},
                )
                if hits:
                    found.append(f"{schema}.{table}.{column} holds {needle!r} ({hits} rows)")
    return found


async def redis_mentioning(redis: Redis, prefix: str, needles: list[str]) -> list[str]:
    """Redis keys under the test's prefix whose name or value holds a needle."""
    encoded = [needle.encode() for needle in needles]
    found: list[str] = []
    async for key in redis.scan_iter(match=f"{prefix}*", count=1000):
        kind = (await redis.type(key)).decode()
        values: list[bytes] = [key]
        if kind == "string":
            values.append(await redis.get(key) or b"")
        elif kind == "hash":
            values.extend(b"%s=%s" % pair for pair in (await redis.hgetall(key)).items())
        elif kind == "list":
            values.extend(await redis.lrange(key, 0, -1))
        elif kind == "set":
            values.extend(await redis.smembers(key))
        elif kind == "zset":
            values.extend(await redis.zrange(key, 0, -1))
        elif kind == "stream":
            for _, fields in await redis.xrange(key):
                values.extend(fields.values())
        for needle in encoded:
            if any(needle in value for value in values):
                found.append(f"{key.decode()} ({kind}) holds {needle.decode()!r}")
    return found


def files_mentioning(root: Path, needles: list[bytes]) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file():
            content = path.read_bytes() + str(path.relative_to(root)).encode()
            found.extend(
                f"{path.relative_to(root)} holds {needle!r}"
                for needle in needles
                if needle in content
            )
    return found


def traces(person: Person) -> list[str]:
    return [str(person.user_id), person.email, person.name]


async def test_an_erased_person_leaves_nothing_behind_but_the_receipt(world: World) -> None:
    busy = await busy_people(world)
    alice, bob = busy.alice, busy.bob
    audit = world.clients["audit"]
    async with world.database.read_sessionmaker() as session:
        assert (await session.scalars(select(ConsentRecord))).all()
        [withdrawn] = (await session.scalars(select(ProductEmailConsent))).all()
        assert (withdrawn.user_id, withdrawn.granted) == (alice.user_id, False)
    # Each scan does find her before.
    assert await columns_mentioning(world.database, traces(alice))
    assert await redis_mentioning(world.redis, world.settings.redis_prefix, traces(alice))
    assert files_mentioning(world.storage_root, [ALICE_FILE_V1, ALICE_FILE_V2])

    wrong = await audit.post(
        "/api/privacy/erasure",
        headers=alice.headers,
        json={"password": "not my password", "mfa_code": alice.recovery_code},
    )
    assert wrong.status_code == 401, wrong.text
    no_code = await audit.post(
        "/api/privacy/erasure", headers=alice.headers, json={"password": PASSWORD}
    )
    assert no_code.status_code == 401, no_code.text
    async with world.database.read_sessionmaker() as session:
        assert (await session.scalars(select(PrivacyRequest))).all() == []

    asked = await audit.post(
        "/api/privacy/erasure",
        headers=alice.headers,
        json={"password": PASSWORD, "mfa_code": alice.recovery_code},
    )
    assert asked.status_code == 202, asked.text
    request_id = asked.json()["id"]
    again = await audit.post(
        "/api/privacy/erasure",
        headers=alice.headers,
        json={"password": PASSWORD, "mfa_code": alice.recovery_code},
    )
    assert again.status_code == 409, again.text
    progress = await audit.get(f"/api/privacy/requests/{request_id}", headers=alice.headers)
    assert progress.json()["kind"] == "erasure"
    assert set(progress.json()["services"].values()) == {"pending"}
    # Documents answers first; the others (say they are down) answer when they come back.
    await world.step("documents", "audit.privacy")
    progress = await audit.get(f"/api/privacy/requests/{request_id}", headers=alice.headers)
    assert progress.json()["services"] == {
        "documents": "done",
        "search": "pending",
        "assistant": "pending",
        "notifications": "pending",
        "identity": "pending",
    }
    assert progress.json()["status"] == "pending"

    await world.settle()

    # She can no longer sign in; her personal collection and document are gone with their
    # blobs and chunks; her upload to the team stays with the team, uploader anonymized.
    signed_in = await world.clients["identity"].post(
        "/api/auth/login", json={"email": alice.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 401
    async with world.database.read_sessionmaker() as session:
        documents = {str(d.id): d for d in await session.scalars(select(Document))}
        assert set(documents) == {busy.alice_shared_document, busy.bob_document}
        assert documents[busy.alice_shared_document].created_by == ERASED_USER_ID
        chunked = set(await session.scalars(select(Chunk.document_id).distinct()))
        assert {str(d) for d in chunked} == {busy.alice_shared_document, busy.bob_document}
        [request] = (await session.scalars(select(PrivacyRequest))).all()
        # Her consents and the choice notifications kept of them went too.
        assert (await session.scalars(select(ConsentRecord))).all() == []
        assert (await session.scalars(select(ProductEmailConsent))).all() == []
    assert (request.status, request.user_id) == ("done", None)
    assert request.receipt is not None
    assert set(request.receipt["services"]) == {
        "identity",
        "documents",
        "search",
        "assistant",
        "notifications",
    }
    assert request.receipt["services"]["documents"]["anonymized"] >= 1

    leftovers = [
        *await columns_mentioning(world.database, traces(alice)),
        *await redis_mentioning(world.redis, world.settings.redis_prefix, traces(alice)),
        *files_mentioning(
            world.storage_root, [t.encode() for t in traces(alice)] + [ALICE_FILE_V1, ALICE_FILE_V2]
        ),
    ]
    assert leftovers == [], "\n".join(leftovers)
    remaining = await world.redis.xrange(stream_key(world.settings))
    assert remaining  # the stream itself lives on, for everyone else

    # The team she belonged to keeps the receipt in its audit log: counts, no name.
    log = await audit.get(
        "/api/audit/events",
        headers=bob.team_headers,
        params={"action": "privacy.member_erased"},
    )
    assert log.status_code == 200, log.text
    [entry] = log.json()["items"]
    assert (entry["target_type"], entry["target_id"], entry["actor"]) == (
        "request",
        request_id,
        None,
    )
    assert set(entry["data"]["services"]) == set(request.receipt["services"])
    assert entry["data"]["services"]["documents"]["anonymized"] >= 1

    # Bob and the team's file are untouched.
    assert files_mentioning(world.storage_root, [BOB_FILE, ALICE_SHARED_FILE]) != []
    bob_signs_in = await world.clients["identity"].post(
        "/api/auth/login", json={"email": bob.email, "password": PASSWORD}
    )
    assert bob_signs_in.status_code == 200, bob_signs_in.text
    found = await world.clients["search"].post(
        "/api/search", headers=bob.team_headers, json={"query": "crane load test"}
    )
    assert busy.alice_shared_document in {item["document_id"] for item in found.json()["items"]}


async def test_erasure_needs_the_owner_of_the_token_and_a_known_request(world: World) -> None:
    person = await sign_up(world, "erin.marigold@example.com", "Erin Marigold")
    audit = world.clients["audit"]
    unknown = await audit.get(f"/api/privacy/requests/{uuid.uuid4()}", headers=person.headers)
    assert unknown.status_code == 404
    anonymous = await audit.post("/api/privacy/erasure", json={"password": PASSWORD})
    assert anonymous.status_code == 401
    empty = await audit.post("/api/privacy/erasure", headers=person.headers, json={"password": ""})
    assert empty.status_code == 422
