"""What providers report after a send, applied: the delivery moves on from `sent`, and hard
bounces and complaints put the address on the suppression list.

Reports come at least once and in any order: each move is conditional on where the
delivery stands (a `delivered` after a `bounced` changes nothing), and a suppression is an
upsert, so a report applied twice has no second effect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from sift.notifications.delivery.address_repository import suppression_repository
from sift.notifications.delivery.models import DeliveryStatus, SuppressionReason
from sift.notifications.delivery.repository import delivery_repository
from sift.notifications.email.webhooks.feedback import Feedback, FeedbackType

log = structlog.get_logger()

S = DeliveryStatus
# Where each report takes a delivery, and from where.
_MOVES: dict[FeedbackType, tuple[DeliveryStatus, tuple[DeliveryStatus, ...]]] = {
    FeedbackType.delivered: (S.delivered, (S.sent,)),
    FeedbackType.bounced: (S.bounced, (S.sent, S.delivered)),
    FeedbackType.dropped: (S.failed, (S.sent,)),
    # A complaint proves it reached the person, whatever was reported before.
    FeedbackType.complained: (S.complained, (S.sent, S.delivered, S.bounced)),
}


@dataclass(frozen=True)
class Applied:
    updated: int  # deliveries that moved
    suppressed: int  # addresses put on (or kept on) the list


def _suppression(feedback: Feedback) -> SuppressionReason | None:
    if feedback.type is FeedbackType.complained or feedback.complaint:
        return SuppressionReason.complaint
    if feedback.permanent and feedback.type in (FeedbackType.bounced, FeedbackType.dropped):
        return SuppressionReason.bounce
    return None


def _error(feedback: Feedback) -> str | None:
    if feedback.type is FeedbackType.delivered:
        return None
    said = {
        FeedbackType.bounced: "bounced" if feedback.permanent else "bounced (temporary)",
        FeedbackType.dropped: "dropped by the provider",
        FeedbackType.complained: "marked as spam by the recipient",
    }[feedback.type]
    return f"{feedback.provider}: {said}" + (f": {feedback.detail}" if feedback.detail else "")


class FeedbackService:
    async def apply(self, session: AsyncSession, reports: Sequence[Feedback]) -> Applied:
        updated = suppressed = 0
        for feedback in reports:
            if feedback.message_id:
                status, after = _MOVES[feedback.type]
                moved = await delivery_repository.report(
                    session,
                    feedback.provider,
                    feedback.message_id,
                    status,
                    after=after,
                    error=_error(feedback),
                )
                updated += moved is not None
            reason = _suppression(feedback)
            # Whichever mail found the address dead (or unwanted), ours would too.
            if reason is not None and feedback.address:
                await suppression_repository.add(
                    session,
                    feedback.address,
                    reason,
                    provider=feedback.provider,
                    detail=feedback.detail,
                )
                suppressed += 1
        log.info(
            "notifications.provider_feedback",
            reports=len(reports),
            updated=updated,
            suppressed=suppressed,
        )
        return Applied(updated, suppressed)


feedback_service = FeedbackService()
