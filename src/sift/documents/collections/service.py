"""Collections: who may do what on which, their life cycle and their grants.

What a caller may do on a collection is their organization role, layered with the
collection's grants, never more than the role allows in the organization:

- owners and admins (`collections:manage`) manage every collection of the organization;
- an `org` collection: viewers read, editors write;
- a `restricted` collection: only members holding a grant see it; an org editor acts per
  the grant (viewer reads, editor writes, manager also manages grants); an org viewer
  reads, whatever the grant.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events.documents import (
    CollectionCreated,
    CollectionDeleted,
    CollectionMemberGranted,
    CollectionMemberRevoked,
    CollectionRoleName,
    CollectionUpdated,
    CollectionVisibilityChanged,
    CollectionVisibilityName,
)
from sift.core.auth import Permission, Principal
from sift.core.db import ReadSession
from sift.core.pagination import cursor_uuid as _uuid
from sift.core.pagination import decode_cursor, page_of
from sift.documents.collections.exceptions import (
    CollectionAccessDenied,
    CollectionNameTaken,
    CollectionNotEmpty,
    CollectionNotFound,
    CollectionNotRestricted,
    GrantNotFound,
    OriginalsNeedRedaction,
)
from sift.documents.collections.repository import (
    CollectionRow,
    collection_repository,
    member_repository,
    sees_every_collection,
)
from sift.documents.collections.schemas import CollectionCreate, CollectionUpdate
from sift.documents.events import events
from sift.documents.models import Collection, CollectionMember, CollectionRole, Visibility
from sift.documents.settings.service import document_settings_service

_NEEDS = {
    CollectionRole.viewer: "read",
    CollectionRole.editor: "add or change documents in",
    CollectionRole.manager: "manage",
}


def effective_role(
    principal: Principal, collection: Collection, grant: str | None
) -> CollectionRole | None:
    """What `principal` may do on `collection`, given their grant on it (None: nothing)."""
    if collection.org_id != principal.org_id or not principal.can(Permission.documents_read):
        return None
    if sees_every_collection(principal):
        return CollectionRole.manager
    writer = principal.can(Permission.documents_write)
    if collection.visibility == Visibility.org:
        return CollectionRole.editor if writer else CollectionRole.viewer
    if grant is None:
        return None
    granted = CollectionRole(grant)
    return granted if writer else CollectionRole.viewer


class CollectionService:
    async def list_readable(
        self, session: ReadSession, principal: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[tuple[Collection, CollectionRole]], str | None]:
        after = decode_cursor(cursor, 2)
        rows = await collection_repository.page(
            session,
            principal,
            after=(after[0], _uuid(after[1])) if after else None,
            limit=limit + 1,
        )
        page, next_cursor = page_of(rows, limit, lambda row: (row[0].name.lower(), row[0].id))
        return [(c, self._role(principal, c, grant)) for c, grant in page], next_cursor

    async def get(
        self,
        session: AsyncSession,
        principal: Principal,
        collection_id: uuid.UUID,
        *,
        need: CollectionRole = CollectionRole.viewer,
        for_update: bool = False,
        for_share: bool = False,
    ) -> tuple[Collection, CollectionRole]:
        """The collection and the caller's role on it; 404 unless readable, 403 if not enough.

        `for_share` keeps it from being deleted or changed until the transaction ends.
        """
        row: CollectionRow | None = await collection_repository.get_readable(
            session, principal, collection_id, for_update=for_update, for_share=for_share
        )
        if row is None:
            raise CollectionNotFound()
        collection, grant = row
        role = self._role(principal, collection, grant)
        if role.rank < need.rank:
            raise CollectionAccessDenied(f"You may not {_NEEDS[need]} this collection.")
        return collection, role

    async def create(
        self, session: AsyncSession, principal: Principal, data: CollectionCreate
    ) -> tuple[Collection, CollectionRole]:
        if await collection_repository.name_taken(session, principal.org_id, data.name):
            raise CollectionNameTaken()
        redact_pii = data.redact_pii
        if redact_pii is None:
            redact_pii = await document_settings_service.redact_pii_default(
                session, principal.org_id
            )
        if not data.keep_original_files and not redact_pii:
            raise OriginalsNeedRedaction()
        collection = Collection(
            org_id=principal.org_id,
            name=data.name,
            description=data.description,
            visibility=data.visibility,
            created_by=principal.user_id,
            language=data.language,
            redact_pii=redact_pii,
            keep_original_files=data.keep_original_files,
        )
        await self._flush_unique(session, collection)
        await events.publish(
            session,
            CollectionCreated(
                collection_id=collection.id,
                visibility=CollectionVisibilityName(collection.visibility),
                created_by=principal.user_id,
                language=collection.language,
                redact_pii=collection.redact_pii,
            ),
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=collection.id,
        )
        return collection, self._role(principal, collection, None)

    async def update(
        self,
        session: AsyncSession,
        principal: Principal,
        collection_id: uuid.UUID,
        data: CollectionUpdate,
    ) -> tuple[Collection, CollectionRole]:
        collection, role = await self.get(
            session, principal, collection_id, need=CollectionRole.manager, for_update=True
        )
        changed: list[str] = []
        if data.name is not None and data.name != collection.name:
            if await collection_repository.name_taken(
                session, principal.org_id, data.name, other_than=collection.id
            ):
                raise CollectionNameTaken()
            collection.name = data.name
            changed.append("name")
        if data.description is not None and data.description != collection.description:
            collection.description = data.description
            changed.append("description")
        if "language" in data.model_fields_set and data.language != collection.language:
            collection.language = data.language
            changed.append("language")
        if data.redact_pii is not None and data.redact_pii != collection.redact_pii:
            collection.redact_pii = data.redact_pii
            changed.append("redact_pii")
        if data.keep_original_files is not None:
            collection.keep_original_files = data.keep_original_files
        if not collection.keep_original_files and not collection.redact_pii:
            raise OriginalsNeedRedaction()
        old_visibility = collection.visibility
        if data.visibility is not None and data.visibility != old_visibility:
            collection.visibility = data.visibility
        await self._flush_unique(session, collection)
        if changed:
            await events.publish(
                session,
                CollectionUpdated(
                    collection_id=collection.id,
                    fields=changed,
                    language=collection.language,
                    redact_pii=collection.redact_pii,
                ),
                org_id=principal.org_id,
                actor_id=principal.user_id,
                subject_id=collection.id,
            )
        if collection.visibility != old_visibility:
            members = await member_repository.user_ids(session, collection.id)
            await events.publish(
                session,
                CollectionVisibilityChanged(
                    collection_id=collection.id,
                    old_visibility=CollectionVisibilityName(old_visibility),
                    new_visibility=CollectionVisibilityName(collection.visibility),
                    members=members,
                ),
                org_id=principal.org_id,
                actor_id=principal.user_id,
                subject_id=collection.id,
            )
        return collection, role

    async def delete(
        self, session: AsyncSession, principal: Principal, collection_id: uuid.UUID
    ) -> None:
        """Only an empty collection goes: documents are deleted one by one, on purpose."""
        collection, _ = await self.get(
            session, principal, collection_id, need=CollectionRole.manager, for_update=True
        )
        live, pending = await collection_repository.count_documents(session, collection.id)
        if live or pending:
            raise CollectionNotEmpty(live, pending)
        await session.delete(collection)
        await session.flush()
        await events.publish(
            session,
            CollectionDeleted(collection_id=collection_id),
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=collection_id,
        )

    async def members(
        self,
        session: ReadSession,
        principal: Principal,
        collection_id: uuid.UUID,
        *,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[CollectionMember], str | None]:
        await self.get(session, principal, collection_id)
        after = decode_cursor(cursor, 1)
        rows = await member_repository.page(
            session, collection_id, after=_uuid(after[0]) if after else None, limit=limit + 1
        )
        return page_of(rows, limit, lambda row: (row.user_id,))

    async def member(
        self,
        session: ReadSession,
        principal: Principal,
        collection_id: uuid.UUID,
        user_id: uuid.UUID,
    ) -> CollectionMember:
        await self.get(session, principal, collection_id)
        grant = await member_repository.get(session, collection_id, user_id)
        if grant is None:
            raise GrantNotFound(user_id)
        return grant

    async def grant(
        self,
        session: AsyncSession,
        principal: Principal,
        collection_id: uuid.UUID,
        user_id: uuid.UUID,
        role: CollectionRole,
    ) -> CollectionMember:
        """Add or change a grant (identity owns membership: any user ID is accepted)."""
        collection, _ = await self.get(
            session, principal, collection_id, need=CollectionRole.manager, for_update=True
        )
        if collection.visibility != Visibility.restricted:
            raise CollectionNotRestricted()
        grant = await member_repository.get(session, collection_id, user_id)
        previous = CollectionRole(grant.role) if grant is not None else None
        if grant is None:
            grant = CollectionMember(
                collection_id=collection_id,
                user_id=user_id,
                role=role,
                granted_by=principal.user_id,
            )
            session.add(grant)
        elif previous == role:
            return grant
        else:
            grant.role = role
            grant.granted_by = principal.user_id
        await session.flush()
        await session.refresh(grant)
        await events.publish(
            session,
            CollectionMemberGranted(
                collection_id=collection_id,
                user_id=user_id,
                role=CollectionRoleName(role),
                previous_role=CollectionRoleName(previous) if previous else None,
            ),
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=collection_id,
        )
        return grant

    async def revoke(
        self,
        session: AsyncSession,
        principal: Principal,
        collection_id: uuid.UUID,
        user_id: uuid.UUID,
    ) -> None:
        await self.get(
            session, principal, collection_id, need=CollectionRole.manager, for_update=True
        )
        grant = await member_repository.get(session, collection_id, user_id)
        if grant is None:
            raise GrantNotFound(user_id)
        previous = CollectionRoleName(grant.role)
        await session.delete(grant)
        await session.flush()
        await events.publish(
            session,
            CollectionMemberRevoked(
                collection_id=collection_id, user_id=user_id, previous_role=previous
            ),
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=collection_id,
        )

    @staticmethod
    def _role(principal: Principal, collection: Collection, grant: str | None) -> CollectionRole:
        role = effective_role(principal, collection, grant)
        if role is None:  # the readable statement and this function disagree
            raise CollectionNotFound()
        return role

    @staticmethod
    async def _flush_unique(session: AsyncSession, collection: Collection) -> None:
        # The unique index settles a race between two requests choosing the same name.
        try:
            async with session.begin_nested():
                session.add(collection)
                await session.flush()
        except IntegrityError:
            raise CollectionNameTaken() from None
        await session.refresh(collection)


collection_service = CollectionService()
