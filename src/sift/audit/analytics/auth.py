"""Who may read usage analytics: organization admins and owners (`analytics:read`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

AnalyticsRead = Annotated[Principal, Depends(Authorize("analytics:read"))]
