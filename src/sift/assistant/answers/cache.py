"""The answer cache: same question, same visible corpus, same providers → the same answer.

The key hashes the organization, the provider chain (names and models), the normalised
question, the collection filter and a fingerprint of the retrieved passages (chunk ID,
version ID and a digest of the text). Retrieval runs as the caller, so the fingerprint is
the corpus the caller sees for this question: a new version, a deleted document, a
re-indexed chunk or a changed permission changes it, and the stale entry is never read
again (it expires after the TTL). First questions only: a follow-up depends on history.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence

import structlog
from pydantic import BaseModel
from redis.asyncio import Redis
from redis.exceptions import RedisError

from sift.assistant.grounding import text as tx
from sift.assistant.passages import Passage

log = structlog.get_logger()
_FAILURES = (RedisError, OSError, TimeoutError)


class CachedAnswer(BaseModel):
    answer: str
    provider: str
    model: str
    citations: list[dict[str, object]]
    grounded: bool
    unsupported_sentences: list[str]
    dropped_citations: int


def corpus_fingerprint(passages: Sequence[Passage]) -> str:
    digest = hashlib.sha256()
    for passage in sorted(passages, key=lambda p: str(p.chunk_id)):
        digest.update(f"{passage.chunk_id}:{passage.version_id}:".encode())
        digest.update(hashlib.sha256(passage.text.encode()).digest())
    return digest.hexdigest()


def answer_key(
    *,
    org_id: uuid.UUID,
    chain: str,
    question: str,
    collection_ids: Sequence[uuid.UUID] | None,
    passages: Sequence[Passage],
) -> str:
    normalised = " ".join(tx.words(question))
    parts = [
        str(org_id),
        chain,
        normalised,
        ",".join(sorted(str(c) for c in collection_ids or ())),
        corpus_fingerprint(passages),
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class AnswerCache:
    def __init__(self, redis: Redis, prefix: str, ttl: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    async def get(self, key: str) -> CachedAnswer | None:
        if not self.enabled:
            return None
        try:
            raw = await self.redis.get(self.prefix + key)
        except _FAILURES as exc:
            log.warning("assistant.cache.unavailable", error=type(exc).__name__)
            return None
        return CachedAnswer.model_validate_json(raw) if raw else None

    async def put(self, key: str, value: CachedAnswer) -> None:
        if not self.enabled:
            return
        try:
            await self.redis.set(self.prefix + key, value.model_dump_json(), ex=self.ttl)
        except _FAILURES as exc:
            log.warning("assistant.cache.unavailable", error=type(exc).__name__)
