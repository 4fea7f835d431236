"""Listing stored objects: the same contract for `local` and `s3` (moto over real HTTP)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sift.core.storage import InvalidKey, LocalStorage, S3Storage, Storage


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "files")
    s3: S3Storage = request.getfixturevalue("s3_storage")
    return s3


async def test_lists_objects_under_a_prefix_in_key_order(storage: Storage) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    for key, data in [
        ("documents/b/2", b"bb"),
        ("documents/a/1", b"a"),
        ("documents/a/10", b"aaaa"),
        ("documentsX/1", b"x"),
        ("other/1", b"o"),
    ]:
        await storage.put(key, data)

    listed = [item async for item in storage.list_objects("documents/")]
    assert [(item.key, item.size) for item in listed] == [
        ("documents/a/1", 1),
        ("documents/a/10", 4),
        ("documents/b/2", 2),
    ]
    after = datetime.now(UTC) + timedelta(seconds=5)
    assert all(before <= item.modified_at <= after for item in listed)
    assert all(item.modified_at.tzinfo is not None for item in listed)

    # A string prefix, not only a directory; the empty prefix lists everything.
    assert [i.key async for i in storage.list_objects("documents/a/1")] == [
        "documents/a/1",
        "documents/a/10",
    ]
    assert len([i async for i in storage.list_objects()]) == 5
    assert [i async for i in storage.list_objects("nothing/here/")] == []

    await storage.delete("documents/a/1")
    assert [i.key async for i in storage.list_objects("documents/a/")] == ["documents/a/10"]


async def test_s3_lists_past_one_page(s3_storage: S3Storage) -> None:
    for n in range(1005):
        s3_storage.client.put_object(Bucket=s3_storage.bucket, Key=f"many/{n:05d}", Body=b"")
    keys = [item.key async for item in s3_storage.list_objects("many/")]
    assert keys == [f"many/{n:05d}" for n in range(1005)]


async def test_local_listing_skips_uploads_in_progress_and_refuses_traversal(
    tmp_path: Path,
) -> None:
    storage = LocalStorage(tmp_path / "files")
    await storage.put("documents/x/1", b"done")
    (tmp_path / "files" / "documents" / "x" / ".tmp-abc").write_bytes(b"half")
    old = time.time() - 3600
    os.utime(tmp_path / "files" / "documents" / "x" / "1", (old, old))

    [item] = [i async for i in storage.list_objects("documents/")]
    assert item.key == "documents/x/1"
    assert abs(item.modified_at.timestamp() - old) < 1
    with pytest.raises(InvalidKey):
        [i async for i in storage.list_objects("../outside/")]
