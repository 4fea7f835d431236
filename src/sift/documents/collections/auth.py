"""Who may call the collection endpoints (org permissions; grants are checked in the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

DocumentsRead = Annotated[Principal, Depends(Authorize("documents:read"))]
DocumentsWrite = Annotated[Principal, Depends(Authorize("documents:write"))]
CollectionsManage = Annotated[Principal, Depends(Authorize("collections:manage"))]
