"""`/api/audit`: admins and owners read, filter, page, export and verify their log."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.log.models import AuditEntry
from sift.audit.log.service import audit_log_service
from sift.contracts.events.documents import CollectionCreated, CollectionVisibilityName
from sift.contracts.events.identity import LoginSucceeded, MemberRemoved, SignupMethod
from tests.audit.conftest import AuditApi, envelope

PROBLEM = "application/problem+json"


async def _log(
    session: AsyncSession, org: uuid.UUID, admin: uuid.UUID, member: uuid.UUID
) -> list[AuditEntry]:
    """Three things in the organization: a sign-in, a collection, a member removed."""
    return [
        await audit_log_service.append(
            session,
            envelope(
                LoginSucceeded(
                    user_id=admin,
                    session_id=uuid.uuid4(),
                    method=SignupMethod.password,
                    email="admin@example.org",
                ),
                org_id=org,
                actor_id=admin,
                ip="203.0.113.9",
                user_agent="Mozilla/5.0 Firefox/140",
            ),
        ),
        await audit_log_service.append(
            session,
            envelope(
                CollectionCreated(
                    collection_id=uuid.uuid4(),
                    visibility=CollectionVisibilityName.org,
                    created_by=member,
                ),
                org_id=org,
                actor_id=member,
                producer="documents",
            ),
        ),
        await audit_log_service.append(
            session,
            envelope(
                MemberRemoved(org_id=org, user_id=member, role="editor"),
                org_id=org,
                actor_id=admin,
            ),
        ),
    ]


async def test_admins_list_their_organizations_log_newest_first(
    api: AuditApi, session: AsyncSession
) -> None:
    admin = api.caller("admin")
    member = uuid.uuid4()
    login, _, removed = await _log(session, api.org_id, admin.user_id, member)
    await _log(session, uuid.uuid4(), uuid.uuid4(), uuid.uuid4())  # another organization

    body = await api.events(admin)
    assert [item["seq"] for item in body["items"]] == [3, 2, 1]
    assert body["next_cursor"] is None
    first = body["items"][2]
    assert first["id"] == str(login.id) and first["action"] == "auth.login_succeeded"
    assert first["actor"] == {
        "id": str(admin.user_id),
        "label": "admin@example.org",
        "pseudonym": login.actor,
    }
    assert (first["ip"], first["user_agent"]) == ("203.0.113.9", "Mozilla/5.0 Firefox/140")
    assert (first["target_type"], first["target_id"]) == ("user", str(admin.user_id))
    assert first["hash"] == login.hash and first["prev_hash"] == "0" * 64
    last = body["items"][0]
    assert (last["target_type"], last["target_id"]) == ("user", str(member))
    assert last["prev_hash"] == body["items"][1]["hash"] and last["id"] == str(removed.id)


async def test_filters_and_cursor_pages(api: AuditApi, session: AsyncSession) -> None:
    admin = api.caller("owner")
    member = uuid.uuid4()
    entries = await _log(session, api.org_id, admin.user_id, member)

    mine = await api.events(admin, actor_id=str(admin.user_id))
    assert [item["seq"] for item in mine["items"]] == [3, 1]
    assert (await api.events(admin, actor_id=str(uuid.uuid4())))["items"] == []
    created = await api.events(admin, action="collection.created")
    assert [item["seq"] for item in created["items"]] == [2]
    about_member = await api.events(admin, target_type="user", target_id=str(member))
    assert [item["seq"] for item in about_member["items"]] == [3]
    later = entries[0].occurred_at + timedelta(microseconds=1)
    window = await api.events(
        admin, **{"from": entries[0].occurred_at.isoformat(), "to": later.isoformat()}
    )
    assert [item["seq"] for item in window["items"]] == [1]

    page = await api.events(admin, limit=2)
    assert [item["seq"] for item in page["items"]] == [3, 2]
    rest = await api.events(admin, limit=2, cursor=page["next_cursor"])
    assert [item["seq"] for item in rest["items"]] == [1] and rest["next_cursor"] is None


@pytest.mark.parametrize("role", ["viewer", "editor"])
@pytest.mark.parametrize(
    "path", ["/api/audit/events", "/api/audit/events/export", "/api/audit/verify"]
)
async def test_members_who_are_not_admins_are_refused(api: AuditApi, role: str, path: str) -> None:
    answer = await api.client.get(path, headers=api.caller(role).headers)
    assert answer.status_code == 403
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert (await api.client.get(path)).status_code == 401


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"cursor": "!"}, 400),
        ({"cursor": "WyIwIl0"}, 400),  # ["0"]
        ({"from": "2026-12-04T10:00:00"}, 400),  # no time zone
        ({"from": "2026-12-04T10:00:00Z", "to": "2026-12-04T09:00:00Z"}, 400),
        ({"action": "DROP TABLE"}, 422),
        ({"actor_id": "me"}, 422),
        ({"limit": 101}, 422),
    ],
)
async def test_bad_parameters_are_problems(
    api: AuditApi, params: dict[str, object], status: int
) -> None:
    answer = await api.client.get("/api/audit/events", params=params, headers=api.caller().headers)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)


async def test_exports_stream_every_matching_entry_as_csv_or_json(
    api: AuditApi, session: AsyncSession
) -> None:
    admin = api.caller("admin")
    entries = await _log(session, api.org_id, admin.user_id, uuid.uuid4())

    answer = await api.client.get(
        "/api/audit/events/export", params={"format": "csv"}, headers=admin.headers
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [row["id"] for row in rows] == [str(entry.id) for entry in entries]  # oldest first
    assert rows[0]["actor_id"] == str(admin.user_id) and rows[0]["ip"] == "203.0.113.9"
    assert json.loads(rows[1]["data"])["visibility"] == "org"

    answer = await api.client.get(
        "/api/audit/events/export",
        params={"format": "json", "actor_id": str(admin.user_id)},
        headers=admin.headers,
    )
    assert answer.status_code == 200
    assert [item["seq"] for item in answer.json()] == [1, 3]
    empty = await api.client.get(
        "/api/audit/events/export",
        params={"format": "json", "action": "auth.mfa_enabled"},
        headers=admin.headers,
    )
    assert empty.json() == []


async def test_verify_passes_then_names_the_entry_changed_behind_the_databases_back(
    api: AuditApi, session: AsyncSession
) -> None:
    admin = api.caller("admin")
    entries = await _log(session, api.org_id, admin.user_id, uuid.uuid4())
    answer = await api.client.get("/api/audit/verify", headers=admin.headers)
    assert answer.json() == {
        "ok": True,
        "checked": 3,
        "first_mismatch_seq": None,
        "first_mismatch_id": None,
        "first_seq": 1,
    }

    await session.execute(text("ALTER TABLE audit.entries DISABLE TRIGGER entries_append_only"))
    await session.execute(
        text("UPDATE audit.entries SET occurred_at = :when WHERE id = :id"),
        {"when": datetime(2020, 1, 1, tzinfo=UTC), "id": entries[1].id},
    )
    await session.execute(text("ALTER TABLE audit.entries ENABLE TRIGGER entries_append_only"))
    answer = await api.client.get("/api/audit/verify", headers=admin.headers)
    assert answer.json() == {
        "ok": False,
        "checked": 2,
        "first_mismatch_seq": 2,
        "first_mismatch_id": str(entries[1].id),
        "first_seq": 1,
    }
