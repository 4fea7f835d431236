"""`sift demo`: load the sample workspace (`samples/`) into a running Sift over its HTTP API.

It does what the web app's "Try with sample documents" does, as the person whose
credentials it is given: find or create the manifest's collection, upload every file
with the normal upload (so ingestion, permissions, events and notifications are those of
anyone's upload), wait until the documents are indexed, and print the suggested
questions. A file already in the collection (same bytes) is skipped, so a re-run finishes
an interrupted load.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

import sift

MIME_TYPES = {
    ".md": "text/markdown",
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class DemoError(RuntimeError):
    """A failure the user can act on: printed without a traceback, exit status 1."""


def default_samples_dir() -> Path:
    # src/sift/__init__.py -> the source tree's samples/ (beside web/, which serves them too).
    return Path(sift.__file__).resolve().parents[2] / "samples"


@dataclass(frozen=True)
class SampleDocument:
    file: str
    title: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SampleQuestion:
    question: str
    answer_in: str  # the file that holds the answer (tests/runtime/test_samples.py checks it)


@dataclass(frozen=True)
class Manifest:
    directory: Path
    collection_name: str
    collection_description: str
    documents: tuple[SampleDocument, ...]
    questions: tuple[SampleQuestion, ...]

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        try:
            raw = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
            documents = tuple(
                SampleDocument(d["file"], d["title"], tuple(d.get("tags", ())))
                for d in raw["documents"]
            )
            return cls(
                directory,
                raw["collection"]["name"],
                raw["collection"].get("description", ""),
                documents,
                tuple(SampleQuestion(q["question"], q["answer_in"]) for q in raw["questions"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DemoError(f"no readable sample manifest in {directory}: {exc}") from exc

    def path(self, document: SampleDocument) -> Path:
        return self.directory / "documents" / document.file


@dataclass(frozen=True)
class Credentials:
    """How to get an access token: a token as is, an API key to exchange, or a password."""

    email: str | None = None
    password: str | None = None
    token: str | None = None
    mfa_code: str | None = None
    sign_up_name: str | None = None  # create the account first (if it does not exist)


@dataclass
class DemoResult:
    collection_id: str
    uploaded: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # a new version of an edited sample
    skipped: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)  # file -> its document's id
    failed: dict[str, str] = field(default_factory=dict)  # file -> why
    statuses: dict[str, str] = field(default_factory=dict)  # document id -> status


def problem_text(response: httpx.Response) -> str:
    """The problem+json's detail (or title), else the status line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and (body.get("detail") or body.get("title")):
        return str(body.get("detail") or body.get("title"))
    return f"HTTP {response.status_code}"


