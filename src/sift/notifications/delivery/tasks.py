"""`notifications.deliver.send`: one attempt at sending one delivery (a mail, or a text:
`sms.delivery`).

Acks late: a worker that dies mid-send leaves the message to be redelivered (or the sweep
finds the claim), and the next run waits until the claim is stale. Then it looks at
`handed_off_at`, committed just before the point of no return (the end of SMTP DATA, the
API call): without it nothing went out and the mail is sent now; with it the provider may
have taken it, and the delivery is dead for an admin to look at, never sent twice on its
own. Transient refusals are retried with backoff until the delivery's attempts run out;
then it is dead and a dead letter is recorded.
"""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from celery import Task

from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.tasks import celery_app, task_settings
from sift.core.tracing import run_in_current_context
from sift.notifications.config import NotificationsSettings, get_notifications_settings
from sift.notifications.delivery.exceptions import ClaimLost, DeliveryDead
from sift.notifications.delivery.models import Delivery, DeliveryStatus
from sift.notifications.delivery.outcomes import NotSent, Recorded, Result, Sent
from sift.notifications.delivery.service import SEND_TASK, delivery_service
from sift.notifications.email.exceptions import (
    EmailNotSent,
    EmailOutcomeUnknown,
    TemplateRenderFailed,
)
from sift.notifications.email.senders import email_sender
from sift.notifications.sms import delivery as sms

log = structlog.get_logger()


@dataclass
class _Runtime:
    """A worker thread's event loop and engine, made on first use (per process and thread)."""

    pid: int
    runner: asyncio.Runner
    database: Database


_local = threading.local()


def runtime(settings: CoreSettings) -> _Runtime:
    current: _Runtime | None = getattr(_local, "runtime", None)
    if current is None or current.pid != os.getpid():
        current = _Runtime(
            pid=os.getpid(),
            runner=asyncio.Runner(),
            database=Database(settings.sqlalchemy_url, pool_size=2),
        )
        _local.runtime = current
    return current


def close_runtime() -> None:
    """Releases this thread's loop and connections (tests)."""
    current: _Runtime | None = getattr(_local, "runtime", None)
    if current is not None and current.pid == os.getpid():
        current.runner.run(current.database.dispose())
        current.runner.close()
    _local.runtime = None


@celery_app.task(
    name=SEND_TASK,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    # The delivery row counts attempts; this only bounds retries of the task itself.
    max_retries=100,
)
def send(self: Task[Any, Any], delivery_id: str) -> str:
    """Send one delivery; returns its status afterwards ("none" if nothing was to do)."""
    settings = task_settings()
    recorded = run_in_current_context(  # the task's span and log bindings
        runtime(settings).runner,
        run_delivery(uuid.UUID(delivery_id), settings, get_notifications_settings()),
    )
    if recorded is None:
        return "none"
    if recorded.retry_in is not None:
        raise self.retry(countdown=recorded.retry_in)
    if recorded.status is DeliveryStatus.dead:
        raise DeliveryDead(f"delivery {delivery_id} is dead after its last attempt")
    return str(recorded.status)


async def run_delivery(
    delivery_id: uuid.UUID,
    settings: CoreSettings,
    config: NotificationsSettings,
    *,
    database: Database | None = None,
) -> Recorded | None:
    """One attempt: claim, render, send, record (None when there was nothing to send)."""
    database = database or runtime(settings).database
    async with database.sessionmaker() as session, session.begin():
        delivery = await delivery_service.claim(session, delivery_id, config.delivery)
        if delivery is not None and delivery.channel == sms.SMS:
            delivery = await sms.check(session, delivery)
    if delivery is None:
        return None
    started_at = datetime.now(UTC)

    async def handing_off() -> None:
        async with database.sessionmaker() as session, session.begin():
            await delivery_service.hand_off(session, delivery)

    result: Result | None
    if delivery.channel == sms.SMS:
        try:
            result = await sms.send(delivery, settings, config, handing_off)
        except ClaimLost:
            return None  # another attempt owns it now; this one sent nothing
    else:
        result = await _send_email(delivery, settings, config, handing_off)
    if result is None:
        return None
    async with database.sessionmaker() as session, session.begin():
        return await delivery_service.record(
            session, delivery, result, started_at=started_at, config=config.delivery
        )


async def _send_email(
    delivery: Delivery,
    settings: CoreSettings,
    config: NotificationsSettings,
    handing_off: Callable[[], Awaitable[None]],
) -> Result | None:
    """Render and send one mail (None: the claim was lost, nothing was sent)."""
    sender = email_sender(config.email)
    delivery_id = delivery.id
    result: Result
    try:
        message = delivery_service.compose(delivery, settings, config.email)
        result = Sent(sender.provider, await sender.send(message, handing_off=handing_off))
    except ClaimLost:
        return None  # another attempt owns it now; this one sent nothing
    except TemplateRenderFailed as exc:
        result = NotSent(sender.provider, f"render failed: {exc.detail}", retryable=False)
    except EmailOutcomeUnknown as exc:
        result = NotSent(sender.provider, exc.reason, retryable=False, unknown=True)
    except EmailNotSent as exc:
        result = NotSent(sender.provider, exc.reason, retryable=exc.retryable)
    except Exception as exc:  # a bug must not leave the row `sending` for good
        log.exception("notifications.delivery_crashed", delivery_id=str(delivery_id))
        result = NotSent(sender.provider, f"{type(exc).__name__}: {exc}", retryable=False)
    return result
