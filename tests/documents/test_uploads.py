"""Uploads: the type from the content, size and rate limits, duplicates, form checks."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.documents.config import DocumentsSettings
from sift.documents.documents.exceptions import UnsupportedFileType
from sift.documents.documents.sniffing import ACCEPTED_TYPES, DOCX
from sift.documents.models import Document, DocumentVersion
from tests.documents import samples
from tests.documents.conftest import (
    MAX_UPLOAD,
    Documents,
    DocumentsFactory,
    make_collection,
    outbox,
    sha256,
)


@pytest.mark.parametrize(
    ("make", "filename", "mime_type"),
    [
        (samples.pdf, "report.pdf", "application/pdf"),
        (samples.docx, "letter.docx", DOCX),
        (samples.html, "page.html", "text/html"),
        (samples.markdown, "readme.txt", "text/markdown"),  # the content decides
        (samples.text, "notes.md.exe", "text/plain"),
        (samples.latin1_text, "legacy.txt", "text/plain"),
        (samples.legacy_text, "abstract.txt", "text/plain"),  # a stray control byte
        (samples.legacy_markdown, "abstract.md", "text/markdown"),  # ~1 KB, one 0x19
    ],
)
async def test_the_type_comes_from_the_content(
    docs: Documents,
    session: AsyncSession,
    collection_id: uuid.UUID,
    make: Any,
    filename: str,
    mime_type: str,
) -> None:
    content = make()
    editor = docs.caller("editor")

    answer = await docs.upload(editor, collection_id, content, filename)

    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["mime_type"] == mime_type
    assert body["status"] == "uploaded"
    assert body["sha256"] == sha256(content)
    assert body["size"] == len(content)
    assert body["title"] == filename
    assert body["version"] == 1
    version = await session.get(DocumentVersion, uuid.UUID(body["version_id"]))
    assert version is not None
    assert await docs.storage.read(version.storage_key) == content
    [event] = await outbox(session, "document.uploaded")
    assert event["subject_id"] == body["id"]
    assert event["org_id"] == str(docs.org_id)
    assert event["actor_id"] == str(editor.user_id)
    assert event["data"] == {
        "document_id": body["id"],
        "version_id": body["version_id"],
        "collection_id": str(collection_id),
        "filename": filename,
        "content_type": mime_type,
        "size_bytes": len(content),
        "sha256": sha256(content),
        "storage_key": version.storage_key,
        "title": body["title"],
        "tags": [],
        "language": None,  # no language set by the uploader: search detects it
    }


@pytest.mark.parametrize(
    ("content", "filename", "what"),
    [
        (samples.png(), "photo.txt", "PNG image"),
        (samples.elf(), "tool.pdf", "binary data"),
        (samples.elf(), "notes.md", "binary data"),
        (samples.xlsx(), "sheet.docx", "Excel workbook"),
        (b"Looks like text at first\n" + b"\x00\x01\x02" * 5000, "data.txt", "binary data"),
    ],
    ids=["png", "elf", "elf-named-md", "xlsx", "text-then-binary"],
)
async def test_other_types_are_refused_with_415_and_nothing_is_stored(
    docs: Documents,
    session: AsyncSession,
    collection_id: uuid.UUID,
    content: bytes,
    filename: str,
    what: str,
) -> None:
    answer = await docs.upload(docs.caller(), collection_id, content, filename)

    assert answer.status_code == 415
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["detail"].startswith(f"Sift cannot index this kind of file ({what});")
    assert problem["accepted"] == list(ACCEPTED_TYPES)
    assert await session.scalar(select(Document.id)) is None
    assert docs.files == []


def test_the_accepted_list_is_the_sniffers() -> None:
    assert UnsupportedFileType.accepted == ACCEPTED_TYPES


async def test_a_file_over_the_cap_is_refused_with_413_while_streaming(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    answer = await docs.upload(docs.caller(), collection_id, b"a" * (MAX_UPLOAD + 1))

    assert answer.status_code == 413
    assert answer.json()["max_size"] == MAX_UPLOAD
    assert await session.scalar(select(Document.id)) is None
    assert docs.files == []

    exactly = await docs.upload(docs.caller(), collection_id, b"b" * MAX_UPLOAD)
    assert exactly.status_code == 201


async def test_the_same_bytes_twice_in_a_collection_is_a_409_naming_the_first(
    docs: Documents, session: AsyncSession, collection_id: uuid.UUID
) -> None:
    content = samples.pdf()
    first = await docs.uploaded(docs.caller(), collection_id, content, filename="a.pdf")

    again = await docs.upload(docs.caller(), collection_id, content, "b.pdf")

    assert again.status_code == 409
    assert again.json()["document_id"] == first["id"]
    assert again.json()["type"].endswith("/duplicate-document")
    assert len(list(await session.scalars(select(Document.id)))) == 1
    assert len(docs.files) == 1
    elsewhere = await make_collection(session, docs.org_id)
    assert (await docs.upload(docs.caller(), elsewhere.id, content, "c.pdf")).status_code == 201


@pytest.mark.parametrize(
    ("data", "files", "field"),
    [
        ({}, {"file": ("a.txt", b"hello", "text/plain")}, "collection_id"),
        ({"collection_id": "not-a-uuid"}, {"file": ("a.txt", b"x", "text/plain")}, "collection_id"),
        ({"collection_id": str(uuid.uuid4())}, None, "file"),
        (
            {"collection_id": "{c}", "tags": "x" * 51},
            {"file": ("a.txt", b"y", "text/plain")},
            "tags",
        ),
        (
            {"collection_id": "{c}", "title": "   "},
            {"file": ("a.txt", b"z", "text/plain")},
            "title",
        ),
    ],
)
async def test_invalid_forms_are_422(
    docs: Documents,
    collection_id: uuid.UUID,
    data: dict[str, str],
    files: Any,
    field: str,
) -> None:
    data = {k: v.replace("{c}", str(collection_id)) for k, v in data.items()}
    answer = await docs.client.post(
        "/api/documents", headers=docs.caller().headers, data=data, files=files or {"x": ("", b"")}
    )

    assert answer.status_code == 422, answer.text
    assert field in [error["loc"][-1] for error in answer.json()["errors"]]


async def test_an_empty_file_is_422(docs: Documents, collection_id: uuid.UUID) -> None:
    answer = await docs.upload(docs.caller(), collection_id, b"")

    assert answer.status_code == 422
    assert answer.json()["type"].endswith("/empty-file")


async def test_title_defaults_to_the_sanitized_file_name_and_tags_are_cleaned(
    docs: Documents, collection_id: uuid.UUID
) -> None:
    body = await docs.uploaded(
        docs.caller(),
        collection_id,
        filename="..\\..\\etc/\u202eevil\u200bname .txt",
        tags="Alpha, beta,alpha,, gamma ",
    )

    assert body["title"] == "evilname .txt"
    assert body["filename"] == "evilname .txt"
    assert body["tags"] == ["Alpha", "beta", "gamma"]
    named = await docs.uploaded(docs.caller(), collection_id, title="  My   report ")
    assert named["title"] == "My report"


async def test_uploads_are_rate_limited_per_caller(
    documents_factory: DocumentsFactory, session: AsyncSession
) -> None:
    config = DocumentsSettings(max_upload_bytes=MAX_UPLOAD, upload_rate_limit="2/minute")
    async with documents_factory(config=config) as docs:
        collection = await make_collection(session, docs.org_id)
        editor, other = docs.caller("editor"), docs.caller("editor")
        for _ in range(2):
            await docs.uploaded(editor, collection.id)

        refused = await docs.upload(editor, collection.id, samples.text())

        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        await docs.uploaded(other, collection.id)
