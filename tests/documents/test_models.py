"""The documents schema: migrations match the models; the database enforces the invariants."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.documents.models import Collection, CollectionMember, Document
from tests.documents.conftest import make_collection


async def _fails(session: AsyncSession, row: object) -> None:
    with pytest.raises(IntegrityError):
        async with session.begin_nested():
            session.add(row)
            await session.flush()


async def test_names_visibility_and_roles_are_checked(session: AsyncSession) -> None:
    org = uuid.uuid4()
    collection = await make_collection(session, org, name="Docs")
    someone = uuid.uuid4()
    await _fails(session, Collection(org_id=org, name="DOCS", created_by=someone))
    await _fails(
        session, Collection(org_id=org, name="Other", visibility="public", created_by=someone)
    )
    await _fails(
        session,
        CollectionMember(
            collection_id=collection.id, user_id=someone, role="owner", granted_by=someone
        ),
    )
    await make_collection(session, uuid.uuid4(), name="Docs")  # another organization


async def test_the_same_bytes_live_once_per_collection(session: AsyncSession) -> None:
    collection = await make_collection(session, uuid.uuid4())

    def document(sha: str, **changes: object) -> Document:
        values: dict[str, object] = {
            "org_id": collection.org_id,
            "collection_id": collection.id,
            "title": "T",
            "sha256": sha,
            "created_by": uuid.uuid4(),
        }
        values.update(changes)
        return Document(**values)

    first = document("a" * 64)
    session.add(first)
    await session.flush()
    await _fails(session, document("a" * 64))
    await _fails(session, document("b" * 64, status="done"))
    first.deleted_at = datetime.now(UTC)
    await session.flush()
    session.add(document("a" * 64))  # a deleted document no longer counts
    await session.flush()
