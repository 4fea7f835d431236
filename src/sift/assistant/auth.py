"""Who may call the assistant's endpoints (every role may ask; answers are the caller's own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

AssistantAsk = Annotated[Principal, Depends(Authorize("assistant:ask"))]
