"""Who may read and change preferences: every member, each only their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

# A person's own settings, like their inbox: the same permission reads and writes them.
PreferencesOwn = Annotated[Principal, Depends(Authorize("notifications:read"))]
