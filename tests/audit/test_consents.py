"""`/api/privacy/consents`: each choice appended, the latest of a kind is the answer, every
change an event; only the signed-in person, about themselves."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.consents.models import ConsentRecord
from sift.audit.models import OutboxEvent
from sift.audit.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from sift.core.auth.permissions import Role
from tests import every_service
from tests.audit.conftest import AuditApi
from tests.every_service import API_KEY, Services

services = every_service.services  # the fixture

URL = "/api/privacy/consents"


async def test_without_a_choice_analytics_is_off_and_product_email_on(api: AuditApi) -> None:
    me = api.caller("viewer")
    answer = await api.client.get(URL, headers=me.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"analytics": False, "product_email": True, "history": []}


async def test_partial_updates_keep_the_other_consent_and_history_is_newest_first(
    api: AuditApi, session: AsyncSession
) -> None:
    me = api.caller("viewer")
    steps = [
        {"analytics": True},
        {"product_email": False},
        {"analytics": True},  # no change: nothing recorded
        {"analytics": False, "product_email": False},  # only analytics changes
    ]
    for body in steps:
        answer = await api.client.put(URL, headers=me.headers, json=body)
        assert answer.status_code == 200, answer.text

    read = (await api.client.get(URL, headers=me.headers)).json()
    assert (read["analytics"], read["product_email"]) == (False, False)
    assert [(c["kind"], c["granted"]) for c in read["history"]] == [
        ("analytics", False),
        ("product_email", False),
        ("analytics", True),
    ]
    times = [c["at"] for c in read["history"]]
    assert times == sorted(times, reverse=True)
    assert answer.json() == read  # the PUT answers the new state too

    events = (
        await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.type == "consent.changed")
            .order_by(OutboxEvent.id)
        )
    ).all()
    assert [(e.envelope["data"]["kind"], e.envelope["data"]["granted"]) for e in events] == [
        ("analytics", True),
        ("product_email", False),
        ("analytics", False),
    ]
    assert {e.envelope["actor_id"] for e in events} == {str(me.user_id)}
    assert {e.envelope["data"]["user_id"] for e in events} == {str(me.user_id)}


async def test_a_first_explicit_choice_is_recorded_even_when_it_is_the_default(
    api: AuditApi,
) -> None:
    me = api.caller("viewer")
    answer = await api.client.put(URL, headers=me.headers, json={"product_email": True})
    assert [(c["kind"], c["granted"]) for c in answer.json()["history"]] == [
        ("product_email", True)
    ]


async def test_consents_are_per_person_not_per_organization(api: AuditApi) -> None:
    me = api.caller("owner")
    await api.client.put(URL, headers=me.headers, json={"analytics": True})
    in_another_org = api.caller("viewer", user_id=me.user_id, org_id=uuid.uuid4())
    assert (await api.client.get(URL, headers=in_another_org.headers)).json()["analytics"] is True
    someone_else = api.caller("owner", org_id=api.org_id)
    theirs = (await api.client.get(URL, headers=someone_else.headers)).json()
    assert theirs == {"analytics": False, "product_email": True, "history": []}


async def test_without_a_token_it_is_401(api: AuditApi) -> None:
    for answer in (
        await api.client.get(URL),
        await api.client.put(URL, json={"analytics": True}),
        await api.client.get(URL, headers={"Authorization": "Bearer not-a-token"}),
    ):
        assert answer.status_code == 401, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"analytics": "yes"},
        {"analytics": 1},
        {"product_email": None},
        {"cookies": True},
        {"analytics": True, "marketing": True},
        [],
        "true",
    ],
)
async def test_a_bad_body_is_a_422_and_records_nothing(
    api: AuditApi, session: AsyncSession, body: object
) -> None:
    me = api.caller("viewer")
    answer = await api.client.put(URL, headers=me.headers, json=body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"]
    assert (await session.scalars(select(ConsentRecord))).all() == []


async def test_no_choice_while_the_account_is_erased(api: AuditApi, session: AsyncSession) -> None:
    me = api.caller("viewer")
    session.add(
        PrivacyRequest(
            kind=RequestKind.erasure,
            status=RequestStatus.pending,
            user_id=me.user_id,
            services={},
        )
    )
    await session.flush()
    answer = await api.client.put(URL, headers=me.headers, json={"analytics": True})
    assert answer.status_code == 409, answer.text
    assert answer.json()["type"].endswith("account-being-erased")
    assert (await session.scalars(select(ConsentRecord))).all() == []


async def test_every_role_has_its_own_consents_but_an_api_key_has_none(
    services: Services,
) -> None:
    audit = services.clients["audit"]
    for role in Role:
        headers = services.callers[role]
        assert (await audit.get(URL, headers=headers)).status_code == 200, role
        changed = await audit.put(URL, headers=headers, json={"analytics": True})
        assert changed.status_code == 200, role
    key = services.callers[API_KEY]
    assert (await audit.get(URL, headers=key)).status_code == 403
    assert (await audit.put(URL, headers=key, json={"analytics": True})).status_code == 403
