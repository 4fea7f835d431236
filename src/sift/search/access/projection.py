"""Applies the documents service's events to search's projection, idempotently and so that
any delivery order converges: each row keeps the event time of its last change and ignores
older news; deletions leave a tombstone so that late events cannot bring a row back.
Every change moves the organization's index version on (cached results go stale).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

import structlog
from sqlalchemy import case, delete, func, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.search.access.repository import RESTRICTED_VISIBILITY, index_version_repository
from sift.search.models import AccessTombstone, CollectionAccess, CollectionGrant, IndexedDocument

log = structlog.get_logger()

# A row created from metadata alone has seen no version event yet: any one is newer.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)
DEFAULT_GRANT_ROLE = "viewer"  # a member listed by a visibility change, role unknown


def collection_key(collection_id: uuid.UUID) -> str:
    return f"collection:{collection_id}"


def document_key(document_id: uuid.UUID) -> str:
    return f"document:{document_id}"


def grant_key(collection_id: uuid.UUID, user_id: uuid.UUID) -> str:
    return f"grant:{collection_id}:{user_id}"


async def _serialize(session: AsyncSession, key: str) -> None:
    """Changes to one subject apply one at a time (until the transaction ends): two
    consumers applying out-of-order events about it concurrently could each miss the
    other's uncommitted row and both win."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))


async def _buried_at(session: AsyncSession, *keys: str) -> datetime | None:
    """The latest deletion among `keys` (None: none of them was deleted)."""
    return await session.scalar(
        select(func.max(AccessTombstone.deleted_at)).where(AccessTombstone.key.in_(keys))
    )


async def _bury(session: AsyncSession, key: str, at: datetime) -> None:
    insert = pg_insert(AccessTombstone).values(key=key, deleted_at=at)
    await session.execute(
        insert.on_conflict_do_update(
            index_elements=[AccessTombstone.key],
            set_={"deleted_at": func.greatest(AccessTombstone.deleted_at, at)},
        )
    )


