"""The analytics API's shapes: series of points ready for charts, and the areas' tables."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from sift.core.schemas import Schema


class AnalyticsInterval(StrEnum):
    day = "day"
    hour = "hour"


class AnalyticsExportFormat(StrEnum):
    csv = "csv"


class AnalyticsArea(StrEnum):
    overview = "overview"
    search = "search"
    assistant = "assistant"
    ingestion = "ingestion"
    users = "users"


class Point(Schema):
    t: datetime = Field(description="The bucket's start (UTC): a day or an hour")
    value: float


class OverviewSeries(Schema):
    active_users: list[Point]
    uploads: list[Point]
    indexed: list[Point]
    failed: list[Point]
    searches: list[Point]
    zero_result_rate: list[Point] = Field(description="Searches without results / searches")
    answers: list[Point]
    failovers: list[Point]
    cost: list[Point] = Field(description="AI cost in US dollars")


class OverviewRead(Schema):
    series: OverviewSeries


class SearchSeries(Schema):
    searches: list[Point]
    zero_results: list[Point]
    zero_result_rate: list[Point]
    clicks: list[Point]
    hybrid: list[Point] = Field(description="Searches in hybrid mode")
    fulltext: list[Point]
    semantic: list[Point]


class ModeRow(Schema):
    mode: str
    searches: int
    zero_results: int


class TopQuery(Schema):
    query: str = Field(description="Case-folded and single-spaced")
    searches: int
    users: int = Field(description="Different people who searched it (at least 3)")
    zero_results: int


class SearchAnalytics(Schema):
    series: SearchSeries
    modes: list[ModeRow]
    top_queries: list[TopQuery]


class AssistantSeries(Schema):
    answers: list[Point]
    failovers: list[Point]
    cost: list[Point]
    prompt_tokens: list[Point]
    completion_tokens: list[Point]
    latency_p50: list[Point] = Field(description="Milliseconds (histogram bucket bound)")
    latency_p95: list[Point]
    feedback_up: list[Point]
    feedback_down: list[Point]


class ProviderRow(Schema):
    provider: str
    model: str
    answers: int
    failovers: int
    prompt_tokens: int
    completion_tokens: int
    cost: float


class Latency(Schema):
    p50_ms: int | None
    p95_ms: int | None


class FeedbackTotals(Schema):
    up: int
    down: int
    up_ratio: float | None = Field(description="up / (up + down); null without ratings")


class AssistantAnalytics(Schema):
    series: AssistantSeries
    providers: list[ProviderRow]
    latency: Latency
    feedback: FeedbackTotals


class IngestionSeries(Schema):
    uploads: list[Point]
    indexed: list[Point]
    failed: list[Point]
    storage_bytes: list[Point] = Field(description="Bytes stored at the end of the bucket")


class FailureReason(Schema):
    code: str
    count: int


class IngestionAnalytics(Schema):
    series: IngestionSeries
    failure_reasons: list[FailureReason]
    storage_bytes: int = Field(description="Bytes stored at the end of the range")


class UsersSeries(Schema):
    active_users: list[Point]
    weekly_active_users: list[Point] = Field(
        description="Different people active in the 7 days up to the bucket's day"
    )


class UsersAnalytics(Schema):
    series: UsersSeries
    active_users: int = Field(description="Different people active in the range")
