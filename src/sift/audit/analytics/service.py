"""The analytics reports: the roll-ups of one organization over a range, as series (one
point per bucket, zero-filled; empty when nothing happened) and tables."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sift.audit.analytics.repository import rollup_repository
from sift.audit.analytics.rollup import (
    DAY,
    LATENCY_BOUNDS,
    LATENCY_OVER,
    MICRO,
    day_of,
    hour_of,
)
from sift.audit.analytics.schemas import (
    AnalyticsInterval,
    AssistantAnalytics,
    AssistantSeries,
    FailureReason,
    FeedbackTotals,
    IngestionAnalytics,
    IngestionSeries,
    Latency,
    ModeRow,
    OverviewRead,
    OverviewSeries,
    Point,
    ProviderRow,
    SearchAnalytics,
    SearchSeries,
    TopQuery,
    UsersAnalytics,
    UsersSeries,
)
from sift.core.db import ReadSession

TOP_QUERY_MIN_USERS = 3
TOP_QUERIES = 20
MODES = ("hybrid", "fulltext", "semantic")
WEEK = timedelta(days=7)
OVERVIEW_METRICS = (
    "uploads",
    "indexed",
    "index_failed",
    "searches",
    "zero_results",
    "answers",
    "failovers",
    "cost_micro_usd",
)


@dataclass(frozen=True)
class Window:
    """The buckets of a range: those starting in [floor(start), end)."""

    start: datetime
    end: datetime
    interval: AnalyticsInterval

    @property
    def span(self) -> str:
        return self.interval.value

    @property
    def step(self) -> timedelta:
        return timedelta(days=1) if self.interval is AnalyticsInterval.day else timedelta(hours=1)

    @property
    def first(self) -> datetime:
        return day_of(self.start) if self.interval is AnalyticsInterval.day else hour_of(self.start)

    def buckets(self) -> list[datetime]:
        buckets, bucket = [], self.first
        while bucket < self.end:
            buckets.append(bucket)
            bucket += self.step
        return buckets


class Counts:
    """Counter rows by metric, bucket and key."""

    def __init__(self, rows: Iterable[tuple[datetime, str, str, int]]) -> None:
        self.rows: dict[str, dict[datetime, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(int))
        )
        self.any = False
        for bucket, metric, key, value in rows:
            self.rows[metric][bucket][key] += int(value)
            self.any = True

    def at(self, metric: str, bucket: datetime, key: str | None = None) -> int:
        keys = self.rows[metric].get(bucket, {})
        return keys.get(key, 0) if key is not None else sum(keys.values())

    def total(self, metric: str, key: str | None = None) -> int:
        return sum(self.at(metric, bucket, key) for bucket in list(self.rows[metric]))

    def keys(self, metric: str) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for keys in self.rows[metric].values():
            for key, value in keys.items():
                totals[key] += value
        return dict(totals)


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def percentile(histogram: dict[str, int], fraction: float) -> int | None:
    """The upper bound of the latency bucket holding the `fraction` quantile."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    seen = 0
    for bound in [*map(str, LATENCY_BOUNDS), LATENCY_OVER]:
        seen += histogram.get(bound, 0)
        if seen >= fraction * total:
            return int(bound) if bound != LATENCY_OVER else LATENCY_BOUNDS[-1] * 2
    return None


class Report:
    """Series over a window's buckets: empty lists when nothing at all happened in it."""

    def __init__(self, window: Window, active: bool) -> None:
        self.buckets = window.buckets() if active else []

    def series(self, value: Callable[[datetime], float]) -> list[Point]:
        return [Point(t=bucket, value=value(bucket)) for bucket in self.buckets]


