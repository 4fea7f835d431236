"""Fixtures of the privacy flows: the committed world, and the search service's real indexer."""

from tests.audit.privacy.world import world
from tests.search.conftest import embedder, ingest_settings, ingest_thread

__all__ = ["embedder", "ingest_settings", "ingest_thread", "world"]
