"""`traceparent` through the pieces no instrumentation knows: the outbox envelope, the relay's
stream entry and the consumer; through Celery messages (enqueued after commit) and the
internal HTTP client; trace IDs in log lines."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from celery import Celery
from celery.result import AsyncResult
from opentelemetry import trace
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.trace import SpanKind
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sift.contracts.events import DocumentUploaded, EventEnvelope
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.core.events.bus import FIELD_TRACEPARENT
from sift.core.events.consumer import Consumer
from sift.core.events.runner import consume_once
from sift.core.http import create_http_client
from sift.core.tasks import celery_app, enqueue_after_commit, flush_enqueued
from sift.core.tracing import (
    add_trace_ids,
    context_from_traceparent,
    current_traceparent,
    tracer,
)
from sift.documents.models import OutboxEvent as DocumentsOutbox
from sift.notifications.models import ProcessedEvent
from tests.core.events.conftest import drain_outboxes, publish_committed, stream_entries
from tests.core.events.workload import uploaded
from tests.core.tracing.conftest import Spans


def ids(span: Any) -> tuple[str, str]:
    context = span.get_span_context() if hasattr(span, "get_span_context") else span.context
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


def traceparent_of(span: Any) -> str:
    context = span.get_span_context() if hasattr(span, "get_span_context") else span.context
    trace_id, span_id = ids(span)
    return f"00-{trace_id}-{span_id}-{context.trace_flags:02x}"  # sampled (and "random")


def test_a_traceparent_reads_back_as_the_same_context(spans: Spans) -> None:
    with tracer().start_as_current_span("request") as span:
        traceparent = current_traceparent()
    _, span_id = ids(span)
    assert traceparent == traceparent_of(span)
    assert current_traceparent(context_from_traceparent(traceparent)) == traceparent
    assert current_traceparent() is None  # outside a span: nothing to carry
    for broken in (None, "", "00-zz-11-01", f"00-{'0' * 32}-{span_id}-01"):
        assert context_from_traceparent(broken) is None


def test_the_envelope_keeps_its_traceparent_and_old_envelopes_still_read() -> None:
    envelope = EventEnvelope.wrap(uploaded(1), producer="documents", traceparent="00-a-b-01")
    assert EventEnvelope.model_validate_json(envelope.model_dump_json()).traceparent == "00-a-b-01"
    old = envelope.model_dump(mode="json")
    del old["traceparent"]
    assert EventEnvelope.model_validate(old).traceparent is None


async def test_an_events_trace_goes_from_the_outbox_through_the_relay_to_the_consumer(
    database: Database,
    redis: Redis,
    settings: CoreSettings,
    clean_outboxes: None,
    spans: Spans,
) -> None:
    seen: list[tuple[str, str]] = []
    consumer = Consumer("tracing-test", ProcessedEvent)

    @consumer.on(DocumentUploaded)
    async def handle(session: AsyncSession, envelope: EventEnvelope) -> None:
        seen.append(ids(trace.get_current_span()))

    with tracer().start_as_current_span("POST /api/documents") as request:
        [envelope] = await publish_committed(
            database, DocumentsOutbox, [uploaded(0)], producer="documents"
        )
    assert envelope.traceparent == traceparent_of(request)

    assert await drain_outboxes(database, redis, settings, ["documents"]) == 1
    relayed = spans.named("publish document.uploaded")
    assert relayed.kind is SpanKind.PRODUCER
    assert (
        relayed.parent is not None and relayed.parent.span_id == request.get_span_context().span_id
    )
    [entry] = await stream_entries(redis, settings)
    assert entry.fields[FIELD_TRACEPARENT] == traceparent_of(relayed)

    stats = await consume_once(
        consumer, database=database, redis=redis, settings=settings, name="a"
    )
    assert stats.applied == 1
    processed = spans.named("process document.uploaded")
    assert processed.kind is SpanKind.CONSUMER
    assert processed.parent is not None and processed.parent.span_id == relayed.context.span_id
    assert processed.attributes is not None
    assert processed.attributes["messaging.consumer.group.name"] == "tracing-test"
    assert seen == [ids(processed)]  # the handler ran inside it


async def test_an_event_written_outside_any_trace_starts_none(
    database: Database,
    redis: Redis,
    settings: CoreSettings,
    clean_outboxes: None,
    spans: Spans,
) -> None:
    [envelope] = await publish_committed(
        database, DocumentsOutbox, [uploaded(0)], producer="documents"
    )
    assert envelope.traceparent is None
    await drain_outboxes(database, redis, settings, ["documents"])
    [entry] = await stream_entries(redis, settings)
    assert FIELD_TRACEPARENT not in entry.fields
    consumer = Consumer("tracing-none", ProcessedEvent)
    consumer.add_handler(DocumentUploaded, lambda session, envelope: asyncio.sleep(0))
    await consume_once(consumer, database=database, redis=redis, settings=settings, name="a")
    assert spans.finished() == []


@celery_app.task(name="notifications.testing.trace", ignore_result=False)
def current_trace() -> dict[str, str]:
    trace_id, span_id = ids(trace.get_current_span())
    return {"trace_id": trace_id, "span_id": span_id}


@pytest.fixture
def instrumented_celery(spans: Spans) -> Any:
    instrumentor = CeleryInstrumentor()
    instrumentor.instrument(tracer_provider=spans.provider)
    yield
    instrumentor.uninstrument()


async def test_a_task_enqueued_after_commit_continues_the_span_that_enqueued_it(
    worker: Celery, database: Database, spans: Spans, instrumented_celery: None
) -> None:
    async with database.sessionmaker() as session:
        await session.execute(text("SELECT 1"))
        with tracer().start_as_current_span("process document.uploaded") as handler:
            task_id = enqueue_after_commit(session, current_trace.s())
        with tracer().start_as_current_span("something else at commit time"):
            await session.commit()
    await flush_enqueued()
    ran = await asyncio.to_thread(AsyncResult(task_id, app=celery_app).get, timeout=15)

    trace_id, _ = ids(handler)
    assert ran["trace_id"] == trace_id
    sent = spans.named("apply_async/notifications.testing.trace")
    assert sent.parent is not None and sent.parent.span_id == handler.get_span_context().span_id
    for _ in range(50):  # the worker thread ends its span after it stored the result
        if any(span.name.startswith("run/") for span in spans.finished()):
            break
        await asyncio.sleep(0.05)
    run = spans.named("run/notifications.testing.trace")
    assert ids(run) == (trace_id, ran["span_id"])
    assert run.parent is not None and run.parent.span_id == sent.context.span_id


@pytest.fixture
def worker(celery_worker: Celery) -> Any:
    yield celery_worker


async def test_the_internal_http_client_sends_the_current_traceparent(spans: Spans) -> None:
    received: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        received.append(request.headers.get("traceparent"))
        return httpx.Response(200)

    async with create_http_client(
        base_url="http://search.internal", transport=httpx.MockTransport(answer)
    ) as client:
        with tracer().start_as_current_span("ask") as ask:
            await client.get("/internal/passages")
    trace_id, _ = ids(ask)
    [traceparent] = received
    assert traceparent is not None and traceparent.startswith(f"00-{trace_id}-")
    sent = [span for span in spans.finished() if span.kind is SpanKind.CLIENT]
    assert [traceparent_of(span) for span in sent] == [traceparent]


def test_log_lines_inside_a_span_carry_its_ids(spans: Spans) -> None:
    assert add_trace_ids(None, "info", {"event": "outside"}) == {"event": "outside"}
    with tracer().start_as_current_span("task") as span:
        line = add_trace_ids(None, "info", {"event": "inside"})
    trace_id, span_id = ids(span)
    assert line == {"event": "inside", "trace.id": trace_id, "span.id": span_id}
