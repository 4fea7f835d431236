"""Who may watch the organization's indexing: its admins and owners."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

CollectionsManage = Annotated[Principal, Depends(Authorize("collections:manage"))]
