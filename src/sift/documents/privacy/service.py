"""What the documents service holds about a person: collections they made, documents they
uploaded (with the original files of every version, but those their collection did not
keep: `file` is then null), and grants they hold or gave.

An organization's erasure deletes all its collections and documents (every version's file);
search, which erases the organization itself, is not told about each document."""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import (
    ErasureRequested,
    ExportRequested,
    OrganizationErasureRequested,
)
from sift.contracts.events.documents import CollectionDeleted, DeletionReason, DocumentDeleted
from sift.core.privacy import (
    ERASED_USER_ID,
    ExportPart,
    answer_erasure,
    answer_export,
    delete_by,
    row_dict,
    run_counted,
    runtime,
)
from sift.core.storage import ObjectNotFound, Storage
from sift.documents.config import DocumentsSettings
from sift.documents.documents.filenames import sanitize_filename
from sift.documents.events import events
from sift.documents.models import (
    Collection,
    CollectionMember,
    Document,
    DocumentVersion,
    OrganizationSettings,
    OutboxEvent,
)

log = structlog.get_logger()

SERVICE = "documents"


class DocumentsPrivacyService:
    async def export(
        self, session: AsyncSession, request: ExportRequested, *, storage: Storage | None = None
    ) -> None:
        storage = storage or runtime.storage
        user_id = request.user_id
        part = ExportPart(SERVICE)
        collections = await session.scalars(
            select(Collection).where(Collection.created_by == user_id).order_by(Collection.id)
        )
        part.add_json("collections.json", [row_dict(c) for c in collections])
        grants = await session.scalars(
            select(CollectionMember).where(CollectionMember.user_id == user_id)
        )
        part.add_json("collection_grants.json", [row_dict(g) for g in grants])
        documents = (
            await session.scalars(
                select(Document)
                .where(Document.created_by == user_id, Document.deleted_at.is_(None))
                .order_by(Document.id)
            )
        ).all()
        exported = []
        for document in documents:
            versions = (
                await session.scalars(
                    select(DocumentVersion)
                    .where(DocumentVersion.document_id == document.id)
                    .order_by(DocumentVersion.number)
                )
            ).all()
            files = []
            for version in versions:
                name = (
                    f"files/{document.id}/v{version.number}-{sanitize_filename(version.filename)}"
                )
                try:
                    if version.original_dropped_at is not None:
                        name = ""  # the collection kept only the redacted text
                    else:
                        await part.add_file(name, await storage.open(version.storage_key))
                except ObjectNotFound:
                    log.warning("privacy.export_blob_missing", version_id=str(version.id))
                    name = ""
                files.append({**row_dict(version, exclude=("storage_key",)), "file": name or None})
            exported.append({**row_dict(document), "versions": files})
        part.add_json("documents.json", exported)
        await answer_export(session, events, request, part, storage=storage)

    async def erase(
        self,
        session: AsyncSession,
        request: ErasureRequested,
        config: DocumentsSettings,
        *,
        storage: Storage | None = None,
    ) -> None:
        storage = storage or runtime.storage
        user_id = request.user_id
        sole = list(request.sole_member_org_ids)
        # Whatever lives in an organization the person alone belonged to goes with them.
        doomed = or_(Document.org_id.in_(sole), Document.created_by == user_id)
        if config.erasure_shared_documents == "keep":
            doomed = Document.org_id.in_(sole)
        documents = (await session.scalars(select(Document).where(doomed))).all()
        erased = await self._delete_documents(session, storage, documents)
        collections = (
            await session.scalars(select(Collection).where(Collection.org_id.in_(sole)))
        ).all()
        for collection in collections:
            await session.delete(collection)
            await events.publish(
                session,
                CollectionDeleted(collection_id=collection.id),
                org_id=collection.org_id,
                subject_id=collection.id,
            )
        erased += len(collections)
        erased += await delete_by(session, [CollectionMember], user_id=user_id)
        erased += await run_counted(
            session,
            [delete(OrganizationSettings).where(OrganizationSettings.org_id.in_(sole))],
        )
        anonymized = await run_counted(
            session,
            (
                update(model).where(column == user_id).values({column: ERASED_USER_ID})
                for model, column in (
                    (Document, Document.created_by),
                    (DocumentVersion, DocumentVersion.created_by),
                    (Collection, Collection.created_by),
                    (CollectionMember, CollectionMember.granted_by),
                    (OrganizationSettings, OrganizationSettings.updated_by),
                )
            ),
        )
        await answer_erasure(
            session,
            events,
            request,
            service=SERVICE,
            erased=erased,
            anonymized=anonymized,
            outbox=OutboxEvent,
        )

    async def erase_organization(
        self,
        session: AsyncSession,
        request: OrganizationErasureRequested,
        *,
        storage: Storage | None = None,
    ) -> None:
        storage = storage or runtime.storage
        org_id = request.org_id
        versions = await session.scalars(
            select(DocumentVersion.storage_key)
            .join(Document, Document.id == DocumentVersion.document_id)
            .where(Document.org_id == org_id)
        )
        for key in versions.all():
            await storage.delete(key)
        # Versions cascade with their documents, grants with their collections.
        await session.execute(
            update(Document).where(Document.org_id == org_id).values(current_version_id=None)
        )
        erased = await delete_by(
            session, (Document, Collection, OrganizationSettings), org_id=org_id
        )
        await answer_erasure(
            session,
            events,
            request,
            service=SERVICE,
            erased=erased,
            anonymized=0,
            outbox=OutboxEvent,
        )

    async def _delete_documents(
        self, session: AsyncSession, storage: Storage, documents: Sequence[Document]
    ) -> int:
        """Each document, every version's blob included; search drops its chunks on the event."""
        for document in documents:
            if document.deleted_at is None:
                await events.publish(
                    session,
                    DocumentDeleted(
                        document_id=document.id,
                        collection_id=document.collection_id,
                        reason=DeletionReason.erasure,
                    ),
                    org_id=document.org_id,
                    subject_id=document.id,
                )
            for version in await session.scalars(
                select(DocumentVersion).where(DocumentVersion.document_id == document.id)
            ):
                await storage.delete(version.storage_key)
            await session.delete(document)
        await session.flush()
        return len(documents)


documents_privacy_service = DocumentsPrivacyService()
