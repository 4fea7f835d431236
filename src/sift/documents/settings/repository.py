"""SQL of the organization's document defaults: one row per organization, upserted."""

from __future__ import annotations

from sift.core.org_settings import OrgSettingsRepository
from sift.documents.models import OrganizationSettings

settings_repository = OrgSettingsRepository(OrganizationSettings)
