"""Enqueue after commit: a task leaves for the broker only once its transaction commits."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import structlog
from celery import Task
from celery.canvas import Signature
from celery.utils import uuid
from opentelemetry.context import Context
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from sift.core.tasks.dead_letters import compact_json
from sift.core.tasks.routing import queue_for
from sift.core.tracing import attached, current_context

log = structlog.get_logger()

_PENDING_KEY = "sift.tasks.pending"
# One thread: broker I/O stays off the event loop, and a process's tasks keep their order.
_publisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sift-enqueue")
_in_flight: set[Future[None]] = set()


@dataclass(frozen=True)
class _Pending:
    owner: SessionTransaction | None  # the innermost transaction when it was enqueued
    signature: Signature[Any]
    # The span that enqueued it parents the task, not whatever is current at commit.
    trace: Context | None = None


def enqueue_after_commit(
    session: AsyncSession | Session,
    task: Task[Any, Any] | Signature[Any],
    *args: Any,
    **kwargs: Any,
) -> str:
    """Sends `task(*args, **kwargs)` once `session`'s transaction commits; returns its ID.

    A rollback drops it, and so does rolling back the savepoint it was enqueued in. Pass
    a signature (`task.s(...).set(countdown=10)`) for send options.
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    _listen()
    if isinstance(task, Signature):
        if args or kwargs:
            raise TypeError("give the arguments in the signature, not beside it")
        signature = task.clone()
    else:
        signature = task.signature(args, kwargs)
    task_id = signature.options.get("task_id") or uuid()
    signature.set(task_id=task_id)
    queue_for(signature.task or "")  # a misnamed task fails here, in the request, not later
    if not sync.in_transaction():
        sync.begin()  # no I/O: only marks where the unit of work starts
    owner = sync.get_nested_transaction() or sync.get_transaction()
    sync.info.setdefault(_PENDING_KEY, []).append(_Pending(owner, signature, current_context()))
    return str(task_id)


async def flush_enqueued() -> None:
    """Waits until every task released by a commit so far has reached the broker."""
    while _in_flight:
        await asyncio.gather(*(asyncio.wrap_future(f) for f in list(_in_flight)))


def _listen() -> None:
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_soft_rollback)
        event.listen(Session, "after_transaction_end", _after_transaction_end)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: its tasks now wait for the outer commit
    pending: list[_Pending] = session.info.pop(_PENDING_KEY, [])
    if pending:
        _publish(pending)


def _within(owner: SessionTransaction | None, transaction: SessionTransaction) -> bool:
    node = owner
    while node is not None:
        if node is transaction:
            return True
        node = node.parent
    return False


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    pending: list[_Pending] = session.info.get(_PENDING_KEY, [])
    if not pending:
        return
    session.info[_PENDING_KEY] = [
        item for item in pending if not _within(item.owner, previous_transaction)
    ]
    for item in pending:
        if _within(item.owner, previous_transaction):
            log.info("task.dropped_on_rollback", task=item.signature.task)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # A session closed without commit or rollback ends its transaction: drop the rest.
    if transaction.parent is None:
        for item in session.info.pop(_PENDING_KEY, []):
            log.info("task.dropped_on_rollback", task=item.signature.task)


def _publish(pending: list[_Pending]) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        _send(pending)  # no event loop to keep free: send right here
        return
    context = contextvars.copy_context()  # carries the request ID into the thread
    future = _publisher.submit(context.run, _send, pending)
    _in_flight.add(future)
    future.add_done_callback(_in_flight.discard)


def _send(pending: list[_Pending]) -> None:
    for item in pending:
        signature = item.signature
        try:
            with attached(item.trace):
                signature.apply_async()
        except Exception:
            # The transaction has committed; the task is lost unless someone re-sends it.
            log.exception(
                "task.enqueue_failed",
                task=signature.task,
                task_id=signature.options.get("task_id"),
                args=compact_json(list(signature.args)),
            )
