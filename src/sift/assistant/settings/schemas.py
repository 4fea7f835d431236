"""The organization's AI settings: which provider answers first, how many answers a month."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from sift.assistant.config import ProviderName
from sift.core.schemas import Schema

MAX_MONTHLY_QUOTA = 10_000_000


class ProviderOption(Schema):
    name: str
    # False: listed by the installation but without a key (or server), so it never answers.
    configured: bool


class AssistantSettingsRead(Schema):
    # Tried first, before the installation's other providers (null: the installation's order).
    default_provider: str | None = None
    # AI requests (answers and summaries, cached ones included) per calendar month, UTC;
    # null: no monthly limit (the per-user and per-organization rate limits still apply).
    monthly_answer_quota: int | None = None
    answers_this_month: int
    quota_resets_at: datetime
    # The installation's providers, in the order they are tried.
    providers: list[ProviderOption]
    updated_at: datetime | None = None  # null: never set


class AssistantSettingsUpdate(Schema):
    """Both fields are set as given: null clears one."""

    default_provider: ProviderName | None
    monthly_answer_quota: int | None = Field(ge=0, le=MAX_MONTHLY_QUOTA)
