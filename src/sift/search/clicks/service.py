"""Result clicks: checked against the query log, told to analytics as an event."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import SearchResultClicked
from sift.core.auth import Principal
from sift.search.clicks.exceptions import QueryNotFound
from sift.search.clicks.schemas import ClickCreate
from sift.search.events import events
from sift.search.querylog import logged_query


class ClickService:
    async def record(self, session: AsyncSession, principal: Principal, click: ClickCreate) -> None:
        """Publishes `search.result_clicked` for a search of the caller's organization."""
        query = await logged_query(session, principal.org_id, click.query_id)
        if query is None:
            raise QueryNotFound()
        await events.publish(
            session,
            SearchResultClicked(
                query_id=query.id,
                user_id=principal.user_id,
                document_id=click.document_id,
                chunk_id=click.chunk_id,
                rank=click.rank,
            ),
            org_id=principal.org_id,
            actor_id=principal.user_id,
            subject_id=query.id,
        )


click_service = ClickService()
