"""Settings: prefixes, profiles, production refusing default secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from sift.audit.config import AuditSettings
from sift.core.config import CoreSettings, Environment, SiftSettings
from sift.documents.config import DocumentsSettings
from sift.search.config import IngestSettings, SearchSettings


def test_defaults_run_on_one_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SIFT_DATABASE_URL", "DATABASE_URL", "SIFT_ENV", "SIFT_EMBEDDED_PG_PORT"):
        monkeypatch.delenv(var, raising=False)
    settings = CoreSettings(_env_file=None)
    assert settings.env is Environment.development
    assert settings.sqlalchemy_url == "postgresql+asyncpg://postgres@127.0.0.1:55432/sift"
    assert settings.sync_sqlalchemy_url.startswith("postgresql+psycopg://")
    assert settings.storage.backend == "local"


def test_environment_variables_use_the_sift_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIFT_REDIS_URL", "redis://cache:6380/2")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/sift")
    monkeypatch.setenv("SIFT_STORAGE_BACKEND", "s3")
    monkeypatch.setenv("SIFT_EVENTS_MAX_ATTEMPTS", "7")
    settings = CoreSettings(_env_file=None)
    assert settings.redis_url == "redis://cache:6380/2"
    assert settings.sqlalchemy_url == "postgresql+asyncpg://u:p@db:5432/sift"
    assert settings.storage.backend == "s3"
    assert settings.events.max_attempts == 7
    assert settings.redis_key("events", "dead") == "sift:events:dead"


def test_each_service_composes_its_own_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIFT_DOCUMENTS_REPLICAS", "3")
    documents = DocumentsSettings(_env_file=None)
    assert documents.replicas == 3
    assert "/api/collections" in documents.route_prefixes


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="SIFT_SECRET_KEY"):
        CoreSettings(env=Environment.production, database_url="postgresql://db/sift")


def test_production_requires_a_real_database() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        CoreSettings(env=Environment.production, secret_key="x" * 48)


def test_production_starts_with_real_secrets() -> None:
    settings = CoreSettings(
        env=Environment.production,
        secret_key="a-long-random-production-secret-value",
        database_url="postgresql+asyncpg://sift@db/sift",
    )
    assert settings.env is Environment.production


@pytest.mark.parametrize(
    "section", [CoreSettings, DocumentsSettings, IngestSettings, SearchSettings, AuditSettings]
)
def test_every_section_shares_the_base_rules(
    section: type[SiftSettings], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = section.model_config.get("env_prefix", "")
    (tmp_path / ".env").write_text(f"{prefix}SOMETHING_UNKNOWN=1\n")
    monkeypatch.chdir(tmp_path)
    section()  # the shared `.env`, with variables of other sections, is read without error
    assert issubclass(section, SiftSettings)


def test_a_nested_setting_can_be_set_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIFT_INGEST_SPACY_MODELS__EN", "en_core_web_sm")
    assert IngestSettings(_env_file=None).spacy_models == {"en": "en_core_web_sm"}
