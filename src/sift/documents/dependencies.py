"""Dependencies of the service's endpoints: its storage, Redis, its settings, upload limits."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis

from sift.core.config import CoreSettings
from sift.core.ratelimit import ConfiguredLimit, by_principal
from sift.core.storage import Storage
from sift.documents.config import DocumentsSettings


async def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


async def get_redis(request: Request) -> Redis:
    redis: Redis = request.app.state.redis
    return redis


async def get_settings(request: Request) -> CoreSettings:
    settings: CoreSettings = request.app.state.settings
    return settings


def config_of(request: Request) -> DocumentsSettings:
    config: DocumentsSettings = request.app.state.documents
    return config


async def get_config(request: Request) -> DocumentsSettings:
    # A dependency, so `async`: FastAPI runs a plain function's in a worker thread.
    return config_of(request)


StorageDep = Annotated[Storage, Depends(get_storage)]
ConfigDep = Annotated[DocumentsSettings, Depends(get_config)]
RedisDep = Annotated[Redis, Depends(get_redis)]
SettingsDep = Annotated[CoreSettings, Depends(get_settings)]


# Declare it after the principal's dependency, so that the count is per caller.
UploadLimit = Annotated[
    None,
    Depends(
        ConfiguredLimit(
            "documents.upload", "upload_rate_limit", settings_of=config_of, key=by_principal
        )
    ),
]
