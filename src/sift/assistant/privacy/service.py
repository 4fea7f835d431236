"""What the assistant holds about a person: conversations (questions, answers, citations),
feedback, and daily AI usage; an organization's erasure drops all of these of the
organization, and its AI settings."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sift.assistant.events import events
from sift.assistant.models import (
    Conversation,
    Feedback,
    Message,
    OrganizationSettings,
    OutboxEvent,
    UsageDaily,
)
from sift.contracts.events import (
    ErasureRequested,
    ExportRequested,
    OrganizationErasureRequested,
)
from sift.core.privacy import (
    ERASED_USER_ID,
    ExportPart,
    answer_erasure,
    answer_export,
    delete_by,
    row_dict,
    run_counted,
)

SERVICE = "assistant"


class AssistantPrivacyService:
    async def export(self, session: AsyncSession, request: ExportRequested) -> None:
        user_id = request.user_id
        part = ExportPart(SERVICE)
        conversations = (
            await session.scalars(
                select(Conversation)
                .where(Conversation.user_id == user_id)
                .order_by(Conversation.created_at)
            )
        ).all()
        exported = []
        for conversation in conversations:
            messages = await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id)
                .order_by(Message.created_at, Message.id)
            )
            exported.append({**row_dict(conversation), "messages": [row_dict(m) for m in messages]})
        part.add_json("conversations.json", exported)
        feedback = await session.scalars(select(Feedback).where(Feedback.user_id == user_id))
        part.add_json("feedback.json", [row_dict(row) for row in feedback])
        usage = await session.scalars(
            select(UsageDaily).where(UsageDaily.user_id == user_id).order_by(UsageDaily.day)
        )
        part.add_json("usage.json", [row_dict(row) for row in usage])
        await answer_export(session, events, request, part)

    async def erase(self, session: AsyncSession, request: ErasureRequested) -> None:
        user_id = request.user_id
        # Feedback and messages of the person's conversations cascade with them.
        erased = await delete_by(
            session, (Feedback, Message, Conversation, UsageDaily), user_id=user_id
        )
        # The AI settings of an organization the person alone belonged to go with them;
        # elsewhere they stay, no longer saying who set them.
        sole = list(request.sole_member_org_ids)
        erased += await run_counted(
            session,
            [delete(OrganizationSettings).where(OrganizationSettings.org_id.in_(sole))],
        )
        anonymized = await run_counted(
            session,
            [
                update(OrganizationSettings)
                .where(OrganizationSettings.updated_by == user_id)
                .values(updated_by=ERASED_USER_ID)
            ],
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
        self, session: AsyncSession, request: OrganizationErasureRequested
    ) -> None:
        # Feedback cascades with its messages, messages with their conversations.
        erased = await delete_by(
            session,
            (Message, Conversation, UsageDaily, OrganizationSettings),
            org_id=request.org_id,
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


assistant_privacy_service = AssistantPrivacyService()
