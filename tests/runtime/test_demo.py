"""`sift demo`: the samples go in through identity's and documents' real HTTP APIs.

The two services run over ASGI behind a small path router standing in for the gateway,
on the test's database (rolled back); documents verifies identity's tokens with the key
store on that database, as `tests/runtime/test_seed.py` does, since no JWKS server runs.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from sift.contracts.events.documents import DocumentIndexed, DocumentIndexFailed
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.documents.app import create_app as create_documents_app
from sift.documents.documents.status import document_status_service
from sift.documents.models import Document
from sift.documents.models import OutboxEvent as DocumentsOutbox
from sift.identity.app import create_app as create_identity_app
from sift.runtime.cli import main
from sift.runtime.demo import (
    Credentials,
    DemoError,
    DemoLoader,
    Manifest,
    default_samples_dir,
    summary,
)
from sift.runtime.demo_cli import tls_verify
from sift.runtime.gateway.settings import GatewayPaths
from sift.runtime.seed import LoadSeeder
from sift.runtime.tls import ensure_self_signed_certificate
from tests.conftest import TransactionalDatabase

PASSWORD = "Tide-pool-harbour-2026!"
IDENTITY = ("/api/auth", "/api/users", "/api/orgs", "/.well-known")
DOCUMENTS = ("/api/collections", "/api/documents")


class Gateway(httpx.AsyncBaseTransport):
    """Routes by path prefix, as nginx does in front of the services."""

    def __init__(self, routes: list[tuple[tuple[str, ...], httpx.AsyncBaseTransport]]) -> None:
        self.routes = routes

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        for prefixes, transport in self.routes:
            if request.url.path.startswith(prefixes):
                return await transport.handle_async_request(request)
        return httpx.Response(404)


@pytest.fixture
def demo_database(db_connection: AsyncConnection, database: Database) -> Database:
    return TransactionalDatabase(db_connection, database)


@pytest.fixture
async def stack(
    demo_database: Database, settings: CoreSettings
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of identity and documents behind one base URL."""
    identity = create_identity_app(settings)
    documents = create_documents_app(settings)
    config = AuthSettings()
    keys = LoadSeeder(demo_database, settings).keys
    verifier = TokenVerifier(keys, issuer=config.issuer_for(settings), config=config)
    Authenticator.install(documents, Authenticator(verifier))
    async with AsyncExitStack() as apps:
        for app in (identity, documents):
            await apps.enter_async_context(app.router.lifespan_context(app))
            await app.state.database.dispose()
            app.state.database = demo_database
        gateway = Gateway(
            [
                (IDENTITY, httpx.ASGITransport(app=identity)),
                (DOCUMENTS, httpx.ASGITransport(app=documents)),
            ]
        )
        async with httpx.AsyncClient(transport=gateway, base_url="https://testserver") as client:
            yield client


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return Manifest.load(default_samples_dir())


def newcomer(*, sign_up: bool = True) -> Credentials:
    """A fresh address; `sign_up`: the demo creates the account first."""
    email = f"demo-{uuid.uuid4().hex[:10]}@example.com"
    return Credentials(email, PASSWORD, sign_up_name="Dee Demo" if sign_up else None)