class AccessProjection:
    # Collections.

    async def set_visibility(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        collection_id: uuid.UUID,
        visibility: str,
        at: datetime,
        members: Iterable[uuid.UUID] | None = None,
    ) -> bool:
        """collection.created / visibility_changed; `members` replace the grants (restricted).

        False when the collection is gone or a newer visibility is already recorded.
        """
        await _serialize(session, collection_key(collection_id))
        if await _buried_at(session, collection_key(collection_id)) is not None:
            return False
        insert = pg_insert(CollectionAccess).values(
            collection_id=collection_id, org_id=org_id, visibility=visibility, updated_at=at
        )
        applied = await session.scalar(
            insert.on_conflict_do_update(
                index_elements=[CollectionAccess.collection_id],
                set_={"visibility": visibility, "updated_at": at},
                where=CollectionAccess.updated_at < at,
            ).returning(CollectionAccess.collection_id)
        )
        if applied is None:
            log.info("access.stale_visibility_ignored", collection_id=str(collection_id))
            return False
        if visibility == RESTRICTED_VISIBILITY and members is not None:
            await session.execute(
                update(CollectionAccess)
                .where(CollectionAccess.collection_id == collection_id)
                .values(members_at=at)
            )
            await self._replace_grants(session, collection_id, set(members), at)
        await index_version_repository.bump(session, org_id)
        return True

    async def _replace_grants(
        self, session: AsyncSession, collection_id: uuid.UUID, members: set[uuid.UUID], at: datetime
    ) -> None:
        """The grant set as of `at`: others' grants go (unless granted after `at`)."""
        gone = await session.scalars(
            delete(CollectionGrant)
            .where(
                CollectionGrant.collection_id == collection_id,
                CollectionGrant.updated_at <= at,
                CollectionGrant.user_id.not_in(members) if members else true(),
            )
            .returning(CollectionGrant.user_id)
        )
        for user_id in list(gone):
            await _bury(session, grant_key(collection_id, user_id), at)
        for user_id in members:
            await self._upsert_grant(session, collection_id, user_id, None, at, replacing=True)

    async def set_language(
        self, session: AsyncSession, *, collection_id: uuid.UUID, language: str | None
    ) -> None:
        """collection.created / updated: the language of its texts too short to detect."""
        await _serialize(session, collection_key(collection_id))
        await session.execute(
            update(CollectionAccess)
            .where(CollectionAccess.collection_id == collection_id)
            .values(language=language)
        )

    async def set_redaction(
        self, session: AsyncSession, *, collection_id: uuid.UUID, redact_pii: bool
    ) -> None:
        """collection.created / updated: whether its texts are indexed with PII redacted."""
        await _serialize(session, collection_key(collection_id))
        await session.execute(
            update(CollectionAccess)
            .where(CollectionAccess.collection_id == collection_id)
            .values(redact_pii=redact_pii)
        )

    async def delete_collection(
        self, session: AsyncSession, *, org_id: uuid.UUID, collection_id: uuid.UUID, at: datetime
    ) -> None:
        await _serialize(session, collection_key(collection_id))
        await _bury(session, collection_key(collection_id), at)
        for model in (CollectionGrant, IndexedDocument, CollectionAccess):
            await session.execute(delete(model).where(model.collection_id == collection_id))
        await index_version_repository.bump(session, org_id)

    # Grants.

    async def grant(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        collection_id: uuid.UUID,
        user_id: uuid.UUID,
        role: str,
        at: datetime,
    ) -> bool:
        await _serialize(session, collection_key(collection_id))
        if await self._upsert_grant(session, collection_id, user_id, role, at):
            await index_version_repository.bump(session, org_id)
            return True
        return False

    async def _upsert_grant(
        self,
        session: AsyncSession,
        collection_id: uuid.UUID,
        user_id: uuid.UUID,
        role: str | None,
        at: datetime,
        *,
        replacing: bool = False,
    ) -> bool:
        """`role` None keeps a known role (a visibility change lists users, not roles)."""
        buried = await _buried_at(
            session, collection_key(collection_id), grant_key(collection_id, user_id)
        )
        if buried is not None and buried >= at:
            return False
        if not replacing:
            members_at = await session.scalar(
                select(CollectionAccess.members_at).where(
                    CollectionAccess.collection_id == collection_id
                )
            )
            if members_at is not None and at <= members_at:
                return False  # a later visibility change listed the members without it
        insert = pg_insert(CollectionGrant).values(
            collection_id=collection_id,
            user_id=user_id,
            role=role or DEFAULT_GRANT_ROLE,
            updated_at=at,
        )
        changes: dict[str, object] = {"updated_at": at}
        if role is not None:
            changes["role"] = role
        applied = await session.scalar(
            insert.on_conflict_do_update(
                index_elements=[CollectionGrant.collection_id, CollectionGrant.user_id],
                set_=changes,
                where=CollectionGrant.updated_at < at,
            ).returning(CollectionGrant.user_id)
        )
        if applied is not None and buried is not None:
            await session.execute(
                delete(AccessTombstone).where(
                    AccessTombstone.key == grant_key(collection_id, user_id)
                )
            )
        return applied is not None

    async def revoke(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        collection_id: uuid.UUID,
        user_id: uuid.UUID,
        at: datetime,
    ) -> None:
        await _serialize(session, collection_key(collection_id))
        await session.execute(
            delete(CollectionGrant).where(
                CollectionGrant.collection_id == collection_id,
                CollectionGrant.user_id == user_id,
                CollectionGrant.updated_at <= at,
            )
        )
        await _bury(session, grant_key(collection_id, user_id), at)
        await index_version_repository.bump(session, org_id)

    # Documents.

    async def upsert_document(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        document_id: uuid.UUID,
        collection_id: uuid.UUID,
        at: datetime,
        title: str | None,
        tags: list[str] | None,
        mime_type: str | None = None,
        fallback_title: str | None = None,
        language: str | None = None,
    ) -> bool:
        """From a version event (`mime_type` set) or a metadata change (`mime_type` None).

        `title` None: an event from before titles travelled; the row keeps what it has
        (`fallback_title`, the filename, for a new row).
        """
        await _serialize(session, document_key(document_id))
        if (
            await _buried_at(session, document_key(document_id), collection_key(collection_id))
            is not None
        ):
            return False
        table = IndexedDocument
        is_version = mime_type is not None
        insert = pg_insert(table).values(
            document_id=document_id,
            org_id=org_id,
            collection_id=collection_id,
            title=(title or fallback_title or str(document_id))[:500],
            tags=tags or [],
            language=language,
            mime_type=mime_type,
            created_at=at,
            updated_at=at if title is not None or not is_version else NEVER,
            version_at=at if is_version else NEVER,
        )
        excluded = insert.excluded
        newer_metadata = excluded.updated_at > table.updated_at
        # The first upload's event is the document's creation (the earliest of its events);
        # until it arrives the earliest event seen stands in.
        changes: dict[str, object] = {
            "created_at": func.least(table.created_at, excluded.created_at)
        }
        if title is not None:
            changes.update(
                title=case((newer_metadata, excluded.title), else_=table.title),
                tags=case((newer_metadata, excluded.tags), else_=table.tags),
                language=case((newer_metadata, excluded.language), else_=table.language),
                collection_id=case(
                    (newer_metadata, excluded.collection_id), else_=table.collection_id
                ),
                updated_at=func.greatest(table.updated_at, excluded.updated_at),
            )
        if is_version:
            newer_version = excluded.version_at > table.version_at
            changes.update(
                mime_type=case((newer_version, excluded.mime_type), else_=table.mime_type),
                version_at=func.greatest(table.version_at, excluded.version_at),
            )
        await session.execute(
            insert.on_conflict_do_update(index_elements=[table.document_id], set_=changes)
        )
        await index_version_repository.bump(session, org_id)
        return True

    async def delete_document(
        self, session: AsyncSession, *, org_id: uuid.UUID, document_id: uuid.UUID, at: datetime
    ) -> None:
        await _serialize(session, document_key(document_id))
        await _bury(session, document_key(document_id), at)
        await session.execute(
            delete(IndexedDocument).where(IndexedDocument.document_id == document_id)
        )
        await index_version_repository.bump(session, org_id)


access_projection = AccessProjection()
