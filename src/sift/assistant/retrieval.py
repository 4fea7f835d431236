"""The search service's internal retrieval API, called as the end user (token forwarded).

Permissions are search's: the assistant never sees a passage the caller may not read,
because it only ever asks with the caller's own token.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any, TypeVar

import httpx
import structlog
from pydantic import BaseModel, ValidationError

from sift.assistant.answers.exceptions import DocumentNotFound, RetrievalUnavailable
from sift.assistant.passages import (
    DocumentPassages,
    Passage,
    ReadableDocuments,
    RetrievedPassages,
)
from sift.core.errors import Forbidden, RateLimited, Unauthorized

M = TypeVar("M", bound=BaseModel)

READABLE_BATCH = 1000  # the most document IDs search checks in one call

log = structlog.get_logger()


class SearchClient:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def retrieve(
        self,
        authorization: str,
        query: str,
        *,
        collection_ids: Sequence[uuid.UUID] | None = None,
        document_ids: Sequence[uuid.UUID] | None = None,
        limit: int = 8,
    ) -> list[Passage]:
        body: dict[str, object] = {"query": query[:1000], "limit": limit, "mode": "hybrid"}
        if collection_ids:
            body["collection_ids"] = [str(c) for c in collection_ids]
        if document_ids:
            body["document_ids"] = [str(d) for d in document_ids]
        response = await self._send("POST", "/internal/search/retrieve", authorization, json=body)
        return self._parse(response, RetrievedPassages).passages

    async def document(self, authorization: str, document_id: uuid.UUID) -> DocumentPassages:
        path = f"/internal/search/documents/{document_id}/passages"
        response = await self._send("GET", path, authorization)
        if response.status_code == 404:
            raise DocumentNotFound()
        return self._parse(response, DocumentPassages)

    async def readable_documents(
        self, authorization: str, document_ids: Collection[uuid.UUID]
    ) -> set[uuid.UUID]:
        """Those of `document_ids` the caller may read now."""
        asked = sorted(document_ids)
        readable: set[uuid.UUID] = set()
        for start in range(0, len(asked), READABLE_BATCH):
            body = {"document_ids": [str(d) for d in asked[start : start + READABLE_BATCH]]}
            response = await self._send(
                "POST", "/internal/search/documents/readable", authorization, json=body
            )
            readable.update(self._parse(response, ReadableDocuments).document_ids)
        return readable

    async def _send(
        self, method: str, path: str, authorization: str, **kwargs: Any
    ) -> httpx.Response:
        try:
            response = await self.client.request(
                method, path, headers={"Authorization": authorization}, **kwargs
            )
        except httpx.HTTPError as exc:
            log.warning("assistant.retrieval.failed", error=type(exc).__name__)
            raise RetrievalUnavailable() from exc
        if response.status_code == 401:
            raise Unauthorized("The access token was refused by the search service.")
        if response.status_code == 403:
            raise Forbidden("You may not search these documents.")
        if response.status_code == 429:
            retry_after = response.headers.get("Retry-After", "1")
            raise RateLimited(retry_after=int(retry_after) if retry_after.isdigit() else 1)
        return response

    @staticmethod
    def _parse(response: httpx.Response, model: type[M]) -> M:
        if response.status_code != 200:
            log.warning("assistant.retrieval.failed", status=response.status_code)
            raise RetrievalUnavailable()
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            log.warning("assistant.retrieval.invalid", errors=exc.error_count())
            raise RetrievalUnavailable() from exc
