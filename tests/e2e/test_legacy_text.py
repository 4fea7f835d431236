"""Through the gateway of the real stack: a kilobyte of Markdown with one stray 0x19 byte
(legacy typesetting's right quote) is accepted, indexed with a right quote in its text and the
replacement noted in its processing details; an ELF binary named `.md` is refused.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.e2e.test_locations import _indexed
from tests.e2e.test_stack import Stack, client, stack

__all__ = ["client", "stack"]  # fixtures

pytestmark = pytest.mark.e2e

ABSTRACT = (
    b"# Heap Merge (Algorithm 17)\n\nThe author\x19s procedure merges two heaps. "
    + b"Two heaps are merged in logarithmic time by the classic method. " * 14
    + b"\n"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64 + b"/lib64/ld-linux-x86-64.so.2\x00" * 8


def test_legacy_markdown_is_indexed_and_a_binary_named_md_is_refused(
    stack: Stack, client: httpx.Client
) -> None:
    assert 900 < len(ABSTRACT) < 1200 and ABSTRACT.count(b"\x19") == 1
    signup = client.post(
        f"{stack.base}/api/auth/signup",
        json={
            "email": f"legacy-{uuid.uuid4().hex[:8]}@example.com",
            "password": "Lantern-harbour-2026!",
            "name": "Legacy",
        },
    )
    assert signup.status_code == 201, signup.text
    headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    collection = client.post(
        f"{stack.base}/api/collections", headers=headers, json={"name": "Abstracts"}
    )
    assert collection.status_code == 201, collection.text
    collection_id = collection.json()["id"]

    upload = client.post(
        f"{stack.base}/api/documents",
        headers=headers,
        data={"collection_id": collection_id},
        files={"file": ("heap-merge.md", ABSTRACT, "text/markdown")},
    )
    assert upload.status_code == 201, upload.text
    assert upload.json()["mime_type"] == "text/markdown"
    document_id = upload.json()["id"]
    document = _indexed(client, f"{stack.base}/api/documents/{document_id}", headers)
    steps = document["steps"]
    assert isinstance(steps, list)
    [extract] = [step for step in steps if step["name"] == "extract"]
    assert extract["note"].startswith("Replaced 1 stray control character ")
    pages = client.get(
        f"{stack.base}/api/search/documents/{document_id}/pages", headers=headers
    ).json()
    text = "".join(item["text"] for item in pages["items"])
    assert "The author\u2019s procedure merges two heaps." in text and "\x19" not in text

    refused = client.post(
        f"{stack.base}/api/documents",
        headers=headers,
        data={"collection_id": collection_id},
        files={"file": ("notes.md", ELF, "text/markdown")},
    )
    assert refused.status_code == 415, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
