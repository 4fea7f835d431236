"""The search service's consumer group with every domain's handlers registered.

`run_consumer(settings, sift.search.consumers.consumer)` runs it (one or more processes).
"""

from __future__ import annotations

from sift.search.access import consumers as access_consumers
from sift.search.events import consumer
from sift.search.ingestion import consumers as ingestion_consumers
from sift.search.privacy import consumers as privacy_consumers
from sift.search.saved import consumers as saved_consumers

HANDLER_MODULES = (ingestion_consumers, access_consumers, saved_consumers, privacy_consumers)

__all__ = ["HANDLER_MODULES", "consumer"]
