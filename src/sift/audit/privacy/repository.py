"""SQL of privacy requests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.audit.privacy.models import PrivacyRequest, RequestKind, RequestStatus


class PrivacyRequestRepository:
    async def get(
        self, session: AsyncSession, request_id: uuid.UUID, *, for_update: bool = False
    ) -> PrivacyRequest | None:
        statement = select(PrivacyRequest).where(PrivacyRequest.id == request_id)
        if for_update:
            statement = statement.with_for_update()
        return await session.scalar(statement)

    async def running_erasure(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> PrivacyRequest | None:
        return await session.scalar(
            select(PrivacyRequest).where(
                PrivacyRequest.user_id == user_id,
                PrivacyRequest.kind == RequestKind.erasure,
                PrivacyRequest.status == RequestStatus.pending,
            )
        )

    async def exports_of(
        self, session: AsyncSession, user_id: uuid.UUID
    ) -> Sequence[PrivacyRequest]:
        return (
            await session.scalars(
                select(PrivacyRequest).where(
                    PrivacyRequest.user_id == user_id, PrivacyRequest.kind == RequestKind.export
                )
            )
        ).all()


privacy_request_repository = PrivacyRequestRepository()
