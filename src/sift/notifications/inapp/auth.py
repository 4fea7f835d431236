"""Who may call the notification endpoints: every member (each sees only their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

NotificationsRead = Annotated[Principal, Depends(Authorize("notifications:read"))]
