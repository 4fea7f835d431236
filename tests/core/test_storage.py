"""Storage: the same contract for `local` and `s3` (moto over real HTTP, real boto3)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tracemalloc
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from sift.core.config import CoreSettings, StorageSettings
from sift.core.errors import NotFound, PayloadTooLarge
from sift.core.storage import (
    DeletionRefused,
    InvalidKey,
    LocalStorage,
    ObjectNotFound,
    ObjectTooLarge,
    S3Storage,
    Storage,
    create_storage,
    validate_key,
)
from sift.core.storage.s3 import MIN_PART_SIZE

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

MiB = 1024 * 1024


async def stream(total: int, chunk: int = 64 * 1024, seed: int = 0) -> AsyncIterator[bytes]:
    """`total` deterministic pseudo-random bytes, generated chunk by chunk."""
    produced = 0
    counter = 0
    while produced < total:
        block = hashlib.sha256(f"{seed}:{counter}".encode()).digest() * (chunk // 32 + 1)
        piece = block[: min(chunk, total - produced)]
        produced += len(piece)
        counter += 1
        yield piece


async def digest_of(data: AsyncIterator[bytes]) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    async for chunk in data:
        sha.update(chunk)
        size += len(chunk)
    return size, sha.hexdigest()


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    s3: S3Storage = request.getfixturevalue("s3_storage")
    return s3


async def test_put_bytes_then_read_exists_size(storage: Storage) -> None:
    stored = await storage.put("org-1/doc-1/v1", b"hello world", content_type="text/plain")
    assert stored.key == "org-1/doc-1/v1"
    assert stored.size == 11
    assert stored.sha256 == hashlib.sha256(b"hello world").hexdigest()
    assert await storage.exists("org-1/doc-1/v1")
    assert await storage.size("org-1/doc-1/v1") == 11
    assert await storage.read("org-1/doc-1/v1") == b"hello world"
    assert not await storage.exists("org-1/doc-1/v2")
    assert not await storage.exists("org-1/doc-1")  # a "directory" is no object


async def test_streamed_put_and_open_round_trip_in_chunks(storage: Storage) -> None:
    total = 2 * MIN_PART_SIZE + 123_457  # several S3 parts and a short last one
    expected_size, expected_sha = await digest_of(stream(total))
    stored = await storage.put("big/object.bin", stream(total))
    assert (stored.size, stored.sha256) == (expected_size, expected_sha)
    assert await storage.size("big/object.bin") == total

    chunks = [len(chunk) async for chunk in await storage.open("big/object.bin", chunk_size=MiB)]
    assert sum(chunks) == total
    assert max(chunks) <= MiB
    assert await digest_of(await storage.open("big/object.bin")) == (total, expected_sha)


async def test_put_replaces_an_existing_object(storage: Storage) -> None:
    await storage.put("a/b", b"first")
    await storage.put("a/b", b"second version")
    assert await storage.read("a/b") == b"second version"


async def test_empty_object(storage: Storage) -> None:
    stored = await storage.put("empty", b"")
    assert stored.size == 0
    assert await storage.read("empty") == b""


async def test_over_max_size_fails_and_leaves_the_old_object(storage: Storage) -> None:
    await storage.put("doc/v1", b"original")
    with pytest.raises(ObjectTooLarge) as raised:
        await storage.put("doc/v1", stream(3 * MiB), max_size=MiB)
    assert isinstance(raised.value, PayloadTooLarge)
    assert raised.value.status_code == 413
    assert await storage.read("doc/v1") == b"original"

    with pytest.raises(ObjectTooLarge):
        await storage.put("doc/new", b"x" * 11, max_size=10)
    assert not await storage.exists("doc/new")
    assert (await storage.put("doc/exact", b"x" * 10, max_size=10)).size == 10


async def test_missing_objects_are_not_found(storage: Storage) -> None:
    with pytest.raises(ObjectNotFound) as raised:
        await storage.open("nothing/here")
    assert isinstance(raised.value, NotFound)
    with pytest.raises(ObjectNotFound):
        await storage.size("nothing/here")
    assert await storage.delete("nothing/here") is False


async def test_delete_removes_the_object(storage: Storage) -> None:
    await storage.put("x/y/z", b"data")
    await storage.put("x/y/z2", b"neighbour")
    assert await storage.delete("x/y/z") is True
    assert not await storage.exists("x/y/z")
    assert await storage.read("x/y/z2") == b"neighbour"  # a key sharing the prefix stays
    with pytest.raises(ObjectNotFound):
        await storage.open("x/y/z")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside",
        "a/../../outside",
        "a/./b",
        "a//b",
        "a/b/",
        ".hidden",
        "a/.tmp-x",
        "a\\b",
        "nul\x00byte",
        "spa ce",
        "x" * 256,
        "/".join(["abcdefgh"] * 120),
    ],
)
async def test_unsafe_keys_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(InvalidKey):
        await storage.put(key, b"data")
    with pytest.raises(InvalidKey):
        await storage.open(key)
    with pytest.raises(InvalidKey):
        await storage.delete(key)
    with pytest.raises(InvalidKey):
        await storage.exists(key)


def test_safe_keys_are_accepted() -> None:
    for key in ["a", "org/doc/v1", "3f1c-uuid/original.pdf", "a_b~c=d+e-f.g"]:
        assert validate_key(key) == key


# --- local -----------------------------------------------------------------------------


async def test_local_layout_and_no_leftovers_after_failures(tmp_path: Path) -> None:
    root = tmp_path / "files"
    storage = LocalStorage(root)
    await storage.put("org/doc/v1", b"kept")
    assert (root / "org" / "doc" / "v1").read_bytes() == b"kept"
    assert oct((root / "org" / "doc" / "v1").stat().st_mode & 0o777) == "0o600"

    with pytest.raises(ObjectTooLarge):
        await storage.put("other/deep/key", stream(4 * MiB), max_size=2 * MiB)

    async def broken() -> AsyncIterator[bytes]:
        yield b"partial data"
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await storage.put("org/doc/v2", broken())
    files = sorted(str(p.relative_to(root)) for p in root.rglob("*"))
    assert files == ["org", "org/doc", "org/doc/v1"]  # no temp file, no empty directory


async def test_local_cancelled_put_leaves_nothing(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    started = asyncio.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield b"x" * 1000
        started.set()
        await asyncio.sleep(60)
        yield b"never"

    task = asyncio.create_task(storage.put("a/b", slow()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert list(tmp_path.rglob("*")) == []


async def test_local_delete_prunes_empty_directories(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await storage.put("org/doc/v1", b"1")
    await storage.put("org/keep", b"2")
    await storage.delete("org/doc/v1")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["keep", "org"]


async def test_local_streams_without_holding_the_file_in_memory(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    total = 48 * MiB
    tracemalloc.start()
    try:
        stored = await storage.put("big", stream(total))
        _, peak_put = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        size, _ = await digest_of(await storage.open("big"))
        _, peak_open = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == size == total
    assert peak_put < 8 * MiB, peak_put
    assert peak_open < 4 * MiB, peak_open


async def test_local_directory_is_not_an_object(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    await storage.put("dir/file", b"1")
    with pytest.raises(ObjectNotFound):
        await storage.size("dir")
    with pytest.raises(ObjectNotFound):
        await storage.open("dir")
    assert await storage.delete("dir") is False
    assert await storage.exists("dir/file")


# --- s3 --------------------------------------------------------------------------------


async def test_s3_multipart_upload_streams_in_parts(s3_storage: S3Storage) -> None:
    total = 3 * MIN_PART_SIZE + 10
    sent: list[tuple[str, int]] = []

    def record(request: Any, **_: Any) -> None:  # observes the real HTTP requests boto3 sends
        sent.append((request.method, int(request.headers.get("Content-Length", -1))))

    s3_storage.client.meta.events.register("before-send.s3.*", record)
    stored = await s3_storage.put("multi/part", stream(total), content_type="application/pdf")
    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key="multi/part")
    assert head["ContentLength"] == total
    assert head["ContentType"] == "application/pdf"
    assert head["ETag"].strip('"').endswith("-4")  # S3's multipart ETag counts the parts
    assert stored.sha256 == (await digest_of(stream(total)))[1]
    part_sizes = [size for method, size in sent if method == "PUT"]
    assert part_sizes == [MIN_PART_SIZE] * 3 + [10]  # one part in flight, never the whole


async def test_s3_failed_multipart_upload_is_aborted(s3_storage: S3Storage) -> None:
    with pytest.raises(ObjectTooLarge):
        await s3_storage.put("too/big", stream(3 * MIN_PART_SIZE), max_size=2 * MIN_PART_SIZE)
    uploads = s3_storage.client.list_multipart_uploads(Bucket=s3_storage.bucket)
    assert uploads.get("Uploads", []) == []
    assert not await s3_storage.exists("too/big")


async def test_s3_delete_removes_every_version_and_unfinished_upload(
    s3_storage: S3Storage,
) -> None:
    client, bucket = s3_storage.client, s3_storage.bucket
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    await s3_storage.put("doc/file", b"version 1")
    await s3_storage.put("doc/file", b"version 2")
    client.delete_object(Bucket=bucket, Key="doc/file")  # a delete marker over them
    await s3_storage.put("doc/file", b"version 3")
    await s3_storage.put("doc/file-other", b"not this one")
    leftover = client.create_multipart_upload(Bucket=bucket, Key="doc/file")["UploadId"]
    client.upload_part(
        Bucket=bucket, Key="doc/file", UploadId=leftover, PartNumber=1, Body=b"x" * 1024
    )
    neighbour = client.create_multipart_upload(Bucket=bucket, Key="doc/file-other")["UploadId"]
    before = client.list_object_versions(Bucket=bucket, Prefix="doc/file")
    assert len(before["Versions"]) == 4 and len(before["DeleteMarkers"]) == 1

    assert await s3_storage.delete("doc/file") is True

    after = client.list_object_versions(Bucket=bucket, Prefix="doc/file")
    assert [v["Key"] for v in after.get("Versions", [])] == ["doc/file-other"]
    assert after.get("DeleteMarkers", []) == []
    uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    assert [upload["UploadId"] for upload in uploads] == [neighbour]
    assert await s3_storage.read("doc/file-other") == b"not this one"


async def test_s3_delete_reports_versions_the_store_keeps(
    s3_client: S3Client, s3_endpoint: str
) -> None:
    bucket = f"sift-locked-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    storage = S3Storage(s3_client, bucket)
    await storage.put("held", b"under retention")
    s3_client.put_object(
        Bucket=bucket,
        Key="held",
        Body=b"locked",
        ChecksumAlgorithm="SHA256",
        ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate=datetime.now(UTC) + timedelta(days=1),
    )
    with pytest.raises(DeletionRefused, match="AccessDenied"):
        await storage.delete("held")


async def test_s3_errors_other_than_missing_objects_are_raised(s3_client: S3Client) -> None:
    storage = S3Storage(s3_client, f"no-such-bucket-{uuid.uuid4().hex[:8]}")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        await storage.open("key")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        await storage.put("key", b"data")


async def test_s3_stream_of_whole_parts(s3_storage: S3Storage) -> None:
    total = 2 * MIN_PART_SIZE
    stored = await s3_storage.put("whole/parts", stream(total))
    assert stored.size == await s3_storage.size("whole/parts") == total


async def test_s3_storage_from_settings(
    s3_settings: StorageSettings, settings: CoreSettings
) -> None:
    storage = create_storage(settings.model_copy(update={"storage": s3_settings}))
    assert isinstance(storage, S3Storage)
    assert storage.bucket == s3_settings.s3_bucket
    await storage.put("k", b"v")
    assert await storage.read("k") == b"v"
    await storage.aclose()


def test_s3_part_size_has_a_floor(s3_storage: S3Storage) -> None:
    with pytest.raises(ValueError, match="part_size"):
        S3Storage(s3_storage.client, "bucket", part_size=MiB)


def test_local_storage_defaults_under_the_data_dir(settings: CoreSettings, tmp_path: Path) -> None:
    storage = create_storage(settings)
    assert isinstance(storage, LocalStorage)
    assert storage.root == (settings.data_dir / "files").absolute()
    configured = settings.model_copy(
        update={"storage": StorageSettings(backend="local", local_root=tmp_path / "blobs")}
    )
    explicit = create_storage(configured)
    assert isinstance(explicit, LocalStorage)
    assert explicit.root == tmp_path / "blobs"
    assert os.path.isabs(explicit.root)
