"""The conversations' scheduled job: their retention."""

from __future__ import annotations

from datetime import timedelta

from sift.assistant.config import get_assistant_settings
from sift.assistant.conversations.retention import purge_idle_conversations
from sift.core.scheduling import ScheduledJob, cron, job_context


def purge_conversations_job() -> None:
    days = get_assistant_settings().conversation_retention_days
    purge_idle_conversations(job_context().engine, older_than=timedelta(days=days))


purge_conversations_daily = ScheduledJob(
    "assistant.purge_conversations", purge_conversations_job, cron("47 3 * * *")
)
