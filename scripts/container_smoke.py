"""The journey `make test-containers` runs through a containerized stack's gateway.

Every service is ready; a new account signs up, makes a collection, uploads a Markdown
file and a PDF; both get indexed by the ingest worker; search finds the PDF's passage;
the assistant answers a question from it with a citation. Exit status 0 when all of that
happened, 1 with the step that failed otherwise.
    python scripts/container_smoke.py https://localhost:8443
"""

from __future__ import annotations

import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

SERVICES = ("identity", "documents", "search", "assistant", "notifications", "audit")
SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "documents"
UPLOADS = {
    "welcome.md": "text/markdown",
    "parental-leave-policy.pdf": "application/pdf",
}
QUESTION = "How many weeks of paid parental leave does a parent get?"


class SmokeFailure(RuntimeError):
    pass


def say(message: str) -> None:
    print(f"smoke: {message}", flush=True)


def expect(response: httpx.Response, status: int, step: str) -> Any:
    if response.status_code != status:
        raise SmokeFailure(f"{step}: HTTP {response.status_code} {response.text[:500]}")
    return response.json() if response.content else None


def wait_ready(client: httpx.Client, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    pending = ["gateway", *SERVICES]
    while pending:
        name = pending[0]
        path = "/gateway/healthz" if name == "gateway" else f"/api/{name}/readyz"
        try:
            if client.get(path).status_code == 200:
                pending.pop(0)
                continue
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SmokeFailure(f"not ready within {seconds:.0f} s: {', '.join(pending)}")
        time.sleep(2)
    say(f"gateway and {len(SERVICES)} services ready")


def journey(client: httpx.Client, index_seconds: float) -> None:
    email = f"smoke-{uuid.uuid4().hex[:10]}@example.org"
    body = {"email": email, "password": f"Smoke-{uuid.uuid4().hex}", "name": "Smoke Test"}
    token = expect(client.post("/api/auth/signup", json=body), 201, "sign up")["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    say(f"signed up {email}")

    collection = expect(
        client.post("/api/collections", json={"name": "Smoke", "visibility": "org"}),
        201,
        "create a collection",
    )["id"]
    ids = {}
    for name, mime in UPLOADS.items():
        files = {"file": (name, (SAMPLES / name).read_bytes(), mime)}
        response = client.post("/api/documents", data={"collection_id": collection}, files=files)
        ids[name] = expect(response, 201, f"upload {name}")["id"]
    say(f"uploaded {', '.join(ids)}")

    deadline = time.monotonic() + index_seconds
    while True:
        statuses = {
            name: expect(client.get(f"/api/documents/{doc}"), 200, "read a document")["status"]
            for name, doc in ids.items()
        }
        if "failed" in statuses.values():
            raise SmokeFailure(f"indexing failed: {statuses}")
        if set(statuses.values()) == {"indexed"}:
            break
        if time.monotonic() > deadline:
            raise SmokeFailure(f"not indexed within {index_seconds:.0f} s: {statuses}")
        time.sleep(3)
    say("both documents indexed")

    found = expect(
        client.post("/api/search", json={"query": "paid parental leave weeks"}), 200, "search"
    )["items"]
    if not any(item["document_id"] == ids["parental-leave-policy.pdf"] for item in found):
        raise SmokeFailure(f"search did not find the PDF: {[i['document_title'] for i in found]}")
    say(f"search found the PDF among {len(found)} results")

    answer = expect(
        client.post("/api/assistant/ask", json={"question": QUESTION, "stream": False}),
        200,
        "ask",
    )
    cited = {citation["document_id"] for citation in answer["citations"]}
    if not answer["answer"].strip() or ids["parental-leave-policy.pdf"] not in cited:
        raise SmokeFailure(f"the answer does not cite the PDF: {answer}")
    say(f"the assistant ({answer['provider']}) answered with {len(cited)} cited document(s)")


def main(argv: list[str]) -> int:
    base = argv[1] if len(argv) > 1 else "https://localhost:8443"
    # The stack's self-signed certificate: this checks the journey, not the certificate.
    with httpx.Client(base_url=base, verify=False, timeout=60) as client:  # noqa: S501
        try:
            wait_ready(client, seconds=600)
            journey(client, index_seconds=600)
        except SmokeFailure as exc:
            say(f"FAILED: {exc}")
            return 1
    say("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
