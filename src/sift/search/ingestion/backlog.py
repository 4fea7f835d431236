"""The ingestion backlog as gauges, read at each scrape of the search service.

When the ingest worker is dead its own counters are gone with it; the versions waiting in
`documents_index` are what shows that ingestion is stuck (the ingestion-backlog alert).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import text

# "processing" counts too: a worker killed mid-batch leaves its versions there until the
# lease runs out and they are queued again.
_BACKLOG = text(
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(queued_at)), 0)"
    " FROM search.documents_index WHERE status IN ('queued', 'processing')"
)


class IngestBacklog:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.waiting = Gauge(
            "sift_ingest_backlog_documents",
            "Document versions queued or being processed, not yet indexed or failed",
            registry=registry,
        )
        self.oldest = Gauge(
            "sift_ingest_backlog_oldest_age_seconds",
            "How long the oldest waiting version has waited (0: none waits)",
            registry=registry,
        )

    async def refresh(self, app: Any) -> None:
        async with app.state.database.sessionmaker() as session:
            count, age = (await session.execute(_BACKLOG)).one()
        self.waiting.set(count)
        self.oldest.set(float(age))
