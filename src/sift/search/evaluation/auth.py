"""Who may run and read evaluations: organization owners and admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from sift.core.auth import Authorize, Principal

# Owners and admins: they read every collection of the organization, so a run measures the
# whole corpus, and golden sets are curated by whoever manages the collections.
EvaluationsManage = Annotated[Principal, Depends(Authorize("collections:manage"))]
