"""People of the privacy flows and what they do through the services' APIs: sign up, join
an organization, turn on two-factor sign-in, upload, ask for an export."""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass

import pyotp

from sift.identity.models import Membership
from tests.audit.privacy.world import World
from tests.identity.conftest import PASSWORD

TOTP_SECRET_FIELD = "secret"


@dataclass
class Person:
    user_id: uuid.UUID
    email: str
    name: str
    org_id: uuid.UUID  # the personal organization
    token: str
    team_token: str = ""
    recovery_code: str | None = None
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def team_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.team_token}"}


async def sign_up(world: World, email: str, name: str) -> Person:
    answer = await world.clients["identity"].post(
        "/api/auth/signup", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    token = body["access_token"]
    me = await world.clients["identity"].get(
        "/api/users/me", headers={"Authorization": f"Bearer {token}"}
    )
    orgs = await world.clients["identity"].get(
        "/api/orgs", headers={"Authorization": f"Bearer {token}"}
    )
    [personal] = orgs.json()["items"]
    return Person(
        user_id=uuid.UUID(me.json()["id"]),
        email=email,
        name=name,
        org_id=uuid.UUID(personal["id"]),
        token=token,
    )


async def create_team(world: World, owner: Person, name: str = "Harbour team") -> uuid.UUID:
    created = await world.clients["identity"].post(
        "/api/orgs", headers=owner.headers, json={"name": name}
    )
    assert created.status_code == 201, created.text
    org_id = uuid.UUID(created.json()["id"])
    owner.team_token = await switch(world, owner, org_id)
    return org_id


async def join(world: World, person: Person, org_id: uuid.UUID, role: str = "editor") -> None:
    async with world.database.sessionmaker() as session, session.begin():
        session.add(Membership(org_id=org_id, user_id=person.user_id, role=role))
    person.team_token = await switch(world, person, org_id)


async def switch(world: World, person: Person, org_id: uuid.UUID) -> str:
    switched = await world.clients["identity"].post(
        f"/api/orgs/{org_id}/switch", headers=person.headers
    )
    assert switched.status_code == 200, switched.text
    token: str = switched.json()["access_token"]
    return token


async def enable_totp(world: World, person: Person) -> None:
    identity = world.clients["identity"]
    setup = await identity.post(
        "/api/auth/mfa/totp/setup", headers=person.headers, json={"password": PASSWORD}
    )
    assert setup.status_code == 200, setup.text
    code = pyotp.TOTP(setup.json()[TOTP_SECRET_FIELD]).now()
    enabled = await identity.post(
        "/api/auth/mfa/totp/enable", headers=person.headers, json={"code": code}
    )
    assert enabled.status_code == 200, enabled.text
    person.recovery_code = enabled.json()["recovery_codes"][0]


async def collection(world: World, headers: dict[str, str], name: str) -> str:
    created = await world.clients["documents"].post(
        "/api/collections", headers=headers, json={"name": name}
    )
    assert created.status_code == 201, created.text
    collection_id: str = created.json()["id"]
    return collection_id


async def upload(
    world: World, headers: dict[str, str], collection_id: str, filename: str, content: bytes
) -> str:
    uploaded = await world.clients["documents"].post(
        "/api/documents",
        headers=headers,
        data={"collection_id": collection_id},
        files={"file": (filename, content, "text/plain")},
    )
    assert uploaded.status_code == 201, uploaded.text
    document_id: str = uploaded.json()["id"]
    return document_id


async def new_version(
    world: World, headers: dict[str, str], document_id: str, content: bytes
) -> None:
    added = await world.clients["documents"].post(
        f"/api/documents/{document_id}/versions",
        headers=headers,
        files={"file": ("notes-v2.txt", content, "text/plain")},
    )
    assert added.status_code in (200, 201), added.text


async def export(world: World, person: Person) -> bytes:
    """Asks for an export, lets the services answer, downloads the archive."""
    audit = world.clients["audit"]
    asked = await audit.post("/api/privacy/exports", headers=person.headers)
    assert asked.status_code == 202, asked.text
    request_id = asked.json()["id"]
    pending = await audit.get(f"/api/privacy/exports/{request_id}", headers=person.headers)
    assert pending.json()["status"] == "pending"
    await world.pump()
    ready = await audit.get(f"/api/privacy/exports/{request_id}", headers=person.headers)
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready", body
    assert set(body["services"].values()) == {"done"}
    downloaded = await audit.get(body["download_url"])
    assert downloaded.status_code == 200, downloaded.text
    assert downloaded.headers["content-type"] == "application/zip"
    return downloaded.content


def archive_entries(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return {name: opened.read(name) for name in opened.namelist()}
