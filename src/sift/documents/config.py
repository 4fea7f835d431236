"""Settings of the documents service (environment variables `SIFT_DOCUMENTS_*`)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from sift.core.config import SiftSettings

MIB = 1024 * 1024


class DocumentsSettings(SiftSettings):
    model_config = SettingsConfigDict(env_prefix="SIFT_DOCUMENTS_")

    port: int = 8102
    replicas: int = 1
    # Public path prefixes the gateway routes to this service.
    route_prefixes: tuple[str, ...] = (
        "/api/documents",
        "/api/collections",
    )
    # The largest file accepted, enforced while the upload streams to storage (413 past it).
    max_upload_bytes: int = Field(default=100 * MIB, ge=1)
    # Room for the multipart envelope and the form fields around the file.
    multipart_overhead_bytes: int = Field(default=1 * MIB, ge=64 * 1024)

    # Uploads and new versions per caller (the `limits` library's notation).
    upload_rate_limit: str = "120/minute;2000/hour"

    # At an erasure, documents the person uploaded to an organization that has other members
    # stay with it, uploader anonymized ("keep"), or are deleted with the person ("delete").
    erasure_shared_documents: Literal["keep", "delete"] = "keep"

    # A deleted document's files leave storage as soon as the deletion commits. A file that no
    # version names (an upload cut short, a failed clean-up) goes once older than this: far
    # above any upload's duration, since a younger one may belong to an upload in flight.
    orphan_blob_grace_hours: int = Field(default=6, ge=1)

    @property
    def max_request_bytes(self) -> int:
        return self.max_upload_bytes + self.multipart_overhead_bytes


@lru_cache
def get_documents_settings() -> DocumentsSettings:
    return DocumentsSettings()
