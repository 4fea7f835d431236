"""Retrieval evaluation API: who may run it, what it counts, metrics on a tiny corpus, storage.

The corpus is indexed as ingestion leaves it (index state, chunks with their real MiniLM
vectors and tsvectors; postings by the table's triggers); collections reach search's access
projection through the documents events' real handlers. Access tokens are signed with a
test key and checked by the app's real verifier.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from sift.contracts.events.documents import CollectionCreated
from sift.core.auth import Authenticator, TokenVerifier
from sift.core.auth.config import AuthSettings
from sift.core.config import CoreSettings
from sift.core.db import Database
from sift.search.app import create_app
from sift.search.ingestion.embedding import Embedder
from sift.search.models import Chunk, DocumentIndex, IndexStatus
from tests.conftest import TransactionalDatabase
from tests.core.auth.conftest import SigningKey, claims_for, ed25519_key
from tests.search.access_helpers import apply, at, envelope

PATH = "/api/search/evaluations"
TEXTS = {
    "plants": "Photosynthesis in plants: chlorophyll captures sunlight to make sugar.",
    "volcano": "A volcano erupts when magma rises; the lava flows down its slopes.",
    "jazz": "Jazz musicians improvise on the saxophone and the trumpet.",
    "lamp": "A lava lamp is a decoration: coloured wax rises and falls in warm liquid.",
}


class StaticKeys:
    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.jwk = jwt.PyJWK(key.jwk, key.algorithm)

    async def get_key(self, kid: str) -> jwt.PyJWK | None:
        return self.jwk if kid == self.key.kid else None


@dataclass
class Corpus:
    org_id: uuid.UUID
    collection_id: uuid.UUID
    documents: dict[str, uuid.UUID]


@dataclass
class Api:
    client: httpx.AsyncClient
    key: SigningKey
    settings: CoreSettings

    def headers(self, role: str, org_id: uuid.UUID) -> dict[str, str]:
        claims = claims_for(self.settings, role=role, org=str(org_id))
        return {"Authorization": f"Bearer {self.key.sign(claims)}"}

    async def run(self, role: str, org_id: uuid.UUID, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(PATH, json=body, headers=self.headers(role, org_id))


async def index_collection(
    session: AsyncSession, embedder: Embedder, org_id: uuid.UUID, texts: dict[str, str]
) -> Corpus:
    collection_id = uuid.uuid4()
    created = CollectionCreated(
        collection_id=collection_id, visibility="org", created_by=uuid.uuid4()
    )
    await apply(session, envelope(created, org_id, at(0)))
    vectors = embedder.embed(list(texts.values()))
    documents = {}
    now = datetime.now(UTC)
    for (name, text), vector in zip(texts.items(), vectors, strict=True):
        document_id, version_id = uuid.uuid4(), uuid.uuid4()
        session.add(
            DocumentIndex(
                version_id=version_id,
                document_id=document_id,
                org_id=org_id,
                collection_id=collection_id,
                status=IndexStatus.indexed,
                storage_key=f"documents/{document_id}/{version_id}",
                content_type="text/plain",
                filename=f"{name}.txt",
                announced_at=now,
                queued_at=now,
                chunk_count=1,
            )
        )
        await session.flush()
        session.add(
            Chunk(
                id=uuid.uuid4(),
                org_id=org_id,
                collection_id=collection_id,
                document_id=document_id,
                version_id=version_id,
                ordinal=0,
                start_char=0,
                end_char=len(text),
                text=text,
                token_count=len(text.split()),
                language="en",
                text_search_config="english",
                embedding=vector,
                embedding_model=embedder.name,
            )
        )
        documents[name] = document_id
    await session.flush()
    return Corpus(org_id, collection_id, documents)


@pytest.fixture
async def api(
    settings: CoreSettings, db_connection: AsyncConnection, database: Database
) -> AsyncIterator[Api]:
    app = create_app(settings)
    key = ed25519_key()
    verifier = TokenVerifier(StaticKeys(key), issuer=settings.public_url, config=AuthSettings())
    Authenticator.install(app, Authenticator(verifier))
    async with app.router.lifespan_context(app):
        await app.state.database.dispose()
        app.state.database = TransactionalDatabase(db_connection, database)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Api(client, key, settings)


@pytest.fixture
async def corpus(session: AsyncSession, embedder: Embedder) -> Corpus:
    return await index_collection(session, embedder, uuid.uuid4(), TEXTS)


def case(query: str, *relevant: uuid.UUID, **graded: Any) -> dict[str, Any]:
    return {"query": query, "relevant_document_ids": [str(r) for r in relevant] or graded}


@pytest.mark.parametrize("role", ["editor", "viewer"])
async def test_only_owners_and_admins_may_evaluate(api: Api, corpus: Corpus, role: str) -> None:
    body = {"cases": [case("volcano magma", corpus.documents["volcano"])]}
    answer = await api.run(role, corpus.org_id, body)
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    headers = api.headers(role, corpus.org_id)
    assert (await api.client.get(PATH, headers=headers)).status_code == 403
    assert (await api.client.get(f"{PATH}/{uuid.uuid4()}", headers=headers)).status_code == 403
    assert (await api.client.post(PATH, json=body)).status_code == 401


async def test_metrics_per_mode_on_a_tiny_corpus(api: Api, corpus: Corpus) -> None:
    docs = corpus.documents
    body = {
        "name": "tiny",
        "cases": [
            case("volcano magma eruption", docs["volcano"]),
            # The lava lamp matches all three terms, the volcano only "lava": it comes second.
            case("lava lamp wax", docs["volcano"]),
        ],
    }
    answer = await api.run("admin", corpus.org_id, body)
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["name"] == "tiny" and run["cases"] == 2
    assert run["skipped_cases"] == 0 and run["ignored_judgments"] == 0
    assert set(run["metrics"]) == {"hybrid", "fulltext", "semantic"}
    fulltext = run["metrics"]["fulltext"]
    # Case 1: rank 1 (all 1.0). Case 2: rank 2: nDCG 1/log2(3), MRR 1/2, recall 1.
    assert fulltext["ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2, abs=1e-4)
    assert fulltext["mrr@10"] == 0.75
    assert fulltext["recall@100"] == 1.0
    for metrics in run["metrics"].values():
        assert set(metrics) == {"ndcg@10", "recall@100", "mrr@10", "p50_ms", "p95_ms"}
        assert 0 < metrics["ndcg@10"] <= 1 and metrics["recall@100"] == 1.0
        assert 0 < metrics["p50_ms"] <= metrics["p95_ms"]
    # The semantic ranker puts the volcano text first for the volcano question.
    assert run["metrics"]["semantic"]["mrr@10"] >= 0.5


async def test_graded_judgments_and_chosen_modes(api: Api, corpus: Corpus) -> None:
    docs = corpus.documents
    graded = {str(docs["lamp"]): 2, str(docs["volcano"]): 1, str(docs["jazz"]): 0}
    body = {"cases": [{"query": "lava", "relevant_document_ids": graded}], "modes": ["fulltext"]}
    answer = await api.run("owner", corpus.org_id, body)
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["modes"] == ["fulltext"] and list(run["metrics"]) == ["fulltext"]
    # "lava" is in both; the shorter lamp text is not necessarily first: check consistency.
    ndcg = run["metrics"]["fulltext"]["ndcg@10"]
    ideal = 2 + 1 / math.log2(3)
    assert ndcg in (pytest.approx(1.0), pytest.approx((1 + 2 / math.log2(3)) / ideal, abs=1e-4))


async def test_documents_the_caller_cannot_read_neither_count_nor_leak(
    api: Api, corpus: Corpus, session: AsyncSession, embedder: Embedder
) -> None:
    other = await index_collection(
        session, embedder, uuid.uuid4(), {"sax": "Saxophone jazz improvisation all night."}
    )
    foreign, missing = other.documents["sax"], uuid.uuid4()
    docs = corpus.documents
    body = {
        "cases": [
            # Another organization's document would halve recall if it counted.
            case("jazz saxophone", docs["jazz"], foreign),
            # Only unreadable or unknown documents: nothing to score.
            case("saxophone", foreign),
            case("saxophone", missing),
        ],
        "modes": ["fulltext", "hybrid"],
    }
    answer = await api.run("admin", corpus.org_id, body)
    assert answer.status_code == 201, answer.text
    run = answer.json()
    assert run["cases"] == 3 and run["skipped_cases"] == 2
    assert run["ignored_judgments"] == 3  # foreign twice, missing once: told apart by nothing
    for metrics in run["metrics"].values():
        assert metrics["recall@100"] == 1.0 and metrics["ndcg@10"] == 1.0

    # Narrowed to other collections, the judged document is out of reach too.
    elsewhere = await index_collection(session, embedder, corpus.org_id, {"x": "Jazz club."})
    narrowed = {
        "cases": [case("jazz saxophone", docs["jazz"], elsewhere.documents["x"])],
        "collection_ids": [str(corpus.collection_id)],
        "modes": ["fulltext"],
    }
    run = (await api.run("admin", corpus.org_id, narrowed)).json()
    assert run["ignored_judgments"] == 1
    assert run["metrics"]["fulltext"]["recall@100"] == 1.0


async def test_runs_are_stored_listed_newest_first_and_kept_per_organization(
    api: Api, corpus: Corpus
) -> None:
    body = {"cases": [case("volcano", corpus.documents["volcano"])], "modes": ["fulltext"]}
    first = (await api.run("admin", corpus.org_id, body | {"name": "first"})).json()
    second = (await api.run("admin", corpus.org_id, body | {"name": "second"})).json()
    headers = api.headers("admin", corpus.org_id)
    page = (await api.client.get(PATH, params={"limit": 1}, headers=headers)).json()
    assert [item["id"] for item in page["items"]] == [second["id"]]
    rest = await api.client.get(
        PATH, params={"limit": 1, "cursor": page["next_cursor"]}, headers=headers
    )
    assert [item["id"] for item in rest.json()["items"]] == [first["id"]]
    assert rest.json()["next_cursor"] is None
    one = await api.client.get(f"{PATH}/{first['id']}", headers=headers)
    assert one.status_code == 200 and one.json() == first

    stranger = api.headers("owner", uuid.uuid4())
    assert (await api.client.get(f"{PATH}/{first['id']}", headers=stranger)).status_code == 404
    assert (await api.client.get(PATH, headers=stranger)).json()["items"] == []
    bad = await api.client.get(PATH, params={"cursor": "not-a-cursor"}, headers=headers)
    assert bad.status_code == 400 and bad.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        {"cases": []},
        {"cases": [{"query": " ", "relevant_document_ids": [str(uuid.uuid4())]}]},
        {"cases": [{"query": "q", "relevant_document_ids": []}]},
        {"cases": [{"query": "q", "relevant_document_ids": {str(uuid.uuid4()): 0}}]},
        {"cases": [{"query": "q", "relevant_document_ids": {str(uuid.uuid4()): 101}}]},
        {"cases": [{"query": "q", "relevant_document_ids": ["nope"]}]},
        {"cases": [{"query": "q", "relevant_document_ids": [str(uuid.uuid4())]}], "modes": ["x"]},
    ],
    ids=["no-cases", "blank", "no-judgments", "all-zero", "grade", "not-uuid", "mode"],
)
async def test_bad_golden_sets_are_422_problems(
    api: Api, corpus: Corpus, body: dict[str, Any]
) -> None:
    answer = await api.run("admin", corpus.org_id, body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
