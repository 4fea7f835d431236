"""Access checks that answer a request: refusing collection IDs the caller may not read, and
telling which documents the caller reads now. The rule itself is in `repository.py`."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from sift.core.auth import Principal
from sift.core.db import ReadSession
from sift.search.access.exceptions import UnknownCollections
from sift.search.access.repository import (
    collection_access_repository,
    indexed_document_repository,
)


class AccessService:
    async def require_readable_collections(
        self,
        session: AsyncSession,
        principal: Principal,
        collection_ids: Collection[uuid.UUID] | None,
        *,
        loc: Sequence[str],
    ) -> None:
        """Refuses (422 naming `loc`) collection IDs that are not ones `principal` may read."""
        if not collection_ids:
            return
        readable = await collection_access_repository.readable_among(
            session, principal, collection_ids
        )
        if readable != set(collection_ids):
            raise UnknownCollections(loc)

    async def readable_documents(
        self, session: ReadSession, principal: Principal, document_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of `document_ids` that `principal` may read now."""
        return await indexed_document_repository.readable_ids(session, principal, document_ids)


access_service = AccessService()
