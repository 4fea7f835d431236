"""Who may read and change the organization's AI settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

# Every member who may ask reads them (which provider answers first, how much is left).
AssistantAsk = Annotated[Principal, Depends(Authorize("assistant:ask"))]
# Admins and owners change them.
AssistantManage = Annotated[Principal, Depends(Authorize("assistant:manage"))]
