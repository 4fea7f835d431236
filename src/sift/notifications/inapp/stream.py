"""The live feed of `GET /api/notifications/stream`: what is new, as server-sent events.

The stream listens to the user's channel first (through the process's one subscription,
`subscriptions`) and reads the table after, so that a
notification committed in between is not missed; then every signal (or, should a signal
be lost, every `resync_seconds`) sends the rows after the last one sent. Event IDs are
notification IDs, so a client reconnecting with `Last-Event-ID` gets what it missed from
the table. Each read is a short transaction: an open stream holds no connection.

A stream ends when the access token it was opened with expires: the client reconnects with
a fresh token (and `Last-Event-ID`), so a revoked session or a removed member stops
hearing within a token's lifetime.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator

import jwt
from prometheus_client import Gauge
from sse_starlette import ServerSentEvent

from sift.core.auth import Principal
from sift.core.db import Database
from sift.notifications.inapp.fanout import NotificationBus
from sift.notifications.inapp.schemas import NotificationRead
from sift.notifications.inapp.service import notification_service
from sift.notifications.inapp.subscriptions import Subscriptions

# Open live streams of this process (a gauge: it goes down as clients leave).
SSE_CONNECTIONS = Gauge("sift_sse_connections", "Open server-sent event streams", ("stream",))


async def notification_feed(
    database: Database,
    bus: NotificationBus,
    subscriptions: Subscriptions,
    principal: Principal,
    *,
    last_event_id: uuid.UUID | None,
    resync_seconds: float,
    until: float,
) -> AsyncIterator[ServerSentEvent]:
    """Events until `until` (epoch seconds: the token's expiry)."""
    with SSE_CONNECTIONS.labels("notifications").track_inprogress():
        async with subscriptions.listen(bus.channel(principal.user_id)) as woken:
            cursor = last_event_id
            if cursor is None:
                # A new client lists the inbox itself; the feed starts after its newest item.
                async with database.read_sessionmaker() as session:
                    cursor = await notification_service.newest_id(session, principal)
            last_count: int | None = None
            while True:
                async with database.read_sessionmaker() as session:
                    rows = await notification_service.newer_than(session, principal, cursor)
                    count = await notification_service.unread_count(session, principal)
                for row in rows:
                    cursor = row.id
                    yield ServerSentEvent(
                        NotificationRead.model_validate(row).model_dump_json(),
                        event="notification",
                        id=str(row.id),
                    )
                if count != last_count or rows:
                    last_count = count
                    yield ServerSentEvent(
                        json.dumps({"count": count}),
                        event="unread_count",
                        id=str(cursor) if cursor else "",  # "": nothing seen yet
                    )
                left = until - time.time()
                if left <= 0:
                    return
                # Until the next signal, or `resync_seconds` without one.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), timeout=min(resync_seconds, left))
                woken.clear()


def token_expiry(authorization: str) -> float:
    """The `exp` of the bearer token `Authorize` has just verified (epoch seconds)."""
    token = authorization.partition(" ")[2]
    claims = jwt.decode(token, options={"verify_signature": False})
    return float(claims["exp"])