class DemoLoader:
    def __init__(
        self,
        client: httpx.AsyncClient,
        manifest: Manifest,
        credentials: Credentials,
        *,
        say: Callable[[str], None] = print,
        poll_seconds: float = 2.0,
    ) -> None:
        self.client = client
        self.manifest = manifest
        self.credentials = credentials
        self.say = say
        self.poll_seconds = poll_seconds
        self.token: str | None = None

    # --- authentication ---

    async def authenticate(self) -> None:
        creds = self.credentials
        if creds.token is not None:
            self.token = (
                await self._exchange(creds.token)
                if creds.token.startswith("sift_")
                else creds.token
            )
            return
        if not creds.email or creds.password is None:
            raise DemoError("give --email (and the password when asked), or --token")
        if creds.sign_up_name is not None:
            body = {"email": creds.email, "password": creds.password, "name": creds.sign_up_name}
            response = await self.client.post("/api/auth/signup", json=body)
            if response.status_code == 201:
                self.say(f"created the account {creds.email}")
                self.token = response.json()["access_token"]
                return
            if response.status_code != 409:  # 409: it exists, so sign in
                raise DemoError(f"could not create the account: {problem_text(response)}")
        body = {"email": creds.email, "password": creds.password}
        if creds.mfa_code:
            body["mfa_code"] = creds.mfa_code
        response = await self.client.post("/api/auth/login", json=body)
        if response.status_code != 200:
            hint = ""
            if response.status_code == 401 and '"mfa_required"' in response.text:
                hint = " (two-step verification is on: pass --mfa-code, or --token with an API key)"
            raise DemoError(f"could not sign in as {creds.email}: {problem_text(response)}{hint}")
        self.token = response.json()["access_token"]

    async def _exchange(self, key: str) -> str:
        response = await self.client.post(
            "/api/auth/api-keys/token", headers={"Authorization": f"Bearer {key}"}
        )
        if response.status_code != 200:
            raise DemoError(f"the API key was refused: {problem_text(response)}")
        return str(response.json()["access_token"])

    async def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """An authenticated call; on a 401 (the access token expired) signs in once more."""
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self.token}"}
            response = await self.client.request(method, url, headers=headers, **kwargs)
            renewable = self.credentials.password is not None or (
                self.credentials.token or ""
            ).startswith("sift_")
            if response.status_code != 401 or attempt == 2 or not renewable:
                return response
            await self.authenticate()
        raise AssertionError("unreachable")

    # --- loading ---

    async def run(self, *, wait_seconds: float | None) -> DemoResult:
        """Sign in, load every sample, then wait up to `wait_seconds` for indexing (None: not)."""
        await self.authenticate()
        collection_id = await self.collection()
        result = DemoResult(collection_id)
        present = {
            item["filename"]: str(item["id"])
            for item in await self.items("/api/documents", collection_id=collection_id)
        }
        total = len(self.manifest.documents)
        for number, document in enumerate(self.manifest.documents, start=1):
            outcome = await self.upload(result, document, present.get(document.file))
            self.say(f"[{number:>2}/{total}] {outcome:<9} {document.file}")
        self.say(
            f"{len(result.uploaded)} uploaded, {len(result.updated)} updated, "
            f"{len(result.skipped)} already there, {len(result.failed)} failed"
        )
        if wait_seconds is not None:
            await self.wait_indexed(result, wait_seconds)
        return result

    async def items(self, url: str, **filters: str) -> list[dict[str, Any]]:
        """Every item of a paginated list."""
        found: list[dict[str, Any]] = []
        params: dict[str, str | int] = {"limit": 100, **filters}
        while True:
            response = await self.call("GET", url, params=params)
            if response.status_code != 200:
                raise DemoError(f"could not list {url}: {problem_text(response)}")
            page = response.json()
            found += page["items"]
            if not page.get("next_cursor"):
                return found
            params["cursor"] = page["next_cursor"]

    async def collection(self) -> str:
        name = self.manifest.collection_name
        for item in await self.items("/api/collections"):
            if item["name"] == name:
                self.say(f"adding to the collection {name!r}")
                return str(item["id"])
        body = {
            "name": name,
            "description": self.manifest.collection_description,
            "visibility": "org",
        }
        response = await self.call("POST", "/api/collections", json=body)
        if response.status_code != 201:
            raise DemoError(f"could not create the collection: {problem_text(response)}")
        self.say(f"created the collection {name!r}")
        return str(response.json()["id"])

    async def upload(
        self, result: DemoResult, document: SampleDocument, present: str | None
    ) -> str:
        """A new document, or a new version of the one of that file name (an edited sample)."""
        try:
            content = self.manifest.path(document).read_bytes()
        except OSError as exc:
            result.failed[document.file] = str(exc)
            return "missing"
        mime = MIME_TYPES.get(Path(document.file).suffix, "application/octet-stream")
        files = {"file": (document.file, content, mime)}
        if present is None:
            data = {
                "collection_id": result.collection_id,
                "title": document.title,
                "tags": list(document.tags),
            }
            response = await self.call("POST", "/api/documents", data=data, files=files)
            done, kept = "uploaded", result.uploaded
        else:
            url = f"/api/documents/{present}/versions"
            response = await self.call("POST", url, files=files)
            done, kept = "updated", result.updated
        if response.status_code == 201:
            kept.append(document.file)
            result.ids[document.file] = str(response.json()["id"])
            return done
        if response.status_code == 409:  # the same bytes are in the collection already
            result.skipped.append(document.file)
            duplicate = response.json().get("document_id") if present is None else present
            if duplicate:
                result.ids[document.file] = str(duplicate)
            return "skipped"
        result.failed[document.file] = problem_text(response)
        return "failed"

    async def wait_indexed(self, result: DemoResult, seconds: float) -> None:
        """Poll until each sample document is indexed or failed, or time is up."""
        deadline = time.monotonic() + seconds
        wanted = set(result.ids.values())
        last = ""
        while True:
            listed = await self.items("/api/documents", collection_id=result.collection_id)
            result.statuses = {
                str(item["id"]): item["status"] for item in listed if str(item["id"]) in wanted
            }
            statuses = list(result.statuses.values())
            indexed, failed = statuses.count("indexed"), statuses.count("failed")
            line = f"indexed {indexed}/{len(wanted)}" + (f", {failed} failed" if failed else "")
            if line != last:
                self.say(line)
                last = line
            if indexed + failed >= len(wanted):
                return
            if time.monotonic() >= deadline:
                raise DemoError(
                    f"not every document was indexed within {seconds:.0f} s ({line}); is the "
                    "stack's ingest worker running? Run `sift demo` again to keep waiting"
                )
            await asyncio.sleep(self.poll_seconds)


def summary(manifest: Manifest, result: DemoResult, base_url: str) -> list[str]:
    lines = [
        "",
        f"The sample workspace is at {base_url}/collections/{result.collection_id}",
        f"Ask about it at {base_url}/ask, for example:",
        *(f"  - {item.question}" for item in manifest.questions),
    ]
    if result.failed:
        lines += ["", "Not uploaded:", *(f"  - {f}: {why}" for f, why in result.failed.items())]
    return lines
