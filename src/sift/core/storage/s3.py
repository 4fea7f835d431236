"""Objects in an S3 bucket (AWS or any S3-compatible store) through boto3.

boto3 blocks, so every call runs in a worker thread. Streams larger than one part go up
as a multipart upload, holding at most one part in memory; a failed upload is aborted.
Deletion is real: every version and delete marker of the key goes, and so do multipart
uploads left unfinished under it.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.to_thread
import boto3
import structlog
from botocore.config import Config
from botocore.exceptions import ClientError

from sift.core.config import StorageSettings
from sift.core.storage.base import (
    DEFAULT_CHUNK_SIZE,
    Data,
    DeletionRefused,
    ObjectInfo,
    ObjectNotFound,
    SizeGuard,
    Storage,
    StoredObject,
    iterate,
    validate_key,
)

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef, ObjectIdentifierTypeDef

log = structlog.get_logger()

T = TypeVar("T")

MIN_PART_SIZE = 5 * 1024 * 1024  # S3's floor for every part but the last
DEFAULT_PART_SIZE = 8 * 1024 * 1024
DELETE_BATCH = 1000  # DeleteObjects accepts at most 1000 keys per call
_MISSING = {"404", "NoSuchKey", "NotFound"}


def create_s3_client(settings: StorageSettings, *, max_pool_connections: int = 32) -> S3Client:
    secret = settings.s3_secret_access_key
    config = Config(
        region_name=settings.s3_region,
        retries={"mode": "standard", "max_attempts": 3},
        max_pool_connections=max_pool_connections,
        # S3-compatible stores (MinIO, Ceph, ...) want path-style URLs and may refuse the
        # newer default checksums; AWS itself accepts both settings.
        s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=secret.get_secret_value() if secret else None,
        config=config,
    )


async def _run(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    return await anyio.to_thread.run_sync(functools.partial(function, *args, **kwargs))


def _content_md5(body: bytes) -> str:
    # Every S3-compatible store checks it (the newer CRC trailers are not universal), and
    # buckets with object-lock retention refuse uploads without an integrity header.
    return base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


class S3Storage(Storage):
    backend = "s3"

    def __init__(self, client: S3Client, bucket: str, *, part_size: int = DEFAULT_PART_SIZE):
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        self.client = client
        self.bucket = bucket
        self.part_size = part_size

    @classmethod
    def from_settings(cls, settings: StorageSettings, **options: Any) -> S3Storage:
        return cls(create_s3_client(settings), settings.s3_bucket, **options)

    async def put(
        self,
        key: str,
        data: Data,
        *,
        content_type: str = "application/octet-stream",
        max_size: int | None = None,
    ) -> StoredObject:
        validate_key(key)
        digest = hashlib.sha256()
        guard = SizeGuard(max_size)
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[CompletedPartTypeDef] = []
        try:
            async for chunk in iterate(data):
                guard.add(chunk)
                digest.update(chunk)
                buffer += chunk
                while len(buffer) >= self.part_size:
                    if upload_id is None:
                        upload_id = await self._start_multipart(key, content_type)
                    part = bytes(buffer[: self.part_size])
                    del buffer[: self.part_size]
                    parts.append(await self._upload_part(key, upload_id, len(parts) + 1, part))
            if upload_id is None:
                body = bytes(buffer)
                await _run(
                    self.client.put_object,
                    Bucket=self.bucket,
                    Key=key,
                    Body=body,
                    ContentMD5=_content_md5(body),
                    ContentType=content_type,
                )
            else:
                if buffer:
                    parts.append(
                        await self._upload_part(key, upload_id, len(parts) + 1, bytes(buffer))
                    )
                await _run(
                    self.client.complete_multipart_upload,
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException:
            if upload_id is not None:
                with anyio.CancelScope(shield=True):
                    await self._abort(key, upload_id)
            raise
        log.debug("storage.put", backend=self.backend, size=guard.size, parts=len(parts))
        return StoredObject(key=key, size=guard.size, sha256=digest.hexdigest())

    async def _start_multipart(self, key: str, content_type: str) -> str:
        created = await _run(
            self.client.create_multipart_upload,
            Bucket=self.bucket,
            Key=key,
            ContentType=content_type,
        )
        return created["UploadId"]

    async def _upload_part(
        self, key: str, upload_id: str, number: int, body: bytes
    ) -> CompletedPartTypeDef:
        uploaded = await _run(
            self.client.upload_part,
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            Body=body,
            ContentMD5=_content_md5(body),
        )
        return {"ETag": uploaded["ETag"], "PartNumber": number}

    async def _abort(self, key: str, upload_id: str) -> None:
        try:
            await _run(
                self.client.abort_multipart_upload,
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
            )
        except ClientError as exc:
            # Left for the bucket's lifecycle rule (or the next delete) to clean up.
            log.error("storage.abort_failed", backend=self.backend, error=str(exc))

    async def open(self, key: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> AsyncIterator[bytes]:
        validate_key(key)
        try:
            response = await _run(self.client.get_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                raise ObjectNotFound(f"No file at {key}") from None
            raise
        return self._stream(response["Body"], chunk_size)

    @staticmethod
    async def _stream(body: StreamingBody, chunk_size: int) -> AsyncIterator[bytes]:
        try:
            while chunk := await _run(body.read, chunk_size):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> bool:
        validate_key(key)
        return await _run(self._delete_everything, key)

    def _delete_everything(self, key: str) -> bool:
        # Unfinished uploads first, so that none completes after the versions are gone.
        uploads = self.client.get_paginator("list_multipart_uploads")
        for uploads_page in uploads.paginate(Bucket=self.bucket, Prefix=key):
            for upload in uploads_page.get("Uploads", []):
                if upload.get("Key") == key and "UploadId" in upload:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=key, UploadId=upload["UploadId"]
                    )
        # Every version and delete marker; an unversioned bucket lists its one "null" version.
        targets: list[ObjectIdentifierTypeDef] = []
        versions = self.client.get_paginator("list_object_versions")
        for versions_page in versions.paginate(Bucket=self.bucket, Prefix=key):
            entries = [*versions_page.get("Versions", []), *versions_page.get("DeleteMarkers", [])]
            targets.extend(
                {"Key": key, "VersionId": entry["VersionId"]}
                for entry in entries
                if entry.get("Key") == key and "VersionId" in entry
            )
        for start in range(0, len(targets), DELETE_BATCH):
            result = self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": targets[start : start + DELETE_BATCH], "Quiet": True},
            )
            if errors := result.get("Errors"):
                codes = sorted({str(error.get("Code")) for error in errors})
                raise DeletionRefused(
                    f"S3 kept {len(errors)} version(s) of the object ({', '.join(codes)})"
                )
        if targets:
            log.info("storage.deleted", backend=self.backend, versions=len(targets))
        return bool(targets)

    async def _head(self, key: str) -> int | None:
        validate_key(key)
        try:
            head = await _run(self.client.head_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise
        return head["ContentLength"]

    async def exists(self, key: str) -> bool:
        return await self._head(key) is not None

    async def size(self, key: str) -> int:
        size = await self._head(key)
        if size is None:
            raise ObjectNotFound(f"No file at {key}")
        return size

    async def list_objects(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        # ListObjectsV2 answers in key order, 1000 keys a page; each page in a thread.
        token: str | None = None
        while True:
            options: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
            if token:
                options["ContinuationToken"] = token
            page = await _run(self.client.list_objects_v2, **options)
            for entry in page.get("Contents", []):
                yield ObjectInfo(
                    key=entry["Key"], size=entry["Size"], modified_at=entry["LastModified"]
                )
            token = page.get("NextContinuationToken")
            if not page.get("IsTruncated") or not token:
                return

    async def aclose(self) -> None:
        await _run(self.client.close)
