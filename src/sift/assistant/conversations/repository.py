"""SQL of conversations, messages, feedback and usage. A caller only ever sees their own
conversations in their current organization: a person those they and their API keys
started, a key those it started."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.models import Conversation, Feedback, Message, MessageRole, UsageDaily
from sift.assistant.providers.base import Turn
from sift.core.auth import Principal, PrincipalKind
from sift.core.db import ReadSession


class ConversationRepository:
    def owned(self, principal: Principal) -> Select[Conversation]:
        """A person's conversations, their API keys' included; a key's own only."""
        query = select(Conversation).where(
            Conversation.org_id == principal.org_id, Conversation.user_id == principal.user_id
        )
        if principal.kind is PrincipalKind.api_key:
            # A key token without its key's ID must not fall back to the person's history.
            own_key = (
                Conversation.api_key_id == principal.api_key_id
                if principal.api_key_id is not None
                else false()
            )
            query = query.where(own_key)
        return query

    async def get_owned(
        self, session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
    ) -> Conversation | None:
        query = self.owned(principal).where(Conversation.id == conversation_id)
        return (await session.execute(query)).scalar_one_or_none()

    async def page(
        self,
        session: ReadSession,
        principal: Principal,
        *,
        after: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[Conversation]:
        """Most recently active first."""
        query = self.owned(principal)
        if after is not None:
            moment, last_id = after
            query = query.where(
                or_(
                    Conversation.updated_at < moment,
                    and_(Conversation.updated_at == moment, Conversation.id < last_id),
                )
            )
        query = query.order_by(Conversation.updated_at.desc(), Conversation.id.desc()).limit(limit)
        return list((await session.execute(query)).scalars())

    async def messages(self, session: ReadSession, conversation_id: uuid.UUID) -> list[Message]:
        query = (
            select(Message)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.created_at, Message.id)
        )
        return list((await session.execute(query)).scalars())

    async def feedback_for(
        self, session: ReadSession, message_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, Feedback]:
        if not message_ids:
            return {}
        query = select(Feedback).where(Feedback.message_id.in_(message_ids))
        return {row.message_id: row for row in (await session.execute(query)).scalars()}

    async def last_turns(
        self, session: ReadSession, conversation_id: uuid.UUID, turns: int
    ) -> list[tuple[Turn, list[dict[str, Any]]]]:
        """The last `turns` question/answer pairs, oldest first, each with the answer's
        citations."""
        if turns <= 0:
            return []
        query = (
            select(Message.role, Message.content, Message.citations)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(turns * 2)
        )
        rows = list(reversed((await session.execute(query)).all()))
        pairs: list[tuple[Turn, list[dict[str, Any]]]] = []
        question: str | None = None
        for role, content, citations in rows:
            if role == MessageRole.user:
                question = content
            elif question is not None:
                pairs.append((Turn(question=question, answer=content), citations))
                question = None
        return pairs

    async def add_conversation(self, session: AsyncSession, conversation: Conversation) -> None:
        session.add(conversation)
        await session.flush()  # before its messages, which reference it

    async def touch(self, session: AsyncSession, conversation_id: uuid.UUID) -> None:
        """Moves the conversation up the most recently active."""
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(updated_at=func.now())
        )

    async def add_messages(self, session: AsyncSession, *messages: Message) -> None:
        session.add_all(messages)
        await session.flush()

    async def get_answer(
        self, session: AsyncSession, principal: Principal, message_id: uuid.UUID
    ) -> Message | None:
        """An answer in one of the caller's conversations."""
        query = select(Message).where(
            Message.id == message_id,
            Message.role == MessageRole.assistant,
            Message.conversation_id.in_(self.owned(principal).with_only_columns(Conversation.id)),
        )
        return (await session.execute(query)).scalar_one_or_none()

    async def rating_of(self, session: AsyncSession, message_id: uuid.UUID) -> str | None:
        """The message's current rating (read before changing it)."""
        rating: str | None = await session.scalar(
            select(Feedback.rating).where(Feedback.message_id == message_id)
        )
        return rating

    async def upsert_feedback(
        self,
        session: AsyncSession,
        *,
        message_id: uuid.UUID,
        user_id: uuid.UUID,
        rating: str,
        comment: str | None,
    ) -> Feedback:
        statement = (
            insert(Feedback)
            .values(message_id=message_id, user_id=user_id, rating=rating, comment=comment)
            .on_conflict_do_update(
                index_elements=[Feedback.message_id],
                set_={"rating": rating, "comment": comment, "updated_at": func.now()},
            )
            .returning(Feedback)
            .execution_options(populate_existing=True)
        )
        return (await session.execute(statement)).scalar_one()

    async def add_usage(
        self,
        session: AsyncSession,
        *,
        org_id: uuid.UUID,
        user_id: uuid.UUID,
        day: date,
        prompt_tokens: int,
        completion_tokens: int,
        cost_usd: Decimal,
        cached: bool,
    ) -> None:
        values = {
            "requests": 1,
            "cached_requests": int(cached),
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "cost_usd": cost_usd,
        }
        table = UsageDaily.__table__
        statement = (
            insert(UsageDaily)
            .values(org_id=org_id, user_id=user_id, day=day, **values)
            .on_conflict_do_update(
                index_elements=[UsageDaily.org_id, UsageDaily.user_id, UsageDaily.day],
                set_={name: table.c[name] + value for name, value in values.items()},
            )
        )
        await session.execute(statement)

    async def usage(
        self, session: ReadSession, org_id: uuid.UUID, user_id: uuid.UUID | None, since: date
    ) -> tuple[int, int, int, Decimal]:
        """Requests, prompt tokens, completion tokens and cost since `since` (inclusive)."""
        query = select(
            func.coalesce(func.sum(UsageDaily.requests), 0),
            func.coalesce(func.sum(UsageDaily.prompt_tokens), 0),
            func.coalesce(func.sum(UsageDaily.completion_tokens), 0),
            func.coalesce(func.sum(UsageDaily.cost_usd), 0),
        ).where(UsageDaily.org_id == org_id, UsageDaily.day >= since)
        if user_id is not None:
            query = query.where(UsageDaily.user_id == user_id)
        requests, prompt, completion, cost = (await session.execute(query)).one()
        return int(requests), int(prompt), int(completion), Decimal(cost)


conversation_repository = ConversationRepository()
