"""In-app notifications (`/api/notifications`): the caller's inbox in the current
organization, its unread count, marking read, and the live feed over SSE."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from sse_starlette import EventSourceResponse

from sift.core.db import Database, ReadSessionDep, SessionDep, get_database
from sift.core.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT, InvalidCursor
from sift.core.text import StorableText
from sift.notifications.config import NotificationsSettings
from sift.notifications.inapp import exceptions
from sift.notifications.inapp.auth import NotificationsRead
from sift.notifications.inapp.fanout import NotificationBus
from sift.notifications.inapp.schemas import (
    NotificationPage,
    NotificationRead,
    NotificationType,
    UnreadCount,
)
from sift.notifications.inapp.service import notification_service
from sift.notifications.inapp.stream import notification_feed, token_expiry
from sift.notifications.inapp.subscriptions import Subscriptions

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


def _bus(request: Request) -> NotificationBus:
    return NotificationBus(request.app.state.settings, request.app.state.redis)


def _subscriptions(request: Request) -> Subscriptions:
    subscriptions: Subscriptions = request.app.state.subscriptions
    return subscriptions


def _config(request: Request) -> NotificationsSettings:
    config: NotificationsSettings = request.app.state.notifications_config
    return config


BusDep = Annotated[NotificationBus, Depends(_bus)]
ConfigDep = Annotated[NotificationsSettings, Depends(_config)]
SubscriptionsDep = Annotated[Subscriptions, Depends(_subscriptions)]
DatabaseDep = Annotated[Database, Depends(get_database)]
_NOT_FOUND = exceptions.NotificationNotFound.openapi()
_SSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-sent events: `notification` (a notification as listed) and "
        "`unread_count` (`{count}`), each with `id:` the newest notification ID sent; "
        "comment lines as heartbeats.",
        "content": {"text/event-stream": {}},
    }
}


@router.get("", response_model=NotificationPage, responses=InvalidCursor.openapi())
async def list_notifications(
    principal: NotificationsRead,
    session: ReadSessionDep,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
    unread: bool | None = Query(default=None),
    type: NotificationType | None = Query(default=None),
) -> NotificationPage:
    """The caller's notifications in the current organization, newest first."""
    rows, next_cursor = await notification_service.list(
        session,
        principal,
        limit=limit,
        cursor=cursor,
        unread=unread,
        type=type.value if type else None,
    )
    return NotificationPage(
        items=[NotificationRead.model_validate(row) for row in rows], next_cursor=next_cursor
    )


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(principal: NotificationsRead, session: ReadSessionDep) -> UnreadCount:
    """How many of the caller's notifications in the current organization are unread."""
    return UnreadCount(count=await notification_service.unread_count(session, principal))


@router.post("/read-all", status_code=status.HTTP_204_NO_CONTENT)
async def mark_all_read(principal: NotificationsRead, session: SessionDep, bus: BusDep) -> Response:
    """Mark every notification of the caller in the current organization read."""
    await notification_service.mark_all_read(session, bus, principal)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT, responses=_NOT_FOUND
)
async def mark_read(
    principal: NotificationsRead, notification_id: uuid.UUID, session: SessionDep, bus: BusDep
) -> Response:
    """Mark one of the caller's notifications read."""
    await notification_service.mark_read(session, bus, principal, notification_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/stream", response_class=EventSourceResponse, responses=_SSE)
async def stream(
    principal: NotificationsRead,
    database: DatabaseDep,
    bus: BusDep,
    subscriptions: SubscriptionsDep,
    config: ConfigDep,
    request: Request,
    last_event_id: uuid.UUID | None = Header(default=None, alias="Last-Event-ID"),
) -> EventSourceResponse:
    """The caller's new notifications and unread count, live, until the access token
    expires; resumes after `Last-Event-ID`."""
    feed = notification_feed(
        database,
        bus,
        subscriptions,
        principal,
        last_event_id=last_event_id,
        resync_seconds=config.stream_resync_seconds,
        until=token_expiry(request.headers["authorization"]),
    )
    return EventSourceResponse(feed, ping=config.stream_heartbeat_seconds)