class AnalyticsService:
    async def _counts(
        self, session: ReadSession, org_id: uuid.UUID, window: Window, metrics: Sequence[str]
    ) -> Counts:
        rows = await rollup_repository.counters(
            session, org_id, window.span, window.first, window.end, metrics
        )
        return Counts(rows)

    async def _active(
        self, session: ReadSession, org_id: uuid.UUID, window: Window
    ) -> dict[datetime, int]:
        return await rollup_repository.active_per_bucket(
            session, org_id, window.span, window.first, window.end
        )

    async def overview(
        self, session: ReadSession, org_id: uuid.UUID, window: Window
    ) -> OverviewRead:
        counts = await self._counts(
            session,
            org_id,
            window,
            [*OVERVIEW_METRICS],
        )
        active = await self._active(session, org_id, window)
        report = Report(window, counts.any or bool(active))
        return OverviewRead(
            series=OverviewSeries(
                active_users=report.series(lambda b: active.get(b, 0)),
                uploads=report.series(lambda b: counts.at("uploads", b)),
                indexed=report.series(lambda b: counts.at("indexed", b)),
                failed=report.series(lambda b: counts.at("index_failed", b)),
                searches=report.series(lambda b: counts.at("searches", b)),
                zero_result_rate=report.series(
                    lambda b: _rate(counts.at("zero_results", b), counts.at("searches", b))
                ),
                answers=report.series(lambda b: counts.at("answers", b)),
                failovers=report.series(lambda b: counts.at("failovers", b)),
                cost=report.series(lambda b: counts.at("cost_micro_usd", b) / MICRO),
            )
        )

    async def search(
        self, session: ReadSession, org_id: uuid.UUID, window: Window
    ) -> SearchAnalytics:
        counts = await self._counts(session, org_id, window, ["searches", "zero_results", "clicks"])
        report = Report(window, counts.any)
        searches, zeros = counts.keys("searches"), counts.keys("zero_results")
        rows = await rollup_repository.top_queries(
            session,
            org_id,
            window.first.date(),
            (day_of(window.end - timedelta(microseconds=1)) + timedelta(days=1)).date(),
            min_users=TOP_QUERY_MIN_USERS,
            limit=TOP_QUERIES,
        )
        return SearchAnalytics(
            series=SearchSeries(
                searches=report.series(lambda b: counts.at("searches", b)),
                zero_results=report.series(lambda b: counts.at("zero_results", b)),
                zero_result_rate=report.series(
                    lambda b: _rate(counts.at("zero_results", b), counts.at("searches", b))
                ),
                clicks=report.series(lambda b: counts.at("clicks", b)),
                hybrid=report.series(lambda b: counts.at("searches", b, "hybrid")),
                fulltext=report.series(lambda b: counts.at("searches", b, "fulltext")),
                semantic=report.series(lambda b: counts.at("searches", b, "semantic")),
            ),
            modes=[
                ModeRow(mode=mode, searches=count, zero_results=zeros.get(mode, 0))
                for mode, count in sorted(searches.items(), key=lambda item: -item[1])
            ],
            top_queries=[
                TopQuery(query=query, searches=n, users=users, zero_results=zero)
                for query, n, users, zero in rows
            ],
        )

    async def assistant(
        self, session: ReadSession, org_id: uuid.UUID, window: Window
    ) -> AssistantAnalytics:
        metrics = ["answers", "failovers", "prompt_tokens", "completion_tokens"]
        counts = await self._counts(
            session, org_id, window, [*metrics, "cost_micro_usd", "answer_latency", "feedback"]
        )
        report = Report(window, counts.any)
        providers = []
        for key, answers in sorted(counts.keys("answers").items(), key=lambda item: -item[1]):
            provider, _, model = key.partition(":")
            providers.append(
                ProviderRow(
                    provider=provider,
                    model=model,
                    answers=answers,
                    failovers=counts.total("failovers", key),
                    prompt_tokens=counts.total("prompt_tokens", key),
                    completion_tokens=counts.total("completion_tokens", key),
                    cost=counts.total("cost_micro_usd", key) / MICRO,
                )
            )
        up, down = counts.total("feedback", "up"), counts.total("feedback", "down")

        def latency(bucket: datetime, fraction: float) -> float:
            return percentile(counts.rows["answer_latency"].get(bucket, {}), fraction) or 0

        return AssistantAnalytics(
            series=AssistantSeries(
                answers=report.series(lambda b: counts.at("answers", b)),
                failovers=report.series(lambda b: counts.at("failovers", b)),
                cost=report.series(lambda b: counts.at("cost_micro_usd", b) / MICRO),
                prompt_tokens=report.series(lambda b: counts.at("prompt_tokens", b)),
                completion_tokens=report.series(lambda b: counts.at("completion_tokens", b)),
                latency_p50=report.series(lambda b: latency(b, 0.5)),
                latency_p95=report.series(lambda b: latency(b, 0.95)),
                feedback_up=report.series(lambda b: counts.at("feedback", b, "up")),
                feedback_down=report.series(lambda b: counts.at("feedback", b, "down")),
            ),
            providers=providers,
            latency=Latency(
                p50_ms=percentile(counts.keys("answer_latency"), 0.5),
                p95_ms=percentile(counts.keys("answer_latency"), 0.95),
            ),
            feedback=FeedbackTotals(
                up=up, down=down, up_ratio=round(up / (up + down), 4) if up + down > 0 else None
            ),
        )

    async def ingestion(
        self, session: ReadSession, org_id: uuid.UUID, window: Window
    ) -> IngestionAnalytics:
        counts = await self._counts(
            session, org_id, window, ["uploads", "indexed", "index_failed", "storage_bytes"]
        )
        report = Report(window, counts.any)
        stored = await rollup_repository.total_before(
            session, org_id, "storage_bytes", DAY, day_of(window.first)
        )
        if window.span != DAY:  # the hours of the first day before the range
            earlier = await rollup_repository.counters(
                session, org_id, window.span, day_of(window.first), window.first, ["storage_bytes"]
            )
            stored += sum(value for _, _, _, value in earlier)
        running: dict[datetime, int] = {}
        for bucket in report.buckets:
            stored += counts.at("storage_bytes", bucket)
            running[bucket] = stored
        return IngestionAnalytics(
            series=IngestionSeries(
                uploads=report.series(lambda b: counts.at("uploads", b)),
                indexed=report.series(lambda b: counts.at("indexed", b)),
                failed=report.series(lambda b: counts.at("index_failed", b)),
                storage_bytes=report.series(lambda b: running[b]),
            ),
            failure_reasons=[
                FailureReason(code=code, count=count)
                for code, count in sorted(
                    counts.keys("index_failed").items(), key=lambda item: (-item[1], item[0])
                )
            ],
            storage_bytes=stored,
        )

    async def users(
        self, session: ReadSession, org_id: uuid.UUID, window: Window
    ) -> UsersAnalytics:
        active = await self._active(session, org_id, window)
        report = Report(window, bool(active))
        last_day = day_of(window.end - timedelta(microseconds=1)) + timedelta(days=1)
        days: dict[datetime, set[str]] = defaultdict(set)
        for day, pseudonym in await rollup_repository.active_days(
            session, org_id, day_of(window.first) - WEEK + timedelta(days=1), last_day
        ):
            days[day].add(pseudonym)

        def weekly(bucket: datetime) -> int:
            end = day_of(bucket)
            people: set[str] = set()
            for offset in range(7):
                people |= days.get(end - timedelta(days=offset), set())
            return len(people)

        return UsersAnalytics(
            series=UsersSeries(
                active_users=report.series(lambda b: active.get(b, 0)),
                weekly_active_users=report.series(weekly),
            ),
            active_users=await rollup_repository.active_between(
                session, org_id, day_of(window.first), last_day
            ),
        )


analytics_service = AnalyticsService()
