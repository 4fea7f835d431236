"""Deliveries for admins (`/api/notifications/deliveries`, and lifting an address off the
suppression list: `/api/notifications/suppressions/{address}`) and the one-click
unsubscribe link of RFC 8058 (`/api/notifications/unsubscribe`)."""

from __future__ import annotations

import uuid
from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from sift.core.config import CoreSettings
from sift.core.db import ReadSessionDep, SessionDep
from sift.core.pagination import (
    DEFAULT_LIMIT,
    MAX_CURSOR_LENGTH,
    MAX_LIMIT,
    InvalidCursor,
    Page,
)
from sift.core.text import StorableText
from sift.notifications.config import NotificationsSettings, get_notifications_settings
from sift.notifications.delivery import exceptions
from sift.notifications.delivery.admin import delivery_admin_service
from sift.notifications.delivery.auth import UNSUBSCRIBE_LINK, DeliveriesManage
from sift.notifications.delivery.models import DeliveryStatus
from sift.notifications.delivery.schemas import (
    AttemptRead,
    DeliveryDetail,
    DeliveryRead,
    UnsubscribeRead,
)
from sift.notifications.email.exceptions import InvalidUnsubscribeToken
from sift.notifications.email.unsubscribe import UNSUBSCRIBE_PATH, Unsubscribe, UnsubscribeTokens

router = APIRouter(prefix="/api/notifications", tags=["notifications"])

Config = Annotated[NotificationsSettings, Depends(get_notifications_settings)]
_NOT_FOUND = exceptions.DeliveryNotFound.openapi()


@router.get("/deliveries", response_model=Page[DeliveryRead], responses=InvalidCursor.openapi())
async def list_deliveries(
    principal: DeliveriesManage,
    session: ReadSessionDep,
    status: DeliveryStatus | None = None,
    limit: int = Query(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    cursor: StorableText | None = Query(default=None, max_length=MAX_CURSOR_LENGTH),
) -> Page[DeliveryRead]:
    """The organization's e-mail deliveries, newest first (`status=dead` for dead letters)."""
    rows, next_cursor = await delivery_admin_service.page(
        session, principal, status=status, limit=limit, cursor=cursor
    )
    return Page(items=[DeliveryRead.model_validate(row) for row in rows], next_cursor=next_cursor)


@router.get("/deliveries/{delivery_id}", response_model=DeliveryDetail, responses=_NOT_FOUND)
async def get_delivery(
    principal: DeliveriesManage, session: ReadSessionDep, delivery_id: uuid.UUID
) -> DeliveryDetail:
    """One delivery with every attempt at it."""
    delivery, attempts = await delivery_admin_service.attempts(session, principal, delivery_id)
    return DeliveryDetail(
        **DeliveryRead.model_validate(delivery).model_dump(),
        attempt_log=[AttemptRead.model_validate(attempt) for attempt in attempts],
    )


@router.post(
    "/deliveries/{delivery_id}/retry",
    response_model=DeliveryRead,
    responses={**_NOT_FOUND, **exceptions.DeliveryNotRetryable.openapi()},
)
async def retry_delivery(
    principal: DeliveriesManage, session: SessionDep, delivery_id: uuid.UUID, config: Config
) -> DeliveryRead:
    """Queue a failed or dead delivery again, with a fresh set of attempts."""
    delivery = await delivery_admin_service.retry(session, principal, delivery_id, config.delivery)
    return DeliveryRead.model_validate(delivery)


@router.delete(
    "/suppressions/{address}",
    status_code=204,
    responses=exceptions.SuppressionNotFound.openapi(),
)
async def lift_suppression(
    principal: DeliveriesManage,
    session: SessionDep,
    address: Annotated[StorableText, Path(min_length=3, max_length=320)],
) -> Response:
    """Take an address your organization mailed off the bounce/complaint suppression list."""
    await delivery_admin_service.lift_suppression(session, principal, address)
    return Response(status_code=204)


# --- unsubscribe ---------------------------------------------------------------------------

_UNSUBSCRIBE_ERRORS = {
    **InvalidUnsubscribeToken.openapi(),
    **exceptions.NotUnsubscribable.openapi(),
}
Token = Annotated[StorableText, Query(min_length=1, max_length=1024)]


def _verify(request: Request, token: str, config: NotificationsSettings) -> Unsubscribe:
    settings: CoreSettings = request.app.state.settings
    tokens = UnsubscribeTokens(settings, max_age_days=config.email.unsubscribe_max_age_days)
    return tokens.verify(token)


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


def _page(token: str, read: UnsubscribeRead) -> HTMLResponse:
    """What a person who opened the link sees: a button, since a GET must change nothing
    (mail scanners open links)."""
    kind = escape(read.kind.replace("_", " "))
    if read.unsubscribed:
        body = f"<p>You will no longer get “{kind}” e-mails.</p>"
    else:
        action = escape(f"{UNSUBSCRIBE_PATH}?token={token}", quote=True)
        body = (
            f"<p>Stop “{kind}” e-mails?</p>"
            f'<form method="post" action="{action}">'
            '<input type="hidden" name="List-Unsubscribe" value="One-Click">'
            '<button type="submit">Unsubscribe</button></form>'
        )
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Unsubscribe</title></head><body>{body}</body></html>"
    )


@router.get(
    "/unsubscribe",
    response_model=UnsubscribeRead,
    responses=_UNSUBSCRIBE_ERRORS,
    dependencies=[Depends(UNSUBSCRIBE_LINK)],
)
async def unsubscribe_status(
    request: Request, session: ReadSessionDep, token: Token, config: Config
) -> Response:
    """What the link switches off and whether it already is (a page for browsers)."""
    wanted = _verify(request, token, config)
    read = UnsubscribeRead(
        kind=wanted.kind, unsubscribed=await delivery_admin_service.is_unsubscribed(session, wanted)
    )
    if _wants_html(request):
        return _page(token, read)
    return JSONResponse(read.model_dump(mode="json"))


@router.post(
    "/unsubscribe",
    response_model=UnsubscribeRead,
    responses=_UNSUBSCRIBE_ERRORS,
    dependencies=[Depends(UNSUBSCRIBE_LINK)],
)
async def unsubscribe(
    request: Request, session: SessionDep, token: Token, config: Config
) -> Response:
    """One-click unsubscribe (RFC 8058): the mail client POSTs `List-Unsubscribe=One-Click`."""
    wanted = _verify(request, token, config)
    await delivery_admin_service.unsubscribe(session, wanted)
    read = UnsubscribeRead(kind=wanted.kind, unsubscribed=True)
    if _wants_html(request):
        return _page(token, read)
    return JSONResponse(read.model_dump(mode="json"))
