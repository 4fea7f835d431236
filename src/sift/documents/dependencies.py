"""Dependencies of the service's endpoints: its storage, its settings, upload limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sift.core.ratelimit import RateLimit, by_principal
from sift.core.storage import Storage
from sift.documents.config import DocumentsSettings


def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


def get_config(request: Request) -> DocumentsSettings:
    config: DocumentsSettings = request.app.state.documents
    return config


StorageDep = Annotated[Storage, Depends(get_storage)]
ConfigDep = Annotated[DocumentsSettings, Depends(get_config)]


class UploadRateLimit:
    """Counts uploads (and new versions) per caller against `upload_rate_limit`."""

    def __init__(self) -> None:
        self._limits: dict[str, RateLimit] = {}

    async def __call__(self, request: Request) -> None:
        rule = get_config(request).upload_rate_limit
        limit = self._limits.get(rule)
        if limit is None:
            limit = self._limits[rule] = RateLimit("documents.upload", rule, key=by_principal)
        await limit(request)


# Declare it after the principal's dependency, so that the count is per caller.
UploadLimit = Annotated[None, Depends(UploadRateLimit())]
