"""The restore drill: a real stack filled through its API is backed up, lost (data directory,
files and its Redis keys wiped), restored into an empty stack and used again.

It reports the RPO (what a loss at the moment of the wipe cost: the time since the backup's
snapshot, and the write made after it that is gone) and the RTO (from the wipe until search
and ask answer again). Slow (two stack starts, indexing): `make test-ops`, not `make test`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import pytest
import redis

from sift import SERVICES
from tests.e2e.test_stack import Stack, new_stack

# Whole stacks started (twice for the drill) on a shared 2-core host: minutes, not seconds.
pytestmark = [pytest.mark.e2e, pytest.mark.ops, pytest.mark.timeout(1800)]

PASSWORD = "Drill-restore-2026!"
TEXT_V1 = "The lighthouse keeper logs the tide tables every morning at dawn.\n"
TEXT_V2 = TEXT_V1 + "Since the storm the keeper also records the saffron beacon's hours.\n"


@pytest.fixture(scope="module")
def drill_stack() -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="sift-drill-"))
    stack = new_stack(root)
    # Slow starts on a loaded host are not what these tests are about.
    stack.ready_timeout, stack.start_timeout = 400.0, 600.0
    try:
        yield stack
    finally:
        stack.kill()
        shutil.rmtree(root, ignore_errors=True)


def sift(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sift.runtime", *args],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def counts(stack: Stack) -> dict[str, int]:
    url = f"postgresql://postgres@127.0.0.1:{stack.pg_port}/sift"
    with psycopg.connect(url) as connection:
        tables = connection.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
            " WHERE table_type = 'BASE TABLE' AND table_schema = ANY(%s)",
            (list(SERVICES),),
        ).fetchall()
        return {
            name: connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            for (name,) in tables
        }


def file_sums(stack: Stack) -> dict[str, str]:
    root = stack.data_dir / "files"
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def wait_indexed(
    client: httpx.Client, stack: Stack, document_id: str, headers: dict[str, str], version: int
) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        document = client.get(f"{stack.base}/api/documents/{document_id}", headers=headers).json()
        if document.get("status") == "indexed" and document["version"] >= version:
            return
        assert document.get("status") != "failed", document
        time.sleep(1)
    pytest.fail(f"not indexed in time: {document}")


def login(client: httpx.Client, stack: Stack, email: str) -> dict[str, str]:
    response = client.post(
        f"{stack.base}/api/auth/login", json={"email": email, "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def search_and_ask(
    client: httpx.Client, stack: Stack, headers: dict[str, str], document_id: str
) -> None:
    # The first query after a start waits for the search service's embedding model.
    for _ in range(5):
        with contextlib.suppress(httpx.TimeoutException):
            found = client.post(
                f"{stack.base}/api/search",
                headers=headers,
                json={"query": "saffron beacon"},
                timeout=120,
            )
            if found.status_code != 503:
                break
        time.sleep(2)
    assert found.status_code == 200, found.text
    assert document_id in {hit["document_id"] for hit in found.json()["items"]}
    for _ in range(5):  # a 503 says "try again shortly": the search call timed out (busy host)
        asked = client.post(
            f"{stack.base}/api/assistant/ask",
            headers=headers,
            json={"question": "What does the keeper record since the storm?"},
            timeout=60,
        )
        if asked.status_code != 503:
            break
        time.sleep(2)
    assert asked.status_code == 200, asked.text
    assert document_id in {c["document_id"] for c in asked.json()["citations"]}


def test_the_restore_drill(drill_stack: Stack) -> None:
    stack = drill_stack
    stack.start()
    client = httpx.Client(verify=False, timeout=30)
    email = f"drill-{uuid.uuid4().hex[:8]}@example.com"
    signup = client.post(
        f"{stack.base}/api/auth/signup",
        json={"email": email, "password": PASSWORD, "name": "Drill"},
    )
    assert signup.status_code == 201, signup.text
    headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    collection = client.post(
        f"{stack.base}/api/collections", headers=headers, json={"name": "Logs"}
    )
    assert collection.status_code == 201, collection.text
    upload = client.post(
        f"{stack.base}/api/documents",
        headers=headers,
        data={"collection_id": collection.json()["id"], "title": "Keeper's log"},
        files={"file": ("log.txt", TEXT_V1.encode(), "text/plain")},
    )
    assert upload.status_code == 201, upload.text
    document_id = upload.json()["id"]
    wait_indexed(client, stack, document_id, headers, 1)
    version = client.post(
        f"{stack.base}/api/documents/{document_id}/versions",
        headers=headers,
        files={"file": ("log.txt", TEXT_V2.encode(), "text/plain")},
    )
    assert version.status_code == 201, version.text
    wait_indexed(client, stack, document_id, headers, 2)
    search_and_ask(client, stack, headers, document_id)  # a conversation with its messages
    notifications = client.get(f"{stack.base}/api/notifications", headers=headers).json()
    assert notifications["items"], "the uploader was told of the indexing"
    time.sleep(3)  # the consumers finish with the last events (audit, analytics)

    backup = sift(stack, "backup", "--to", str(stack.data_dir.parent / "backups"))
    manifest_path = next((stack.data_dir.parent / "backups").glob("*/manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    # The backup's instant is its snapshot: the stack goes on writing (deliveries, audit),
    # so what must come back is what the manifest recorded, not a later count.
    before = manifest["database"]["tables"]
    sums = {item["key"]: item["sha256"] for item in manifest["storage"]["files"]}
    assert sums == file_sums(stack), backup.stdout
    assert set(before) == set(counts(stack))
    assert before["identity.users"] >= 1 and before["documents.document_versions"] >= 2
    assert before["assistant.conversations"] >= 1 and before["notifications.notifications"] >= 1
    # A write after the snapshot: the RPO's price, lost with the disaster.
    late = client.post(f"{stack.base}/api/collections", headers=headers, json={"name": "Late"})
    assert late.status_code == 201, late.text

    # The disaster: the stack's disk and its Redis keys are gone.
    assert stack.interrupt() == 0
    disaster = time.monotonic()
    disaster_at = datetime.now(UTC)
    shutil.rmtree(stack.data_dir)
    keys = redis.Redis.from_url(stack.env["SIFT_REDIS_URL"])
    stale = list(keys.scan_iter(match=stack.env["SIFT_REDIS_PREFIX"] + "*"))
    if stale:
        keys.delete(*stale)

    sift(stack, "restore", str(stack.data_dir.parent / "backups"))
    stack.start()
    # Before anyone uses it: every table as it was in the backup, row for row, every file
    # byte for byte.
    after, restored_sums = counts(stack), file_sums(stack)
    headers = login(client, stack, email)
    search_and_ask(client, stack, headers, document_id)
    rto = time.monotonic() - disaster

    assert {n: (before[n], after.get(n)) for n in before if after.get(n) != before[n]} == {}
    assert restored_sums == sums
    collections = client.get(f"{stack.base}/api/collections", headers=headers).json()["items"]
    assert "Late" not in {c["name"] for c in collections}

    snapshot = datetime.fromisoformat(manifest["snapshot_at"])
    report = {
        "rpo_seconds": round((disaster_at - snapshot).total_seconds(), 1),
        "rto_seconds": round(rto, 1),
        "tables": len(before),
        "rows": sum(before.values()),
        "files": len(sums),
    }
    (stack.data_dir.parent.parent / "sift-restore-drill.json").write_text(json.dumps(report))
    print(f"\nrestore drill: {json.dumps(report)}")
