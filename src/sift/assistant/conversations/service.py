"""Conversations: the caller's own history, as their current access shows it, and feedback
on its answers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.answers.exceptions import ConversationNotFound, MessageNotFound
from sift.assistant.answers.schemas import FeedbackCreate, UsageReport, UsageTotals
from sift.assistant.conversations.repository import conversation_repository as repository
from sift.assistant.conversations.schemas import (
    ConversationDetail,
    ConversationRead,
    MessageRead,
)
from sift.assistant.conversations.scope import (
    is_withheld,
    readable_cited_documents,
    visible_citations,
)
from sift.assistant.events import events
from sift.assistant.models import Feedback, Message
from sift.assistant.runtime import Runtime
from sift.contracts.events import FeedbackGiven
from sift.core.auth import Permission, Principal
from sift.core.db import ReadSession
from sift.core.pagination import cursor_time, cursor_uuid, decode_cursor, page_of


class ConversationService:
    async def page(
        self, session: ReadSession, principal: Principal, *, limit: int, cursor: str | None
    ) -> tuple[list[ConversationRead], str | None]:
        after = decode_cursor(cursor, 2)
        rows = await repository.page(
            session,
            principal,
            after=(cursor_time(after[0]), cursor_uuid(after[1])) if after else None,
            limit=limit + 1,
        )
        page, next_cursor = page_of(rows, limit, lambda row: (row.updated_at, row.id))
        return [ConversationRead.from_row(row) for row in page], next_cursor

    async def get(
        self,
        session: ReadSession,
        runtime: Runtime,
        principal: Principal,
        authorization: str,
        conversation_id: uuid.UUID,
    ) -> ConversationDetail:
        """The conversation as the caller may see it now (see `scope`)."""
        conversation = await repository.get_owned(session, principal, conversation_id)
        if conversation is None:
            raise ConversationNotFound()
        messages = await repository.messages(session, conversation.id)
        feedback = await repository.feedback_for(session, [m.id for m in messages])
        readable = await readable_cited_documents(
            runtime.search, authorization, [m.citations for m in messages]
        )
        return ConversationDetail.from_row(
            conversation, messages=[_read(m, readable, feedback.get(m.id)) for m in messages]
        )

    async def feedback(
        self,
        session: AsyncSession,
        principal: Principal,
        message_id: uuid.UUID,
        body: FeedbackCreate,
    ) -> Feedback:
        message = await repository.get_answer(session, principal, message_id)
        if message is None:
            raise MessageNotFound()
        previous_rating = await repository.rating_of(session, message.id)
        feedback = await repository.upsert_feedback(
            session,
            message_id=message.id,
            user_id=principal.user_id,
            rating=body.rating,
            comment=body.comment,
        )
        if previous_rating != feedback.rating:  # usage analytics count ratings, not comments
            await events.publish(
                session,
                FeedbackGiven(
                    message_id=message.id,
                    user_id=principal.user_id,
                    rating=feedback.rating,
                    previous_rating=previous_rating,
                ),
                org_id=principal.org_id,
                actor_id=principal.user_id,
                subject_id=message.id,
            )
        return feedback

    async def usage(self, session: ReadSession, principal: Principal) -> UsageReport:
        today = datetime.now(UTC).date()
        month = today - timedelta(days=29)

        async def totals(user_id: uuid.UUID | None, since: date) -> UsageTotals:
            requests, prompt, completion, cost = await repository.usage(
                session, principal.org_id, user_id, since
            )
            return UsageTotals(
                requests=requests,
                prompt_tokens=prompt,
                completion_tokens=completion,
                cost_usd=float(cost),
            )

        report = UsageReport(
            user_today=await totals(principal.user_id, today),
            user_30_days=await totals(principal.user_id, month),
        )
        if principal.can(Permission.analytics_read):
            report.organization_today = await totals(None, today)
            report.organization_30_days = await totals(None, month)
        return report


def _read(message: Message, readable: set[uuid.UUID], feedback: Feedback | None) -> MessageRead:
    return MessageRead.of(
        message,
        withheld=is_withheld(message.citations, readable),
        citations=visible_citations(message.citations, readable),
        feedback=feedback,
    )


conversation_service = ConversationService()
