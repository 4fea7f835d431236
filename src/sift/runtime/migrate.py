"""`sift migrate`: every service's Alembic history, in a fixed order."""

from __future__ import annotations

import structlog

from sift import SERVICES
from sift.core import migrations
from sift.core.config import CoreSettings

log = structlog.get_logger()


def migrate_all(settings: CoreSettings, revision: str = "heads") -> None:
    for service in SERVICES:
        migrations.upgrade(service, settings.sqlalchemy_url, revision)
        log.info("migrate.done", service=service, revision=revision)
