"""Who may read the audit log: organization admins and owners (`audit:read`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

AuditRead = Annotated[Principal, Depends(Authorize("audit:read"))]
