"""What stays of an erasure: when, and how much each service removed. No personal data."""

from __future__ import annotations

from typing import Any

from sift.audit.privacy.models import PrivacyRequest
from sift.contracts.events import ErasedCounts, ErasureFinished, MemberErased


def receipt(request: PrivacyRequest) -> dict[str, Any]:
    """The receipt the requester reads: when, and how much each service removed."""
    return {
        "request_id": str(request.id),
        "kind": request.kind,
        "requested_at": request.created_at.isoformat(),
        "finished_at": request.finished_at.isoformat() if request.finished_at else None,
        "services": {
            name: {
                "erased": int(part.get("erased", 0)),
                "anonymized": int(part.get("anonymized", 0)),
                "finished_at": part.get("finished_at"),
            }
            for name, part in sorted(request.services.items())
        },
    }


def finished(request: PrivacyRequest) -> ErasureFinished:
    """The end of an erasure with its receipt's counts, for the audit log to keep."""
    return ErasureFinished(request_id=request.id, kind=request.kind, services=_counts(request))


def member_erased(request: PrivacyRequest) -> MemberErased:
    """The receipt of a person's erasure for an organization they were a member of."""
    return MemberErased(request_id=request.id, services=_counts(request))


def _counts(request: PrivacyRequest) -> dict[str, ErasedCounts]:
    return {
        name: ErasedCounts(
            erased=int(part.get("erased", 0)), anonymized=int(part.get("anonymized", 0))
        )
        for name, part in sorted(request.services.items())
    }
