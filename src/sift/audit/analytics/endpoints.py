"""`/api/analytics`: the organization's usage, as series for charts, tables and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel

from sift.audit.analytics.auth import AnalyticsRead
from sift.audit.analytics.exceptions import InvalidRange
from sift.audit.analytics.schemas import (
    AnalyticsArea,
    AnalyticsExportFormat,
    AnalyticsInterval,
    AssistantAnalytics,
    IngestionAnalytics,
    OverviewRead,
    SearchAnalytics,
    UsersAnalytics,
)
from sift.audit.analytics.service import Window, analytics_service
from sift.core.auth import Principal
from sift.core.db import ReadSession, ReadSessionDep

router = APIRouter(prefix="/api/analytics", tags=["analytics"])

MAX_RANGE = timedelta(days=400)
MAX_HOURLY_RANGE = timedelta(days=7)
DEFAULT_RANGE = {
    AnalyticsInterval.day: timedelta(days=30),
    AnalyticsInterval.hour: timedelta(hours=48),
}


def window(
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
    interval: AnalyticsInterval = AnalyticsInterval.day,
) -> Window:
    """`from` inclusive (its bucket counts whole), `to` exclusive; by default the last 30
    days (`day`) or 48 hours (`hour`)."""
    for moment in (start, end):
        if moment is not None and moment.tzinfo is None:
            raise InvalidRange("`from` and `to` need a time zone (e.g. 2026-12-04T00:00Z).")
    end = end or datetime.now(UTC)
    start = start or end - DEFAULT_RANGE[interval]
    if start >= end:
        raise InvalidRange("`from` must be before `to`.")
    if end - start > MAX_RANGE:
        raise InvalidRange("The range may span at most 400 days.")
    if interval is AnalyticsInterval.hour and end - start > MAX_HOURLY_RANGE:
        raise InvalidRange("Hourly series span at most 7 days; use `interval=day`.")
    return Window(start.astimezone(UTC), end.astimezone(UTC), interval)


WindowDep = Annotated[Window, Depends(window)]
_ERRORS = InvalidRange.openapi()


@router.get("/overview", response_model=OverviewRead, responses=_ERRORS)
async def get_overview(
    principal: AnalyticsRead, session: ReadSessionDep, range_: WindowDep
) -> OverviewRead:
    """Activity, ingestion, search and AI of the organization over time."""
    return await analytics_service.overview(session, principal.org_id, range_)


@router.get("/search", response_model=SearchAnalytics, responses=_ERRORS)
async def get_search_analytics(
    principal: AnalyticsRead, session: ReadSessionDep, range_: WindowDep
) -> SearchAnalytics:
    """Searches by mode, zero-result rate, clicks and the top queries (3+ people)."""
    return await analytics_service.search(session, principal.org_id, range_)


@router.get("/assistant", response_model=AssistantAnalytics, responses=_ERRORS)
async def get_assistant_analytics(
    principal: AnalyticsRead, session: ReadSessionDep, range_: WindowDep
) -> AssistantAnalytics:
    """AI answers by provider and model, failovers, latency, tokens, cost and feedback."""
    return await analytics_service.assistant(session, principal.org_id, range_)


@router.get("/ingestion", response_model=IngestionAnalytics, responses=_ERRORS)
async def get_ingestion_analytics(
    principal: AnalyticsRead, session: ReadSessionDep, range_: WindowDep
) -> IngestionAnalytics:
    """Uploads, documents indexed and failed (by reason), storage used."""
    return await analytics_service.ingestion(session, principal.org_id, range_)


@router.get("/users", response_model=UsersAnalytics, responses=_ERRORS)
async def get_users_analytics(
    principal: AnalyticsRead, session: ReadSessionDep, range_: WindowDep
) -> UsersAnalytics:
    """Daily and weekly active people (counted by pseudonym)."""
    return await analytics_service.users(session, principal.org_id, range_)


async def _report(
    session: ReadSession, principal: Principal, area: AnalyticsArea, range_: Window
) -> Any:
    reports = {
        AnalyticsArea.overview: analytics_service.overview,
        AnalyticsArea.search: analytics_service.search,
        AnalyticsArea.assistant: analytics_service.assistant,
        AnalyticsArea.ingestion: analytics_service.ingestion,
        AnalyticsArea.users: analytics_service.users,
    }
    return await reports[area](session, principal.org_id, range_)


@router.get(
    "/{area}/export",
    response_class=Response,
    responses={
        200: {
            "description": "One row per bucket, one column per series (the JSON's numbers)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **_ERRORS,
    },
)
async def export_analytics(
    principal: AnalyticsRead,
    session: ReadSessionDep,
    area: AnalyticsArea,
    range_: WindowDep,
    format: AnalyticsExportFormat = AnalyticsExportFormat.csv,
) -> Response:
    """An area's series as CSV, with the same numbers as its JSON."""
    report = await _report(session, principal, area, range_)
    return Response(
        series_csv(report.series),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="analytics-{area.value}.{format.value}"',
            "Cache-Control": "private, no-store",
        },
    )


def series_csv(series: BaseModel) -> str:
    """`t` and one column per series, one row per bucket."""
    names = list(type(series).model_fields)
    columns = {name: {point.t: point.value for point in getattr(series, name)} for name in names}
    buckets = sorted({bucket for points in columns.values() for bucket in points})
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["t", *names])
    for bucket in buckets:
        writer.writerow(
            [bucket.isoformat(), *(_number(columns[name].get(bucket, 0)) for name in names)]
        )
    return buffer.getvalue()


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
