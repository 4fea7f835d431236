"""What one search may see, as SQL conditions every retrieval query embeds.

The permission filter (`org_id` and the caller's readable collections) is part of the WHERE
clause of each query that produces candidates, never applied to rows afterwards.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, DateTime, Text, Uuid, bindparam
from sqlalchemy.sql.elements import BindParameter


@dataclass(frozen=True)
class Scope:
    org_id: uuid.UUID
    # Readable by the caller, intersected with the collections asked for. Empty: nothing.
    collection_ids: tuple[uuid.UUID, ...]
    document_ids: tuple[uuid.UUID, ...] | None = None
    tags: tuple[str, ...] | None = None  # any of them
    mime_types: tuple[str, ...] | None = None  # any of them
    created_after: datetime | None = None  # inclusive
    created_before: datetime | None = None  # exclusive
    # The organization's index version when the scope was read: part of result-cache keys.
    index_version: int = 0

    @property
    def empty(self) -> bool:
        return not self.collection_ids or self.document_ids == ()

    @property
    def needs_documents(self) -> bool:
        """Whether the filters read the documents projection (tags, type, dates)."""
        return bool(self.tags or self.mime_types or self.created_after or self.created_before)

    def documents_join(self, chunks: str = "c", documents: str = "d") -> str:
        if not self.needs_documents:
            return ""
        return (
            f" JOIN search.documents {documents} ON {documents}.document_id = {chunks}.document_id"
            f" AND {documents}.org_id = {chunks}.org_id"
        )

    def conditions(self, chunks: str = "c", documents: str = "d") -> str:
        """The WHERE conditions on the chunk alias (and the documents alias when joined)."""
        parts = [
            f"{chunks}.org_id = :scope_org_id",
            f"{chunks}.collection_id = ANY(:scope_collection_ids)",
        ]
        if self.document_ids is not None:
            parts.append(f"{chunks}.document_id = ANY(:scope_document_ids)")
        if self.tags:
            parts.append(f"{documents}.tags && :scope_tags")
        if self.mime_types:
            parts.append(f"{documents}.mime_type = ANY(:scope_mime_types)")
        if self.created_after is not None:
            parts.append(f"{documents}.created_at >= :scope_created_after")
        if self.created_before is not None:
            parts.append(f"{documents}.created_at < :scope_created_before")
        return " AND ".join(parts)

    def collection_parameters(self) -> list[BindParameter[Any]]:
        """`:scope_org_id` and `:scope_collection_ids` only."""
        return [
            bindparam("scope_org_id", self.org_id, type_=Uuid()),
            bindparam("scope_collection_ids", list(self.collection_ids), type_=ARRAY(Uuid())),
        ]

    def parameters(self) -> list[BindParameter[Any]]:
        """Every parameter `conditions()` uses."""
        params = self.collection_parameters()
        if self.document_ids is not None:
            params.append(
                bindparam("scope_document_ids", list(self.document_ids), type_=ARRAY(Uuid()))
            )
        if self.tags:
            params.append(bindparam("scope_tags", list(self.tags), type_=ARRAY(Text())))
        if self.mime_types:
            params.append(bindparam("scope_mime_types", list(self.mime_types), type_=ARRAY(Text())))
        if self.created_after is not None:
            params.append(
                bindparam("scope_created_after", self.created_after, type_=DateTime(True))
            )
        if self.created_before is not None:
            params.append(
                bindparam("scope_created_before", self.created_before, type_=DateTime(True))
            )
        return params

    def fingerprint(self) -> list[Any]:
        """The filters, as plain JSON values (for cache keys and cursors)."""
        return [
            str(self.org_id),
            sorted(str(c) for c in self.collection_ids),
            None if self.document_ids is None else sorted(str(d) for d in self.document_ids),
            sorted(self.tags) if self.tags else None,
            sorted(self.mime_types) if self.mime_types else None,
            self.created_after.isoformat() if self.created_after else None,
            self.created_before.isoformat() if self.created_before else None,
        ]
