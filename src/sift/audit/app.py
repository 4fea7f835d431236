"""The audit service's FastAPI application (`sift serve audit`)."""

from __future__ import annotations

from fastapi import FastAPI

from sift.audit.analytics.endpoints import router as analytics_router
from sift.audit.consents.endpoints import router as consents_router
from sift.audit.log.endpoints import router as audit_log_router
from sift.audit.privacy.endpoints import router as privacy_router
from sift.core.app import create_service_app
from sift.core.config import CoreSettings

NAME = "audit"

# One line per domain: each adds its router here.
ROUTERS = [
    audit_log_router,
    privacy_router,
    consents_router,
    analytics_router,
]


def create_app(settings: CoreSettings | None = None) -> FastAPI:
    return create_service_app(
        NAME,
        routers=ROUTERS,
        settings=settings,
        description="Audit trail, usage analytics and privacy requests.",
    )