async def test_demo_loads_every_sample_through_the_api_and_a_rerun_skips_them(
    stack: httpx.AsyncClient, demo_database: Database, manifest: Manifest, tmp_path: Path
) -> None:
    lines: list[str] = []
    credentials = newcomer()
    loader = DemoLoader(stack, manifest, credentials, say=lines.append)

    result = await loader.run(wait_seconds=None)

    total = len(manifest.documents)
    assert lines[0] == f"created the account {credentials.email}"
    assert lines[1] == f"created the collection {manifest.collection_name!r}"
    assert lines[2] == f"[ 1/{total}] uploaded  {manifest.documents[0].file}"
    assert lines[-1] == f"{total} uploaded, 0 updated, 0 already there, 0 failed"
    assert result.failed == {}
    assert sorted(result.uploaded) == sorted(d.file for d in manifest.documents)
    # What the API now lists is the manifest: titles, tags, types, in one new collection.
    headers = {"Authorization": f"Bearer {loader.token}"}
    collections = (await stack.get("/api/collections", headers=headers)).json()["items"]
    assert [(c["id"], c["name"]) for c in collections] == [
        (result.collection_id, manifest.collection_name)
    ]
    listed = await stack.get(
        "/api/documents",
        params={"collection_id": result.collection_id, "limit": 100},
        headers=headers,
    )
    items = {item["filename"]: item for item in listed.json()["items"]}
    for document in manifest.documents:
        item = items[document.file]
        assert (item["title"], item["tags"], item["status"]) == (
            document.title,
            list(document.tags),
            "uploaded",
        )
    assert {item["mime_type"] for item in items.values()} == {
        "text/markdown",
        "text/html",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
    # Each upload was announced, so ingestion and notifications take their usual turn.
    async with demo_database.sessionmaker() as session:
        announced = set(
            await session.scalars(
                select(DocumentsOutbox.envelope["subject_id"].astext).where(
                    DocumentsOutbox.type == "document.uploaded"
                )
            )
        )
    assert {item["id"] for item in items.values()} <= announced

    # Again, signing in this time (the account exists): nothing new, nothing duplicated.
    lines.clear()
    again = await DemoLoader(stack, manifest, credentials, say=lines.append).run(wait_seconds=None)
    assert again.collection_id == result.collection_id
    assert (again.uploaded, len(again.skipped)) == ([], total)
    assert lines[0] == f"adding to the collection {manifest.collection_name!r}"
    assert lines[-1] == f"0 uploaded, 0 updated, {total} already there, 0 failed"
    assert again.ids == result.ids

    # An edited sample (a newer release of Sift) becomes a new version of its document.
    edited = tmp_path / "samples"
    shutil.copytree(manifest.directory, edited)
    with (edited / "documents" / "welcome.md").open("a") as welcome:
        welcome.write("\nThe Porto office celebrates its anniversary every March.\n")
    lines.clear()
    newer = Manifest.load(edited)
    third = await DemoLoader(stack, newer, credentials, say=lines.append).run(wait_seconds=None)
    assert (third.updated, third.uploaded, len(third.skipped)) == (["welcome.md"], [], total - 1)
    assert third.ids == result.ids
    versions = await stack.get(
        f"/api/documents/{result.ids['welcome.md']}/versions", headers=headers
    )
    assert [v["number"] for v in versions.json()["items"]] == [2, 1]


async def test_demo_waits_until_every_document_is_indexed_or_failed(
    stack: httpx.AsyncClient, demo_database: Database, manifest: Manifest
) -> None:
    lines: list[str] = []
    loader = DemoLoader(stack, manifest, newcomer(), say=lines.append, poll_seconds=0.05)
    result = await loader.run(wait_seconds=None)
    async with demo_database.sessionmaker() as session:
        documents = list(
            await session.scalars(
                select(Document).where(Document.collection_id == uuid.UUID(result.collection_id))
            )
        )

    async def settle(batch: list[Document], *, fail: bool = False) -> None:
        """What the documents consumer does when search reports on each document."""
        async with demo_database.sessionmaker() as session:
            for document in batch:
                ids = {
                    "document_id": document.id,
                    "version_id": document.current_version_id,
                    "collection_id": document.collection_id,
                }
                now = datetime.now(UTC)
                if fail:
                    failed = DocumentIndexFailed(**ids, code="no_text", reason="No text.")
                    await document_status_service.record_failed(session, failed, occurred_at=now)
                else:
                    indexed = DocumentIndexed(
                        **ids, chunk_count=2, embedding_model="test", duration_ms=5
                    )
                    await document_status_service.record_indexed(session, indexed, occurred_at=now)
            await session.commit()

    # Until every document is settled the wait gives up at its deadline, saying how far it
    # got. (The polls and the status changes take turns: they share the test's connection.)
    with pytest.raises(DemoError, match=r"within 0 s \(indexed 0/31\); is the stack's"):
        await loader.wait_indexed(result, 0.0)
    await settle(documents[:10])
    with pytest.raises(DemoError, match=r"\(indexed 10/31\)"):
        await loader.wait_indexed(result, 0.0)
    await settle(documents[10:-1])
    await settle(documents[-1:], fail=True)
    await loader.wait_indexed(result, 0.0)  # a failure is settled too: no waiting for it

    total = len(manifest.documents)
    assert f"indexed 10/{total}" in lines
    assert lines[-1] == f"indexed {total - 1}/{total}, 1 failed"
    assert sorted(result.statuses.values()) == ["failed"] + ["indexed"] * (total - 1)
    printed = summary(manifest, result, "https://sift.example")
    assert (
        f"The sample workspace is at https://sift.example/collections/{result.collection_id}"
        in printed
    )
    assert printed[-len(manifest.questions) :] == [
        f"  - {item.question}" for item in manifest.questions
    ]
    assert "  - How long are nightly database backups kept?" in printed


async def test_demo_says_why_it_cannot_sign_in_or_load(
    stack: httpx.AsyncClient, manifest: Manifest
) -> None:
    quiet: list[str] = []
    stranger = newcomer(sign_up=False)
    with pytest.raises(DemoError, match=f"could not sign in as {stranger.email}"):
        await DemoLoader(stack, manifest, stranger, say=quiet.append).run(wait_seconds=None)
    with pytest.raises(DemoError, match="could not list /api/collections"):
        bogus = Credentials(token="not-a-token")
        await DemoLoader(stack, manifest, bogus, say=quiet.append).run(wait_seconds=None)
    with pytest.raises(DemoError, match="the API key was refused"):
        key = Credentials(token="sift_nope_nope")
        await DemoLoader(stack, manifest, key, say=quiet.append).run(wait_seconds=None)
    with pytest.raises(DemoError, match="--email"):
        await DemoLoader(stack, manifest, Credentials(), say=quiet.append).run(wait_seconds=None)


def test_the_command_reports_an_unreachable_stack_and_a_missing_manifest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    url = "https://127.0.0.1:9"  # discard: nothing answers
    assert main(["demo", "--url", url, "--token", "t", "--no-wait"]) == 1
    assert f"cannot reach {url}" in capsys.readouterr().err
    assert main(["demo", "--url", url, "--token", "t", "--samples", str(tmp_path)]) == 1
    assert f"no readable sample manifest in {tmp_path}" in capsys.readouterr().err


def test_a_local_stack_is_trusted_by_its_own_certificate(tmp_path: Path) -> None:
    # The certificate `sift up` makes for its gateway, where `sift up` puts it.
    files = ensure_self_signed_certificate(GatewayPaths.under(tmp_path).tls_dir)
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(files.cert, files.key)

    local = tls_verify("https://localhost:8443", tmp_path, insecure=False)
    assert isinstance(local, ssl.SSLContext)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        accepted = threading.Thread(target=lambda: _handshake(listener, server_context))
        accepted.start()
        raw = socket.create_connection(listener.getsockname()[:2])
        with local.wrap_socket(raw, server_hostname="localhost") as tls:
            peer = tls.getpeercert()  # verified: the context requires a trusted certificate
            assert peer is not None and peer["subject"][0] == (("commonName", "localhost"),)
        accepted.join(5)
    # Elsewhere the system's CAs decide, unless told not to check.
    assert tls_verify("https://sift.example.com", tmp_path, insecure=False) is True
    assert tls_verify("https://localhost:8443", tmp_path / "elsewhere", insecure=False) is True
    assert tls_verify("https://localhost:8443", tmp_path, insecure=True) is False


def _handshake(listener: socket.socket, context: ssl.SSLContext) -> None:
    connection, _ = listener.accept()
    with context.wrap_socket(connection, server_side=True):
        pass
