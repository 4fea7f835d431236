"""Through the gateway of the real stack: a phrase on page 2 of a two-page PDF (one chunk
over both pages) is found on page 2, and a citation of it is on page 2 with the quote's span.
"""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from tests.e2e.test_stack import Stack, client, stack
from tests.search.files import pdf

__all__ = ["client", "stack"]  # fixtures

pytestmark = pytest.mark.e2e

PAGE_ONE = "The annual report describes the harbor budget and the ledger of the port."
PAGE_TWO = "The warehouse on the quay stores saffron lanterns for the winter festival."


def _indexed(client: httpx.Client, url: str, headers: dict[str, str]) -> dict[str, object]:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        document = client.get(url, headers=headers).json()
        if document["status"] in ("indexed", "failed"):
            assert document["status"] == "indexed", document
            return dict(document)
        time.sleep(0.5)
    pytest.fail(f"not indexed in time: {document}")


def test_a_phrase_on_page_two_is_found_and_cited_on_page_two(
    stack: Stack, client: httpx.Client
) -> None:
    signup = client.post(
        f"{stack.base}/api/auth/signup",
        json={
            "email": f"pages-{uuid.uuid4().hex[:8]}@example.com",
            "password": "Lantern-harbour-2026!",
            "name": "Pages",
        },
    )
    assert signup.status_code == 201, signup.text
    headers = {"Authorization": f"Bearer {signup.json()['access_token']}"}
    collection = client.post(
        f"{stack.base}/api/collections", headers=headers, json={"name": "Reports"}
    )
    assert collection.status_code == 201, collection.text
    collection_id = collection.json()["id"]
    upload = client.post(
        f"{stack.base}/api/documents",
        headers=headers,
        data={"collection_id": collection_id, "title": "Annual report"},
        files={"file": ("report.pdf", pdf([PAGE_ONE, PAGE_TWO]), "application/pdf")},
    )
    assert upload.status_code == 201, upload.text
    document_id = upload.json()["id"]
    assert _indexed(client, f"{stack.base}/api/documents/{document_id}", headers)["page_count"] == 2

    found = client.post(
        f"{stack.base}/api/search", headers=headers, json={"query": "saffron lanterns"}
    )
    assert found.status_code == 200, found.text
    [hit] = found.json()["items"]
    assert (hit["document_id"], hit["page"]) == (document_id, 2)
    pages = client.get(
        f"{stack.base}/api/search/documents/{document_id}/pages", headers=headers
    ).json()
    assert [item["page"] for item in pages["items"]] == [1, 2]
    page_two = pages["items"][1]
    span = hit["span"]
    assert page_two["start"] <= span["start"] < span["end"] <= page_two["end"]
    offset = page_two["start"]
    assert "saffron lanterns" in page_two["text"][span["start"] - offset : span["end"] - offset]

    asked = client.post(
        f"{stack.base}/api/assistant/ask",
        headers=headers,
        json={"question": "Where are the saffron lanterns stored?"},
        timeout=60,
    )
    assert asked.status_code == 200, asked.text
    citations = [c for c in asked.json()["citations"] if c["document_id"] == document_id]
    assert citations, asked.json()
    citation = next(c for c in citations if "saffron" in c["quote"])
    assert citation["page"] == 2
    span = citation["span"]
    assert page_two["text"][span["start"] - offset : span["end"] - offset] == citation["quote"]
