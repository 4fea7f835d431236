"""pgvector: the vectors are the `embedding` column of `search.chunks`.

Ingestion writes them with the chunks, in the chunks' transaction, and deleting chunks
deletes them, so every write here has nothing left to do. Queries are SQL over the HNSW
index, next to the full-text ranking (`sift.search.retrieval.repository.vectors`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sift.search.vectors.base import VectorRecord


class PgVectorIndex:
    backend = "pgvector"

    async def upsert(self, records: Sequence[VectorRecord]) -> None:
        return None  # written with the chunk rows

    async def delete_version(self, org_id: uuid.UUID, version_id: uuid.UUID) -> None:
        return None  # gone with the chunk rows

    async def delete_document(self, org_id: uuid.UUID, document_id: uuid.UUID) -> None:
        return None

    async def update_document(
        self,
        org_id: uuid.UUID,
        document_id: uuid.UUID,
        *,
        collection_id: uuid.UUID,
        tags: Sequence[str],
    ) -> None:
        return None  # filters join the documents projection at query time

    async def delete_organization(self, org_id: uuid.UUID) -> None:
        return None

    async def aclose(self) -> None:
        return None
