"""`sift seed load`: users, organizations, collections and documents for load tests.

Load tests must not sign up through HTTP (sign-up is rate limited and hashes a password
per account), so this writes the rows in-process through the services' own code: users
share one password hash, each team of users gets an organization, each organization its
collections, and every user a session whose access and refresh tokens go to a JSON file
the k6 scripts read. Documents are uploaded through the documents service's upload code
(stored blob, `document.uploaded` in its outbox), so a running stack's relay, consumers
and workers index them by the real ingestion path; without a stack they wait in the
outbox until one runs.

Re-running with the same or larger numbers reuses what exists (users by e-mail,
collections by name, documents by content) and mints fresh sessions.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import structlog
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth import Principal
from sift.core.auth.config import AuthSettings
from sift.core.auth.permissions import Role, permissions_for
from sift.core.config import CoreSettings, Environment
from sift.core.db import Database
from sift.core.storage import Storage, create_storage
from sift.documents.collections.schemas import CollectionCreate
from sift.documents.collections.service import collection_service
from sift.documents.documents.repository import document_repository
from sift.documents.documents.uploads import document_upload_service
from sift.documents.models import Collection
from sift.identity.accounts.passwords import hash_password
from sift.identity.accounts.repository import user_repository
from sift.identity.accounts.service import password_hasher
from sift.identity.config import get_identity_settings
from sift.identity.keys.store import KeyStore
from sift.identity.models import Membership, User
from sift.identity.orgs.repository import membership_repository
from sift.identity.orgs.service import organization_service
from sift.identity.sessions.service import session_service
from sift.identity.tokens.access import issue_access_token
from sift.identity.web import ClientInfo, IdentityContext

log = structlog.get_logger()

SEED_ENVIRONMENTS = (Environment.development, Environment.test)
PASSWORD = "load-Test-Password-2026!"  # noqa: S105 (throwaway accounts of a dev/test stack)
EMAIL_DOMAIN = "load.example.com"
USER_AGENT = "sift seed load"
# Words the documents are made of; the k6 search scenarios query them, so every query
# finds something in every organization.
VOCABULARY = tuple(
    " ".join(
        (
            "invoice contract renewal budget forecast quarterly revenue supplier warranty",
            "onboarding handbook security policy incident report backup restore migration",
            "database latency throughput capacity planning roadmap release checklist audit",
            "compliance privacy retention archive customer support escalation training",
            "architecture diagram deployment kubernetes gateway certificate rotation",
        )
    ).split()
)


class SeedRefused(RuntimeError):
    """Seeding was asked for outside development or test."""


@dataclass
class SeededUser:
    email: str
    user_id: str
    org_id: str
    role: str
    access_token: str
    refresh_token: str


@dataclass
class SeededOrg:
    org_id: str
    collection_ids: list[str] = field(default_factory=list)
    document_ids: list[str] = field(default_factory=list)


@dataclass
class SeedResult:
    created_at: str
    password: str
    access_token_seconds: int
    users: list[SeededUser]
    orgs: list[SeededOrg]
    queries: list[str]

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=1))
        path.chmod(0o600)  # holds live tokens


@dataclass(frozen=True)
class SeedPlan:
    users: int
    documents: int
    team_size: int = 10
    collections_per_org: int = 2

    def __post_init__(self) -> None:
        if self.users < 1 or self.documents < 0 or self.team_size < 1:
            raise ValueError("users and team size must be at least 1, documents at least 0")
        if self.collections_per_org < 1:
            raise ValueError("collections per organization must be at least 1")


def check_environment(env: Environment) -> None:
    if env not in SEED_ENVIRONMENTS:
        raise SeedRefused(
            f"refused in the {env} environment: seeding writes known passwords and "
            "live tokens; set SIFT_ENV=development or test"
        )


def user_email(index: int) -> str:
    return f"load-{index:05d}@{EMAIL_DOMAIN}"


def document_text(index: int) -> bytes:
    """A small plain-text document, the same bytes for the same index (re-runs reuse it)."""
    rng = random.Random(index)
    sentences = [
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(8, 16))).capitalize() + "."
        for _ in range(rng.randint(6, 14))
    ]
    return f"Load document {index}\n\n{' '.join(sentences)}\n".encode()


class BytesUpload:
    """An in-memory file in the shape of FastAPI's `UploadFile` (what uploads read)."""

    def __init__(self, filename: str, content: bytes) -> None:
        self.filename: str | None = filename
        self._content = content
        self._offset = 0

    async def read(self, size: int = -1) -> bytes:
        end = len(self._content) if size < 0 else self._offset + size
        chunk = self._content[self._offset : end]
        self._offset += len(chunk)
        return chunk


def _owner(user_id: uuid.UUID, org_id: uuid.UUID) -> Principal:
    return Principal(
        user_id=user_id,
        org_id=org_id,
        role=Role.owner,
        permissions=permissions_for(Role.owner),
        token_id="seed",  # noqa: S106 (no token: the seed acts in-process)
    )


