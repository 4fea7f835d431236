"""Who may read and change the organization's document defaults."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

# Every member reads them: whoever creates a collection sees what it will default to.
DocumentsRead = Annotated[Principal, Depends(Authorize("documents:read"))]
# Admins and owners, who manage collections, set them.
CollectionsManage = Annotated[Principal, Depends(Authorize("collections:manage"))]
