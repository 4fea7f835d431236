"""SQL of linked provider accounts."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from sift.identity.models import OAuthAccount


class OAuthAccountRepository:
    def base(self) -> Select[OAuthAccount]:
        return select(OAuthAccount)

    async def by_subject(
        self, session: AsyncSession, provider: str, subject: str
    ) -> OAuthAccount | None:
        query = self.base().where(
            OAuthAccount.provider == provider, OAuthAccount.subject == subject
        )
        return await session.scalar(query.with_for_update())


oauth_account_repository = OAuthAccountRepository()