class LoadSeeder:
    def __init__(
        self,
        database: Database,
        settings: CoreSettings,
        *,
        storage: Storage | None = None,
        auth: AuthSettings | None = None,
    ) -> None:
        self.database = database
        self.settings = settings
        self.storage = storage or create_storage(settings)
        self.context = IdentityContext(settings, get_identity_settings(), auth or AuthSettings())
        # The key store reads the signing keys through `app.state.database`, as in identity.
        holder = FastAPI()
        holder.state.database = database
        self.keys = KeyStore(holder, self.context)

    async def run(self, plan: SeedPlan) -> SeedResult:
        password_hash = await hash_password(password_hasher(self.context), PASSWORD)
        members: list[tuple[User, Membership]] = []
        async with self.database.sessionmaker() as session:
            for index in range(plan.users):
                team, place = divmod(index, plan.team_size)
                leader = members[index - place][0] if place else None
                members.append(await self._user(session, index, team, password_hash, leader))
            await session.commit()
        org_ids = list(dict.fromkeys(m.org_id for _, m in members))
        leaders = {m.org_id: user.id for user, m in members if m.role == Role.owner}
        for user, membership in members:  # a team whose owner was seeded in another team
            leaders.setdefault(membership.org_id, user.id)
        orgs = [SeededOrg(str(org_id)) for org_id in org_ids]
        for org in orgs:
            org_id = uuid.UUID(org.org_id)
            org.collection_ids = await self._collections(
                _owner(leaders[org_id], org_id), plan.collections_per_org
            )
        for index in range(plan.documents):
            org = orgs[index % len(orgs)]
            org_id = uuid.UUID(org.org_id)
            collection_id = org.collection_ids[(index // len(orgs)) % len(org.collection_ids)]
            document_id = await self._document(
                _owner(leaders[org_id], org_id), uuid.UUID(collection_id), index
            )
            org.document_ids.append(document_id)
        users = [await self._session(user, membership) for user, membership in members]
        log.info("seed.load_done", users=len(users), orgs=len(orgs), documents=plan.documents)
        return SeedResult(
            created_at=datetime.now(UTC).isoformat(),
            password=PASSWORD,
            access_token_seconds=self.context.auth.access_token_seconds,
            users=users,
            orgs=orgs,
            queries=list(VOCABULARY),
        )

    async def _user(
        self,
        session: AsyncSession,
        index: int,
        team: int,
        password_hash: str,
        leader: User | None,
    ) -> tuple[User, Membership]:
        """The user of `index` (made if missing) and their membership in their team's org."""
        email = user_email(index)
        user = await user_repository.by_email(session, email)
        if user is None:
            now = datetime.now(UTC)
            user = User(
                email=email,
                name=f"Load user {index}",
                password_hash=password_hash,
                password_changed_at=now,
                email_verified_at=now,
            )
            session.add(user)
            await session.flush()
        if user.default_org_id is not None:
            found = await membership_repository.get(session, user.default_org_id, user.id)
            if found is not None:
                return user, found
        if leader is None:
            _, membership = await organization_service.create(
                session, user, f"Load team {team:05d}"
            )
        else:
            assert leader.default_org_id is not None  # set when the leader was seeded
            membership = Membership(org_id=leader.default_org_id, user_id=user.id, role=Role.editor)
            session.add(membership)
            await session.flush()
        user.default_org_id = membership.org_id
        return user, membership

    async def _collections(self, owner: Principal, count: int) -> list[str]:
        ids = []
        async with self.database.sessionmaker() as session:
            for number in range(count):
                name = f"Load collection {number}"
                existing = await session.scalar(
                    select(Collection.id).where(
                        Collection.org_id == owner.org_id, Collection.name == name
                    )
                )
                if existing is None:
                    created, _ = await collection_service.create(
                        session, owner, CollectionCreate(name=name)
                    )
                    existing = created.id
                ids.append(str(existing))
            await session.commit()
        return ids

    async def _document(self, owner: Principal, collection_id: uuid.UUID, index: int) -> str:
        content = document_text(index)
        async with self.database.sessionmaker() as session:
            found = await document_repository.find_by_sha256(
                session, collection_id, hashlib.sha256(content).hexdigest()
            )
            if found is not None:
                return str(found.id)
            document = await document_upload_service.upload(
                session,
                self.storage,
                owner,
                collection_id=collection_id,
                file=BytesUpload(f"load-{index:05d}.txt", content),
                title=f"Load document {index}",
                tags=["load"],
                max_size=len(content),
            )
            await session.commit()
        return str(document.id)

    async def _session(self, user: User, membership: Membership) -> SeededUser:
        async with self.database.sessionmaker() as session:
            grant = await session_service.start(
                session,
                self.context,
                membership=membership,
                client=ClientInfo(ip=None, user_agent=USER_AGENT),
                method="seed",
            )
            await session.commit()
        access = await issue_access_token(
            self.keys,
            user_id=grant.user_id,
            org_id=grant.org_id,
            role=grant.role,
            session_id=grant.family.id,
        )
        return SeededUser(
            email=user.email,
            user_id=str(user.id),
            org_id=str(membership.org_id),
            role=str(membership.role),
            access_token=access.token,
            refresh_token=grant.refresh_token,
        )


async def seed_load(
    database: Database,
    settings: CoreSettings,
    plan: SeedPlan,
    *,
    storage: Storage | None = None,
    auth: AuthSettings | None = None,
) -> SeedResult:
    check_environment(settings.env)
    return await LoadSeeder(database, settings, storage=storage, auth=auth).run(plan)


def seed_summary(result: SeedResult, out: Path) -> Sequence[str]:
    documents = sum(len(org.document_ids) for org in result.orgs)
    return (
        f"seeded {len(result.users)} users in {len(result.orgs)} organizations, "
        f"{documents} documents",
        f"credentials and tokens: {out} (tokens valid {result.access_token_seconds} s)",
    )
