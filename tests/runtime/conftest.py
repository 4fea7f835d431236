"""Fixtures of the runtime tests: a sync engine (the scheduler's driver) on the test database."""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import Engine, create_engine, text

from sift import SERVICES
from sift.core.config import CoreSettings, Environment


@pytest.fixture(scope="session")
def sync_engine(base_settings: CoreSettings) -> Iterator[Engine]:
    engine = create_engine(base_settings.sync_sqlalchemy_url, pool_size=5)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_event_tables(sync_engine: Engine) -> Iterator[None]:
    """For tests that commit: every service's outbox and processed_events start empty."""

    def truncate() -> None:
        with sync_engine.begin() as connection:
            for schema in SERVICES:
                connection.execute(text(f'TRUNCATE "{schema}".outbox, "{schema}".processed_events'))

    truncate()
    yield
    truncate()


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """`sift` commands configure logging on the stream of the moment (a test's capture)."""
    config = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.configure(**config)
    root.handlers = handlers
    root.setLevel(level)


def postgres_tmp_dir() -> Path:
    """A directory the `embedded_postgres` system user can reach.

    Not pytest's tmp_path: every pytest session that starts on this machine resets
    /tmp/pytest-of-<user> to 0700, which would lock a running cluster out of its data.
    """
    return Path(tempfile.mkdtemp(prefix="sift-test-runtime-"))


@pytest.fixture
def pg_tmp() -> Iterator[Path]:
    path = postgres_tmp_dir()
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def core(tmp_path: Path) -> CoreSettings:
    """Settings of a gateway test: its own data directory."""
    return CoreSettings(env=Environment.test, data_dir=tmp_path / "data")
